package sim_test

// Misbehaving callbacks, through the public API: callbacks that fail for
// ever, panic with all sorts of values, block, or pull the service or
// their own process out from under the call. They complement section 9 of
// notify_test.go (one panic with a string, re-entrant job calls) and
// TestNotifyAtMostFourConcurrentCallbacksPerUser.
//
// Not tested, because the simulator cannot survive it (reported): a
// callback that calls runtime.Goexit (which t.FailNow and require.* do
// inside a callback) kills the process with "fatal error: sync: unlock of
// unlocked mutex"; a callback that calls Service.Close on the automatic
// clock waits for itself for ever.

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// mbAutomatic starts an automatic-clock service; at speed 1000 a
// 5-second retry delay takes 5 ms.
func mbAutomatic(t *testing.T) *sim.Service {
	t.Helper()
	svc, err := sim.New(sim.Options{Clock: sim.Automatic, Speed: 1000, Seed: 11})
	require.NoError(t, err)
	return svc
}

// mbWaitTrace waits, without sleeping, until the trace holds n events
// that keep accepts, and returns them; it fails the test after 10 s.
func mbWaitTrace(t *testing.T, svc *sim.Service, n int, what string, keep func(model.Event) bool) []model.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []model.Event
		for _, e := range svc.Trace() {
			if keep(e) {
				got = append(got, e)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 10s waiting for %s; trace:\n%s", what, ntDump(svc.Trace()))
		}
		runtime.Gosched()
	}
}

// A callback that fails for ever is retried every MinimumRetryDelay for as
// long as the job lives, and no longer: JobInactivityTimeout cancels the
// job 90 days after its last change, since failed calls are neither
// transfer progress nor property changes, and nothing is attempted after.
//
// Rules: DELIV-RETRY-UNTIL-OK, DELIV-RETRY-INTERVAL, STATE-INACTIVITY-CANCEL, DELIV-RETRY-STOPS-ON-LEAVE, DELIV-FILE-BEFORE-JOB
func TestMisbehaveFailingForeverRetriedUntilInactivityCancels(t *testing.T) {
	failing := func(model.Job) error { return model.E_FAIL }
	cases := []struct {
		name string
		kind model.EventKind
		make func(t *testing.T, svc *sim.Service, app *sim.App) model.Job
		obj  *model.CallbackFuncs
	}{
		{"JobTransferred", ntJT, func(t *testing.T, svc *sim.Service, app *sim.App) model.Job {
			return ntJob(t, app, "j", 1)
		}, &model.CallbackFuncs{OnJobTransferred: failing}},
		{"JobError", ntJE, func(t *testing.T, svc *sim.Service, app *sim.App) model.Job {
			return ntErrorJob(t, svc, app, "j")
		}, &model.CallbackFuncs{OnJobError: func(model.Job, model.JobError) error { return model.E_FAIL }}},
		{"FileTransferred", ntFT, func(t *testing.T, svc *sim.Service, app *sim.App) model.Job {
			j := ntJob(t, app, "j", 1)
			require.NoError(t, j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
			return j
		}, &model.CallbackFuncs{OnFileTransferred: func(model.Job, model.File) error { return model.E_FAIL }}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := c.make(t, svc, app)
			require.NoError(t, job.SetMinimumRetryDelay(time.Hour))
			require.NoError(t, job.SetNotifyInterface(c.obj))
			ntResume(t, svc, job)
			t0 := svc.Now()
			require.Len(t, ntEvents(svc, job), 1, "the first attempt, at once")

			// The job's last change: JobInactivityTimeout counts from here,
			// so the job is cancelled at t0 + 30m + 90d, half an hour away
			// from any attempt.
			ntAdvance(t, svc, 30*time.Minute)
			require.NoError(t, job.SetDescription("still wanted"))
			cancelAt := t0.Add(30*time.Minute + 90*24*time.Hour)

			require.NoError(t, svc.AdvanceUntilIdle(100*24*time.Hour))

			// Attempts at t0 + k hours for k = 0, 1, …, 2160: the first
			// attempt and 2,160 retries (90 days × 24 hours), the last at
			// t0 + 90d, 30 minutes before the cancel; the retry due at
			// t0 + 90d + 1h never comes.
			const attempts = 2161
			evs := ntEvents(svc, job)
			require.Len(t, evs, attempts)
			for k, e := range evs {
				if e.Kind != c.kind || e.Result != model.E_FAIL || !e.Time.Equal(t0.Add(time.Duration(k)*time.Hour)) {
					t.Fatalf("attempt %d: want %v failing with E_FAIL at t0+%dh, got %v at t0+%v", k, c.kind, k, e, e.Time.Sub(t0))
				}
			}
			assert.Equal(t, model.BG_JOB_STATE_CANCELLED, ntState(t, job))
			times, err := job.GetTimes()
			require.NoError(t, err)
			assert.Equal(t, cancelAt, times.ModificationTime, "cancelled 90 days after the last change")
			assert.Equal(t, cancelAt, svc.Now(), "the cancel was the last work")
			_, pending := svc.NextDue()
			assert.False(t, pending, "nothing is left to retry")

			ntAdvance(t, svc, 30*24*time.Hour)
			assert.Len(t, ntEvents(svc, job), attempts, "no attempt after the cancel")
		})
	}
}

// A callback that panics, whatever the value (nil, an error, a success
// HRESULT, a runtime error, anything), makes a failed call (E_UNEXPECTED)
// that is retried after MinimumRetryDelay like any failure; the same for
// a CLSID instance. The service keeps working.
//
// Rules: DELIV-RETRY-UNTIL-OK, DELIV-RETRY-INTERVAL, DELIV-SFALSE-SUCCESS
func TestMisbehavePanicWithAnyValueIsAFailedCall(t *testing.T) {
	panics := map[string]func(){
		"nil":                  func() { panic(nil) },
		"error":                func() { panic(errors.New("callback bug")) },
		"S_OK":                 func() { panic(model.S_OK) },
		"S_FALSE":              func() { panic(model.S_FALSE) },
		"wrapped success":      func() { panic(fmt.Errorf("done: %w", model.S_OK)) },
		"int":                  func() { panic(42) },
		"struct":               func() { panic(struct{ A, B int }{1, 2}) },
		"nil map write":        func() { var m map[string]int; m["x"] = 1 },
		"nil pointer":          func() { var e *model.JobError; _ = e.Code },
		"index out of range":   func() { s := []int{}; i := 3; _ = s[i] },
		"panic inside a defer": func() { defer func() { panic("second") }(); panic("first") },
	}
	targets := []struct {
		name   string
		kind   model.EventKind
		target model.TargetKind
	}{
		{"JobTransferred", ntJT, ntObj},
		{"JobError", ntJE, ntObj},
		{"FileTransferred", ntFT, ntObj},
		{"CLSID JobTransferred", ntJT, ntCLSID},
	}
	for name, doPanic := range panics {
		for _, tg := range targets {
			t.Run(name+"/"+tg.name, func(t *testing.T) {
				svc := ntManual(t, 0)
				defer svc.Close()
				app := ntApp(t, svc, "appA", ntAlice)
				var calls atomic.Int32
				call := func() error {
					if calls.Add(1) == 1 {
						doPanic()
					}
					return nil
				}
				obj := &model.CallbackFuncs{}
				var job model.Job
				switch tg.kind {
				case ntJT:
					job = ntJob(t, app, "j", 1)
					obj.OnJobTransferred = func(model.Job) error { return call() }
				case ntJE:
					job = ntErrorJob(t, svc, app, "j")
					obj.OnJobError = func(model.Job, model.JobError) error { return call() }
				case ntFT:
					job = ntJob(t, app, "j", 1)
					require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
					obj.OnFileTransferred = func(model.Job, model.File) error { return call() }
				}
				require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
				if tg.target == ntCLSID {
					require.NoError(t, svc.RegisterClass(ntClassA, func(*sim.App) (any, error) { return obj, nil }))
					require.NoError(t, job.SetNotifyCLSID(ntClassA))
				} else {
					require.NoError(t, job.SetNotifyInterface(obj))
				}

				ntResume(t, svc, job)
				t0 := svc.Now()
				ntAdvance(t, svc, 29*time.Second)
				ntCheck(t, ntEvents(svc, job, tg.kind), ntWant{Kind: tg.kind, Target: tg.target, Result: model.E_UNEXPECTED})
				ntAdvance(t, svc, time.Second)
				evs := ntEvents(svc, job, tg.kind)
				if ntCheck(t, evs,
					ntWant{Kind: tg.kind, Target: tg.target, Result: model.E_UNEXPECTED},
					ntWant{Kind: tg.kind, Target: tg.target, Result: model.S_OK}) {
					assert.Equal(t, t0.Add(30*time.Second), evs[1].Time, "retried after MinimumRetryDelay")
				}
				assert.EqualValues(t, 2, calls.Load())

				// The service keeps working.
				other := ntJob(t, app, "other", 1)
				var c ntCounts
				require.NoError(t, other.SetNotifyInterface(ntCounting(&c)))
				ntResume(t, svc, other)
				assert.EqualValues(t, 1, c.jt.Load())
			})
		}
	}
}

// A class factory that panics is a failed activation, and a command-line
// handler that panics is a program that could not be started: both are
// retried after MinimumRetryDelay.
//
// Rules: CLSID-ACTIVATION-FAILURE, CMD-LAUNCH-FAILURE, DELIV-RETRY-INTERVAL
func TestMisbehavePanickingFactoryAndCommandHandler(t *testing.T) {
	t.Run("class factory", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		var activations atomic.Int32
		require.NoError(t, svc.RegisterClass(ntClassA, func(*sim.App) (any, error) {
			if activations.Add(1) == 1 {
				panic("server crashed while starting")
			}
			return &model.CallbackFuncs{}, nil
		}))
		app := ntApp(t, svc, "appA", ntAlice)
		job := ntJob(t, app, "j", 1)
		require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
		require.NoError(t, job.SetNotifyCLSID(ntClassA))
		ntResume(t, svc, job)
		ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Result: model.CO_E_SERVER_EXEC_FAILURE})
		ntAdvance(t, svc, 30*time.Second)
		ntCheck(t, ntEvents(svc, job),
			ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Result: model.CO_E_SERVER_EXEC_FAILURE},
			ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Result: model.S_OK})
		assert.EqualValues(t, 2, activations.Load())
	})
	t.Run("command handler", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		var runs atomic.Int32
		svc.SetCommandHandler(func(sim.Launch) (int, error) {
			if runs.Add(1) == 1 {
				panic("the program's loader crashed")
			}
			return 0, nil
		})
		app := ntApp(t, svc, "appA", ntAlice)
		job := ntJob(t, app, "j", 1)
		require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
		require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))
		ntResume(t, svc, job)
		evs := ntEvents(svc, job)
		require.Len(t, evs, 1, "trace:\n%s", ntDump(evs))
		assert.Equal(t, ntCmd, evs[0].Kind)
		assert.True(t, evs[0].Result.Failed(), "a handler that panics did not start the program: %v", evs[0])
		launches := svc.Launches()
		require.Len(t, launches, 1)
		assert.ErrorContains(t, launches[0].Err, "panicked")
		ntAdvance(t, svc, 30*time.Second)
		ntCheck(t, ntEvents(svc, job),
			ntWant{Kind: ntCmd, Target: ntLine, Result: evs[0].Result},
			ntWant{Kind: ntCmd, Target: ntLine, Result: model.S_OK})
	})
}

// On the automatic clock, where callbacks run concurrently and take one
// of their user's four slots, a callback that panics gives its slot back:
// eight jobs of one user whose callbacks all panic on their first call are
// all retried and delivered (were the slots lost, the fifth would wait for
// ever).
//
// Rules: DELIV-FOUR-PER-USER, DELIV-RETRY-UNTIL-OK
func TestMisbehavePanickingCallbacksGiveBackTheirSlots(t *testing.T) {
	svc := mbAutomatic(t)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	const n = 8
	delivered := make(chan string, n)
	var jobs []model.Job
	for i := range n {
		name := fmt.Sprintf("j%d", i)
		job := ntJob(t, app, name, 1)
		require.NoError(t, job.SetMinimumRetryDelay(5*time.Second))
		var calls atomic.Int32
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
			if calls.Add(1) == 1 {
				panic(fmt.Sprintf("%s: callback bug", name))
			}
			delivered <- name
			return nil
		}}))
		jobs = append(jobs, job)
	}
	for _, job := range jobs {
		require.NoError(t, job.Resume())
	}
	got := map[string]bool{}
	for i := range n {
		got[ntWait(t, delivered, fmt.Sprintf("delivery %d of %d after the panics", i+1, n))] = true
	}
	assert.Len(t, got, n)
	require.NoError(t, svc.Close())
	assert.Equal(t, 0, svc.InFlight("alice"), "every slot was given back")
	for _, job := range jobs {
		ntCheck(t, ntEvents(svc, job),
			ntWant{Kind: ntJT, Target: ntObj, Result: model.E_UNEXPECTED},
			ntWant{Kind: ntJT, Target: ntObj, Result: model.S_OK})
	}
}

// A callback that blocks holds exactly one of its user's four slots for as
// long as it blocks: three more of that user's callbacks run beside it and
// a fourth waits; another user is not held up; once the three return,
// the user's other notifications go on through them, while the blocked
// one still holds its slot. (Close waits for callbacks in progress, so the
// test releases it at the end.)
//
// Rules: DELIV-FOUR-PER-USER
func TestMisbehaveBlockedCallbackHoldsOneSlot(t *testing.T) {
	svc := mbAutomatic(t)
	defer svc.Close()
	stuckIn, stuckRelease := make(chan struct{}), make(chan struct{})
	var releaseStuck sync.Once
	defer releaseStuck.Do(func() { close(stuckRelease) }) // before Close
	gate := make(chan struct{})
	var openGate sync.Once
	defer openGate.Do(func() { close(gate) })

	aliceApp := ntApp(t, svc, "aliceApp", ntAlice)
	stuck := ntJob(t, aliceApp, "stuck", 1)
	require.NoError(t, stuck.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		close(stuckIn)
		<-stuckRelease
		return nil
	}}))
	require.NoError(t, stuck.Resume())
	ntWait(t, stuckIn, "the blocking callback to enter")
	assert.Equal(t, 1, svc.InFlight("alice"))

	entered := make(chan string, 8)
	var gated []model.Job
	for i := range 4 {
		name := fmt.Sprintf("gated%d", i+1)
		job := ntJob(t, aliceApp, name, 1)
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
			entered <- name
			<-gate
			return nil
		}}))
		gated = append(gated, job)
		require.NoError(t, job.Resume())
	}
	in := map[string]bool{}
	for i := range 3 {
		in[ntWait(t, entered, fmt.Sprintf("callback %d of 3 beside the blocked one", i+1))] = true
	}
	assert.Equal(t, 4, svc.InFlight("alice"))

	bobEntered := make(chan struct{}, 1)
	bobApp := ntApp(t, svc, "bobApp", ntBob)
	bobJob := ntJob(t, bobApp, "bob1", 1)
	require.NoError(t, bobJob.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		bobEntered <- struct{}{}
		return nil
	}}))
	require.NoError(t, bobJob.Resume())
	ntWait(t, bobEntered, "bob's callback while alice's slots are taken")
	select {
	case name := <-entered:
		t.Errorf("a fourth callback of alice (%s) ran beside the blocked one and three others", name)
	default:
	}

	openGate.Do(func() { close(gate) })
	ntWait(t, entered, "the fourth gated callback once a slot was free")
	isGated := map[model.GUID]bool{}
	for _, j := range gated {
		isGated[j.GetId()] = true
	}
	mbWaitTrace(t, svc, 4, "the four gated callbacks to return", func(e model.Event) bool {
		return isGated[e.Job] && e.Kind == ntJT && e.Delivered()
	})
	assert.Equal(t, 1, svc.InFlight("alice"), "the blocked callback still holds its slot")
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, stuck))
	assert.Empty(t, ntEvents(svc, stuck), "the blocked call has not returned")

	releaseStuck.Do(func() { close(stuckRelease) })
	require.NoError(t, svc.Close())
	ntCheck(t, ntEvents(svc, stuck), ntWant{Kind: ntJT, Target: ntObj, Result: model.S_OK})
	assert.Equal(t, 0, svc.InFlight("alice"))
}

// A callback that kills its own process during the call (it returns
// success, but its process is gone by then) is a disconnected object:
// BITS sees RPC_S_SERVER_UNAVAILABLE, drops the registration and falls
// back to the command line.
//
// Rules: OBJ-DISCOVER-DEAD, PREC-CMDLINE-ON-FAILURE
func TestMisbehaveCallbackCrashesItsOwnProcess(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		app.Crash()
		return nil
	}}))
	ntResume(t, svc, job)
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.RPC_S_SERVER_UNAVAILABLE},
		ntWant{Kind: ntCmd, Target: ntLine, User: "alice", Result: model.S_OK})
	next := ntApp(t, svc, "appB", ntAlice)
	j, err := next.GetJob(job.GetId())
	require.NoError(t, err)
	cb, err := j.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, cb, "the dead object's registration was dropped")
}

// A callback that restarts the service during the call: the restart
// succeeds, the notification it was called for was not yet delivered when
// the state was saved, so it is still owed afterwards and goes to the next
// object registered; the service keeps working.
//
// Rules: PERSIST-REDELIVER, PERSIST-OBJECT-DROPPED, DELIV-AT-LEAST-ONCE, DELIV-REENTRANT
func TestMisbehaveCallbackRestartsTheService(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	var restartErr error
	var calls atomic.Int32
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		if calls.Add(1) == 1 {
			restartErr = svc.Restart()
		}
		return nil
	}}))
	ntResume(t, svc, job)
	require.EqualValues(t, 1, calls.Load())
	require.NoError(t, restartErr)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
	cb, err := job.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, cb, "the restart dropped the object")

	var c ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
	ntRun(t, svc)
	assert.EqualValues(t, 1, c.jt.Load(), "the JobTransferred that was in progress at the restart is delivered again")
	hr, err := job.Complete()
	require.NoError(t, err)
	assert.Equal(t, model.S_OK, hr)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, ntState(t, job))
}

// A callback still blocked in a call from before a Restart must not give
// a slot back to the restarted service when it returns: alice may then
// have at most four calls of the restarted service in progress.
//
// Rules: DELIV-FOUR-PER-USER
func TestMisbehaveCallbackFromBeforeRestartKeepsFourPerUser(t *testing.T) {
	svc := mbAutomatic(t)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	old := ntJob(t, app, "old", 1)
	oldIn, oldRelease := make(chan struct{}), make(chan struct{})
	var releaseOld sync.Once
	defer releaseOld.Do(func() { close(oldRelease) })
	require.NoError(t, old.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		close(oldIn)
		<-oldRelease
		return nil
	}}))
	require.NoError(t, old.Resume())
	ntWait(t, oldIn, "the call that will outlive the restart")
	require.NoError(t, svc.Restart())

	entered := make(chan string, 8)
	release := make(chan struct{})
	var releaseNew sync.Once
	defer releaseNew.Do(func() { close(release) })
	for i := range 5 {
		name := fmt.Sprintf("new%d", i+1)
		job := ntJob(t, app, name, 1)
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
			entered <- name
			<-release
			return nil
		}}))
		require.NoError(t, job.Resume())
	}
	for i := range 4 {
		ntWait(t, entered, fmt.Sprintf("call %d of 4 after the restart", i+1))
	}
	releaseOld.Do(func() { close(oldRelease) })
	// Let the old call return and give its slot back (it must not), without
	// sleeping: yield to the other goroutines many times, watching for a
	// fifth call.
	for range 10000 {
		select {
		case name := <-entered:
			t.Fatalf("a fifth call of alice (%s) started when the call from before the restart returned", name)
		default:
		}
		runtime.Gosched()
	}
	assert.Equal(t, 4, svc.InFlight(ntAlice.Name), "the restarted service's four calls")
}

// A callback that ends its goroutine (runtime.Goexit, as t.FailNow does)
// leaves the service usable: the attempt counts as failed and is retried
// after MinimumRetryDelay.
//
// Rules: DELIV-RETRY-UNTIL-OK
func TestMisbehaveCallbackGoexit(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "a", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(time.Minute))
	calls := 0
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		calls++
		if calls == 1 {
			runtime.Goexit()
		}
		return nil
	}}))
	require.NoError(t, job.Resume())
	done := make(chan error)
	go func() {
		defer close(done)
		_ = svc.RunUntilIdle() // the callback ends this goroutine
	}()
	<-done
	assert.Equal(t, 1, calls)
	require.NoError(t, svc.Advance(time.Minute), "the service is still usable")
	assert.Equal(t, 2, calls, "retried after MinimumRetryDelay")
}
