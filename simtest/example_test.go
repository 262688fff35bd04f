package simtest_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
	"github.com/bitssim/bitssim/simtest"
)

// reporter stands in for the *testing.T of a real test, which examples do
// not have: it prints what simtest reports.
type reporter struct {
	cleanups []func()
	failed   bool
}

func (r *reporter) Helper()                  {}
func (r *reporter) Name() string             { return "Example" }
func (r *reporter) Cleanup(f func())         { r.cleanups = append(r.cleanups, f) }
func (r *reporter) Context() context.Context { return context.Background() }
func (r *reporter) Failed() bool             { return r.failed }
func (r *reporter) Logf(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
}
func (r *reporter) Errorf(format string, args ...any) {
	r.failed = true
	fmt.Printf(format+"\n", args...)
}
func (r *reporter) Fatalf(format string, args ...any) {
	r.failed = true
	panic(fmt.Sprintf(format, args...))
}

// end runs the cleanups, as the end of a test does.
func (r *reporter) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// completeOnTransferred is the code under test in these examples: a
// callback object that completes the job when BITS says it is transferred.
func completeOnTransferred() model.Callback {
	return &model.CallbackFuncs{OnJobTransferred: func(job model.Job) error {
		_, err := job.Complete()
		return err
	}}
}

// A test of code that drives BITS, on the default automatic clock: set-up
// in one line per thing, a wait that returns once the job is ACKNOWLEDGED
// and the callback has returned, and the checks written as in a scenario.
// In a test, t is the test's *testing.T.
func Example() {
	t := &reporter{}
	defer t.end()

	svc := simtest.New(t)
	app := svc.App("updater", "alice")
	job := svc.Job(app, "job1", "https://updates.example/app.msi")
	_ = job.SetNotifyInterface(completeOnTransferred())
	_ = job.Resume()

	fmt.Println(svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED))
	fmt.Println(svc.Expect("job1 JobTransferred -> updater x1", "job1 no JobError"))
	// Output:
	// ACKNOWLEDGED
	// true
}

// A remote scripted attempt by attempt, and Advance to get past the retry
// delay: on the manual clock here, and the same code works on the
// automatic clock. The trace prints with virtual times, as bitssim run
// prints it.
func ExampleService_Sequence() {
	t := &reporter{}
	defer t.end()

	svc := simtest.New(t, simtest.Manual())
	svc.Sequence("https://updates.example/app.msi", 4096, 503, 503)
	job := svc.Job(svc.App("updater", "alice"), "job1", "https://updates.example/app.msi")
	_ = job.SetNotifyInterface(completeOnTransferred())
	_ = job.Resume()

	fmt.Println(svc.AwaitState(job, model.BG_JOB_STATE_TRANSIENT_ERROR))
	svc.Advance(10 * time.Minute) // BITS's default MinimumRetryDelay
	fmt.Println(svc.AwaitState(job, model.BG_JOB_STATE_TRANSIENT_ERROR))
	svc.Advance(10 * time.Minute)
	fmt.Println(svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED), svc.Elapsed())
	_ = svc.WriteTrace(os.Stdout, "text")
	// Output:
	// TRANSIENT_ERROR
	// TRANSIENT_ERROR
	// ACKNOWLEDGED 20m0s
	// t+20m0s    BITS         -> updater      JobTransferred job1                          S_OK
}

// Marks say "nothing new since here"; a failed expectation says what was
// expected and what was seen, and at the end of a failed test the trace is
// written to a file (as text and SVG) whose path is logged.
func ExampleService_ExpectSince() {
	t := &reporter{}
	svc := simtest.New(t, simtest.Manual())
	defer svc.Close() // the example skips the end of the test, which would log where the trace is
	job := svc.Job(svc.App("updater", "alice"), "job1", "https://updates.example/app.msi")
	_ = job.SetNotifyInterface(completeOnTransferred())
	mark := svc.Mark()
	_ = job.Resume()
	svc.Settle()

	svc.ExpectSince(mark, "job1 no JobTransferred")
	// Output:
	// simtest: expect job1 no JobTransferred
	//     expected no deliveries
	//     seen     1 delivery
}

// Typed matchers, for people who prefer code to the expectation language.
func ExampleService_AwaitEvent() {
	t := &reporter{}
	defer t.end()

	svc := simtest.New(t)
	clsid := svc.Class("Notifier", func(*sim.App) (any, error) { return completeOnTransferred(), nil })
	svc.Remote("https://updates.example/app.msi", sim.Remote{Size: 1 << 20, Rate: 64 << 10}) // 16 s
	app := svc.App("A", "alice")
	job := svc.Job(app, "job1", "https://updates.example/app.msi")
	_ = job.SetNotifyInterface(completeOnTransferred())
	_ = job.SetNotifyCLSID(clsid)
	mark := svc.Mark()
	_ = job.Resume()
	svc.AwaitState(job, model.BG_JOB_STATE_TRANSFERRING)
	app.Crash() // mid-download
	svc.Advance(time.Minute)

	e := svc.AwaitEvent(mark, simtest.ForJob(job), simtest.ToClass(clsid), simtest.Delivered())
	fmt.Println(e.Kind, "delivered to instance", e.Target.Instance)
	fmt.Println(len(svc.Events(mark, simtest.To("A"), simtest.Result(model.RPC_S_SERVER_UNAVAILABLE))))
	// Output:
	// JobTransferred delivered to instance 1
	// 1
}
