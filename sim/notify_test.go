package sim_test

// Notification tests of the simulator, black-box through the public API.
// Every expected outcome is written from the rule statements printed by
// `bitssim rules -v`, never computed by package rules.

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// ---------------------------------------------------------------------------
// Shared helpers of this file (prefixed nt to stay clear of other test files
// of package sim_test).

var (
	ntAlice = model.Account{Name: "alice"}
	ntBob   = model.Account{Name: "bob"}
	ntAdmin = model.Account{Name: "admin", Kind: model.AccountAdministrator}

	ntClassA = model.MustParseGUID("{A0000000-0000-4000-8000-00000000000A}")
	ntClassB = model.MustParseGUID("{B0000000-0000-4000-8000-00000000000B}")
)

const (
	ntJT  = model.EventJobTransferred
	ntJE  = model.EventJobError
	ntJM  = model.EventJobModification
	ntFT  = model.EventFileTransferred
	ntFR  = model.EventFileRangesTransferred
	ntCmd = model.EventCommandLine

	ntObj   = model.TargetObject
	ntCLSID = model.TargetCLSID
	ntLine  = model.TargetCommandLine

	ntProgram = `C:\Program Files\Contoso\notify.exe`
)

func ntHelper(t require.TestingT) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// ntManual starts a manual-clock service of BITS version v (0: the default,
// 10.3).
func ntManual(t require.TestingT, v model.Version) *sim.Service {
	ntHelper(t)
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 42, Version: v})
	require.NoError(t, err)
	return svc
}

func ntApp(t require.TestingT, svc *sim.Service, name string, user model.Account) *sim.App {
	ntHelper(t)
	app, err := svc.StartApp(name, user)
	require.NoError(t, err)
	return app
}

func ntURL(job string, i int) string { return fmt.Sprintf("https://example.com/%s-%d.bin", job, i+1) }

func ntLocal(job string, i int) string { return fmt.Sprintf(`C:\downloads\%s-%d.bin`, job, i+1) }

// ntJob creates a SUSPENDED download job with n files ntURL(name, i) →
// ntLocal(name, i).
func ntJob(t require.TestingT, m model.Manager, name string, n int) model.Job {
	ntHelper(t)
	job, err := m.CreateJob(name, model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		require.NoError(t, job.AddFile(ntURL(name, i), ntLocal(name, i)))
	}
	return job
}

// ntErrorJob creates a job whose only file answers HTTP 404: once resumed it
// goes to ERROR.
func ntErrorJob(t require.TestingT, svc *sim.Service, m model.Manager, name string) model.Job {
	ntHelper(t)
	require.NoError(t, svc.SetRemote(ntURL(name, 0), sim.NotFound()))
	return ntJob(t, m, name, 1)
}

func ntRun(t require.TestingT, svc *sim.Service) {
	ntHelper(t)
	require.NoError(t, svc.RunUntilIdle())
}

func ntAdvance(t require.TestingT, svc *sim.Service, d time.Duration) {
	ntHelper(t)
	require.NoError(t, svc.Advance(d))
}

// ntResume resumes job and runs everything due now.
func ntResume(t require.TestingT, svc *sim.Service, job model.Job) {
	ntHelper(t)
	require.NoError(t, job.Resume())
	ntRun(t, svc)
}

func ntState(t require.TestingT, job model.Job) model.JobState {
	ntHelper(t)
	st, err := job.GetState()
	require.NoError(t, err)
	return st
}

// ntEvents returns the trace events of job, of the given kinds (all kinds
// when none is given).
func ntEvents(svc *sim.Service, job model.Job, kinds ...model.EventKind) []model.Event {
	id := job.GetId()
	var out []model.Event
	for _, e := range svc.Trace() {
		if e.Job != id {
			continue
		}
		if len(kinds) == 0 {
			out = append(out, e)
			continue
		}
		for _, k := range kinds {
			if e.Kind == k {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// ntSince keeps the events with Seq greater than seq.
func ntSince(evs []model.Event, seq uint64) []model.Event {
	var out []model.Event
	for _, e := range evs {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// ntLastSeq returns the Seq of the last event of the whole trace (0 if empty).
func ntLastSeq(svc *sim.Service) uint64 {
	tr := svc.Trace()
	if len(tr) == 0 {
		return 0
	}
	return tr[len(tr)-1].Seq
}

func ntDump(evs []model.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("  " + e.String() + "\n")
	}
	if b.Len() == 0 {
		return "  (no events)\n"
	}
	return b.String()
}

// ntWant is an expected trace event. Kind, Target and Result are always
// compared; App, CLSID, Inst, User and File only when set.
type ntWant struct {
	Kind   model.EventKind
	Target model.TargetKind
	App    string
	CLSID  model.GUID
	Inst   int
	User   string
	File   string
	Result model.HRESULT
}

// ntCheck asserts that got is exactly the wanted events, in order.
func ntCheck(t require.TestingT, got []model.Event, want ...ntWant) bool {
	ntHelper(t)
	if !assert.Len(t, got, len(want), "trace:\n%s", ntDump(got)) {
		return false
	}
	ok := true
	for i, w := range want {
		g := got[i]
		ok = assert.Equal(t, w.Kind, g.Kind, "event %d (%v) kind", i, g) && ok
		ok = assert.Equal(t, w.Target, g.Target.Kind, "event %d (%v) target", i, g) && ok
		if w.App != "" {
			ok = assert.Equal(t, w.App, g.Target.App, "event %d (%v) app", i, g) && ok
		}
		if !w.CLSID.IsNull() {
			ok = assert.Equal(t, w.CLSID, g.Target.CLSID, "event %d (%v) clsid", i, g) && ok
		}
		if w.Inst != 0 {
			ok = assert.Equal(t, w.Inst, g.Target.Instance, "event %d (%v) instance", i, g) && ok
		}
		if w.User != "" {
			ok = assert.Equal(t, w.User, g.User, "event %d (%v) user", i, g) && ok
		}
		if w.File != "" {
			ok = assert.Equal(t, w.File, g.File, "event %d (%v) file", i, g) && ok
		}
		ok = assert.Equal(t, w.Result, g.Result, "event %d (%v) result", i, g) && ok
	}
	if !ok {
		ntLogf(t, "trace:\n%s", ntDump(got))
	}
	return ok
}

func ntLogf(t require.TestingT, format string, args ...any) {
	if l, ok := t.(interface{ Logf(string, ...any) }); ok {
		l.Logf(format, args...)
	}
}

// ntCounts counts the calls of a callback made by ntCounting.
type ntCounts struct{ jt, je, jm, ft, fr atomic.Int32 }

func (c *ntCounts) total() int32 {
	return c.jt.Load() + c.je.Load() + c.jm.Load() + c.ft.Load() + c.fr.Load()
}

// ntCounting returns a callback object that counts its calls into c and
// succeeds.
func ntCounting(c *ntCounts) *model.CallbackFuncs {
	return &model.CallbackFuncs{
		OnJobTransferred:  func(model.Job) error { c.jt.Add(1); return nil },
		OnJobError:        func(model.Job, model.JobError) error { c.je.Add(1); return nil },
		OnJobModification: func(model.Job) error { c.jm.Add(1); return nil },
		OnFileTransferred: func(model.Job, model.File) error { c.ft.Add(1); return nil },
		OnFileRangesTransferred: func(model.Job, model.File, []model.FileRange) error {
			c.fr.Add(1)
			return nil
		},
	}
}

// ntFactory is a class factory that counts its calls and returns obj.
func ntFactory(calls *atomic.Int32, obj any) sim.ClassFactory {
	return func(*sim.App) (any, error) {
		calls.Add(1)
		return obj, nil
	}
}

// ntPlainCallback implements only model.Callback (IBackgroundCopyCallback),
// not FileCallback.
type ntPlainCallback struct{ jt, je, jm atomic.Int32 }

func (p *ntPlainCallback) JobTransferred(model.Job) error { p.jt.Add(1); return nil }

func (p *ntPlainCallback) JobError(model.Job, model.JobError) error { p.je.Add(1); return nil }

func (p *ntPlainCallback) JobModification(model.Job) error { p.jm.Add(1); return nil }

var _ model.Callback = (*ntPlainCallback)(nil)

// ntWait receives from ch, failing the test after 10 seconds.
func ntWait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out after 10s waiting for %s", what)
	}
	var zero T
	return zero
}

// ---------------------------------------------------------------------------
// 1. Object, CLSID, precedence, last writer wins, clearing.

// Rules: FLAGS-DEFAULT, FLAGS-FILTER, OBJ-DEFAULT-NONE
func TestNotifyObjectOnlyReceivesJobTransferred(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)

	got, err := job.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, got, "a new job has no callback object")

	var c ntCounts
	cb := ntCounting(&c)
	require.NoError(t, job.SetNotifyInterface(cb))
	got, err = job.GetNotifyInterface()
	require.NoError(t, err)
	assert.Same(t, cb, got)

	ntResume(t, svc, job)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", User: "alice", Result: model.S_OK})
	assert.EqualValues(t, 1, c.jt.Load())
	assert.EqualValues(t, 1, c.total(), "only JobTransferred was called")
}

// Rules: PREC-FALLBACK-MISSING, CLSID-LAZY-ACTIVATION, CLSID-FLAGS-APPLY, CLSID-INSTANCE-REUSED, CLSID-OWNER-CONTEXT
func TestNotifyCLSIDOnlyActivatesOneInstance(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var c ntCounts
	inst := ntCounting(&c)
	var calls atomic.Int32
	var hostUser atomic.Value
	var hostIsServer atomic.Bool
	require.NoError(t, svc.RegisterClass(ntClassA, func(host *sim.App) (any, error) {
		calls.Add(1)
		hostUser.Store(host.User())
		hostIsServer.Store(host.IsServer())
		return inst, nil
	}))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	ntAdvance(t, svc, time.Hour)
	assert.Zero(t, calls.Load(), "setting the CLSID activates nothing")

	got, err := job.GetNotifyCLSID()
	require.NoError(t, err)
	assert.Equal(t, ntClassA, got)

	ntResume(t, svc, job)
	assert.EqualValues(t, 1, calls.Load(), "one activation for both notifications")
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntFT, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", File: ntLocal("j", 0), Result: model.S_OK},
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK})
	assert.EqualValues(t, 1, c.ft.Load())
	assert.EqualValues(t, 1, c.jt.Load())
	assert.Equal(t, ntAlice, hostUser.Load(), "the server runs as the job's owner")
	assert.True(t, hostIsServer.Load())

	ntAdvance(t, svc, 24*time.Hour)
	assert.EqualValues(t, 1, calls.Load())
	assert.Len(t, ntEvents(svc, job), 2, "nothing more after successful deliveries")
}

// Rules: PREC-OBJECT-FIRST, PREC-OBJECT-OVER-CLSID-APPS
func TestNotifyObjectWinsOverCLSID(t *testing.T) {
	for _, objectFirst := range []bool{true, false} {
		name := "clsid set last"
		if !objectFirst {
			name = "object set last"
		}
		t.Run(name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			var c, ic ntCounts
			var calls atomic.Int32
			require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
			appA := ntApp(t, svc, "appA", ntAlice)
			appB := ntApp(t, svc, "appB", ntAlice)
			job := ntJob(t, appA, "j", 1)
			jobB, err := appB.GetJob(job.GetId())
			require.NoError(t, err)
			if objectFirst {
				require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
				require.NoError(t, jobB.SetNotifyCLSID(ntClassA))
			} else {
				require.NoError(t, jobB.SetNotifyCLSID(ntClassA))
				require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
			}
			ntResume(t, svc, job)
			ntAdvance(t, svc, time.Hour)
			ntCheck(t, ntEvents(svc, job),
				ntWant{Kind: ntJT, Target: ntObj, App: "appA", User: "alice", Result: model.S_OK})
			assert.EqualValues(t, 1, c.jt.Load())
			assert.Zero(t, calls.Load(), "the CLSID is never activated while the object is callable")
			assert.Zero(t, ic.total())
		})
	}
}

// Rules: OBJ-LAST-WRITER-WINS
func TestNotifyObjectLastWriterWins(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	appA := ntApp(t, svc, "appA", ntAlice)
	appB := ntApp(t, svc, "appB", ntAlice)
	job := ntJob(t, appA, "j", 1)
	jobB, err := appB.GetJob(job.GetId())
	require.NoError(t, err)

	var ca, cb ntCounts
	objA, objB := ntCounting(&ca), ntCounting(&cb)
	require.NoError(t, job.SetNotifyInterface(objA))
	require.NoError(t, jobB.SetNotifyInterface(objB))
	got, err := job.GetNotifyInterface()
	require.NoError(t, err)
	assert.Same(t, objB, got)

	ntResume(t, svc, job)
	ntAdvance(t, svc, time.Hour)
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntObj, App: "appB", User: "alice", Result: model.S_OK})
	assert.Zero(t, ca.total(), "the earlier object receives nothing")
	assert.EqualValues(t, 1, cb.jt.Load())
}

// Rules: CLSID-LAST-WRITER-WINS, CLSID-GET-ROUND-TRIP
func TestNotifyCLSIDLastWriterWins(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var callsA, callsB atomic.Int32
	var ca, cb ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&callsA, ntCounting(&ca))))
	require.NoError(t, svc.RegisterClass(ntClassB, ntFactory(&callsB, ntCounting(&cb))))
	appA := ntApp(t, svc, "appA", ntAlice)
	appB := ntApp(t, svc, "appB", ntAlice)
	job := ntJob(t, appA, "j", 1)
	jobB, err := appB.GetJob(job.GetId())
	require.NoError(t, err)

	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	require.NoError(t, jobB.SetNotifyCLSID(ntClassB))
	got, err := job.GetNotifyCLSID()
	require.NoError(t, err)
	assert.Equal(t, ntClassB, got)

	ntResume(t, svc, job)
	ntAdvance(t, svc, time.Hour)
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassB, Inst: 1, User: "alice", Result: model.S_OK})
	assert.Zero(t, callsA.Load(), "the CLSID set first is never instantiated")
	assert.EqualValues(t, 1, callsB.Load())
	assert.Zero(t, ca.total())
	assert.EqualValues(t, 1, cb.jt.Load())
}

// Rules: OBJ-NULL-CLEARS, PREC-OBJECT-OVER-CLSID-APPS, PREC-FALLBACK-MISSING
func TestNotifyClearObjectWithNilFallsBackToCLSID(t *testing.T) {
	for _, tc := range []struct {
		name string
		null any
	}{
		{"nil", nil},
		{"nil pointer", (*model.CallbackFuncs)(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			var c, ic ntCounts
			var calls atomic.Int32
			require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
			require.NoError(t, job.SetNotifyCLSID(ntClassA))

			require.NoError(t, job.SetNotifyInterface(tc.null))
			got, err := job.GetNotifyInterface()
			require.NoError(t, err)
			assert.Nil(t, got)

			ntResume(t, svc, job)
			ntCheck(t, ntEvents(svc, job),
				ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK})
			assert.Zero(t, c.total(), "the cleared object receives nothing")
			assert.EqualValues(t, 1, calls.Load())
		})
	}
}

// Rules: OBJ-NULL-CLEARS
func TestNotifyClearObjectWithNilDeliversNothing(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	var c ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
	require.NoError(t, job.SetNotifyInterface(nil))
	ntResume(t, svc, job)
	ntAdvance(t, svc, time.Hour)
	assert.Empty(t, ntEvents(svc, job))
	assert.Zero(t, c.total())
}

// Rules: CLSID-NULL-CLEARS, CLSID-DEFAULT-NULL, CLSID-GET-ROUND-TRIP
func TestNotifyClearCLSIDWithGUIDNull(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)

	got, err := job.GetNotifyCLSID()
	require.NoError(t, err)
	assert.Equal(t, model.GUID_NULL, got, "a new job has no CLSID")

	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	require.NoError(t, job.SetNotifyCLSID(model.GUID_NULL))
	got, err = job.GetNotifyCLSID()
	require.NoError(t, err)
	assert.Equal(t, model.GUID_NULL, got)

	ntResume(t, svc, job)
	ntAdvance(t, svc, time.Hour)
	assert.Zero(t, calls.Load(), "no class is activated after the CLSID was cleared")
	assert.Empty(t, ntEvents(svc, job))
}

// ---------------------------------------------------------------------------
// 2. Disconnection, fallback, instance reuse and replacement.

// Rules: OBJ-DISCOVER-DEAD, PREC-FALLBACK-DISCONNECTED, OBJ-NOT-PERSISTED
func TestNotifyCrashedObjectFallsBackToCLSID(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ca, ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	appA := ntApp(t, svc, "appA", ntAlice)
	appB := ntApp(t, svc, "appB", ntAlice)
	job := ntJob(t, appA, "j", 1)
	jobB, err := appB.GetJob(job.GetId())
	require.NoError(t, err)
	require.NoError(t, job.SetNotifyInterface(ntCounting(&ca)))
	require.NoError(t, jobB.SetNotifyCLSID(ntClassA))

	appA.Crash()
	got, err := jobB.GetNotifyInterface()
	require.NoError(t, err)
	assert.NotNil(t, got, "BITS learns of the crash only when it next calls the object")

	ntResume(t, svc, jobB)
	ntCheck(t, ntEvents(svc, jobB),
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.RPC_S_SERVER_UNAVAILABLE},
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK})
	got, err = jobB.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, got, "the dead object is dropped")
	assert.Zero(t, ca.total())
	assert.EqualValues(t, 1, calls.Load())
	assert.EqualValues(t, 1, ic.jt.Load())

	ntAdvance(t, svc, 24*time.Hour)
	assert.Len(t, ntEvents(svc, jobB), 2, "the dead object is not called again")
}

// Rules: OBJ-DISCOVER-DEAD, PREC-CMDLINE-ON-FAILURE
func TestNotifyCrashedObjectFallsBackToCommandLine(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	appA := ntApp(t, svc, "appA", ntAlice)
	appB := ntApp(t, svc, "appB", ntAlice)
	job := ntJob(t, appA, "j", 1)
	jobB, err := appB.GetJob(job.GetId())
	require.NoError(t, err)
	var ca ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&ca)))
	require.NoError(t, jobB.SetNotifyCmdLine(ntProgram, "done"))
	appA.Crash()

	ntResume(t, svc, jobB)
	ntCheck(t, ntEvents(svc, jobB),
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.RPC_S_SERVER_UNAVAILABLE},
		ntWant{Kind: ntCmd, Target: ntLine, User: "alice", Result: model.S_OK})
	assert.Len(t, svc.Launches(), 1)
	got, err := jobB.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, got)
}

// Rules: OBJ-CLEAR-BEFORE-EXIT, PREC-FALLBACK-MISSING
func TestNotifyExitedObjectGoesStraightToCLSID(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ca, ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	appA := ntApp(t, svc, "appA", ntAlice)
	appB := ntApp(t, svc, "appB", ntAlice)
	job := ntJob(t, appA, "j", 1)
	jobB, err := appB.GetJob(job.GetId())
	require.NoError(t, err)
	require.NoError(t, job.SetNotifyInterface(ntCounting(&ca)))
	require.NoError(t, jobB.SetNotifyCLSID(ntClassA))

	appA.Exit()
	ntResume(t, svc, jobB)
	ntAdvance(t, svc, time.Hour)
	ntCheck(t, ntEvents(svc, jobB),
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK})
	assert.Zero(t, ca.total())
	for _, e := range ntEvents(svc, jobB) {
		assert.NotEqual(t, ntObj, e.Target.Kind, "no failing call to the exited app: %v", e)
	}
}

// Rules: CLSID-INSTANCE-REUSED
func TestNotifyCLSIDInstanceReusedForLaterNotifications(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntErrorJob(t, svc, app, "j")
	require.NoError(t, job.SetNotifyCLSID(ntClassA))

	ntResume(t, svc, job)
	require.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, job))
	ntResume(t, svc, job) // fails again: a second entry into ERROR
	require.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, job))

	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJE, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK},
		ntWant{Kind: ntJE, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK})
	assert.EqualValues(t, 1, calls.Load(), "the factory runs once")
	assert.EqualValues(t, 2, ic.je.Load())
}

// Rules: CLSID-INSTANCE-REPLACED, DELIV-AFTER-REGISTRATION
func TestNotifyCLSIDInstanceReplacedBySetNotifyInterface(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ic, cb ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	appA := ntApp(t, svc, "appA", ntAlice)
	appB := ntApp(t, svc, "appB", ntAlice)
	job := ntErrorJob(t, svc, appA, "j")
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	ntResume(t, svc, job)
	require.EqualValues(t, 1, ic.je.Load())

	jobB, err := appB.GetJob(job.GetId())
	require.NoError(t, err)
	require.NoError(t, jobB.SetNotifyInterface(ntCounting(&cb)))
	ntRun(t, svc)
	ntResume(t, svc, job)
	ntAdvance(t, svc, time.Hour)

	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJE, Target: ntCLSID, CLSID: ntClassA, Inst: 1, Result: model.S_OK},
		ntWant{Kind: ntJE, Target: ntObj, App: "appB", Result: model.S_OK},
		ntWant{Kind: ntJE, Target: ntObj, App: "appB", Result: model.S_OK})
	assert.EqualValues(t, 1, ic.je.Load(), "the replaced instance is not called again")
	assert.EqualValues(t, 2, cb.je.Load())
	assert.EqualValues(t, 1, calls.Load())
}

// Rules: CLSID-INSTANCE-REUSED, PREC-FALLBACK-MISSING
func TestNotifyCrashedCLSIDServerLeadsToNewActivation(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntErrorJob(t, svc, app, "j")
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	ntResume(t, svc, job)
	require.EqualValues(t, 1, calls.Load())

	var servers []*sim.App
	for _, a := range svc.Apps() {
		if a.IsServer() {
			servers = append(servers, a)
		}
	}
	require.Len(t, servers, 1, "BITS started one server for the CLSID")
	assert.Equal(t, ntAlice, servers[0].User())
	servers[0].Crash()

	ntResume(t, svc, job)
	assert.EqualValues(t, 2, calls.Load(), "a new instance is activated")
	var delivered []model.Event
	for _, e := range ntEvents(svc, job) {
		if e.Delivered() {
			delivered = append(delivered, e)
		}
	}
	ntCheck(t, delivered,
		ntWant{Kind: ntJE, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK},
		ntWant{Kind: ntJE, Target: ntCLSID, CLSID: ntClassA, Inst: 2, User: "alice", Result: model.S_OK})
}

// ---------------------------------------------------------------------------
// 3. Activation failures.

// Rules: CLSID-ACTIVATION-FAILURE, DELIV-RETRY-INTERVAL
func TestNotifyUnregisteredCLSIDFailsWithClassNotRegAndIsRetried(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, job.SetNotifyCLSID(ntClassA)) // never registered (yet)

	ntResume(t, svc, job)
	t0 := svc.Now()
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, User: "alice", Result: model.REGDB_E_CLASSNOTREG})

	ntAdvance(t, svc, 10*time.Second)
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	ntAdvance(t, svc, 19*time.Second)
	assert.Len(t, ntEvents(svc, job), 1, "no retry before MinimumRetryDelay")

	ntAdvance(t, svc, time.Second)
	evs := ntEvents(svc, job)
	ntCheck(t, evs,
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Result: model.REGDB_E_CLASSNOTREG},
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, User: "alice", Result: model.S_OK})
	if len(evs) == 2 {
		assert.Equal(t, t0.Add(30*time.Second), evs[1].Time)
	}
	assert.EqualValues(t, 1, ic.jt.Load())
}

// Rules: CLSID-ACTIVATION-FAILURE, PREC-CMDLINE-LAST, PREC-CMDLINE-ON-FAILURE, CMD-EXIT-ZERO
func TestNotifyFactoryErrorFailsWithServerExecFailureThenCommandLine(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	require.NoError(t, svc.RegisterClass(ntClassA, func(*sim.App) (any, error) {
		calls.Add(1)
		return nil, errors.New("server failed to start")
	}))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))

	ntResume(t, svc, job)
	ntAdvance(t, svc, 2*time.Hour)
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, User: "alice", Result: model.CO_E_SERVER_EXEC_FAILURE},
		ntWant{Kind: ntCmd, Target: ntLine, User: "alice", Result: model.S_OK})
	assert.Len(t, svc.Launches(), 1)
	assert.EqualValues(t, 1, calls.Load())
}

// Rules: CLSID-ACTIVATION-FAILURE, DELIV-RETRY-INTERVAL, DELIV-RETRY-UNTIL-OK
func TestNotifyFactoryErrorWithoutCommandLineRetriedAfterMinimumRetryDelay(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	require.NoError(t, svc.RegisterClass(ntClassA, func(*sim.App) (any, error) {
		calls.Add(1)
		return nil, errors.New("server failed to start")
	}))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, job.SetNotifyCLSID(ntClassA))

	ntResume(t, svc, job)
	t0 := svc.Now()
	fail := ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Result: model.CO_E_SERVER_EXEC_FAILURE}
	ntCheck(t, ntEvents(svc, job), fail)
	ntAdvance(t, svc, 29*time.Second)
	ntCheck(t, ntEvents(svc, job), fail)
	ntAdvance(t, svc, time.Second)
	evs := ntEvents(svc, job)
	ntCheck(t, evs, fail, fail)
	if len(evs) == 2 {
		assert.Equal(t, t0.Add(30*time.Second), evs[1].Time)
	}
	ntAdvance(t, svc, 30*time.Second)
	ntCheck(t, ntEvents(svc, job), fail, fail, fail)
	assert.EqualValues(t, 3, calls.Load())
}

// ---------------------------------------------------------------------------
// 4. The command line.

// Rules: CMD-EVENTS, FLAGS-CMDLINE-SUBSET, CMD-USER-CONTEXT
func TestNotifyCmdLineRunsOnlyForTransferredAndError(t *testing.T) {
	t.Run("transferred", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		app := ntApp(t, svc, "appA", ntAlice)
		job := ntJob(t, app, "j", 1)
		require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))
		ntResume(t, svc, job)
		ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntCmd, Target: ntLine, User: "alice", Result: model.S_OK})
		assert.Len(t, svc.Launches(), 1)
	})
	t.Run("error", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		app := ntApp(t, svc, "appA", ntAlice)
		job := ntErrorJob(t, svc, app, "j")
		require.NoError(t, job.SetNotifyCmdLine(ntProgram, "error"))
		ntResume(t, svc, job)
		require.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, job))
		ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntCmd, Target: ntLine, User: "alice", Result: model.S_OK})
		assert.Len(t, svc.Launches(), 1)
	})
	t.Run("modification and file flags never run it", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		app := ntApp(t, svc, "appA", ntAlice)
		flags := model.BG_NOTIFY_JOB_MODIFICATION | model.BG_NOTIFY_FILE_TRANSFERRED | model.BG_NOTIFY_FILE_RANGES_TRANSFERRED
		ok := ntJob(t, app, "ok", 2)
		bad := ntErrorJob(t, svc, app, "bad")
		for _, job := range []model.Job{ok, bad} {
			require.NoError(t, job.SetNotifyFlags(flags))
			require.NoError(t, job.SetNotifyCmdLine(ntProgram, "never"))
			ntResume(t, svc, job)
		}
		ntAdvance(t, svc, 2*time.Hour)
		require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, ok))
		require.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, bad))
		assert.Empty(t, svc.Launches())
		assert.Empty(t, ntEvents(svc, ok, ntCmd))
		assert.Empty(t, ntEvents(svc, bad, ntCmd))
	})
}

// Rules: CMD-ONLY-IF-NOT-DELIVERED, PREC-CMDLINE-LAST
func TestNotifyCmdLineNotRunWhenCallbackSucceeds(t *testing.T) {
	for _, viaCLSID := range []bool{false, true} {
		name := "object"
		if viaCLSID {
			name = "clsid instance"
		}
		t.Run(name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			var c ntCounts
			var calls atomic.Int32
			app := ntApp(t, svc, "appA", ntAlice)
			ok := ntJob(t, app, "ok", 1)
			bad := ntErrorJob(t, svc, app, "bad")
			for _, job := range []model.Job{ok, bad} {
				if viaCLSID {
					require.NoError(t, job.SetNotifyCLSID(ntClassA))
				} else {
					require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
				}
				require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
			}
			require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&c))))
			ntResume(t, svc, ok)
			ntResume(t, svc, bad)
			ntAdvance(t, svc, 2*time.Hour)
			assert.EqualValues(t, 1, c.jt.Load())
			assert.EqualValues(t, 1, c.je.Load())
			assert.Empty(t, svc.Launches(), "a successful callback suppresses the command line")
			assert.Empty(t, ntEvents(svc, ok, ntCmd))
			assert.Empty(t, ntEvents(svc, bad, ntCmd))
		})
	}
}

// Rules: PREC-CMDLINE-ON-FAILURE, CMD-METHOD-NOT-RECALLED, PREC-FAILURE-KEEPS-OBJECT, CMD-EXIT-ZERO
func TestNotifyCmdLineRunsWhenCallbackFailsAndMethodNotCalledAgain(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	var jt atomic.Int32
	cb := &model.CallbackFuncs{OnJobTransferred: func(model.Job) error { jt.Add(1); return model.E_FAIL }}
	require.NoError(t, job.SetNotifyInterface(cb))
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))

	ntResume(t, svc, job)
	ntAdvance(t, svc, 2*time.Hour)
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", User: "alice", Result: model.E_FAIL},
		ntWant{Kind: ntCmd, Target: ntLine, User: "alice", Result: model.S_OK})
	assert.EqualValues(t, 1, jt.Load(), "JobTransferred is not called again after the command line ran")
	assert.Len(t, svc.Launches(), 1)
	assert.Zero(t, calls.Load(), "an object that answered with a failure is not replaced by the CLSID")
	got, err := job.GetNotifyInterface()
	require.NoError(t, err)
	assert.Same(t, cb, got, "the failing object stays registered")
}

// Rules: CMD-RERUN-NONZERO-EXIT, CMD-EXIT-ZERO
func TestNotifyCmdLineRerunAfterRetryDelayOnNonZeroExit(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var runs atomic.Int32
	svc.SetCommandHandler(func(sim.Launch) (int, error) {
		if runs.Add(1) == 1 {
			return 1, nil
		}
		return 0, nil
	})
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))

	ntResume(t, svc, job)
	t0 := svc.Now()
	require.Len(t, svc.Launches(), 1)
	assert.Equal(t, 1, svc.Launches()[0].ExitCode)
	ntAdvance(t, svc, 29*time.Second)
	assert.Len(t, svc.Launches(), 1, "not re-run before MinimumRetryDelay")
	ntAdvance(t, svc, time.Second)
	ls := svc.Launches()
	require.Len(t, ls, 2)
	assert.Equal(t, 0, ls[1].ExitCode)
	assert.Equal(t, t0.Add(30*time.Second), ls[1].Time)
	ntAdvance(t, svc, 2*time.Hour)
	assert.Len(t, svc.Launches(), 2, "not re-run after exit code 0")

	evs := ntEvents(svc, job)
	require.Len(t, evs, 2, "trace:\n%s", ntDump(evs))
	assert.Equal(t, ntCmd, evs[0].Kind)
	assert.True(t, evs[0].Result.Failed())
	assert.Equal(t, 1, evs[0].ExitCode)
	assert.Equal(t, ntCmd, evs[1].Kind)
	assert.Equal(t, model.S_OK, evs[1].Result)
	assert.Equal(t, 0, evs[1].ExitCode)
}

// Rules: CMD-METHOD-NOT-RECALLED, CMD-RERUN-NONZERO-EXIT
func TestNotifyCmdLineRerunDoesNotCallFailedMethodAgain(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var runs atomic.Int32
	svc.SetCommandHandler(func(sim.Launch) (int, error) {
		if runs.Add(1) == 1 {
			return 1, nil
		}
		return 0, nil
	})
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	var jt atomic.Int32
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(model.Job) error { jt.Add(1); return model.E_FAIL },
	}))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))

	ntResume(t, svc, job)
	require.EqualValues(t, 1, jt.Load())
	require.Len(t, svc.Launches(), 1)
	ntAdvance(t, svc, 30*time.Second)
	assert.Len(t, svc.Launches(), 2, "the program is launched again after its non-zero exit")
	ntAdvance(t, svc, 2*time.Hour)
	assert.EqualValues(t, 1, jt.Load(),
		"JobTransferred failed and the command line then ran: the method is not called again for this event")
	assert.Len(t, ntEvents(svc, job, ntJT), 1, "trace:\n%s", ntDump(ntEvents(svc, job)))
}

// Rules: DELIV-BOTH-FAIL-RETRY, CMD-LAUNCH-FAILURE, DELIV-RETRY-INTERVAL
func TestNotifyCallbackAndLaunchFailureRetriesWholeNotification(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var runs atomic.Int32
	svc.SetCommandHandler(func(sim.Launch) (int, error) {
		if runs.Add(1) == 1 {
			return 0, errors.New("file not found")
		}
		return 0, nil
	})
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(model.Job) error { return model.E_FAIL },
	}))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "transferred"))

	ntResume(t, svc, job)
	t0 := svc.Now()
	evs := ntEvents(svc, job)
	require.Len(t, evs, 2, "trace:\n%s", ntDump(evs))
	assert.Equal(t, ntJT, evs[0].Kind)
	assert.Equal(t, model.E_FAIL, evs[0].Result)
	assert.Equal(t, ntCmd, evs[1].Kind)
	assert.True(t, evs[1].Result.Failed(), "the program could not be started")

	ntAdvance(t, svc, 29*time.Second)
	assert.Len(t, ntEvents(svc, job), 2)
	ntAdvance(t, svc, time.Second)
	ntAdvance(t, svc, 2*time.Hour)
	evs = ntEvents(svc, job)
	require.Len(t, evs, 4, "trace:\n%s", ntDump(evs))
	assert.Equal(t, ntJT, evs[2].Kind, "callbacks first")
	assert.Equal(t, model.E_FAIL, evs[2].Result)
	assert.Equal(t, t0.Add(30*time.Second), evs[2].Time)
	assert.Equal(t, ntCmd, evs[3].Kind)
	assert.Equal(t, model.S_OK, evs[3].Result)
}

// Rules: CMD-NEVER-SERVICE-ACCOUNT
func TestNotifyCmdLineNeverForServiceAccountJobs(t *testing.T) {
	for _, acct := range []model.Account{model.LocalSystem, model.LocalService, model.NetworkService} {
		t.Run(acct.Kind.String(), func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "service", acct)
			ok := ntJob(t, app, "ok", 1)
			bad := ntErrorJob(t, svc, app, "bad")
			for _, job := range []model.Job{ok, bad} {
				require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
				require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
				ntResume(t, svc, job)
			}
			ntAdvance(t, svc, 2*time.Hour)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, ok))
			require.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, bad))
			assert.Empty(t, svc.Launches())
			assert.Empty(t, ntEvents(svc, ok, ntCmd))
			assert.Empty(t, ntEvents(svc, bad, ntCmd))
		})
	}
}

// Rules: CMD-NO-SHELL, CMD-USER-CONTEXT, SEC-ADMIN-MODIFY
func TestNotifyCmdLineRecordedVerbatimAsSetter(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var seen []sim.Launch
	svc.SetCommandHandler(func(l sim.Launch) (int, error) {
		seen = append(seen, l)
		return 0, nil
	})
	const program = `C:\Program Files\Contoso\notify.exe`
	const params = `notify.exe --job "a b" && del /q %SystemRoot%\* | more > "C:\out.txt" 'x' ; $HOME`
	alice := ntApp(t, svc, "appA", ntAlice)
	admin := ntApp(t, svc, "adminApp", ntAdmin)
	job := ntJob(t, alice, "j", 1)
	jobAdmin, err := admin.GetJob(job.GetId())
	require.NoError(t, err)
	require.NoError(t, jobAdmin.SetNotifyCmdLine(program, params))
	p, q, err := job.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Equal(t, program, p)
	assert.Equal(t, params, q)

	ntResume(t, svc, job)
	ls := svc.Launches()
	require.Len(t, ls, 1)
	assert.Equal(t, job.GetId(), ls[0].Job)
	assert.Equal(t, program, ls[0].Program)
	assert.Equal(t, params, ls[0].Parameters)
	assert.Equal(t, ntAdmin, ls[0].User, "the program runs as the user who set it, not the owner")
	require.Len(t, seen, 1)
	assert.Equal(t, program, seen[0].Program)
	assert.Equal(t, params, seen[0].Parameters)
	assert.Equal(t, ntAdmin, seen[0].User)

	evs := ntEvents(svc, job)
	ntCheck(t, evs, ntWant{Kind: ntCmd, Target: ntLine, User: "admin", Result: model.S_OK})
	if len(evs) == 1 {
		assert.Equal(t, model.Target{Kind: model.TargetCommandLine, Program: program, Parameters: params}, evs[0].Target)
		assert.Equal(t, 0, evs[0].ExitCode)
	}
}

// Rules: CMD-AFTER-EVENT
func TestNotifyCmdLineSetAfterEventStillRuns(t *testing.T) {
	for _, fail := range []bool{false, true} {
		name := "transferred"
		if fail {
			name = "error"
		}
		t.Run(name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			var job model.Job
			if fail {
				job = ntErrorJob(t, svc, app, "j")
			} else {
				job = ntJob(t, app, "j", 1)
			}
			ntResume(t, svc, job)
			ntAdvance(t, svc, time.Hour)
			require.Empty(t, svc.Launches())

			require.NoError(t, job.SetNotifyCmdLine(ntProgram, "late"))
			ntRun(t, svc)
			ls := svc.Launches()
			require.Len(t, ls, 1)
			assert.Equal(t, "late", ls[0].Parameters)
			ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntCmd, Target: ntLine, User: "alice", Result: model.S_OK})
		})
	}
}

// Rules: CMD-STRING-TOO-LONG, CMD-PARAMS-WITHOUT-PROGRAM, CMD-CLEAR-NULL, CMD-DEFAULT-EMPTY
func TestNotifyCmdLineBadStrings(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	p, q, err := job.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Empty(t, p)
	assert.Empty(t, q)

	prog260 := `C:\` + strings.Repeat("p", 257)
	require.Len(t, prog260, 260)
	params4000 := strings.Repeat("q", 4000)
	require.NoError(t, job.SetNotifyCmdLine(prog260, params4000), "MAX_PATH program and 4000-character parameters are accepted")
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "keep"))

	err = job.SetNotifyCmdLine(prog260+"x", "x")
	assert.True(t, errors.Is(err, model.BG_E_STRING_TOO_LONG), "program of 261 characters: %v", err)
	err = job.SetNotifyCmdLine(ntProgram, params4000+"x")
	assert.True(t, errors.Is(err, model.BG_E_STRING_TOO_LONG), "parameters of 4001 characters: %v", err)
	err = job.SetNotifyCmdLine("", "params without program")
	assert.True(t, errors.Is(err, model.E_INVALIDARG), "parameters without a program: %v", err)

	p, q, err = job.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Equal(t, ntProgram, p, "failed calls keep the previous command line")
	assert.Equal(t, "keep", q)

	require.NoError(t, job.SetNotifyCmdLine("", ""))
	p, q, err = job.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Empty(t, p)
	assert.Empty(t, q)
	ntResume(t, svc, job)
	assert.Empty(t, svc.Launches(), "a cleared command line is not launched")
}

// Rules: SEC-TAKEOWNERSHIP-REMOVES-CMDLINE
func TestNotifyTakeOwnershipRemovesCmdLine(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	alice := ntApp(t, svc, "appA", ntAlice)
	admin := ntApp(t, svc, "adminApp", ntAdmin)
	job := ntJob(t, alice, "j", 1)
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
	jobAdmin, err := admin.GetJob(job.GetId())
	require.NoError(t, err)
	require.NoError(t, jobAdmin.TakeOwnership())
	p, q, err := jobAdmin.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Empty(t, p)
	assert.Empty(t, q)

	ntResume(t, svc, jobAdmin)
	ntAdvance(t, svc, time.Hour)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, jobAdmin))
	assert.Empty(t, svc.Launches())
}

// ---------------------------------------------------------------------------
// 5. Flags.

// Rules: FLAGS-DEFAULT
func TestNotifyFlagsDefault(t *testing.T) {
	for _, v := range model.Versions() {
		t.Run(v.String(), func(t *testing.T) {
			svc := ntManual(t, v)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 0)
			f, err := job.GetNotifyFlags()
			require.NoError(t, err)
			assert.Equal(t, model.NotifyFlags(0x3), f)
		})
	}
}

// Rules: FLAGS-DISABLE, FLAGS-DISABLE-CMDLINE, FLAGS-DISABLE-COMBINABLE, FLAGS-CHECKED-AT-DISPATCH
func TestNotifyFlagsDisableSilencesEverything(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var c, ic ntCounts
	var calls atomic.Int32
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	app := ntApp(t, svc, "appA", ntAlice)
	ok := ntJob(t, app, "ok", 2)
	bad := ntErrorJob(t, svc, app, "bad")
	for _, job := range []model.Job{ok, bad} {
		require.NoError(t, job.SetNotifyFlags(0x1F), "DISABLE combines with the other bits")
		f, err := job.GetNotifyFlags()
		require.NoError(t, err)
		require.Equal(t, model.NotifyFlags(0x1F), f)
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		require.NoError(t, job.SetNotifyCLSID(ntClassA))
		require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
		require.NoError(t, job.SetDescription("changed while disabled"))
		ntResume(t, svc, job)
	}
	ntAdvance(t, svc, 2*time.Hour)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, ok))
	require.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, bad))
	assert.Empty(t, ntEvents(svc, ok))
	assert.Empty(t, ntEvents(svc, bad))
	assert.Zero(t, c.total())
	assert.Zero(t, calls.Load())
	assert.Empty(t, svc.Launches())

	// Clearing DISABLE lets the undelivered events through.
	require.NoError(t, ok.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR))
	require.NoError(t, bad.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR))
	ntRun(t, svc)
	ntCheck(t, ntEvents(svc, ok), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	ntCheck(t, ntEvents(svc, bad), ntWant{Kind: ntJE, Target: ntObj, App: "appA", Result: model.S_OK})
}

// Rules: FLAGS-ZERO, FLAGS-ROUND-TRIP
func TestNotifyFlagsZeroDeliversNothing(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var c, ic ntCounts
	var calls atomic.Int32
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	app := ntApp(t, svc, "appA", ntAlice)
	ok := ntJob(t, app, "ok", 1)
	bad := ntErrorJob(t, svc, app, "bad")
	for _, job := range []model.Job{ok, bad} {
		require.NoError(t, job.SetNotifyFlags(0))
		f, err := job.GetNotifyFlags()
		require.NoError(t, err)
		assert.Equal(t, model.NotifyFlags(0), f)
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		require.NoError(t, job.SetNotifyCLSID(ntClassA))
		require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
		ntResume(t, svc, job)
	}
	ntAdvance(t, svc, 2*time.Hour)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, ok))
	require.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, bad))
	assert.Empty(t, ntEvents(svc, ok))
	assert.Empty(t, ntEvents(svc, bad))
	assert.Zero(t, c.total())
	assert.Zero(t, calls.Load())
	assert.Empty(t, svc.Launches())
}

// Rules: FLAGS-INVALID-NOTIMPL, FLAGS-VERSION-MASK, FLAGS-ROUND-TRIP
func TestNotifyFlagsOutsideVersionMaskNotImpl(t *testing.T) {
	for _, tc := range []struct {
		v    model.Version
		bad  model.NotifyFlags
		mask model.NotifyFlags
	}{
		{model.BITS10_3, 0x40, 0x3F},
		{model.BITS5_0, 0x20, 0x1F},
		{model.BITS2_5, 0x10, 0x0F},
	} {
		t.Run(tc.v.String(), func(t *testing.T) {
			svc := ntManual(t, tc.v)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			err := job.SetNotifyFlags(tc.bad)
			assert.True(t, errors.Is(err, model.E_NOTIMPL), "SetNotifyFlags(%#x) on %v: %v", uint32(tc.bad), tc.v, err)
			err = job.SetNotifyFlags(tc.bad | model.BG_NOTIFY_JOB_TRANSFERRED)
			assert.True(t, errors.Is(err, model.E_NOTIMPL), "SetNotifyFlags(%#x) on %v: %v", uint32(tc.bad|1), tc.v, err)
			f, err := job.GetNotifyFlags()
			require.NoError(t, err)
			assert.Equal(t, model.NotifyFlags(0x3), f, "flags unchanged")

			require.NoError(t, job.SetNotifyFlags(tc.mask))
			f, err = job.GetNotifyFlags()
			require.NoError(t, err)
			assert.Equal(t, tc.mask, f)
		})
	}
}

// Rules: FLAGS-FINAL-STATE, FLAGS-STATE-CHECK-FIRST
func TestNotifyFlagsOnFinalJobInvalidState(t *testing.T) {
	for _, final := range []model.JobState{model.BG_JOB_STATE_CANCELLED, model.BG_JOB_STATE_ACKNOWLEDGED} {
		t.Run(final.String(), func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			if final == model.BG_JOB_STATE_CANCELLED {
				require.NoError(t, job.Cancel())
			} else {
				ntResume(t, svc, job)
				_, err := job.Complete()
				require.NoError(t, err)
			}
			require.Equal(t, final, ntState(t, job))
			err := job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED)
			assert.True(t, errors.Is(err, model.BG_E_INVALID_STATE), "valid flags: %v", err)
			err = job.SetNotifyFlags(0x40)
			assert.True(t, errors.Is(err, model.BG_E_INVALID_STATE), "invalid flags: %v", err)
			f, err := job.GetNotifyFlags()
			require.NoError(t, err)
			assert.Equal(t, model.NotifyFlags(0x3), f)
		})
	}
}

// Rules: FLAGS-CHECKED-AT-DISPATCH, FLAGS-FILTER
func TestNotifyFlagsReadAtDispatch(t *testing.T) {
	for _, initial := range []model.NotifyFlags{0, model.BG_NOTIFY_JOB_ERROR} {
		t.Run(fmt.Sprintf("flags %#x", uint32(initial)), func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			var c ntCounts
			require.NoError(t, job.SetNotifyFlags(initial))
			require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
			ntResume(t, svc, job)
			ntAdvance(t, svc, time.Hour)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
			assert.Empty(t, ntEvents(svc, job), "JobTransferred is not asked for")

			require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED))
			ntRun(t, svc)
			ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "appA", User: "alice", Result: model.S_OK})
			assert.EqualValues(t, 1, c.jt.Load())
		})
	}
}

// ---------------------------------------------------------------------------
// 6. At least once, retries, once after success.

// Rules: DELIV-AFTER-REGISTRATION
func TestNotifyRegisteringAfterEventDelivers(t *testing.T) {
	for _, fail := range []bool{false, true} {
		name, kind := "transferred", ntJT
		if fail {
			name, kind = "error", ntJE
		}
		t.Run(name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			var job model.Job
			if fail {
				job = ntErrorJob(t, svc, app, "j")
			} else {
				job = ntJob(t, app, "j", 1)
			}
			ntResume(t, svc, job)
			ntAdvance(t, svc, time.Hour)
			require.Empty(t, ntEvents(svc, job))

			var c ntCounts
			require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
			ntRun(t, svc)
			ntCheck(t, ntEvents(svc, job), ntWant{Kind: kind, Target: ntObj, App: "appA", User: "alice", Result: model.S_OK})
			assert.EqualValues(t, 1, c.total())
		})
	}
}

// Rules: DELIV-AFTER-REGISTRATION, DELIV-AT-LEAST-ONCE
func TestNotifyReRegistrationDeliversAgain(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	appA := ntApp(t, svc, "appA", ntAlice)
	appB := ntApp(t, svc, "appB", ntAlice)
	job := ntJob(t, appA, "j", 1)
	var ca, cb ntCounts
	objA := ntCounting(&ca)
	require.NoError(t, job.SetNotifyInterface(objA))
	ntResume(t, svc, job)
	require.EqualValues(t, 1, ca.jt.Load())

	require.NoError(t, job.SetNotifyInterface(objA)) // the same app, the same object
	ntRun(t, svc)
	assert.EqualValues(t, 2, ca.jt.Load())

	jobB, err := appB.GetJob(job.GetId())
	require.NoError(t, err)
	require.NoError(t, jobB.SetNotifyInterface(ntCounting(&cb)))
	ntRun(t, svc)
	ntAdvance(t, svc, time.Hour)
	assert.EqualValues(t, 2, ca.jt.Load())
	assert.EqualValues(t, 1, cb.jt.Load())
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK},
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK},
		ntWant{Kind: ntJT, Target: ntObj, App: "appB", Result: model.S_OK})
}

// Rules: DELIV-ONCE-AFTER-SUCCESS
func TestNotifyDeliveredOnceNotRepeatedSpontaneously(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	ok := ntJob(t, app, "ok", 1)
	bad := ntErrorJob(t, svc, app, "bad")
	var c ntCounts
	for _, job := range []model.Job{ok, bad} {
		require.NoError(t, job.SetMinimumRetryDelay(5*time.Second))
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		ntResume(t, svc, job)
	}
	for i := 0; i < 48; i++ {
		ntAdvance(t, svc, time.Hour)
	}
	ntCheck(t, ntEvents(svc, ok), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	ntCheck(t, ntEvents(svc, bad), ntWant{Kind: ntJE, Target: ntObj, App: "appA", Result: model.S_OK})
	assert.EqualValues(t, 1, c.jt.Load())
	assert.EqualValues(t, 1, c.je.Load())
}

// Rules: DELIV-RETRY-UNTIL-OK, DELIV-RETRY-INTERVAL, DELIV-SFALSE-SUCCESS, DELIV-ONCE-AFTER-SUCCESS
func TestNotifyFailingJobTransferredRetriedEveryMinimumRetryDelay(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		failures := rapid.IntRange(0, 4).Draw(rt, "failures")
		delay := time.Duration(rapid.IntRange(5, 3600).Draw(rt, "delaySeconds")) * time.Second
		failWith := rapid.SampledFrom([]model.HRESULT{model.E_FAIL, model.E_UNEXPECTED, model.E_NOTIMPL, model.E_INVALIDARG}).Draw(rt, "failWith")
		success := rapid.SampledFrom([]model.HRESULT{model.S_OK, model.S_FALSE}).Draw(rt, "success")

		svc := ntManual(rt, 0)
		defer svc.Close()
		app := ntApp(rt, svc, "appA", ntAlice)
		job := ntJob(rt, app, "j", 1)
		require.NoError(rt, job.SetMinimumRetryDelay(delay))
		var calls atomic.Int32
		require.NoError(rt, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
			if int(calls.Add(1)) <= failures {
				return failWith
			}
			if success == model.S_OK {
				return nil
			}
			return success
		}}))

		ntResume(rt, svc, job)
		t0 := svc.Now()
		require.EqualValues(rt, 1, calls.Load())
		for k := 1; k <= failures; k++ {
			ntAdvance(rt, svc, delay-time.Second)
			require.EqualValues(rt, k, calls.Load(), "no retry before MinimumRetryDelay")
			ntAdvance(rt, svc, time.Second)
			require.EqualValues(rt, k+1, calls.Load(), "retry once MinimumRetryDelay has elapsed")
		}
		ntAdvance(rt, svc, 10*delay)
		require.EqualValues(rt, failures+1, calls.Load(), "no call after the successful one")

		evs := ntEvents(svc, job)
		require.Len(rt, evs, failures+1, "trace:\n%s", ntDump(evs))
		for i, e := range evs {
			assert.Equal(rt, ntJT, e.Kind)
			assert.Equal(rt, t0.Add(time.Duration(i)*delay), e.Time, "attempt %d", i)
			if i < failures {
				assert.Equal(rt, failWith, e.Result, "attempt %d", i)
			} else {
				assert.True(rt, e.Delivered(), "attempt %d: %v", i, e)
			}
		}
	})
}

// Rules: DELIV-SFALSE-SUCCESS
func TestNotifySFalseCountsAsSuccess(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 2)
	require.NoError(t, job.SetMinimumRetryDelay(5*time.Second))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
	var jt, ft atomic.Int32
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred:  func(model.Job) error { jt.Add(1); return model.S_FALSE },
		OnFileTransferred: func(model.Job, model.File) error { ft.Add(1); return model.S_FALSE },
	}))
	ntResume(t, svc, job)
	ntAdvance(t, svc, 2*time.Hour)
	assert.EqualValues(t, 2, ft.Load(), "each FileTransferred once, the second not held back")
	assert.EqualValues(t, 1, jt.Load(), "JobTransferred is not retried")
	assert.Empty(t, svc.Launches(), "the command line does not run")
	evs := ntEvents(svc, job)
	assert.Len(t, evs, 3, "trace:\n%s", ntDump(evs))
	for _, e := range evs {
		assert.True(t, e.Delivered(), "%v", e)
	}
}

// Rules: DELIV-RETRY-STOPS-ON-LEAVE
func TestNotifyRetriesStopWhenJobLeavesState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fail  bool
		leave func(model.Job) error
		after model.JobState
	}{
		{"transferred complete", false, func(j model.Job) error { _, err := j.Complete(); return err }, model.BG_JOB_STATE_ACKNOWLEDGED},
		{"transferred cancel", false, model.Job.Cancel, model.BG_JOB_STATE_CANCELLED},
		{"error cancel", true, model.Job.Cancel, model.BG_JOB_STATE_CANCELLED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			var job model.Job
			if tc.fail {
				job = ntErrorJob(t, svc, app, "j")
			} else {
				job = ntJob(t, app, "j", 1)
			}
			require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
			var calls atomic.Int32
			require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
				OnJobTransferred: func(model.Job) error { calls.Add(1); return model.E_FAIL },
				OnJobError:       func(model.Job, model.JobError) error { calls.Add(1); return model.E_FAIL },
			}))
			ntResume(t, svc, job)
			require.EqualValues(t, 1, calls.Load())
			ntAdvance(t, svc, 30*time.Second)
			require.EqualValues(t, 2, calls.Load(), "retried while the job stays in the state")

			require.NoError(t, tc.leave(job))
			require.Equal(t, tc.after, ntState(t, job))
			ntAdvance(t, svc, 2*time.Hour)
			assert.EqualValues(t, 2, calls.Load(), "no retry after the job left the state")
			assert.Len(t, ntEvents(svc, job), 2)
		})
	}
}

// Rules: DELIV-NO-JOBERROR-TRANSIENT
func TestNotifyNoJobErrorForTransientError(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	require.NoError(t, svc.SetRemote(ntURL("j", 0), sim.Unavailable(1, 2048)))
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
	var c ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))

	ntResume(t, svc, job)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, ntState(t, job))
	assert.Empty(t, ntEvents(svc, job))
	assert.Empty(t, svc.Launches())

	ntAdvance(t, svc, 30*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
	ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	assert.Zero(t, c.je.Load())
	assert.Empty(t, svc.Launches())
}

// ---------------------------------------------------------------------------
// 7. FileTransferred ordering.

// Rules: DELIV-FILE-BEFORE-JOB, DELIV-FILE-SERIALIZED, FILE-FIFO
func TestNotifyFileTransferredInFileOrderThenJobTransferred(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 3)
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
	var order []string
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnFileTransferred: func(_ model.Job, f model.File) error {
			n, err := f.GetLocalName()
			if err != nil {
				return err
			}
			order = append(order, n)
			return nil
		},
		OnJobTransferred: func(model.Job) error { order = append(order, "job"); return nil },
	}))
	ntResume(t, svc, job)
	assert.Equal(t, []string{ntLocal("j", 0), ntLocal("j", 1), ntLocal("j", 2), "job"}, order)
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntFT, Target: ntObj, App: "appA", File: ntLocal("j", 0), Result: model.S_OK},
		ntWant{Kind: ntFT, Target: ntObj, App: "appA", File: ntLocal("j", 1), Result: model.S_OK},
		ntWant{Kind: ntFT, Target: ntObj, App: "appA", File: ntLocal("j", 2), Result: model.S_OK},
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
}

// Rules: DELIV-FILE-SERIALIZED, DELIV-FILE-BEFORE-JOB, DELIV-RETRY-UNTIL-OK, DELIV-RETRY-INTERVAL
func TestNotifyFailedFileTransferredHoldsBackLaterNotifications(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 3)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
	var f2 atomic.Int32
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnFileTransferred: func(_ model.Job, f model.File) error {
			n, err := f.GetLocalName()
			if err != nil {
				return err
			}
			if n == ntLocal("j", 1) && f2.Add(1) == 1 {
				return model.E_FAIL
			}
			return nil
		},
	}))
	ntResume(t, svc, job)
	t0 := svc.Now()
	first := []ntWant{
		{Kind: ntFT, Target: ntObj, File: ntLocal("j", 0), Result: model.S_OK},
		{Kind: ntFT, Target: ntObj, File: ntLocal("j", 1), Result: model.E_FAIL},
	}
	ntCheck(t, ntEvents(svc, job), first...)
	ntAdvance(t, svc, 29*time.Second)
	ntCheck(t, ntEvents(svc, job), first...)
	ntAdvance(t, svc, time.Second)
	ntAdvance(t, svc, time.Hour)
	evs := ntEvents(svc, job)
	ntCheck(t, evs, append(first,
		ntWant{Kind: ntFT, Target: ntObj, File: ntLocal("j", 1), Result: model.S_OK},
		ntWant{Kind: ntFT, Target: ntObj, File: ntLocal("j", 2), Result: model.S_OK},
		ntWant{Kind: ntJT, Target: ntObj, Result: model.S_OK})...)
	if len(evs) == 5 {
		assert.Equal(t, t0.Add(30*time.Second), evs[2].Time)
	}
}

// Rules: OBJ-NO-CALLBACK-INTERFACE, DELIV-FILE-BEFORE-JOB
func TestNotifyCallbackOnlyObjectGetsJobTransferred(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 2)
	require.NoError(t, job.SetMinimumRetryDelay(5*time.Second))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
	plain := &ntPlainCallback{}
	require.NoError(t, job.SetNotifyInterface(plain))

	err := job.SetNotifyInterface(struct{ Name string }{"not a callback"})
	assert.True(t, errors.Is(err, model.E_NOINTERFACE), "%v", err)
	got, err := job.GetNotifyInterface()
	require.NoError(t, err)
	assert.Same(t, plain, got, "the rejected object does not replace the registered one")

	ntResume(t, svc, job)
	ntAdvance(t, svc, time.Hour)
	assert.EqualValues(t, 1, plain.jt.Load())
	ntCheck(t, ntEvents(svc, job, ntJT), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	for _, e := range ntEvents(svc, job) {
		assert.True(t, e.Delivered(), "no failed attempt: %v", e)
	}
}

// ---------------------------------------------------------------------------
// 8. JobModification.

// Rules: DELIV-NO-MODIFICATION-ERROR-TRANSFERRED, DELIV-MODIFICATION-EVENTS
func TestNotifyNoJobModificationForTransferredOrError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remote sim.Remote
		kind   model.EventKind
		state  model.JobState
	}{
		{"transferred", sim.Remote{Size: 1024, Latency: 10 * time.Second}, ntJT, model.BG_JOB_STATE_TRANSFERRED},
		{"error", sim.Remote{Fatal: model.HTTPError(404), Latency: 10 * time.Second}, ntJE, model.BG_JOB_STATE_ERROR},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			require.NoError(t, svc.SetRemote(ntURL("j", 0), tc.remote))
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_JOB_MODIFICATION))
			var c ntCounts
			require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
			ntResume(t, svc, job)
			ntAdvance(t, svc, 10*time.Second) // connected; the transfer ends at once
			require.Equal(t, tc.state, ntState(t, job))
			ntAdvance(t, svc, 2*time.Hour)

			evs := ntEvents(svc, job)
			final := ntEvents(svc, job, tc.kind)
			require.Len(t, final, 1, "trace:\n%s", ntDump(evs))
			assert.NotEmpty(t, ntEvents(svc, job, ntJM), "the earlier changes are reported")
			assert.Empty(t, ntSince(ntEvents(svc, job, ntJM), final[0].Seq),
				"no JobModification for the transition into %v; trace:\n%s", tc.state, ntDump(evs))
		})
	}
}

// Rules: DELIV-MODIFICATION-EVENTS, DELIV-MODIFICATION-SUSPENDED
func TestNotifyJobModificationForResumeAndSuspendedPropertyChange(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	require.NoError(t, svc.SetRemote(ntURL("j", 0), sim.Remote{Size: 1024, Latency: 24 * time.Hour}))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_MODIFICATION))
	var states []model.JobState
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobModification: func(j model.Job) error {
		st, err := j.GetState()
		if err != nil {
			return err
		}
		states = append(states, st)
		return nil
	}}))
	ntRun(t, svc)
	ntAdvance(t, svc, time.Second)

	seq := ntLastSeq(svc)
	states = nil
	require.NoError(t, job.SetDescription("changed while suspended"))
	ntRun(t, svc)
	ntCheck(t, ntSince(ntEvents(svc, job), seq), ntWant{Kind: ntJM, Target: ntObj, App: "appA", User: "alice", Result: model.S_OK})
	assert.Equal(t, []model.JobState{model.BG_JOB_STATE_SUSPENDED}, states)

	ntAdvance(t, svc, time.Second)
	seq = ntLastSeq(svc)
	ntResume(t, svc, job)
	require.True(t, ntState(t, job).IsActive(), "the job is queued or connecting")
	ntCheck(t, ntSince(ntEvents(svc, job), seq), ntWant{Kind: ntJM, Target: ntObj, App: "appA", Result: model.S_OK})
}

// Rules: DELIV-MODIFICATION-RATE, DELIV-MODIFICATION-LOSSY
func TestNotifyJobModificationRateLimited(t *testing.T) {
	svc := ntManual(t, model.BITS10_3)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_MODIFICATION))
	var c ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
	ntRun(t, svc)
	ntAdvance(t, svc, time.Second)
	seq := ntLastSeq(svc)
	mods := func() []model.Event { return ntSince(ntEvents(svc, job, ntJM), seq) }

	require.NoError(t, job.SetDescription("a"))
	ntRun(t, svc)
	require.Len(t, mods(), 1)
	t1 := mods()[0].Time
	for _, d := range []string{"b", "c", "d"} {
		ntAdvance(t, svc, 100*time.Millisecond)
		require.NoError(t, job.SetDescription(d))
	}
	ntAdvance(t, svc, 199*time.Millisecond) // t1 + 499 ms
	assert.Len(t, mods(), 1, "at most one JobModification per 500 ms")
	ntAdvance(t, svc, 10*time.Second)
	evs := mods()
	require.Len(t, evs, 2, "the three changes are merged into one more call:\n%s", ntDump(evs))
	assert.GreaterOrEqual(t, evs[1].Time.Sub(t1), 500*time.Millisecond)
	assert.Equal(t, model.S_OK, evs[1].Result)
}

// Rules: DELIV-MODIFICATION-FAILURE-IGNORED
func TestNotifyFailingJobModificationNotRetried(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(5*time.Second))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_JOB_MODIFICATION))
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobModification: func(model.Job) error { return model.E_FAIL },
	}))
	ntRun(t, svc)
	ntAdvance(t, svc, time.Second)
	seq := ntLastSeq(svc)

	require.NoError(t, job.SetDescription("x"))
	ntRun(t, svc)
	ntAdvance(t, svc, 24*time.Hour)
	ntCheck(t, ntSince(ntEvents(svc, job), seq), ntWant{Kind: ntJM, Target: ntObj, App: "appA", Result: model.E_FAIL})
	assert.Zero(t, calls.Load(), "no CLSID fallback")
	assert.Empty(t, svc.Launches(), "no command line")
}

// ---------------------------------------------------------------------------
// 9. Misbehaving and re-entrant callbacks.

// Rules: DELIV-RETRY-UNTIL-OK, DELIV-RETRY-INTERVAL
func TestNotifyPanickingCallbackIsAFailedCallAndRetried(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	var calls atomic.Int32
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		if calls.Add(1) == 1 {
			panic("callback bug")
		}
		return nil
	}}))
	ntResume(t, svc, job)
	ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.E_UNEXPECTED})
	ntAdvance(t, svc, 30*time.Second)
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.E_UNEXPECTED},
		ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})

	// The service keeps working.
	other := ntJob(t, app, "other", 1)
	var c ntCounts
	require.NoError(t, other.SetNotifyInterface(ntCounting(&c)))
	ntResume(t, svc, other)
	ntCheck(t, ntEvents(svc, other), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	_, err := job.Complete()
	assert.NoError(t, err)
}

// Rules: DELIV-REENTRANT
func TestNotifyCallbackMayCallIntoJob(t *testing.T) {
	t.Run("Complete inside JobTransferred", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		app := ntApp(t, svc, "appA", ntAlice)
		job := ntJob(t, app, "j", 1)
		var hr model.HRESULT
		var cerr error
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(j model.Job) error {
			hr, cerr = j.Complete()
			return cerr
		}}))
		ntResume(t, svc, job)
		require.NoError(t, cerr)
		assert.Equal(t, model.S_OK, hr)
		assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, ntState(t, job))
		ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	})
	t.Run("GetProgress inside JobModification", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		app := ntApp(t, svc, "appA", ntAlice)
		job := ntJob(t, app, "j", 2)
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_MODIFICATION))
		var progress []model.JobProgress
		var perr error
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobModification: func(j model.Job) error {
			p, err := j.GetProgress()
			if err != nil {
				perr = err
				return err
			}
			progress = append(progress, p)
			return nil
		}}))
		ntRun(t, svc)
		ntAdvance(t, svc, time.Second)
		progress = nil
		require.NoError(t, job.SetDescription("x"))
		ntRun(t, svc)
		require.NoError(t, perr)
		require.Len(t, progress, 1)
		assert.EqualValues(t, 2, progress[0].FilesTotal)
	})
	t.Run("SetPriority and Resume inside JobError", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		app := ntApp(t, svc, "appA", ntAlice)
		job := ntErrorJob(t, svc, app, "j")
		var calls atomic.Int32
		var perr, rerr error
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobError: func(j model.Job, _ model.JobError) error {
			if calls.Add(1) == 1 {
				perr = j.SetPriority(model.BG_JOB_PRIORITY_HIGH)
				rerr = j.Resume()
			}
			return nil
		}}))
		ntResume(t, svc, job)
		require.NoError(t, perr)
		require.NoError(t, rerr)
		p, err := job.GetPriority()
		require.NoError(t, err)
		assert.Equal(t, model.BG_JOB_PRIORITY_HIGH, p)
		assert.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, job), "resumed, failed again")
		ntCheck(t, ntEvents(svc, job),
			ntWant{Kind: ntJE, Target: ntObj, App: "appA", Result: model.S_OK},
			ntWant{Kind: ntJE, Target: ntObj, App: "appA", Result: model.S_OK})
	})
}

// Rules: DELIV-REENTRANT
func TestNotifyAdvanceFromCallbackIsErrReentrant(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	var advErr, runErr, idleErr error
	var called atomic.Int32
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		called.Add(1)
		advErr = svc.Advance(time.Second)
		runErr = svc.RunUntilIdle()
		idleErr = svc.AdvanceUntilIdle(time.Hour)
		return nil
	}}))
	ntResume(t, svc, job)
	require.EqualValues(t, 1, called.Load())
	assert.ErrorIs(t, advErr, sim.ErrReentrant)
	assert.ErrorIs(t, runErr, sim.ErrReentrant)
	assert.ErrorIs(t, idleErr, sim.ErrReentrant)
	ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	ntAdvance(t, svc, time.Second) // still usable from outside
}

// ---------------------------------------------------------------------------
// 10. Four notification calls per user (automatic clock: real concurrency).

// Rules: DELIV-FOUR-PER-USER
func TestNotifyAtMostFourConcurrentCallbacksPerUser(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Automatic, Seed: 7})
	require.NoError(t, err)
	defer svc.Close()
	release := make(chan struct{})
	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
	defer releaseAll() // runs before svc.Close, so no callback stays blocked

	entered := make(chan string, 16)
	aliceApp := ntApp(t, svc, "aliceApp", ntAlice)
	var jobs []model.Job
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("alice%d", i+1)
		job := ntJob(t, aliceApp, name, 1)
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
			entered <- name
			<-release
			return nil
		}}))
		jobs = append(jobs, job)
	}
	for _, job := range jobs {
		require.NoError(t, job.Resume())
	}
	in := map[string]bool{}
	for i := 0; i < 4; i++ {
		in[ntWait(t, entered, fmt.Sprintf("callback %d of alice to enter", i+1))] = true
	}
	require.Len(t, in, 4)
	assert.Equal(t, 4, svc.InFlight("alice"))

	// Another user's notification is not held up by alice's four.
	bobEntered := make(chan struct{}, 1)
	bobApp := ntApp(t, svc, "bobApp", ntBob)
	bobJob := ntJob(t, bobApp, "bob1", 1)
	require.NoError(t, bobJob.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		bobEntered <- struct{}{}
		return nil
	}}))
	require.NoError(t, bobJob.Resume())
	ntWait(t, bobEntered, "bob's callback while alice's four are blocked")

	select {
	case n := <-entered:
		t.Errorf("a fifth callback of alice (%s) entered while four were running", n)
	default:
	}
	assert.Equal(t, 4, svc.InFlight("alice"))

	// Releasing one lets the fifth in.
	select {
	case release <- struct{}{}:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out releasing one of alice's callbacks")
	}
	fifth := ntWait(t, entered, "the fifth callback of alice after one returned")
	assert.False(t, in[fifth], "the fifth callback is a new job's: %s", fifth)

	releaseAll()
	require.NoError(t, svc.Close()) // waits for the callbacks to return
	assert.Equal(t, 0, svc.InFlight("alice"))
	var delivered int
	for _, e := range svc.Trace() {
		if e.Kind == ntJT && e.Delivered() {
			delivered++
		}
	}
	assert.Equal(t, 6, delivered, "five of alice's and one of bob's")
}

// ---------------------------------------------------------------------------
// 11. Security context of notifications.

// Rules: DELIV-REGISTRANT-CONTEXT, SEC-CALLBACK-REGISTRANT
func TestNotifyObjectCallbackRunsAsRegistrant(t *testing.T) {
	t.Run("after TakeOwnership", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		alice := ntApp(t, svc, "appA", ntAlice)
		admin := ntApp(t, svc, "adminApp", ntAdmin)
		job := ntJob(t, alice, "j", 1)
		var c ntCounts
		cb := ntCounting(&c)
		require.NoError(t, job.SetNotifyInterface(cb))
		jobAdmin, err := admin.GetJob(job.GetId())
		require.NoError(t, err)
		require.NoError(t, jobAdmin.TakeOwnership())
		owner, err := jobAdmin.GetOwner()
		require.NoError(t, err)
		require.Equal(t, "admin", owner)
		got, err := jobAdmin.GetNotifyInterface()
		require.NoError(t, err)
		assert.Same(t, cb, got, "TakeOwnership keeps the callback object")

		ntResume(t, svc, jobAdmin)
		ntCheck(t, ntEvents(svc, jobAdmin), ntWant{Kind: ntJT, Target: ntObj, App: "appA", User: "alice", Result: model.S_OK})
		assert.EqualValues(t, 1, c.jt.Load())
	})
	t.Run("administrator registers on another user's job", func(t *testing.T) {
		svc := ntManual(t, 0)
		defer svc.Close()
		alice := ntApp(t, svc, "appA", ntAlice)
		admin := ntApp(t, svc, "adminApp", ntAdmin)
		job := ntJob(t, alice, "j", 1)
		jobAdmin, err := admin.GetJob(job.GetId())
		require.NoError(t, err)
		var c ntCounts
		require.NoError(t, jobAdmin.SetNotifyInterface(ntCounting(&c)))
		ntResume(t, svc, job)
		ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "adminApp", User: "admin", Result: model.S_OK})
	})
}

// Rules: CLSID-OWNER-CONTEXT
func TestNotifyCLSIDInstanceRunsAsOwner(t *testing.T) {
	for _, take := range []bool{false, true} {
		name, owner := "set by an administrator", ntAlice
		if take {
			name, owner = "after TakeOwnership", ntAdmin
		}
		t.Run(name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			var hostUser atomic.Value
			var ic ntCounts
			require.NoError(t, svc.RegisterClass(ntClassA, func(host *sim.App) (any, error) {
				hostUser.Store(host.User())
				return ntCounting(&ic), nil
			}))
			alice := ntApp(t, svc, "appA", ntAlice)
			admin := ntApp(t, svc, "adminApp", ntAdmin)
			job := ntJob(t, alice, "j", 1)
			jobAdmin, err := admin.GetJob(job.GetId())
			require.NoError(t, err)
			require.NoError(t, jobAdmin.SetNotifyCLSID(ntClassA))
			if take {
				require.NoError(t, jobAdmin.TakeOwnership())
			}
			ntResume(t, svc, jobAdmin)
			ntCheck(t, ntEvents(svc, jobAdmin), ntWant{Kind: ntJT, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: owner.Name, Result: model.S_OK})
			assert.Equal(t, owner, hostUser.Load())
		})
	}
}

// ---------------------------------------------------------------------------
// 12. FileRangesTransferred.

// Rules: DELIV-RANGES-ON-DEMAND, FILE-RANGES-SUSPEND
func TestNotifyFileRangesTransferredOnDemand(t *testing.T) {
	const size = 1000
	setup := func(t *testing.T, svc *sim.Service, onDemand bool) (model.Job, *[][]model.FileRange, *[]string) {
		t.Helper()
		require.NoError(t, svc.SetRemote(ntURL("j", 0), sim.Remote{Size: size}))
		app := ntApp(t, svc, "appA", ntAlice)
		job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		if onDemand {
			require.NoError(t, job.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}))
		}
		require.NoError(t, job.AddFile(ntURL("j", 0), ntLocal("j", 0)))
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED))
		var ranges [][]model.FileRange
		var files []string
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
			OnFileRangesTransferred: func(_ model.Job, f model.File, rs []model.FileRange) error {
				n, err := f.GetLocalName()
				if err != nil {
					return err
				}
				files = append(files, n)
				ranges = append(ranges, rs)
				return nil
			},
		}))
		return job, &ranges, &files
	}

	t.Run("part of the file", func(t *testing.T) {
		svc := ntManual(t, model.BITS10_3)
		defer svc.Close()
		job, ranges, files := setup(t, svc, true)
		fs, err := job.EnumFiles()
		require.NoError(t, err)
		require.Len(t, fs, 1)
		want := []model.FileRange{{InitialOffset: 0, Length: 100}, {InitialOffset: 500, Length: 200}}
		require.NoError(t, fs[0].RequestFileRanges(want))
		ntRun(t, svc)
		ntAdvance(t, svc, time.Hour)

		assert.Equal(t, [][]model.FileRange{want}, *ranges)
		assert.Equal(t, []string{ntLocal("j", 0)}, *files)
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, ntState(t, job), "the file is not complete")
		evs := ntEvents(svc, job)
		ntCheck(t, evs, ntWant{Kind: ntFR, Target: ntObj, App: "appA", User: "alice", File: ntLocal("j", 0), Result: model.S_OK})
		if len(evs) == 1 {
			assert.Equal(t, want, evs[0].Ranges)
		}
	})
	t.Run("whole file", func(t *testing.T) {
		svc := ntManual(t, model.BITS10_3)
		defer svc.Close()
		job, ranges, _ := setup(t, svc, true)
		fs, err := job.EnumFiles()
		require.NoError(t, err)
		require.NoError(t, fs[0].RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: model.BG_LENGTH_TO_EOF}}))
		ntRun(t, svc)
		assert.Len(t, *ranges, 1)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job), "the whole file is present")
		assert.Len(t, ntEvents(svc, job, ntJT), 1)
	})
	t.Run("not on demand but meeting its requirements: the ranges are reported", func(t *testing.T) {
		svc := ntManual(t, model.BITS10_3)
		defer svc.Close()
		job, ranges, _ := setup(t, svc, false)
		ntResume(t, svc, job)
		ntAdvance(t, svc, time.Hour)
		assert.Equal(t, [][]model.FileRange{{{InitialOffset: 0, Length: size}}}, *ranges)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
		ntCheck(t, ntEvents(svc, job),
			ntWant{Kind: ntFR, Target: ntObj, App: "appA", Result: model.S_OK},
			ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
	})
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, svc *sim.Service, job model.Job)
	}{
		{"a server without range support", func(t *testing.T, svc *sim.Service, _ model.Job) {
			require.NoError(t, svc.SetRemote(ntURL("j", 0), sim.Remote{Size: size, NoRangeSupport: true}))
		}},
		{"a DYNAMIC_CONTENT job", func(t *testing.T, _ *sim.Service, job model.Job) {
			require.NoError(t, job.SetProperty(model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, model.JobPropertyValue{Enable: true}))
		}},
	} {
		t.Run(tc.name+": the flag never fires", func(t *testing.T) {
			svc := ntManual(t, model.BITS10_3)
			defer svc.Close()
			job, ranges, _ := setup(t, svc, false)
			tc.prepare(t, svc, job)
			ntResume(t, svc, job)
			ntAdvance(t, svc, time.Hour)
			assert.Empty(t, *ranges)
			assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
			assert.Empty(t, ntEvents(svc, job, ntFR))
			ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
		})
	}
}

// ---------------------------------------------------------------------------
// More rules of the notification side.

// Rules: DELIV-RETRY-INTERVAL, FLAGS-ROUND-TRIP
func TestNotifyRetryNotHastenedByRegistrationSetters(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(model.Job) error
	}{
		{"SetNotifyFlags with the same flags", func(j model.Job) error {
			return j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR)
		}},
		{"SetNotifyCLSID", func(j model.Job) error { return j.SetNotifyCLSID(ntClassA) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
			var calls atomic.Int32
			require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
				OnJobTransferred: func(model.Job) error { calls.Add(1); return model.E_FAIL },
			}))
			ntResume(t, svc, job)
			t0 := svc.Now()
			require.EqualValues(t, 1, calls.Load())

			ntAdvance(t, svc, 10*time.Second)
			require.NoError(t, tc.set(job))
			ntAdvance(t, svc, 19*time.Second) // t0 + 29 s
			assert.EqualValues(t, 1, calls.Load(), "the failed JobTransferred is retried only once MinimumRetryDelay has elapsed since the failed call")
			ntAdvance(t, svc, time.Second) // t0 + 30 s
			evs := ntEvents(svc, job, ntJT)
			require.NotEmpty(t, evs)
			assert.Equal(t, t0.Add(30*time.Second), evs[len(evs)-1].Time, "trace:\n%s", ntDump(evs))
		})
	}
}

// Rules: OBJ-FINAL-STATE, CLSID-FINAL-STATE, CMD-FINAL-STATE
func TestNotifyRegistrationOnFinalJobInvalidState(t *testing.T) {
	for _, final := range []model.JobState{model.BG_JOB_STATE_CANCELLED, model.BG_JOB_STATE_ACKNOWLEDGED} {
		t.Run(final.String(), func(t *testing.T) {
			svc := ntManual(t, 0)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			var c ntCounts
			cb := ntCounting(&c)
			require.NoError(t, job.SetNotifyFlags(0)) // keep the object's call count out of it
			require.NoError(t, job.SetNotifyInterface(cb))
			require.NoError(t, job.SetNotifyCLSID(ntClassA))
			require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
			if final == model.BG_JOB_STATE_CANCELLED {
				require.NoError(t, job.Cancel())
			} else {
				ntResume(t, svc, job)
				_, err := job.Complete()
				require.NoError(t, err)
			}
			require.Equal(t, final, ntState(t, job))

			for name, err := range map[string]error{
				"SetNotifyInterface(obj)": job.SetNotifyInterface(ntCounting(&c)),
				"SetNotifyInterface(nil)": job.SetNotifyInterface(nil),
				"SetNotifyCLSID":          job.SetNotifyCLSID(ntClassB),
				"SetNotifyCLSID(null)":    job.SetNotifyCLSID(model.GUID_NULL),
				"SetNotifyCmdLine":        job.SetNotifyCmdLine(`C:\other.exe`, "y"),
				"SetNotifyCmdLine(clear)": job.SetNotifyCmdLine("", ""),
			} {
				assert.True(t, errors.Is(err, model.BG_E_INVALID_STATE), "%s: %v", name, err)
			}
			g, err := job.GetNotifyCLSID()
			require.NoError(t, err)
			assert.Equal(t, ntClassA, g, "the CLSID is unchanged")
			p, q, err := job.GetNotifyCmdLine()
			require.NoError(t, err)
			assert.Equal(t, ntProgram, p, "the command line is unchanged")
			assert.Equal(t, "x", q)
		})
	}
}

// Rules: CLSID-REQUIRES-JOB5
func TestNotifyCLSIDRequiresJob5(t *testing.T) {
	for _, v := range model.Versions() {
		t.Run(v.String(), func(t *testing.T) {
			svc := ntManual(t, v)
			defer svc.Close()
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			setErr := job.SetNotifyCLSID(ntClassA)
			_, getErr := job.GetNotifyCLSID()
			if v < model.BITS5_0 {
				assert.True(t, errors.Is(setErr, model.E_NOINTERFACE), "set on %v: %v", v, setErr)
				assert.True(t, errors.Is(getErr, model.E_NOINTERFACE), "get on %v: %v", v, getErr)
				return
			}
			assert.NoError(t, setErr)
			assert.NoError(t, getErr)
		})
	}
}

// Rules: CMD-ONCE-BITS15
func TestNotifyCmdLineOnceOnBITS15(t *testing.T) {
	svc := ntManual(t, model.BITS1_5)
	defer svc.Close()
	svc.SetCommandHandler(func(sim.Launch) (int, error) { return 1, nil })
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
	ntResume(t, svc, job)
	ntAdvance(t, svc, 2*time.Hour)
	ls := svc.Launches()
	require.Len(t, ls, 1, "launched once, whatever its exit code")
	assert.Equal(t, 1, ls[0].ExitCode)
}

// Rules: DELIV-FILE-DOWNLOAD-ONLY
func TestNotifyNoFileTransferredForUploadJob(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job, err := app.CreateJob("up", model.BG_JOB_TYPE_UPLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(ntURL("up", 0), ntLocal("up", 0)))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
	var c ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
	ntResume(t, svc, job)
	ntAdvance(t, svc, time.Hour)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
	assert.Zero(t, c.ft.Load(), "no FileTransferred for the file an upload job sends")
	ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntJT, Target: ntObj, App: "appA", Result: model.S_OK})
}

// Rules: DELIV-MODIFICATION-RATE
func TestNotifyJobModificationRateFollowsMinimumNotificationInterval(t *testing.T) {
	svc := ntManual(t, model.BITS10_3)
	defer svc.Close()
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	v, err := job.GetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS)
	require.NoError(t, err)
	assert.EqualValues(t, 500, v.DWORD, "default interval")
	require.NoError(t, job.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 2000}))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_MODIFICATION))
	var c ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
	ntRun(t, svc)
	ntAdvance(t, svc, 5*time.Second)
	seq := ntLastSeq(svc)
	mods := func() []model.Event { return ntSince(ntEvents(svc, job, ntJM), seq) }

	require.NoError(t, job.SetDescription("a"))
	ntRun(t, svc)
	require.Len(t, mods(), 1)
	t1 := mods()[0].Time
	for i := 0; i < 5; i++ {
		ntAdvance(t, svc, 300*time.Millisecond)
		require.NoError(t, job.SetDescription(fmt.Sprint(i)))
	}
	ntAdvance(t, svc, 499*time.Millisecond) // t1 + 1999 ms
	assert.Len(t, mods(), 1, "at most one JobModification per 2000 ms")
	ntAdvance(t, svc, 10*time.Second)
	evs := mods()
	require.Len(t, evs, 2, "%s", ntDump(evs))
	assert.GreaterOrEqual(t, evs[1].Time.Sub(t1), 2000*time.Millisecond)
}

// Rules: CLSID-OWNER-CONTEXT, CLSID-INSTANCE-REUSED
func TestNotifyCLSIDInstanceKeepsItsContextAfterTakeOwnership(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	alice := ntApp(t, svc, "appA", ntAlice)
	admin := ntApp(t, svc, "adminApp", ntAdmin)
	job := ntErrorJob(t, svc, alice, "j")
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	ntResume(t, svc, job) // instance #1 activated as alice, the owner
	jobAdmin, err := admin.GetJob(job.GetId())
	require.NoError(t, err)
	require.NoError(t, jobAdmin.TakeOwnership())
	ntResume(t, svc, jobAdmin) // the same instance, still hosted in alice's server process

	require.EqualValues(t, 1, calls.Load(), "the instance is reused")
	var host *sim.App
	for _, a := range svc.Apps() {
		if a.IsServer() {
			host = a
		}
	}
	require.NotNil(t, host)
	assert.Equal(t, ntAlice, host.User())
	ntCheck(t, ntEvents(svc, job),
		ntWant{Kind: ntJE, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK},
		ntWant{Kind: ntJE, Target: ntCLSID, CLSID: ntClassA, Inst: 1, User: "alice", Result: model.S_OK})
}

// Rules: DELIV-MODIFICATION-FAILURE-IGNORED, DELIV-RANGES-ON-DEMAND
func TestNotifyFailingFileRangesTransferredNotRetried(t *testing.T) {
	svc := ntManual(t, model.BITS10_3)
	defer svc.Close()
	var calls atomic.Int32
	var ic ntCounts
	require.NoError(t, svc.RegisterClass(ntClassA, ntFactory(&calls, ntCounting(&ic))))
	require.NoError(t, svc.SetRemote(ntURL("j", 0), sim.Remote{Size: 1000}))
	app := ntApp(t, svc, "appA", ntAlice)
	job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}))
	require.NoError(t, job.AddFile(ntURL("j", 0), ntLocal("j", 0)))
	require.NoError(t, job.SetMinimumRetryDelay(5*time.Second))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED))
	require.NoError(t, job.SetNotifyCLSID(ntClassA))
	require.NoError(t, job.SetNotifyCmdLine(ntProgram, "x"))
	var fr atomic.Int32
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnFileRangesTransferred: func(model.Job, model.File, []model.FileRange) error { fr.Add(1); return model.E_FAIL },
	}))
	fs, err := job.EnumFiles()
	require.NoError(t, err)
	require.NoError(t, fs[0].RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 10}}))
	ntRun(t, svc)
	ntAdvance(t, svc, 2*time.Hour)
	assert.EqualValues(t, 1, fr.Load())
	ntCheck(t, ntEvents(svc, job), ntWant{Kind: ntFR, Target: ntObj, App: "appA", Result: model.E_FAIL})
	assert.Zero(t, calls.Load(), "no CLSID fallback")
	assert.Empty(t, svc.Launches(), "no command line")
}

// Rules: FILE-VALIDATION-FALSE-PEER
func TestNotifyFileTransferredAgainAfterPeerContentRejected(t *testing.T) {
	for _, tc := range []struct {
		v     model.Version
		again bool
	}{
		{model.BITS3_0, false},
		{model.BITS4_0, true},
		{model.BITS10_3, true},
	} {
		t.Run(tc.v.String(), func(t *testing.T) {
			svc := ntManual(t, tc.v)
			defer svc.Close()
			require.NoError(t, svc.SetRemote(ntURL("j", 0), sim.Remote{Size: 1024, FromPeer: true}))
			app := ntApp(t, svc, "appA", ntAlice)
			job := ntJob(t, app, "j", 1)
			require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED))
			var c ntCounts
			require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
			ntResume(t, svc, job)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
			require.EqualValues(t, 1, c.ft.Load())
			fs, err := job.EnumFiles()
			require.NoError(t, err)
			peer, err := fs[0].IsDownloadedFromPeer()
			require.NoError(t, err)
			require.True(t, peer)

			require.NoError(t, fs[0].SetValidationState(false))
			ntRun(t, svc)
			ntAdvance(t, svc, time.Hour)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job), "downloaded again from the origin")
			if tc.again {
				assert.EqualValues(t, 2, c.ft.Load(), "FileTransferred is called again after the new download")
			} else {
				assert.EqualValues(t, 1, c.ft.Load(), "BITS 3.0 does not call FileTransferred again")
			}
		})
	}
}
