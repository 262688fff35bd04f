package simtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
	"github.com/bitssim/bitssim/simtest"
)

// completes is a callback object that completes the job on JobTransferred.
func completes() model.Callback {
	return &model.CallbackFuncs{OnJobTransferred: func(j model.Job) error { _, err := j.Complete(); return err }}
}

func bothClocks(t *testing.T, f func(t *testing.T, clock sim.ClockMode)) {
	for _, c := range []sim.ClockMode{sim.Manual, sim.Automatic} {
		t.Run(c.String(), func(t *testing.T) { f(t, c) })
	}
}

func TestLifecycleOnBothClocks(t *testing.T) {
	bothClocks(t, func(t *testing.T, clock sim.ClockMode) {
		svc := simtest.New(t, simtest.Clock(clock))
		app := svc.App("updater", "alice")
		job := svc.Job(app, "job1", "https://updates.example/app.msi")
		require.NoError(t, job.SetNotifyInterface(completes()))
		require.NoError(t, job.Resume())
		assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED))
		assert.True(t, svc.Expect("job1 JobTransferred -> updater x1", "job1 no JobError", "job1 state ACKNOWLEDGED"))
		files, err := job.EnumFiles()
		require.NoError(t, err)
		require.Len(t, files, 1)
		local, err := files[0].GetLocalName()
		require.NoError(t, err)
		assert.Equal(t, `C:\Downloads\app.msi`, local)
	})
}

func TestSequenceAndAdvanceOnBothClocks(t *testing.T) {
	bothClocks(t, func(t *testing.T, clock sim.ClockMode) {
		svc := simtest.New(t, simtest.Clock(clock))
		svc.Sequence("https://updates.example/app.msi", 4096, 503, 404)
		app := svc.App("updater", "alice")
		job := svc.Job(app, "job1", "https://updates.example/app.msi")
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR))
		require.NoError(t, job.SetNotifyInterface(completes()))
		require.NoError(t, job.Resume())
		svc.AwaitState(job, model.BG_JOB_STATE_TRANSIENT_ERROR)
		svc.Advance(10 * time.Minute) // the default MinimumRetryDelay
		svc.AwaitState(job, model.BG_JOB_STATE_ERROR)
		svc.Expect("job1 JobError -> updater x1")
		mark := svc.Mark()
		require.NoError(t, job.Resume())
		svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
		svc.ExpectSince(mark, "job1 JobTransferred x1", "job1 no JobError")
		assert.GreaterOrEqual(t, svc.Elapsed(), 10*time.Minute)
	})
}

func TestMatchers(t *testing.T) {
	svc := simtest.New(t, simtest.Manual())
	a := svc.App("A", "alice")
	job := svc.Job(a, "job1", "http://srv/f")
	require.NoError(t, job.SetNotifyInterface(completes()))
	clsid := svc.Class("Notifier", func(*sim.App) (any, error) { return completes(), nil })
	require.NoError(t, job.SetNotifyCLSID(clsid))
	mark := svc.Mark()
	require.NoError(t, job.Resume())
	a.Crash()
	e := svc.AwaitEvent(mark, simtest.Kind(model.EventJobTransferred), simtest.ToClass(clsid))
	assert.Equal(t, 1, e.Target.Instance)
	svc.ExpectEvents(mark, 1, simtest.ForJob(job), simtest.To("A"), simtest.Failed(), simtest.Result(model.RPC_S_SERVER_UNAVAILABLE))
	svc.ExpectEvents(mark, 1, simtest.Delivered())
	svc.ExpectEvents(mark, 0, simtest.ToCommandLine())
	svc.Expect("job1 JobTransferred -> A x1 failed", "job1 JobTransferred -> Notifier#1 x1")
}

func TestWriteTraceFormats(t *testing.T) {
	svc := simtest.New(t, simtest.Manual())
	job := svc.Job(svc.App("A", "alice"), "job1", "http://srv/f")
	require.NoError(t, job.SetNotifyInterface(completes()))
	svc.Advance(90 * time.Second)
	require.NoError(t, job.Resume())
	svc.Settle()
	var text, js, mm, svg bytes.Buffer
	require.NoError(t, svc.WriteTrace(&text, "text"))
	assert.Equal(t, "t+1m30s    BITS         -> A            JobTransferred job1                          S_OK\n", text.String())
	require.NoError(t, svc.WriteTrace(&js, "json"))
	assert.True(t, json.Valid(js.Bytes()))
	require.NoError(t, svc.WriteTrace(&mm, "mermaid"))
	assert.True(t, strings.HasPrefix(mm.String(), "sequenceDiagram\n"))
	require.NoError(t, svc.WriteTrace(&svg, "svg"))
	assert.True(t, strings.HasPrefix(svg.String(), "<svg"))
	assert.Error(t, svc.WriteTrace(&svg, "png"))
	var none bytes.Buffer
	require.NoError(t, svc.WriteTraceSince(&none, "text", svc.Mark()))
	assert.Empty(t, none.String())
}

// fakeTB records what simtest reports, to test how it fails tests.
type fakeTB struct {
	testing.TB
	mu                   sync.Mutex
	errors, fatals, logs []string
	cleanups             []func()
	failed               bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.errors = append(f.errors, fmtS(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = true
	f.fatals = append(f.fatals, fmtS(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmtS(format, args...))
}
func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// runFake runs body as a test of its own and then its cleanups.
func runFake(t *testing.T, body func(tb testing.TB)) *fakeTB {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(f)
	}()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return f
}

func TestAFailedExpectationSaysWhatAndTheTraceIsWritten(t *testing.T) {
	dir := t.TempDir()
	f := runFake(t, func(tb testing.TB) {
		svc := simtest.New(tb, simtest.Manual(), simtest.WithArtifacts(dir))
		job := svc.Job(svc.App("A", "alice"), "job1", "http://srv/f")
		require.NoError(t, job.SetNotifyInterface(completes()))
		require.NoError(t, job.Resume())
		svc.Settle()
		svc.Expect("job1 JobTransferred -> A x2", "job1 state ACKNOWLEDGED")
	})
	require.Len(t, f.errors, 1)
	assert.Contains(t, f.errors[0], "expect job1 JobTransferred -> A x2\n    expected 2 deliveries\n    seen     1 delivery")
	require.Len(t, f.logs, 1)
	assert.Contains(t, f.logs[0], "the notification trace (1 events, 0s of virtual time) is in ")
	txt, err := os.ReadFile(filepath.Join(dir, "TestAFailedExpectationSaysWhatAndTheTraceIsWritten.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(txt), "JobTransferred job1")
	svg, err := os.ReadFile(filepath.Join(dir, "TestAFailedExpectationSaysWhatAndTheTraceIsWritten.svg"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(svg, []byte("<svg")))
}

func TestAPassingTestWritesNothing(t *testing.T) {
	dir := t.TempDir()
	f := runFake(t, func(tb testing.TB) {
		svc := simtest.New(tb, simtest.Manual(), simtest.WithArtifacts(dir))
		svc.Settle()
	})
	assert.Empty(t, f.errors)
	assert.Empty(t, f.logs)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestMalformedExpectationFailsAtOnce(t *testing.T) {
	f := runFake(t, func(tb testing.TB) {
		svc := simtest.New(tb, simtest.Manual(), simtest.WithArtifacts(t.TempDir()))
		svc.Job(svc.App("A", "alice"), "job1", "http://srv/f")
		svc.Expect("job1 JobTransfered -> A")
		t.Error("Expect returned after a malformed expectation")
	})
	require.Len(t, f.fatals, 1)
	assert.Contains(t, f.fatals[0], `expectation "job1 JobTransfered -> A": unknown expectation`)
}

func TestAwaitOnTheManualClockFailsAtOnceWhenOnlyAdvanceCanHelp(t *testing.T) {
	f := runFake(t, func(tb testing.TB) {
		svc := simtest.New(tb, simtest.Manual(), simtest.WithArtifacts(t.TempDir()))
		svc.Remote("http://srv/f", sim.Unavailable(1, 10))
		job := svc.Job(svc.App("A", "alice"), "job1", "http://srv/f")
		require.NoError(t, job.Resume())
		svc.AwaitState(job, model.BG_JOB_STATE_TRANSFERRED)
	})
	require.Len(t, f.fatals, 1)
	assert.Contains(t, f.fatals[0], "nothing more happens on the manual clock until Advance")
	assert.Contains(t, f.fatals[0], "(the job is TRANSIENT_ERROR)")
}

func TestAwaitOnTheAutomaticClockFailsAfterTheLimit(t *testing.T) {
	f := runFake(t, func(tb testing.TB) {
		svc := simtest.New(tb, simtest.WithTimeout(50*time.Millisecond), simtest.WithArtifacts(t.TempDir()))
		svc.Remote("http://srv/f", sim.Unavailable(1, 10))
		job := svc.Job(svc.App("A", "alice"), "job1", "http://srv/f")
		require.NoError(t, job.Resume())
		svc.AwaitState(job, model.BG_JOB_STATE_TRANSFERRED)
	})
	require.Len(t, f.fatals, 1)
	assert.Contains(t, f.fatals[0], "context deadline exceeded")
}

func TestBadSetUpFailsTheTest(t *testing.T) {
	for name, body := range map[string]func(*simtest.Service){
		"empty app name":  func(s *simtest.Service) { s.App("", "alice") },
		"bad remote":      func(s *simtest.Service) { s.Remote("http://srv/f", sim.Remote{Latency: -1}) },
		"bad status":      func(s *simtest.Service) { s.Sequence("http://srv/f", 1, 42) },
		"bad file":        func(s *simtest.Service) { s.Job(s.App("A", "alice"), "j", "") },
		"nil class":       func(s *simtest.Service) { s.Class("C", nil) },
		"negative period": func(s *simtest.Service) { s.Advance(-time.Second) },
	} {
		f := runFake(t, func(tb testing.TB) { body(simtest.New(tb, simtest.Manual(), simtest.WithArtifacts(t.TempDir()))) })
		assert.Len(t, f.fatals, 1, name)
	}
}

func fmtS(format string, args ...any) string { return strings.TrimSpace(fmt.Sprintf(format, args...)) }

func TestForEachVariantRunsEveryReadingAndCombinations(t *testing.T) {
	seen := map[string]bool{}
	var combos []rules.Selection
	simtest.ForEachVariant(t, func(t *testing.T, v rules.Selection) {
		svc := simtest.New(t, simtest.Manual(), simtest.Variants(v))
		assert.Equal(t, v.Normalized().String(), svc.Variants().String())
		if strings.HasPrefix(t.Name(), "TestForEachVariantRunsEveryReadingAndCombinations/combination-") {
			combos = append(combos, v)
		}
		for _, r := range rules.Uncertain() {
			seen[r.ID+"="+v.Of(r.ID)] = true // Of gives the default for a rule v does not name
		}
	})
	for _, r := range rules.Uncertain() {
		for _, name := range r.VariantNames() {
			if _, skipped := sim.NotSimulated[r.ID+"="+name]; !skipped {
				assert.True(t, seen[r.ID+"="+name], "%s=%s never ran", r.ID, name)
			}
		}
	}
	require.Len(t, combos, simtest.Combinations)
	for _, v := range combos {
		assert.Len(t, v, len(rules.Uncertain()), "a combination gives every open rule a reading")
	}
}

// TestReadmeExample is the example of the README's "Using the simulator as
// a mock", line for line, with completes() as the handler under test; it
// also checks that the README still shows these lines.
func TestReadmeExample(t *testing.T) {
	myHandler := completes()
	svc := simtest.New(t)                                      // closed when the test ends
	svc.Sequence("https://updates.example/app.msi", 4096, 503) // one 503, then the content
	app := svc.App("updater", "alice")                         // a process connected as alice
	job := svc.Job(app, "job1", "https://updates.example/app.msi")
	require.NoError(t, job.SetNotifyInterface(myHandler)) // your code under test
	require.NoError(t, job.Resume())
	svc.AwaitState(job, model.BG_JOB_STATE_TRANSIENT_ERROR)
	svc.Advance(10 * time.Minute)                        // past MinimumRetryDelay, on either clock
	svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED) // ... and the callback has returned
	svc.Expect("job1 JobTransferred -> updater x1", "job1 no JobError")

	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, line := range []string{
		`svc := simtest.New(t)`,
		`svc.Sequence("https://updates.example/app.msi", 4096, 503)`,
		`app := svc.App("updater", "alice")`,
		`job := svc.Job(app, "job1", "https://updates.example/app.msi")`,
		`require.NoError(t, job.SetNotifyInterface(myHandler))`,
		`require.NoError(t, job.Resume())`,
		`svc.AwaitState(job, model.BG_JOB_STATE_TRANSIENT_ERROR)`,
		`svc.Advance(10 * time.Minute)`,
		`svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)`,
		`svc.Expect("job1 JobTransferred -> updater x1", "job1 no JobError")`,
	} {
		assert.Contains(t, string(readme), "\t"+line, "the README's example changed: update this test with it")
	}
}
