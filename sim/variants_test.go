package sim_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// The simulator under the readings of the open rules. Each test states the
// variant's statement and checks it literally; the defaults are tested
// where the rules are (state_test.go, notify_test.go, …).

// vService is a manual-clock service under the given variants.
func vService(t *testing.T, sel rules.Selection) *sim.Service {
	t.Helper()
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 11, Variants: sel})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

var vAdmin = model.Account{Name: "root", Kind: model.AccountAdministrator}

func TestNewRejectsUnknownVariants(t *testing.T) {
	for _, sel := range []rules.Selection{
		{"NO-SUCH-RULE": "x"},
		{"FLAGS-FILTER": "x"},
		{"PREC-FAILURE-KEEPS-OBJECT": "sometimes"},
	} {
		_, err := sim.New(sim.Options{Clock: sim.Manual, Variants: sel})
		assert.ErrorContains(t, err, "Options.Variants", "%v", sel)
	}
}

func TestVariantSuspend(t *testing.T) {
	// Rules: STATE-SUSPEND-TRANSFERRED, STATE-SUSPEND-ERROR
	t.Run("suspended: TRANSFERRED moves to SUSPENDED, Resume brings it back with a new JobTransferred", func(t *testing.T) {
		svc := vService(t, rules.Selection{"STATE-SUSPEND-TRANSFERRED": rules.VarSuspended})
		var c ntCounts
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		ntResume(t, svc, job)
		require.EqualValues(t, 1, c.jt.Load())
		require.NoError(t, job.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, ntState(t, job))
		ntResume(t, svc, job)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
		assert.EqualValues(t, 2, c.jt.Load())
	})
	t.Run("suspended: ERROR moves to SUSPENDED and BITS stops retrying its JobError", func(t *testing.T) {
		svc := vService(t, rules.Selection{"STATE-SUSPEND-ERROR": rules.VarSuspended})
		job := ntErrorJob(t, svc, ntApp(t, svc, "A", ntAlice), "j")
		var calls atomic.Int32
		require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobError: func(model.Job, model.JobError) error { calls.Add(1); return model.E_FAIL }}))
		ntResume(t, svc, job)
		require.EqualValues(t, 1, calls.Load())
		require.NoError(t, job.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, ntState(t, job))
		ntAdvance(t, svc, time.Hour)
		assert.EqualValues(t, 1, calls.Load())
	})
	t.Run("stays: ERROR stays in ERROR and JobError is still retried", func(t *testing.T) {
		svc := vService(t, nil)
		job := ntErrorJob(t, svc, ntApp(t, svc, "A", ntAlice), "j")
		var calls atomic.Int32
		require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobError: func(model.Job, model.JobError) error { calls.Add(1); return model.E_FAIL }}))
		ntResume(t, svc, job)
		require.NoError(t, job.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_ERROR, ntState(t, job))
		ntAdvance(t, svc, 30*time.Second)
		assert.EqualValues(t, 2, calls.Load())
	})
}

func TestVariantResumeTransferred(t *testing.T) {
	// Rules: STATE-RESUME-TRANSFERRED
	t.Run("bg-e-empty", func(t *testing.T) {
		svc := vService(t, rules.Selection{"STATE-RESUME-TRANSFERRED": rules.VarEmpty})
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		ntResume(t, svc, job)
		assert.ErrorIs(t, job.Resume(), model.BG_E_EMPTY)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
	})
	t.Run("requeued: QUEUED, then TRANSFERRED again with a new JobTransferred", func(t *testing.T) {
		svc := vService(t, rules.Selection{"STATE-RESUME-TRANSFERRED": rules.VarRequeued})
		var c ntCounts
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		ntResume(t, svc, job)
		require.NoError(t, job.Resume())
		assert.Equal(t, model.BG_JOB_STATE_QUEUED, ntState(t, job))
		ntRun(t, svc)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, ntState(t, job))
		assert.EqualValues(t, 2, c.jt.Load())
	})
}

func TestVariantOnlySOK(t *testing.T) {
	// Rules: DELIV-SFALSE-SUCCESS
	for _, tc := range []struct {
		sel   rules.Selection
		calls int32 // after one MinimumRetryDelay
	}{
		{nil, 1}, // "S_FALSE … counts as delivered: BITS neither retries it"
		{rules.Selection{"DELIV-SFALSE-SUCCESS": rules.VarOnlySOK}, 2}, // "retried like a failure"
	} {
		svc := vService(t, tc.sel)
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		var calls atomic.Int32
		require.NoError(t, job.SetMinimumRetryDelay(60*time.Second))
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error { calls.Add(1); return model.S_FALSE }}))
		ntResume(t, svc, job)
		ntAdvance(t, svc, 60*time.Second)
		assert.Equal(t, tc.calls, calls.Load(), "%v", tc.sel)
	}
}

func TestVariantDeadCallbackHRESULT(t *testing.T) {
	// Rules: OBJ-DISCOVER-DEAD
	for name, want := range map[string]model.HRESULT{
		rules.VarServerUnavailable: model.RPC_S_SERVER_UNAVAILABLE,
		rules.VarCallFailed:        model.RPC_S_CALL_FAILED,
		rules.VarDisconnected:      model.RPC_E_DISCONNECTED,
	} {
		svc := vService(t, rules.Selection{"OBJ-DISCOVER-DEAD": name})
		app := ntApp(t, svc, "A", ntAlice)
		job := ntJob(t, app, "j", 1)
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{}))
		app.Crash()
		other := ntApp(t, svc, "B", ntAlice)
		j2, err := other.GetJob(job.GetId())
		require.NoError(t, err)
		ntResume(t, svc, j2)
		evs := ntEvents(svc, job, model.EventJobTransferred)
		require.Len(t, evs, 1, name)
		assert.Equal(t, want, evs[0].Result, name)
		cb, err := j2.GetNotifyInterface()
		require.NoError(t, err)
		assert.Nil(t, cb, "%s: the registration is dropped", name)
	}
}

func TestVariantNoCallbackInterface(t *testing.T) {
	// Rules: OBJ-NO-CALLBACK-INTERFACE
	for _, tc := range []struct {
		sel  rules.Selection
		kept bool
	}{{nil, true}, {rules.Selection{"OBJ-NO-CALLBACK-INTERFACE": rules.VarClearsOld}, false}} {
		svc := vService(t, tc.sel)
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{}))
		assert.ErrorIs(t, job.SetNotifyInterface(struct{}{}), model.E_NOINTERFACE)
		cb, err := job.GetNotifyInterface()
		require.NoError(t, err)
		assert.Equal(t, tc.kept, cb != nil, "%v", tc.sel)
	}
}

func TestVariantCLSIDProperty(t *testing.T) {
	// Rules: CLSID-FINAL-STATE, CLSID-SET-UNCHECKED
	clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E5F}")
	t.Run("accepted on a final job", func(t *testing.T) {
		svc := vService(t, rules.Selection{"CLSID-FINAL-STATE": rules.VarAccepted})
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.Cancel())
		require.NoError(t, job.SetNotifyCLSID(clsid))
		got, err := job.GetNotifyCLSID()
		require.NoError(t, err)
		assert.Equal(t, clsid, got)
	})
	t.Run("invalid state on a final job", func(t *testing.T) {
		svc := vService(t, nil)
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.Cancel())
		assert.ErrorIs(t, job.SetNotifyCLSID(clsid), model.BG_E_INVALID_STATE)
	})
	t.Run("unchecked: an unregistered CLSID is accepted", func(t *testing.T) {
		svc := vService(t, nil)
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		assert.NoError(t, job.SetNotifyCLSID(clsid))
	})
	t.Run("checked-up-front: REGDB_E_CLASSNOTREG and unchanged", func(t *testing.T) {
		svc := vService(t, rules.Selection{"CLSID-SET-UNCHECKED": rules.VarCheckedUpFront})
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		assert.ErrorIs(t, job.SetNotifyCLSID(clsid), model.REGDB_E_CLASSNOTREG)
		got, err := job.GetNotifyCLSID()
		require.NoError(t, err)
		assert.True(t, got.IsNull())
		require.NoError(t, svc.RegisterClass(clsid, ntFactory(new(atomic.Int32), &model.CallbackFuncs{})))
		assert.NoError(t, job.SetNotifyCLSID(clsid))
	})
}

func TestVariantNotifyInterfaceAfterActivation(t *testing.T) {
	// Rules: CLSID-NOT-NOTIFY-INTERFACE
	clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E60}")
	for _, tc := range []struct {
		sel     rules.Selection
		nonNull bool
	}{{nil, false}, {rules.Selection{"CLSID-NOT-NOTIFY-INTERFACE": rules.VarReportsInstance}, true}} {
		svc := vService(t, tc.sel)
		require.NoError(t, svc.RegisterClass(clsid, ntFactory(new(atomic.Int32), &model.CallbackFuncs{})))
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyCLSID(clsid))
		ntResume(t, svc, job)
		require.Len(t, ntEvents(svc, job, model.EventJobTransferred), 1)
		cb, err := job.GetNotifyInterface()
		require.NoError(t, err)
		assert.Equal(t, tc.nonNull, cb != nil, "%v", tc.sel)
	}
}

func TestVariantTakeOwnershipCLSID(t *testing.T) {
	// Rules: SEC-TAKEOWNERSHIP-CLSID
	clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E61}")
	for _, tc := range []struct {
		sel  rules.Selection
		kept bool
	}{{nil, true}, {rules.Selection{"SEC-TAKEOWNERSHIP-CLSID": rules.VarCleared}, false}} {
		svc := vService(t, tc.sel)
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyCLSID(clsid))
		root := ntApp(t, svc, "R", vAdmin)
		rj, err := root.GetJob(job.GetId())
		require.NoError(t, err)
		require.NoError(t, rj.TakeOwnership())
		got, err := rj.GetNotifyCLSID()
		require.NoError(t, err)
		assert.Equal(t, tc.kept, got == clsid, "%v", tc.sel)
	}
}

func TestVariantGetJobFinal(t *testing.T) {
	// Rules: STATE-GETJOB-FINAL
	svc := vService(t, rules.Selection{"STATE-GETJOB-FINAL": rules.VarFound})
	app := ntApp(t, svc, "A", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.Cancel())
	got, err := app.GetJob(job.GetId())
	require.NoError(t, err, "found: S_OK")
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, ntState(t, got))
	require.NoError(t, svc.Restart())
	_, err = app.GetJob(job.GetId())
	assert.ErrorIs(t, err, model.BG_E_NOT_FOUND, "a restart forgets final jobs (PERSIST-FINAL-GONE)")
}

func TestVariantRestart(t *testing.T) {
	// Rules: PERSIST-ACTIVE-REQUEUED, PERSIST-REDELIVER
	t.Run("transient-error: an interrupted transfer is TRANSIENT_ERROR after the restart", func(t *testing.T) {
		svc := vService(t, rules.Selection{"PERSIST-ACTIVE-REQUEUED": rules.VarTransientError})
		require.NoError(t, svc.SetRemote(ntURL("j", 0), sim.Remote{Size: 1 << 20, Rate: 1024}))
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		ntResume(t, svc, job)
		ntAdvance(t, svc, 2*time.Second)
		require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, ntState(t, job))
		require.NoError(t, svc.Restart())
		assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, ntState(t, job))
	})
	t.Run("all-after-restart: a delivered JobTransferred is delivered again", func(t *testing.T) {
		clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E62}")
		for _, tc := range []struct {
			sel   rules.Selection
			calls int32
		}{{nil, 1}, {rules.Selection{"PERSIST-REDELIVER": rules.VarAllAfterRestart}, 2}} {
			svc := vService(t, tc.sel)
			var calls atomic.Int32
			require.NoError(t, svc.RegisterClass(clsid, ntFactory(new(atomic.Int32), &model.CallbackFuncs{OnJobTransferred: func(model.Job) error { calls.Add(1); return nil }})))
			job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
			require.NoError(t, job.SetNotifyCLSID(clsid))
			ntResume(t, svc, job)
			require.NoError(t, svc.Restart())
			ntRun(t, svc)
			assert.Equal(t, tc.calls, calls.Load(), "%v", tc.sel)
		}
	})
}

func TestVariantModificationSuspended(t *testing.T) {
	// Rules: DELIV-MODIFICATION-SUSPENDED
	for _, tc := range []struct {
		sel   rules.Selection
		calls int32
	}{{nil, 1}, {rules.Selection{"DELIV-MODIFICATION-SUSPENDED": rules.VarNotSent}, 0}} {
		svc := vService(t, tc.sel)
		var c ntCounts
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_MODIFICATION))
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		require.NoError(t, job.SetDescription("changed"))
		ntAdvance(t, svc, time.Second)
		assert.Equal(t, tc.calls, c.jm.Load(), "%v", tc.sel)
	}
}

func TestVariantOwnerOnlyReads(t *testing.T) {
	// Rules: SEC-OWNER-ONLY
	svc := vService(t, rules.Selection{"SEC-OWNER-ONLY": rules.VarReadsAllowed})
	job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
	bob := ntApp(t, svc, "B", model.Account{Name: "bob"})
	// bob's handle on alice's job: reads work, changes are denied.
	theirs, err := bob.GetJob(job.GetId())
	require.NoError(t, err)
	st, err := theirs.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, st)
	_, err = theirs.GetDisplayName()
	assert.NoError(t, err)
	assert.ErrorIs(t, theirs.SetDescription("x"), model.E_ACCESSDENIED)
	assert.ErrorIs(t, theirs.Cancel(), model.E_ACCESSDENIED)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, ntState(t, job))
}

func TestVariantSetters(t *testing.T) {
	// Rules: LIMIT-DISPLAY-NAME, CMD-PARAMS-WITHOUT-PROGRAM, FLAGS-ZERO, FLAGS-STATE-CHECK-FIRST
	long := strings.Repeat("n", 257)
	t.Run("string-too-long", func(t *testing.T) {
		svc := vService(t, rules.Selection{"LIMIT-DISPLAY-NAME": rules.VarStringTooLong})
		app := ntApp(t, svc, "A", ntAlice)
		_, err := app.CreateJob(long, model.BG_JOB_TYPE_DOWNLOAD)
		assert.ErrorIs(t, err, model.E_INVALIDARG)
		job := ntJob(t, app, "j", 1)
		assert.ErrorIs(t, job.SetDisplayName(long), model.BG_E_STRING_TOO_LONG)
	})
	t.Run("clears", func(t *testing.T) {
		svc := vService(t, rules.Selection{"CMD-PARAMS-WITHOUT-PROGRAM": rules.VarClears})
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyCmdLine(`C:\p.exe`, `p.exe x`))
		require.NoError(t, job.SetNotifyCmdLine("", "x"))
		p, a, err := job.GetNotifyCmdLine()
		require.NoError(t, err)
		assert.Equal(t, "", p)
		assert.Equal(t, "", a)
	})
	t.Run("zero rejected", func(t *testing.T) {
		svc := vService(t, rules.Selection{"FLAGS-ZERO": rules.VarZeroRejected})
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		assert.ErrorIs(t, job.SetNotifyFlags(0), model.E_NOTIMPL)
		f, err := job.GetNotifyFlags()
		require.NoError(t, err)
		assert.Equal(t, model.NotifyFlags(0x3), f)
	})
	t.Run("flags-first", func(t *testing.T) {
		svc := vService(t, rules.Selection{"FLAGS-STATE-CHECK-FIRST": rules.VarFlagsFirst})
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.Cancel())
		assert.ErrorIs(t, job.SetNotifyFlags(0x80), model.E_NOTIMPL)
	})
}

func TestVariantRetryInterval(t *testing.T) {
	// Rules: DELIV-RETRY-INTERVAL
	svc := vService(t, rules.Selection{"DELIV-RETRY-INTERVAL": rules.VarDefaultRetryDelay})
	job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
	var calls atomic.Int32
	require.NoError(t, job.SetMinimumRetryDelay(60*time.Second))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error { calls.Add(1); return model.E_FAIL }}))
	ntResume(t, svc, job)
	ntAdvance(t, svc, 599*time.Second)
	assert.EqualValues(t, 1, calls.Load(), "not after the job's 60 s")
	ntAdvance(t, svc, time.Second)
	assert.EqualValues(t, 2, calls.Load(), "600 seconds after the failed call")
}

func TestVariantRouting(t *testing.T) {
	// Rules: PREC-FAILURE-KEEPS-OBJECT, PREC-CMDLINE-LAST, CLSID-ACTIVATION-FAILURE, CMD-LAUNCH-FAILURE, FLAGS-DISABLE-CMDLINE, FLAGS-CHECKED-AT-DISPATCH
	clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E63}")
	t.Run("falls-back-to-clsid", func(t *testing.T) {
		svc := vService(t, rules.Selection{"PREC-FAILURE-KEEPS-OBJECT": rules.VarFallsBackToCLSID})
		var inst atomic.Int32
		require.NoError(t, svc.RegisterClass(clsid, ntFactory(&inst, &model.CallbackFuncs{})))
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyCLSID(clsid))
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error { return model.E_FAIL }}))
		ntResume(t, svc, job)
		evs := ntEvents(svc, job, model.EventJobTransferred)
		require.Len(t, evs, 2)
		assert.Equal(t, model.TargetObject, evs[0].Target.Kind)
		assert.Equal(t, model.TargetCLSID, evs[1].Target.Kind)
		assert.Equal(t, model.S_OK, evs[1].Result)
	})
	t.Run("cmdline-before-clsid", func(t *testing.T) {
		svc := vService(t, rules.Selection{"PREC-CMDLINE-LAST": rules.VarCmdLineBeforeCLSID})
		require.NoError(t, svc.RegisterClass(clsid, ntFactory(new(atomic.Int32), &model.CallbackFuncs{})))
		svc.SetCommandHandler(func(sim.Launch) (int, error) { return 0, nil })
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyCLSID(clsid))
		require.NoError(t, job.SetNotifyCmdLine(`C:\p.exe`, `p.exe`))
		ntResume(t, svc, job)
		assert.Empty(t, ntEvents(svc, job, model.EventJobTransferred), "the CLSID is not activated")
		assert.Len(t, ntEvents(svc, job, model.EventCommandLine), 1)
	})
	t.Run("like-no-clsid: no retry after a failed activation", func(t *testing.T) {
		svc := vService(t, rules.Selection{"CLSID-ACTIVATION-FAILURE": rules.VarLikeNoCLSID})
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetMinimumRetryDelay(60*time.Second))
		require.NoError(t, job.SetNotifyCLSID(clsid)) // not registered
		ntResume(t, svc, job)
		ntAdvance(t, svc, time.Hour)
		assert.Len(t, ntEvents(svc, job, model.EventJobTransferred), 1)
	})
	t.Run("dropped: a program that cannot start is not tried again", func(t *testing.T) {
		svc := vService(t, rules.Selection{"CMD-LAUNCH-FAILURE": rules.VarDropped})
		svc.SetCommandHandler(func(sim.Launch) (int, error) { return 0, errors.New("no such file") })
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetMinimumRetryDelay(60*time.Second))
		require.NoError(t, job.SetNotifyCmdLine(`C:\missing.exe`, `missing.exe`))
		ntResume(t, svc, job)
		ntAdvance(t, svc, time.Hour)
		assert.Len(t, ntEvents(svc, job, model.EventCommandLine), 1)
	})
	t.Run("cmdline-still-runs under DISABLE", func(t *testing.T) {
		svc := vService(t, rules.Selection{"FLAGS-DISABLE-CMDLINE": rules.VarCmdLineStillRuns})
		svc.SetCommandHandler(func(sim.Launch) (int, error) { return 0, nil })
		var c ntCounts
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_DISABLE))
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		require.NoError(t, job.SetNotifyCmdLine(`C:\p.exe`, `p.exe`))
		ntResume(t, svc, job)
		assert.Zero(t, c.total(), "no callback method")
		assert.Len(t, ntEvents(svc, job, model.EventCommandLine), 1)
	})
	t.Run("at-event: an event that happened while its flag was clear is never notified", func(t *testing.T) {
		svc := vService(t, rules.Selection{"FLAGS-CHECKED-AT-DISPATCH": rules.VarAtEvent})
		var c ntCounts
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_ERROR))
		require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
		ntResume(t, svc, job)
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED))
		ntAdvance(t, svc, time.Hour)
		assert.Zero(t, c.jt.Load())
	})
}

func TestVariantAgainOnNewInstance(t *testing.T) {
	// Rules: DELIV-ONCE-AFTER-SUCCESS
	clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E64}")
	for _, tc := range []struct {
		sel rules.Selection
		jt  int32 // JobTransferred calls in all
	}{
		{nil, 1}, // "does not deliver it again for that entry unless an application registers a callback object again"
		{rules.Selection{"DELIV-ONCE-AFTER-SUCCESS": rules.VarAgainNewInstance}, 2}, // "delivers it again when it activates a new instance"
	} {
		svc := vService(t, tc.sel)
		var jt atomic.Int32
		require.NoError(t, svc.RegisterClass(clsid, ntFactory(new(atomic.Int32), &model.CallbackFuncs{
			OnJobTransferred: func(model.Job) error { jt.Add(1); return nil },
		})))
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_MODIFICATION))
		require.NoError(t, job.SetNotifyCLSID(clsid))
		ntResume(t, svc, job)
		ntAdvance(t, svc, time.Second)
		require.EqualValues(t, 1, jt.Load())
		// The instance's server process ends; a JobModification activates a new one.
		for _, a := range svc.Apps() {
			if a.IsServer() {
				a.Crash()
			}
		}
		require.NoError(t, job.SetDescription("changed"))
		ntAdvance(t, svc, time.Second)
		assert.Equal(t, tc.jt, jt.Load(), "%v", tc.sel)
	}
}

func TestVariantOwnerContext(t *testing.T) {
	// Rules: CLSID-OWNER-CONTEXT
	clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E65}")
	interactive := model.Account{Name: "interactive"}
	for _, tc := range []struct {
		sel  rules.Selection
		user string
	}{
		{nil, "alice"}, // "in the security context of the job's owner"
		{rules.Selection{"CLSID-OWNER-CONTEXT": rules.VarSetter}, "root"},            // "the user who last set BITS_JOB_PROPERTY_NOTIFICATION_CLSID"
		{rules.Selection{"CLSID-OWNER-CONTEXT": rules.VarAppIDRunAs}, "interactive"}, // "as the class's AppID RunAs says"
	} {
		svc := vService(t, tc.sel)
		require.NoError(t, svc.RegisterClassWith(clsid, ntFactory(new(atomic.Int32), &model.CallbackFuncs{}), sim.ClassOptions{RunAs: &interactive}))
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		rj, err := ntApp(t, svc, "R", vAdmin).GetJob(job.GetId())
		require.NoError(t, err)
		require.NoError(t, rj.SetNotifyCLSID(clsid))
		require.NoError(t, svc.Restart()) // the setter is persisted with the CLSID
		ntResume(t, svc, job)
		evs := ntEvents(svc, job, model.EventJobTransferred)
		require.Len(t, evs, 1, "%v", tc.sel)
		assert.Equal(t, tc.user, evs[0].User, "%v", tc.sel)
	}
}

func TestVariantInProcessClass(t *testing.T) {
	// Rules: CLSID-OUT-OF-PROCESS
	clsid := model.MustParseGUID("{5D1B4F1C-3C0E-4E0A-9C7B-0A1B2C3D4E66}")
	for _, tc := range []struct {
		sel    rules.Selection
		result model.HRESULT
	}{
		{nil, model.REGDB_E_CLASSNOTREG}, // "fails activation with REGDB_E_CLASSNOTREG (0x80040154)"
		{rules.Selection{"CLSID-OUT-OF-PROCESS": rules.VarInProcessActivate}, model.S_OK}, // "is activated and receives the notification"
	} {
		svc := vService(t, tc.sel)
		require.NoError(t, svc.RegisterClassWith(clsid, ntFactory(new(atomic.Int32), &model.CallbackFuncs{}), sim.ClassOptions{InProcessOnly: true}))
		job := ntJob(t, ntApp(t, svc, "A", ntAlice), "j", 1)
		require.NoError(t, job.SetNotifyCLSID(clsid))
		ntResume(t, svc, job)
		evs := ntEvents(svc, job, model.EventJobTransferred)
		require.NotEmpty(t, evs, "%v", tc.sel)
		assert.Equal(t, tc.result, evs[0].Result, "%v", tc.sel)
	}
}

func TestVariantRetriesContinueAfterLeaving(t *testing.T) {
	// Rules: DELIV-RETRY-STOPS-ON-LEAVE
	for _, tc := range []struct {
		sel   rules.Selection
		calls int32
	}{
		{nil, 1}, // "stops retrying … as soon as the job is no longer TRANSFERRED"
		{rules.Selection{"DELIV-RETRY-STOPS-ON-LEAVE": rules.VarContinues}, 3}, // "keeps retrying … until it is delivered or the job is CANCELLED or ACKNOWLEDGED"
	} {
		svc := vService(t, tc.sel)
		app := ntApp(t, svc, "A", ntAlice)
		job := ntJob(t, app, "j", 1)
		require.NoError(t, svc.SetRemote("https://example.com/slow.bin", sim.Remote{Size: 1 << 20, Rate: 1024}))
		var calls atomic.Int32
		require.NoError(t, job.SetMinimumRetryDelay(30*time.Second))
		require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error { calls.Add(1); return model.E_FAIL }}))
		ntResume(t, svc, job)
		require.EqualValues(t, 1, calls.Load())
		// A file added to the TRANSFERRED job: it transfers for 1024 s.
		require.NoError(t, job.AddFile("https://example.com/slow.bin", `C:\downloads\slow.bin`))
		ntResume(t, svc, job)
		ntAdvance(t, svc, 61*time.Second)
		require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, ntState(t, job))
		assert.Equal(t, tc.calls, calls.Load(), "%v", tc.sel)
	}
}

// DELIV-MODIFICATION-RATE=from-first-modification: "BITS reports a job's
// modifications one BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS
// (default 500 ms) after the first of them not yet reported, in one
// JobModification call that merges every modification made in between, so
// that even a lone modification waits one interval."
func TestVariantModificationIntervalFromFirstModification(t *testing.T) {
	svc := vService(t, rules.Selection{"DELIV-MODIFICATION-RATE": rules.VarFromFirstModification})
	app := ntApp(t, svc, "appA", ntAlice)
	job := ntJob(t, app, "j", 1)
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_MODIFICATION))
	var c ntCounts
	require.NoError(t, job.SetNotifyInterface(ntCounting(&c)))
	ntAdvance(t, svc, 5*time.Second)
	seq := ntLastSeq(svc)
	mods := func() []model.Event { return ntSince(ntEvents(svc, job, ntJM), seq) }

	start := svc.Now()
	require.NoError(t, job.SetDescription("lone"))
	ntRun(t, svc)
	assert.Empty(t, mods(), "a lone modification waits")
	ntAdvance(t, svc, 499*time.Millisecond)
	assert.Empty(t, mods(), "one interval: 500 ms")
	ntAdvance(t, svc, time.Millisecond)
	require.Len(t, mods(), 1)
	assert.Equal(t, 500*time.Millisecond, mods()[0].Time.Sub(start))

	ntAdvance(t, svc, 5*time.Second)
	first := svc.Now()
	for _, d := range []string{"a", "b", "c"} { // at +0, +100, +200 ms: one call at +500 ms
		require.NoError(t, job.SetDescription(d))
		ntAdvance(t, svc, 100*time.Millisecond)
	}
	ntAdvance(t, svc, 10*time.Second)
	evs := mods()
	require.Len(t, evs, 2, "the three modifications are merged into one call")
	assert.Equal(t, 500*time.Millisecond, evs[1].Time.Sub(first))
}
