package sim_test

// State machine, transfer, scheduler, limit, security, file, bad-input and
// version tests of the simulator, black-box through the public API.
//
// Expected outcomes are written literally from the rule statements of the
// rulebook (bitssim rules -v) and from reference/bits-semantics.md §6–§9;
// nothing here calls a rules.* decision function. Every helper and
// package-level name starts with "smt" so this file can share package
// sim_test with the other test files.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// ---------------------------------------------------------------------------
// helpers

var (
	smtAlice = model.Account{Name: "alice", Kind: model.AccountUser}
	smtBob   = model.Account{Name: "bob", Kind: model.AccountUser}
	smtAdmin = model.Account{Name: "admin", Kind: model.AccountAdministrator}
)

// smtTB is what the helpers need of *testing.T and *rapid.T.
type smtTB interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// smtService starts a manual-clock service; the caller defers Close.
func smtService(t smtTB, opts sim.Options) *sim.Service {
	t.Helper()
	opts.Clock = sim.Manual
	if opts.Seed == 0 {
		opts.Seed = 20260101
	}
	svc, err := sim.New(opts)
	require.NoError(t, err)
	return svc
}

func smtApp(t smtTB, svc *sim.Service, name string, user model.Account) *sim.App {
	t.Helper()
	app, err := svc.StartApp(name, user)
	require.NoError(t, err)
	return app
}

func smtJob(t smtTB, app *sim.App, name string, typ model.JobType) model.Job {
	t.Helper()
	j, err := app.CreateJob(name, typ)
	require.NoError(t, err)
	return j
}

func smtURL(name string) string   { return "https://example.test/" + name }
func smtLocal(name string) string { return `C:\dl\` + name }

// smtAdd adds one file named name (remote and local) to j.
func smtAdd(t smtTB, j model.Job, name string) {
	t.Helper()
	require.NoError(t, j.AddFile(smtURL(name), smtLocal(name)))
}

func smtState(t smtTB, j model.Job) model.JobState {
	t.Helper()
	st, err := j.GetState()
	require.NoError(t, err)
	return st
}

func smtProgress(t smtTB, j model.Job) model.JobProgress {
	t.Helper()
	p, err := j.GetProgress()
	require.NoError(t, err)
	return p
}

func smtFiles(t smtTB, j model.Job) []model.File {
	t.Helper()
	fs, err := j.EnumFiles()
	require.NoError(t, err)
	return fs
}

func smtFileProgress(t smtTB, f model.File) model.FileProgress {
	t.Helper()
	p, err := f.GetProgress()
	require.NoError(t, err)
	return p
}

func smtTimes(t smtTB, j model.Job) model.JobTimes {
	t.Helper()
	tm, err := j.GetTimes()
	require.NoError(t, err)
	return tm
}

func smtRun(t smtTB, svc *sim.Service) {
	t.Helper()
	require.NoError(t, svc.RunUntilIdle())
}

func smtAdvance(t smtTB, svc *sim.Service, d time.Duration) {
	t.Helper()
	require.NoError(t, svc.Advance(d))
}

// smtIsHR asserts that err is (or wraps) the HRESULT want.
func smtIsHR(t smtTB, err error, want model.HRESULT, msgAndArgs ...any) bool {
	t.Helper()
	if !assert.Error(t, err, msgAndArgs...) {
		return false
	}
	return assert.Truef(t, errors.Is(err, want), "error %v is not %v (%s) %v", err, want, want.Name(), msgAndArgs)
}

// smtCounter counts the callback calls of one registered object.
type smtCounter struct {
	transferred, jobErrors, files, mods int
	lastErr                             model.JobError
}

func (c *smtCounter) object() *model.CallbackFuncs {
	return &model.CallbackFuncs{
		OnJobTransferred:  func(model.Job) error { c.transferred++; return nil },
		OnJobError:        func(_ model.Job, e model.JobError) error { c.jobErrors++; c.lastErr = e; return nil },
		OnJobModification: func(model.Job) error { c.mods++; return nil },
		OnFileTransferred: func(model.Job, model.File) error { c.files++; return nil },
	}
}

// smtEvents returns the trace events of kind for job.
func smtEvents(svc *sim.Service, job model.GUID, kind model.EventKind) []model.Event {
	var out []model.Event
	for _, e := range svc.Trace() {
		if e.Job == job && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func smtIDs(js []model.Job) []model.GUID {
	out := make([]model.GUID, len(js))
	for i, j := range js {
		out[i] = j.GetId()
	}
	return out
}

// smtFinal is the literal definition of the final states (§6.1).
func smtFinal(s model.JobState) bool {
	return s == model.BG_JOB_STATE_ACKNOWLEDGED || s == model.BG_JOB_STATE_CANCELLED
}

// ---------------------------------------------------------------------------
// 1. life cycle

func TestStateNewJobDefaults(t *testing.T) {
	// Rules: STATE-INITIAL-SUSPENDED, STATE-PRIORITY-DEFAULT, STATE-RETRY-DELAY-DEFAULT, STATE-NO-PROGRESS-DEFAULT, STATE-MAX-DOWNLOAD-TIME, STATE-GET-ERROR-UNAVAILABLE, SEC-CREATOR-OWNER, FLAGS-DEFAULT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	created := svc.Now()
	j := smtJob(t, app, "defaults", model.BG_JOB_TYPE_DOWNLOAD)

	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	assert.Empty(t, smtFiles(t, j))
	p := smtProgress(t, j)
	assert.Equal(t, uint32(0), p.FilesTotal)
	assert.Equal(t, uint32(0), p.FilesTransferred)
	assert.Equal(t, uint64(0), p.BytesTransferred)

	prio, err := j.GetPriority()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_PRIORITY_NORMAL, prio)
	assert.Equal(t, model.JobPriority(2), prio)

	d, err := j.GetMinimumRetryDelay()
	require.NoError(t, err)
	assert.Equal(t, 600*time.Second, d)
	d, err = j.GetNoProgressTimeout()
	require.NoError(t, err)
	assert.Equal(t, 1209600*time.Second, d)
	d, err = j.GetMaximumDownloadTime()
	require.NoError(t, err)
	assert.Equal(t, 7776000*time.Second, d)

	flags, err := j.GetNotifyFlags()
	require.NoError(t, err)
	assert.Equal(t, model.NotifyFlags(0x0003), flags)

	owner, err := j.GetOwner()
	require.NoError(t, err)
	assert.Equal(t, "alice", owner)
	typ, err := j.GetType()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_TYPE_DOWNLOAD, typ)
	name, err := j.GetDisplayName()
	require.NoError(t, err)
	assert.Equal(t, "defaults", name)
	desc, err := j.GetDescription()
	require.NoError(t, err)
	assert.Equal(t, "", desc)
	n, err := j.GetErrorCount()
	require.NoError(t, err)
	assert.Equal(t, uint32(0), n)

	tm := smtTimes(t, j)
	assert.Equal(t, created, tm.CreationTime)
	assert.True(t, tm.TransferCompletionTime.IsZero(), "no TransferCompletionTime before TRANSFERRED")

	_, err = j.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE)
	smtIsHR(t, err, model.HRESULT(0x8020000F))
}

func TestStateResumeEmpty(t *testing.T) {
	// Rules: STATE-RESUME-EMPTY
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "empty", model.BG_JOB_TYPE_DOWNLOAD)

	err := j.Resume()
	smtIsHR(t, err, model.BG_E_EMPTY)
	smtIsHR(t, err, model.HRESULT(0x80200003))
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
}

func TestStateDownloadToAcknowledged(t *testing.T) {
	// Rules: STATE-RESUME-QUEUED, STATE-TRANSFERRED-TIME, STATE-COMPLETE-DOWNLOAD, STATE-GET-ERROR-UNAVAILABLE, STATE-FINAL-NOT-ENUMERATED, STATE-GETJOB-FINAL, STATE-FINAL-IMMUTABLE
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("a.bin"), sim.Remote{Size: 4096}))
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "download", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "a.bin")

	smtAdvance(t, svc, time.Minute)
	require.NoError(t, j.Resume())
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j), "Resume moves the job to QUEUED at once")

	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	tm := smtTimes(t, j)
	assert.Equal(t, sim.DefaultStart.Add(time.Minute), tm.TransferCompletionTime)
	p := smtProgress(t, j)
	assert.Equal(t, model.JobProgress{BytesTotal: 4096, BytesTransferred: 4096, FilesTotal: 1, FilesTransferred: 1}, p)
	fp := smtFileProgress(t, smtFiles(t, j)[0])
	assert.Equal(t, model.FileProgress{BytesTotal: 4096, BytesTransferred: 4096, Completed: true}, fp)
	_, err := j.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE, "GetError after a clean TRANSFERRED")

	hr, err := j.Complete()
	require.NoError(t, err)
	assert.Equal(t, model.S_OK, hr)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))

	_, err = app.GetJob(j.GetId())
	smtIsHR(t, err, model.BG_E_NOT_FOUND)
	smtIsHR(t, err, model.HRESULT(0x80200001))
	js, err := app.EnumJobs(0)
	require.NoError(t, err)
	assert.NotContains(t, smtIDs(js), j.GetId())

	_, err = j.Complete()
	smtIsHR(t, err, model.BG_E_INVALID_STATE, "Complete on ACKNOWLEDGED")
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))
}

func TestStatePartialComplete(t *testing.T) {
	// Rules: STATE-PARTIAL-COMPLETE, FILE-ERROR-STOPS-JOB
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("ok.bin"), sim.Remote{Size: 100}))
	require.NoError(t, svc.SetRemote(smtURL("gone.bin"), sim.NotFound()))
	app := smtApp(t, svc, "app", smtAlice)

	t.Run("never transferred", func(t *testing.T) {
		j := smtJob(t, app, "suspended", model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, "ok.bin")
		hr, err := j.Complete()
		require.NoError(t, err)
		assert.Equal(t, model.BG_S_PARTIAL_COMPLETE, hr)
		assert.Equal(t, model.HRESULT(0x00200017), hr)
		assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))
	})

	t.Run("one of two files", func(t *testing.T) {
		j := smtJob(t, app, "half", model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, "ok.bin")
		smtAdd(t, j, "gone.bin")
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j))
		hr, err := j.Complete()
		require.NoError(t, err)
		assert.Equal(t, model.BG_S_PARTIAL_COMPLETE, hr)
		assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))
		fs := smtFiles(t, j)
		require.Len(t, fs, 2)
		assert.True(t, smtFileProgress(t, fs[0]).Completed, "the fully transferred file is kept")
		assert.False(t, smtFileProgress(t, fs[1]).Completed)
	})
}

func TestStateCancel(t *testing.T) {
	// Rules: STATE-CANCEL, STATE-FINAL-NOT-ENUMERATED, STATE-GETJOB-FINAL
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("slow.bin"), sim.Remote{Size: 100000, Rate: 100}))
	app := smtApp(t, svc, "app", smtAlice)

	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, j model.Job)
		want  model.JobState
	}{
		{"SUSPENDED", func(t *testing.T, j model.Job) {}, model.BG_JOB_STATE_SUSPENDED},
		{"QUEUED", func(t *testing.T, j model.Job) { require.NoError(t, j.Resume()) }, model.BG_JOB_STATE_QUEUED},
		{"TRANSFERRING", func(t *testing.T, j model.Job) {
			require.NoError(t, j.Resume())
			smtAdvance(t, svc, 3*time.Second)
		}, model.BG_JOB_STATE_TRANSFERRING},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := smtJob(t, app, "cancel "+tc.name, model.BG_JOB_TYPE_DOWNLOAD)
			smtAdd(t, j, "slow.bin")
			tc.setup(t, j)
			require.Equal(t, tc.want, smtState(t, j))
			require.NoError(t, j.Cancel())
			assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, j))
			smtIsHR(t, j.Cancel(), model.BG_E_INVALID_STATE, "second Cancel")
			assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, j))
			_, err := app.GetJob(j.GetId())
			smtIsHR(t, err, model.BG_E_NOT_FOUND)
			js, err := app.EnumJobs(0)
			require.NoError(t, err)
			assert.NotContains(t, smtIDs(js), j.GetId())
			smtAdvance(t, svc, time.Hour)
			assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, j))
		})
	}
}

func TestStateFinalImmutable(t *testing.T) {
	// Rules: STATE-FINAL-IMMUTABLE, FLAGS-FINAL-STATE, FLAGS-STATE-CHECK-FIRST, OBJ-FINAL-STATE, CMD-FINAL-STATE, CLSID-FINAL-STATE, FILE-ADD-FINAL-STATE, STATE-GETJOB-FINAL, STATE-FINAL-NOT-ENUMERATED
	clsid := model.MustParseGUID("{6B9A0C51-2B7E-4F0A-9E0D-3C5D7A1E2F40}")
	for _, final := range []model.JobState{model.BG_JOB_STATE_ACKNOWLEDGED, model.BG_JOB_STATE_CANCELLED} {
		t.Run(final.String(), func(t *testing.T) {
			svc := smtService(t, sim.Options{})
			defer svc.Close()
			require.NoError(t, svc.SetRemote(smtURL("a.bin"), sim.Remote{Size: 512}))
			app := smtApp(t, svc, "app", smtAlice)
			adminApp := smtApp(t, svc, "admin-app", smtAdmin)
			j := smtJob(t, app, "final", model.BG_JOB_TYPE_DOWNLOAD)
			smtAdd(t, j, "a.bin")
			require.NoError(t, j.SetDescription("before"))
			require.NoError(t, j.SetPriority(model.BG_JOB_PRIORITY_HIGH))
			require.NoError(t, j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED))
			require.NoError(t, j.SetNotifyCmdLine(`C:\tools\notify.exe`, "ok"))
			require.NoError(t, j.SetNotifyCLSID(clsid))
			require.NoError(t, j.SetMinimumRetryDelay(60*time.Second))
			require.NoError(t, j.SetNoProgressTimeout(120*time.Second))
			require.NoError(t, j.SetMaximumDownloadTime(3600*time.Second))
			adminJob, err := adminApp.GetJob(j.GetId())
			require.NoError(t, err)
			require.NoError(t, j.Resume())
			smtRun(t, svc)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
			if final == model.BG_JOB_STATE_ACKNOWLEDGED {
				hr, err := j.Complete()
				require.NoError(t, err)
				require.Equal(t, model.S_OK, hr)
			} else {
				require.NoError(t, j.Cancel())
			}
			require.Equal(t, final, smtState(t, j))
			files := smtFiles(t, j)
			require.Len(t, files, 1)
			before := smtTimes(t, j)

			calls := []struct {
				name string
				call func() error
			}{
				{"Resume", j.Resume},
				{"Suspend", j.Suspend},
				{"Cancel", j.Cancel},
				{"Complete", func() error { _, err := j.Complete(); return err }},
				{"SetDisplayName", func() error { return j.SetDisplayName("after") }},
				{"SetDescription", func() error { return j.SetDescription("after") }},
				{"SetPriority", func() error { return j.SetPriority(model.BG_JOB_PRIORITY_LOW) }},
				{"SetPriority(invalid)", func() error { return j.SetPriority(model.JobPriority(9)) }},
				{"SetNotifyFlags", func() error { return j.SetNotifyFlags(model.BG_NOTIFY_JOB_ERROR) }},
				{"SetNotifyFlags(invalid)", func() error { return j.SetNotifyFlags(model.NotifyFlags(0x80)) }},
				{"SetNotifyInterface(obj)", func() error { return j.SetNotifyInterface(&model.CallbackFuncs{}) }},
				{"SetNotifyInterface(nil)", func() error { return j.SetNotifyInterface(nil) }},
				{"SetNotifyCmdLine", func() error { return j.SetNotifyCmdLine(`C:\tools\other.exe`, "x") }},
				{"SetNotifyCmdLine(clear)", func() error { return j.SetNotifyCmdLine("", "") }},
				{"SetNotifyCLSID", func() error { return j.SetNotifyCLSID(model.MustParseGUID("{11111111-2222-4333-8444-555555555555}")) }},
				{"SetNotifyCLSID(null)", func() error { return j.SetNotifyCLSID(model.GUID_NULL) }},
				{"SetProperty(COST_FLAGS)", func() error {
					return j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 0x80000021})
				}},
				{"SetMinimumRetryDelay", func() error { return j.SetMinimumRetryDelay(90 * time.Second) }},
				{"SetNoProgressTimeout", func() error { return j.SetNoProgressTimeout(90 * time.Second) }},
				{"SetMaximumDownloadTime", func() error { return j.SetMaximumDownloadTime(90 * time.Second) }},
				{"AddFile", func() error { return j.AddFile(smtURL("b.bin"), smtLocal("b.bin")) }},
				{"AddFileSet", func() error {
					return j.AddFileSet([]model.FileInfo{{RemoteName: smtURL("c.bin"), LocalName: smtLocal("c.bin")}})
				}},
				{"AddFileWithRanges", func() error {
					return j.AddFileWithRanges(smtURL("d.bin"), smtLocal("d.bin"), []model.FileRange{{InitialOffset: 0, Length: 10}})
				}},
				{"TakeOwnership(admin)", adminJob.TakeOwnership},
				{"admin SetDescription", func() error { return adminJob.SetDescription("admin") }},
				{"File.SetValidationState", func() error { return files[0].SetValidationState(true) }},
			}
			for _, c := range calls {
				var err error
				assert.NotPanics(t, func() { err = c.call() }, c.name)
				smtIsHR(t, err, model.BG_E_INVALID_STATE, c.name)
				assert.Equal(t, final, smtState(t, j), "state after %s", c.name)
			}

			// Getters still succeed and report what was stored.
			name, err := j.GetDisplayName()
			require.NoError(t, err)
			assert.Equal(t, "final", name)
			desc, err := j.GetDescription()
			require.NoError(t, err)
			assert.Equal(t, "before", desc)
			prio, err := j.GetPriority()
			require.NoError(t, err)
			assert.Equal(t, model.BG_JOB_PRIORITY_HIGH, prio)
			flags, err := j.GetNotifyFlags()
			require.NoError(t, err)
			assert.Equal(t, model.BG_NOTIFY_JOB_TRANSFERRED, flags)
			prog, params, err := j.GetNotifyCmdLine()
			require.NoError(t, err)
			assert.Equal(t, `C:\tools\notify.exe`, prog)
			assert.Equal(t, "ok", params)
			got, err := j.GetNotifyCLSID()
			require.NoError(t, err)
			assert.Equal(t, clsid, got)
			d, err := j.GetMinimumRetryDelay()
			require.NoError(t, err)
			assert.Equal(t, 60*time.Second, d)
			d, err = j.GetNoProgressTimeout()
			require.NoError(t, err)
			assert.Equal(t, 120*time.Second, d)
			d, err = j.GetMaximumDownloadTime()
			require.NoError(t, err)
			assert.Equal(t, 3600*time.Second, d)
			owner, err := j.GetOwner()
			require.NoError(t, err)
			assert.Equal(t, "alice", owner)
			_, err = j.GetNotifyInterface()
			assert.NoError(t, err)
			_, err = j.GetType()
			assert.NoError(t, err)
			_, err = j.GetErrorCount()
			assert.NoError(t, err)
			_, err = j.GetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS)
			assert.NoError(t, err)
			assert.Len(t, smtFiles(t, j), 1, "nothing was added")
			assert.Equal(t, uint32(1), smtProgress(t, j).FilesTotal)
			_, err = files[0].GetLocalName()
			assert.NoError(t, err)
			after := smtTimes(t, j)
			assert.Equal(t, before, after, "failed calls modify nothing")

			_, err = app.GetJob(j.GetId())
			smtIsHR(t, err, model.BG_E_NOT_FOUND)
			all, err := adminApp.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
			require.NoError(t, err)
			assert.NotContains(t, smtIDs(all), j.GetId())

			// Time changes nothing either (no inactivity timer on a final job).
			smtAdvance(t, svc, 100*24*time.Hour)
			assert.Equal(t, final, smtState(t, j))
		})
	}
}

func TestStateGetJobUnknown(t *testing.T) {
	// Rules: STATE-GETJOB-UNKNOWN
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	admin := smtApp(t, svc, "admin", smtAdmin)
	smtJob(t, app, "other", model.BG_JOB_TYPE_DOWNLOAD)
	for _, id := range []model.GUID{
		model.MustParseGUID("{3F2504E0-4F89-41D3-9A0C-0305E82C3301}"),
		model.GUID_NULL,
	} {
		_, err := app.GetJob(id)
		smtIsHR(t, err, model.BG_E_NOT_FOUND, "user GetJob(%v)", id)
		_, err = admin.GetJob(id)
		smtIsHR(t, err, model.BG_E_NOT_FOUND, "admin GetJob(%v)", id)
	}
}

func TestStateSuspendStopsTransfer(t *testing.T) {
	// Rules: STATE-SUSPEND, STATE-RESUME-ACTIVE-NOOP
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("slow.bin"), sim.Remote{Size: 100000, Rate: 1000, Latency: 5 * time.Second}))
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Unavailable(1, 100)))
	app := smtApp(t, svc, "app", smtAlice)

	t.Run("SUSPENDED", func(t *testing.T) {
		j := smtJob(t, app, "s", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, j.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	})

	t.Run("QUEUED", func(t *testing.T) {
		j := smtJob(t, app, "q", model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, "slow.bin")
		require.NoError(t, j.Resume())
		require.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j))
		require.NoError(t, j.Resume(), "Resume on QUEUED")
		assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j))
		require.NoError(t, j.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
		smtAdvance(t, svc, time.Minute)
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
		assert.Equal(t, uint64(0), smtProgress(t, j).BytesTransferred)
	})

	t.Run("CONNECTING", func(t *testing.T) {
		j := smtJob(t, app, "c", model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, "slow.bin")
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		require.Equal(t, model.BG_JOB_STATE_CONNECTING, smtState(t, j))
		require.NoError(t, j.Resume(), "Resume on CONNECTING")
		assert.Equal(t, model.BG_JOB_STATE_CONNECTING, smtState(t, j))
		require.NoError(t, j.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
		smtAdvance(t, svc, time.Minute)
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
		assert.Equal(t, uint64(0), smtProgress(t, j).BytesTransferred)
	})

	t.Run("TRANSFERRING", func(t *testing.T) {
		j := smtJob(t, app, "t", model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, "slow.bin")
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		smtAdvance(t, svc, 5*time.Second)
		require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j))
		smtAdvance(t, svc, 2*time.Second)
		require.Equal(t, uint64(2000), smtProgress(t, j).BytesTransferred)
		require.NoError(t, j.Resume(), "Resume on TRANSFERRING")
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j))
		smtAdvance(t, svc, time.Second)
		assert.Equal(t, uint64(3000), smtProgress(t, j).BytesTransferred, "Resume changed nothing: bytes keep flowing at the rate")
		require.NoError(t, j.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
		smtAdvance(t, svc, time.Minute)
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
		assert.Equal(t, uint64(3000), smtProgress(t, j).BytesTransferred, "the transfer stopped")
	})

	t.Run("TRANSIENT_ERROR", func(t *testing.T) {
		j := smtJob(t, app, "te", model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, "flaky.bin")
		require.NoError(t, j.SetMinimumRetryDelay(30*time.Second))
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
		require.NoError(t, j.Suspend())
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
		smtAdvance(t, svc, 10*time.Minute)
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j), "no retry while SUSPENDED")
		assert.Equal(t, uint64(0), smtProgress(t, j).BytesTransferred)
	})
}

func TestStateSuspendTransferredAndError(t *testing.T) {
	// Rules: STATE-SUSPEND-TRANSFERRED, STATE-SUSPEND-ERROR
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("gone.bin"), sim.NotFound()))
	app := smtApp(t, svc, "app", smtAlice)

	done := smtJob(t, app, "done", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, done, "ok.bin")
	failed := smtJob(t, app, "failed", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, failed, "gone.bin")
	require.NoError(t, done.Resume())
	require.NoError(t, failed.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, done))
	require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, failed))

	require.NoError(t, done.Suspend())
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, done))
	require.NoError(t, failed.Suspend())
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, failed), "stays in ERROR")
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, done))
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, failed))
}

func TestStateResumeTransferred(t *testing.T) {
	// Rules: STATE-RESUME-TRANSFERRED, STATE-RESUME-AFTER-ADDFILE, STATE-TRANSFERRED-TIME
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("a.bin"), sim.Remote{Size: 100}))
	require.NoError(t, svc.SetRemote(smtURL("b.bin"), sim.Remote{Size: 200}))
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "more", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "a.bin")
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	first := smtTimes(t, j).TransferCompletionTime

	require.NoError(t, j.Resume(), "Resume on a TRANSFERRED job with every file done")
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))

	smtAdvance(t, svc, time.Hour)
	smtAdd(t, j, "b.bin")
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j), "AddFile alone does not requeue")
	require.NoError(t, j.Resume())
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	assert.Equal(t, model.JobProgress{BytesTotal: 300, BytesTransferred: 300, FilesTotal: 2, FilesTransferred: 2}, smtProgress(t, j))
	assert.Equal(t, first.Add(time.Hour), smtTimes(t, j).TransferCompletionTime, "the new entry into TRANSFERRED")
}

func TestStateUploadJob(t *testing.T) {
	// Rules: LIMIT-UPLOAD-ONE-FILE, STATE-COMPLETE-UPLOAD
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("gone"), sim.NotFound()))
	app := smtApp(t, svc, "app", smtAlice)

	for _, typ := range []model.JobType{model.BG_JOB_TYPE_UPLOAD, model.BG_JOB_TYPE_UPLOAD_REPLY} {
		t.Run(typ.String(), func(t *testing.T) {
			j := smtJob(t, app, "up", typ)
			_, err := j.Complete()
			smtIsHR(t, err, model.BG_E_INVALID_STATE, "Complete on a SUSPENDED upload job")
			assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))

			require.NoError(t, j.AddFile(smtURL("upload"), smtLocal("report.txt")))
			err = j.AddFile(smtURL("upload2"), smtLocal("second.txt"))
			smtIsHR(t, err, model.BG_E_TOO_MANY_FILES)
			smtIsHR(t, err, model.HRESULT(0x8020001C))
			err = j.AddFileSet([]model.FileInfo{{RemoteName: smtURL("upload3"), LocalName: smtLocal("third.txt")}})
			smtIsHR(t, err, model.BG_E_TOO_MANY_FILES)
			assert.Len(t, smtFiles(t, j), 1)

			require.NoError(t, j.Resume())
			_, err = j.Complete()
			smtIsHR(t, err, model.BG_E_INVALID_STATE, "Complete on a QUEUED upload job")
			assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j))

			smtRun(t, svc)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
			hr, err := j.Complete()
			require.NoError(t, err)
			assert.Equal(t, model.S_OK, hr)
			assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))
		})
	}

	t.Run("ERROR", func(t *testing.T) {
		j := smtJob(t, app, "up-err", model.BG_JOB_TYPE_UPLOAD)
		require.NoError(t, j.AddFile(smtURL("gone"), smtLocal("x.txt")))
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j))
		_, err := j.Complete()
		smtIsHR(t, err, model.BG_E_INVALID_STATE, "Complete on an upload job in ERROR")
		assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j))
	})

	t.Run("AddFileSet of two files adds nothing", func(t *testing.T) {
		j := smtJob(t, app, "up-set", model.BG_JOB_TYPE_UPLOAD)
		err := j.AddFileSet([]model.FileInfo{
			{RemoteName: smtURL("u1"), LocalName: smtLocal("u1.txt")},
			{RemoteName: smtURL("u2"), LocalName: smtLocal("u2.txt")},
		})
		smtIsHR(t, err, model.BG_E_TOO_MANY_FILES)
		assert.Empty(t, smtFiles(t, j), "LIMIT-UPLOAD-ONE-FILE: AddFileSet with more than one file adds nothing")
	})
}

// TestStateRapidCallSequences draws random sequences of the state-changing
// calls, AddFile and time steps, and checks every outcome against an oracle
// written from the STATE-* rule statements.
func TestStateRapidCallSequences(t *testing.T) {
	// Rules: STATE-FINAL-IMMUTABLE, STATE-RESUME-EMPTY, STATE-RESUME-QUEUED, STATE-RESUME-FROM-ERROR, STATE-RESUME-ACTIVE-NOOP, STATE-RESUME-TRANSFERRED, STATE-SUSPEND, STATE-SUSPEND-ERROR, STATE-SUSPEND-TRANSFERRED, STATE-CANCEL, STATE-COMPLETE-DOWNLOAD, STATE-PARTIAL-COMPLETE, STATE-COMPLETE-UPLOAD, LIMIT-UPLOAD-ONE-FILE, FILE-ADD-FINAL-STATE
	type fileChoice struct {
		remote, local string
		bad           bool
	}
	choices := []fileChoice{
		{smtURL("fast"), smtLocal("fast"), false},
		{smtURL("slow"), smtLocal("slow"), false},
		{smtURL("flaky"), smtLocal("flaky"), false},
		{smtURL("missing"), smtLocal("missing"), false},
		{"ftp://example.test/x", smtLocal("x"), true},
		{smtURL("rel"), `dl\relative`, true},
		{"", smtLocal("empty"), true},
	}
	rapid.Check(t, func(rt *rapid.T) {
		svc := smtService(rt, sim.Options{Seed: 99})
		defer svc.Close()
		require.NoError(rt, svc.SetRemote(smtURL("slow"), sim.Remote{Size: 5000, Rate: 1000, Latency: 2 * time.Second}))
		require.NoError(rt, svc.SetRemote(smtURL("flaky"), sim.Unavailable(1, 3000)))
		require.NoError(rt, svc.SetRemote(smtURL("missing"), sim.NotFound()))
		app := smtApp(rt, svc, "app", smtAlice)
		typ := rapid.SampledFrom([]model.JobType{model.BG_JOB_TYPE_DOWNLOAD, model.BG_JOB_TYPE_UPLOAD, model.BG_JOB_TYPE_UPLOAD_REPLY}).Draw(rt, "type")
		upload := typ != model.BG_JOB_TYPE_DOWNLOAD
		j := smtJob(rt, app, "rapid", typ)
		require.NoError(rt, j.SetMinimumRetryDelay(10*time.Second))

		var finalState model.JobState // set once the job is final
		isFinal := false
		files := 0

		allDone := func() bool {
			p := smtProgress(rt, j)
			return p.FilesTransferred == p.FilesTotal
		}
		// expect checks one call: its error against want (nil for
		// success), and the state afterwards.
		expect := func(op string, before model.JobState, err error, want error, after model.JobState) {
			rt.Helper()
			got := smtState(rt, j)
			if want == nil {
				require.NoError(rt, err, "%s in %v", op, before)
			} else {
				require.Error(rt, err, "%s in %v", op, before)
				require.Truef(rt, errors.Is(err, want), "%s in %v: got %v, want %v", op, before, err, want)
				require.Equal(rt, before, got, "a failed %s changed the state", op)
			}
			require.Equal(rt, after, got, "%s in %v", op, before)
		}

		rt.Repeat(map[string]func(*rapid.T){
			"": func(rt *rapid.T) {
				st := smtState(rt, j)
				if isFinal {
					require.Equal(rt, finalState, st, "a final state changed")
				} else if smtFinal(st) {
					isFinal, finalState = true, st
				}
				require.Len(rt, smtFiles(rt, j), files)
			},
			"Suspend": func(rt *rapid.T) {
				before := smtState(rt, j)
				err := j.Suspend()
				switch {
				case smtFinal(before):
					expect("Suspend", before, err, model.BG_E_INVALID_STATE, before)
				case before == model.BG_JOB_STATE_TRANSFERRED:
					expect("Suspend", before, err, nil, model.BG_JOB_STATE_TRANSFERRED)
				case before == model.BG_JOB_STATE_ERROR: // STATE-SUSPEND-ERROR: it stays in ERROR
					expect("Suspend", before, err, nil, model.BG_JOB_STATE_ERROR)
				default:
					expect("Suspend", before, err, nil, model.BG_JOB_STATE_SUSPENDED)
				}
			},
			"Resume": func(rt *rapid.T) {
				before := smtState(rt, j)
				done := allDone()
				err := j.Resume()
				switch {
				case smtFinal(before):
					expect("Resume", before, err, model.BG_E_INVALID_STATE, before)
				case files == 0:
					expect("Resume", before, err, model.BG_E_EMPTY, before)
				case before == model.BG_JOB_STATE_QUEUED || before == model.BG_JOB_STATE_CONNECTING || before == model.BG_JOB_STATE_TRANSFERRING:
					expect("Resume", before, err, nil, before)
				case before == model.BG_JOB_STATE_TRANSFERRED && done:
					expect("Resume", before, err, nil, model.BG_JOB_STATE_TRANSFERRED)
				default:
					expect("Resume", before, err, nil, model.BG_JOB_STATE_QUEUED)
				}
			},
			"Cancel": func(rt *rapid.T) {
				before := smtState(rt, j)
				err := j.Cancel()
				if smtFinal(before) {
					expect("Cancel", before, err, model.BG_E_INVALID_STATE, before)
				} else {
					expect("Cancel", before, err, nil, model.BG_JOB_STATE_CANCELLED)
				}
			},
			"Complete": func(rt *rapid.T) {
				before := smtState(rt, j)
				done := allDone()
				hr, err := j.Complete()
				switch {
				case smtFinal(before):
					expect("Complete", before, err, model.BG_E_INVALID_STATE, before)
				case upload && before != model.BG_JOB_STATE_TRANSFERRED:
					expect("Complete", before, err, model.BG_E_INVALID_STATE, before)
				case upload || done:
					expect("Complete", before, err, nil, model.BG_JOB_STATE_ACKNOWLEDGED)
					require.Equal(rt, model.S_OK, hr)
				default:
					expect("Complete", before, err, nil, model.BG_JOB_STATE_ACKNOWLEDGED)
					require.Equal(rt, model.BG_S_PARTIAL_COMPLETE, hr)
				}
			},
			"AddFile": func(rt *rapid.T) {
				c := rapid.SampledFrom(choices).Draw(rt, "file")
				before := smtState(rt, j)
				err := j.AddFile(c.remote, c.local)
				switch {
				case smtFinal(before) && !c.bad:
					expect("AddFile", before, err, model.BG_E_INVALID_STATE, before)
				case c.bad:
					require.Error(rt, err, "AddFile(%q, %q)", c.remote, c.local)
					require.Equal(rt, before, smtState(rt, j))
				case upload && files >= 1:
					expect("AddFile", before, err, model.BG_E_TOO_MANY_FILES, before)
				case files >= 200:
					expect("AddFile", before, err, model.BG_E_TOO_MANY_FILES_IN_JOB, before)
				default:
					expect("AddFile", before, err, nil, before)
					files++
				}
			},
			"Advance": func(rt *rapid.T) {
				d := rapid.SampledFrom([]time.Duration{0, time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, time.Minute, 5 * time.Minute}).Draw(rt, "d")
				require.NoError(rt, svc.Advance(d))
			},
			"RunUntilIdle": func(rt *rapid.T) {
				require.NoError(rt, svc.RunUntilIdle())
			},
		})
	})
}

// ---------------------------------------------------------------------------
// 2. transfers and timers

func TestTransferProgressAndTimes(t *testing.T) {
	// Rules: STATE-RESUME-QUEUED, STATE-TRANSFERRED-TIME
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("big.bin"), sim.Remote{Size: 10000, Rate: 1000, Latency: 3 * time.Second}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "progress", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "big.bin")
	assert.Equal(t, model.BG_SIZE_UNKNOWN, smtProgress(t, j).BytesTotal, "size unknown before the transfer")

	smtAdvance(t, svc, time.Minute)
	t0 := svc.Now()
	require.NoError(t, j.Resume())
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j))
	assert.Equal(t, t0, smtTimes(t, j).ModificationTime, "Resume changes ModificationTime")

	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_CONNECTING, smtState(t, j))
	smtAdvance(t, svc, 2*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_CONNECTING, smtState(t, j), "CONNECTING during the latency")
	assert.Equal(t, uint64(0), smtProgress(t, j).BytesTransferred)

	smtAdvance(t, svc, time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j))
	assert.Equal(t, t0.Add(3*time.Second), smtTimes(t, j).ModificationTime, "the state change moves ModificationTime")
	p := smtProgress(t, j)
	assert.Equal(t, uint64(10000), p.BytesTotal)
	assert.Equal(t, uint64(0), p.BytesTransferred)

	for i := 1; i <= 9; i++ {
		smtAdvance(t, svc, time.Second)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "second %d", i)
		assert.Equal(t, uint64(1000*i), smtProgress(t, j).BytesTransferred, "second %d", i)
		// BG_JOB_TIMES: "Time the job was last modified or bytes were transferred."
		assert.Equal(t, t0.Add(time.Duration(3+i)*time.Second), smtTimes(t, j).ModificationTime,
			"ModificationTime moves when bytes are transferred (second %d)", i)
	}
	smtAdvance(t, svc, time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	assert.Equal(t, model.JobProgress{BytesTotal: 10000, BytesTransferred: 10000, FilesTotal: 1, FilesTransferred: 1}, smtProgress(t, j))
	tm := smtTimes(t, j)
	assert.Equal(t, t0.Add(13*time.Second), tm.TransferCompletionTime)
	assert.Equal(t, t0.Add(13*time.Second), tm.ModificationTime)
}

func TestTransferTransientErrorRetry(t *testing.T) {
	// Rules: STATE-TRANSIENT-RETRY, DELIV-NO-JOBERROR-TRANSIENT, STATE-GET-ERROR-UNAVAILABLE
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Unavailable(2, 2048)))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "flaky", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "flaky.bin")
	var c smtCounter
	require.NoError(t, j.SetNotifyInterface(c.object()))
	require.NoError(t, j.SetNotifyCmdLine(`C:\tools\notify.exe`, "error"))
	require.NoError(t, j.SetMinimumRetryDelay(30*time.Second))

	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.BG_E_HTTP_ERROR_503, e.Code)
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)
	assert.Equal(t, model.BG_ERROR_CONTEXT_REMOTE_FILE, e.Context)
	assert.Equal(t, smtURL("flaky.bin"), e.File.RemoteName)
	assert.Equal(t, smtLocal("flaky.bin"), e.File.LocalName)
	n, err := j.GetErrorCount()
	require.NoError(t, err)
	assert.Equal(t, uint32(1), n)

	smtAdvance(t, svc, 29*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j), "no retry before MinimumRetryDelay")
	n, _ = j.GetErrorCount()
	assert.Equal(t, uint32(1), n)

	smtAdvance(t, svc, time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j), "the retry failed again")
	n, _ = j.GetErrorCount()
	assert.Equal(t, uint32(2), n, "retried once MinimumRetryDelay elapsed")

	smtAdvance(t, svc, 30*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	_, err = j.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE)

	assert.Equal(t, 0, c.jobErrors, "TRANSIENT_ERROR produces no JobError")
	assert.Empty(t, smtEvents(svc, j.GetId(), model.EventJobError))
	for _, l := range svc.Launches() {
		assert.NotEqual(t, "error", l.Parameters, "TRANSIENT_ERROR launches no command line")
	}
	assert.Equal(t, 1, c.transferred)
}

func TestTransferRetryDelayMinimum(t *testing.T) {
	// Rules: STATE-RETRY-DELAY-MIN, STATE-TRANSIENT-RETRY
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Unavailable(1, 10)))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "min", model.BG_JOB_TYPE_DOWNLOAD)
	for _, d := range []time.Duration{0, time.Second, 4 * time.Second, 4999 * time.Millisecond} {
		require.NoError(t, j.SetMinimumRetryDelay(d), "SetMinimumRetryDelay(%v)", d)
		got, err := j.GetMinimumRetryDelay()
		require.NoError(t, err)
		assert.Equal(t, 5*time.Second, got, "SetMinimumRetryDelay(%v)", d)
	}
	require.NoError(t, j.SetMinimumRetryDelay(5*time.Second))
	got, _ := j.GetMinimumRetryDelay()
	assert.Equal(t, 5*time.Second, got)
	require.NoError(t, j.SetMinimumRetryDelay(6*time.Second))
	got, _ = j.GetMinimumRetryDelay()
	assert.Equal(t, 6*time.Second, got)

	require.NoError(t, j.SetMinimumRetryDelay(time.Second))
	smtAdd(t, j, "flaky.bin")
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
	smtAdvance(t, svc, 4*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j), "the stored delay is 5 s, not 1 s")
	smtAdvance(t, svc, time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
}

func TestTransferNoProgressTimeout(t *testing.T) {
	// Rules: STATE-NO-PROGRESS-TIMEOUT, STATE-TRANSIENT-RETRY
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("down.bin"), sim.Unavailable(1000, 10)))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "down", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "down.bin")
	var c smtCounter
	require.NoError(t, j.SetNotifyInterface(c.object()))
	require.NoError(t, j.SetMinimumRetryDelay(30*time.Second))
	require.NoError(t, j.SetNoProgressTimeout(100*time.Second))

	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
	smtAdvance(t, svc, 99*time.Second)
	assert.NotEqual(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "NoProgressTimeout not yet reached")
	assert.Equal(t, 0, c.jobErrors)
	n, _ := j.GetErrorCount()
	assert.Equal(t, uint32(4), n, "retried at 30, 60 and 90 s")

	smtAdvance(t, svc, time.Second)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "100 s without progress after the first transient error")
	assert.Equal(t, 1, c.jobErrors, "entering ERROR produces JobError")
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.BG_E_HTTP_ERROR_503, e.Code)
	smtAdvance(t, svc, time.Hour)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "no more retries in ERROR")
}

func TestTransferNoProgressTimeoutZero(t *testing.T) {
	// Rules: STATE-NO-PROGRESS-TIMEOUT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Unavailable(1, 10)))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "zero", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "flaky.bin")
	var c smtCounter
	require.NoError(t, j.SetNotifyInterface(c.object()))
	require.NoError(t, j.SetNoProgressTimeout(0))
	d, err := j.GetNoProgressTimeout()
	require.NoError(t, err)
	require.Equal(t, time.Duration(0), d)

	require.NoError(t, j.Resume())
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "with NoProgressTimeout 0 the first transient error is final")
	assert.Equal(t, 1, c.jobErrors)
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.BG_E_HTTP_ERROR_503, e.Code)
}

func TestTransferFatalError(t *testing.T) {
	// Rules: STATE-FATAL-ERROR, FILE-ERROR-STOPS-JOB, STATE-RESUME-FROM-ERROR, STATE-GET-ERROR-UNAVAILABLE
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("gone.bin"), sim.NotFound()))
	require.NoError(t, svc.SetRemote(smtURL("next.bin"), sim.Remote{Size: 50}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "fatal", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "gone.bin")
	smtAdd(t, j, "next.bin")
	var c smtCounter
	require.NoError(t, j.SetNotifyInterface(c.object()))

	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j))
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.HRESULT(0x80190194), e.Code)
	assert.True(t, errors.Is(e, model.BG_E_HTTP_ERROR_404))
	assert.Equal(t, model.BG_ERROR_CONTEXT_REMOTE_FILE, e.Context)
	assert.Equal(t, model.FileInfo{RemoteName: smtURL("gone.bin"), LocalName: smtLocal("gone.bin")}, e.File)
	n, _ := j.GetErrorCount()
	assert.Equal(t, uint32(1), n)
	assert.Equal(t, 1, c.jobErrors)
	assert.Equal(t, model.HRESULT(0x80190194), c.lastErr.Code)
	fs := smtFiles(t, j)
	require.Len(t, fs, 2)
	assert.Equal(t, model.FileProgress{BytesTotal: model.BG_SIZE_UNKNOWN}, smtFileProgress(t, fs[1]), "the later file is not transferred")

	smtAdvance(t, svc, time.Hour)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "ERROR is not retried by itself")

	require.NoError(t, svc.SetRemote(smtURL("gone.bin"), sim.Remote{Size: 70}))
	require.NoError(t, j.Resume())
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j), "Resume from ERROR moves to QUEUED at once")
	e, err = j.GetError()
	require.NoError(t, err, "the error stays readable in QUEUED, until the job transfers again")
	assert.Equal(t, model.HRESULT(0x80190194), e.Code)
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	assert.Equal(t, uint32(2), smtProgress(t, j).FilesTransferred)
}

func TestTransferResumeFromTransientSkipsDelay(t *testing.T) {
	// Rules: STATE-RESUME-FROM-ERROR
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Unavailable(1, 10)))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "skip", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "flaky.bin")
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
	require.NoError(t, j.Resume())
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j), "without waiting the 600 s MinimumRetryDelay")
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
}

func TestTransferMaxDownloadTime(t *testing.T) {
	// Rules: STATE-MAX-DOWNLOAD-TIME
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("huge.bin"), sim.Remote{Size: 1 << 30, Rate: 100}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "slow", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "huge.bin")
	require.NoError(t, j.SetMaximumDownloadTime(60*time.Second))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 59*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j))
	smtAdvance(t, svc, time.Second)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j))
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.BG_E_MAXDOWNLOAD_TIMEOUT, e.Code)
	assert.Equal(t, model.HRESULT(0x80200054), e.Code)
}

func TestTransferInactivityTimeout(t *testing.T) {
	// Rules: STATE-INACTIVITY-CANCEL, STATE-FINAL-NOT-ENUMERATED
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	idle := smtJob(t, app, "idle", model.BG_JOB_TYPE_DOWNLOAD)
	touched := smtJob(t, app, "touched", model.BG_JOB_TYPE_DOWNLOAD)
	const day = 24 * time.Hour

	smtAdvance(t, svc, 60*day)
	require.NoError(t, touched.SetDescription("still wanted"))
	smtAdvance(t, svc, 30*day-time.Second)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, idle), "not yet 90 days")
	smtAdvance(t, svc, 2*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, idle), "90 days without activity")
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, touched), "touched at day 60")
	js, err := app.EnumJobs(0)
	require.NoError(t, err)
	assert.Equal(t, []model.GUID{touched.GetId()}, smtIDs(js))

	smtAdvance(t, svc, 60*day-2*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, touched))
	smtAdvance(t, svc, 2*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, touched), "90 days after the last change")
}

// ---------------------------------------------------------------------------
// 3. scheduler

func TestSchedulerHighPreemptsLow(t *testing.T) {
	// Rules: STATE-RESUME-QUEUED, STATE-PRIORITY-DEFAULT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("low.bin"), sim.Remote{Size: 1000000, Rate: 1000}))
	require.NoError(t, svc.SetRemote(smtURL("high.bin"), sim.Remote{Size: 20000, Rate: 1000}))
	app := smtApp(t, svc, "app", smtAlice)
	low := smtJob(t, app, "low", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, low.SetPriority(model.BG_JOB_PRIORITY_LOW))
	smtAdd(t, low, "low.bin")
	require.NoError(t, low.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 10*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, low))
	require.Equal(t, uint64(10000), smtProgress(t, low).BytesTransferred)

	high := smtJob(t, app, "high", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, high.SetPriority(model.BG_JOB_PRIORITY_HIGH))
	smtAdd(t, high, "high.bin")
	require.NoError(t, high.Resume())
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, high))
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, low), "the LOW job was preempted")

	smtAdvance(t, svc, 10*time.Second)
	assert.Equal(t, uint64(10000), smtProgress(t, high).BytesTransferred)
	assert.Equal(t, uint64(10000), smtProgress(t, low).BytesTransferred, "the LOW job waits")
	smtAdvance(t, svc, 10*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, high))
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, low), "the LOW job resumes afterwards")
	smtAdvance(t, svc, 5*time.Second)
	assert.Greater(t, smtProgress(t, low).BytesTransferred, uint64(10000))
}

func TestSchedulerForegroundConcurrent(t *testing.T) {
	// Rules: STATE-RESUME-QUEUED
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	for _, n := range []string{"bg.bin", "fg1.bin", "fg2.bin", "bg2.bin"} {
		require.NoError(t, svc.SetRemote(smtURL(n), sim.Remote{Size: 1000000, Rate: 1000}))
	}
	app := smtApp(t, svc, "app", smtAlice)
	bg := smtJob(t, app, "bg", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, bg, "bg.bin")
	require.NoError(t, bg.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, bg))

	var fgs []model.Job
	for _, n := range []string{"fg1", "fg2"} {
		fg := smtJob(t, app, n, model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, fg.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND))
		smtAdd(t, fg, n+".bin")
		require.NoError(t, fg.Resume())
		fgs = append(fgs, fg)
	}
	bg2 := smtJob(t, app, "bg2", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, bg2, "bg2.bin")
	require.NoError(t, bg2.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 5*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, bg), "the background job keeps running")
	assert.Equal(t, uint64(5000), smtProgress(t, bg).BytesTransferred)
	for _, fg := range fgs {
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, fg), "foreground jobs run concurrently")
		assert.Equal(t, uint64(5000), smtProgress(t, fg).BytesTransferred)
	}
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, bg2), "one background job at a time")
}

func TestSchedulerTimeSliceRoundRobin(t *testing.T) {
	// Rules: STATE-PRIORITY-DEFAULT, STATE-RESUME-QUEUED
	for _, tc := range []struct {
		name  string
		slice time.Duration // Options.TimeSlice
		want  time.Duration // the slice in effect
	}{
		{"default 5 minutes", 0, 5 * time.Minute},
		{"custom 1 minute", time.Minute, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := smtService(t, sim.Options{TimeSlice: tc.slice})
			defer svc.Close()
			require.NoError(t, svc.SetRemote(smtURL("a.bin"), sim.Remote{Size: 10000000, Rate: 100}))
			require.NoError(t, svc.SetRemote(smtURL("b.bin"), sim.Remote{Size: 10000000, Rate: 100}))
			app := smtApp(t, svc, "app", smtAlice)
			a := smtJob(t, app, "a", model.BG_JOB_TYPE_DOWNLOAD)
			b := smtJob(t, app, "b", model.BG_JOB_TYPE_DOWNLOAD)
			smtAdd(t, a, "a.bin")
			smtAdd(t, b, "b.bin")
			require.NoError(t, a.Resume())
			smtRun(t, svc)
			require.NoError(t, b.Resume())
			smtRun(t, svc)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, a))
			require.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, b))

			smtAdvance(t, svc, tc.want-time.Second)
			assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, a))
			assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, b))
			smtAdvance(t, svc, time.Second)
			assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, a), "a's slice ended")
			assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, b), "b's turn")
			aBytes := smtProgress(t, a).BytesTransferred
			assert.Greater(t, aBytes, uint64(0))

			smtAdvance(t, svc, tc.want-time.Second)
			assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, a))
			assert.Equal(t, aBytes, smtProgress(t, a).BytesTransferred, "a waits during b's slice")
			assert.Greater(t, smtProgress(t, b).BytesTransferred, uint64(0))
			smtAdvance(t, svc, time.Second)
			assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, a), "a's turn again")
			assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, b))
		})
	}
}

// ---------------------------------------------------------------------------
// 4. limits

func TestLimitsJobsPerUser(t *testing.T) {
	// Rules: LIMIT-JOBS-PER-USER
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	alice := smtApp(t, svc, "alice", smtAlice)
	bob := smtApp(t, svc, "bob", smtBob)
	var jobs []model.Job
	for i := 0; i < 60; i++ {
		jobs = append(jobs, smtJob(t, alice, fmt.Sprintf("job %d", i), model.BG_JOB_TYPE_DOWNLOAD))
	}
	_, err := alice.CreateJob("job 61", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_USER)
	smtIsHR(t, err, model.HRESULT(0x80200049))
	js, err := alice.EnumJobs(0)
	require.NoError(t, err)
	assert.Len(t, js, 60, "nothing was created")
	smtJob(t, bob, "bob's", model.BG_JOB_TYPE_DOWNLOAD)

	// CANCELLED and ACKNOWLEDGED jobs do not count.
	require.NoError(t, jobs[0].Cancel())
	smtJob(t, alice, "after cancel", model.BG_JOB_TYPE_DOWNLOAD)
	_, err = alice.CreateJob("over again", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_USER)
	_, err = jobs[1].Complete()
	require.NoError(t, err)
	smtJob(t, alice, "after complete", model.BG_JOB_TYPE_DOWNLOAD)
	_, err = alice.CreateJob("over once more", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_USER)
}

func TestLimitsJobsPerMachine(t *testing.T) {
	// Rules: LIMIT-JOBS-PER-MACHINE, LIMIT-ADMIN-EXEMPT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	var first []model.Job
	var apps []*sim.App
	for u := 0; u < 6; u++ {
		app := smtApp(t, svc, fmt.Sprintf("app%d", u), model.Account{Name: fmt.Sprintf("user%d", u), Kind: model.AccountUser})
		apps = append(apps, app)
		for i := 0; i < 50; i++ {
			j := smtJob(t, app, fmt.Sprintf("u%d-%d", u, i), model.BG_JOB_TYPE_DOWNLOAD)
			if u == 0 && i < 2 {
				first = append(first, j)
			}
		}
	}
	seventh := smtApp(t, svc, "app6", model.Account{Name: "user6", Kind: model.AccountUser})
	_, err := seventh.CreateJob("301st", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE)
	smtIsHR(t, err, model.HRESULT(0x80200050))
	_, err = apps[0].CreateJob("51st of user0", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE, "user0 is under its own limit but the machine is full")

	admin := smtApp(t, svc, "admin", smtAdmin)
	smtJob(t, admin, "admin is exempt", model.BG_JOB_TYPE_DOWNLOAD)
	all, err := admin.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	require.NoError(t, err)
	assert.Len(t, all, 301)

	// Two final jobs leave 299 that count.
	require.NoError(t, first[0].Cancel())
	_, err = first[1].Complete()
	require.NoError(t, err)
	smtJob(t, seventh, "fits now", model.BG_JOB_TYPE_DOWNLOAD)
	_, err = seventh.CreateJob("full again", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE)
}

// smtRanges returns n ascending, non-overlapping ranges.
func smtRanges(n int) []model.FileRange {
	rs := make([]model.FileRange, n)
	for i := range rs {
		rs[i] = model.FileRange{InitialOffset: uint64(i) * 10, Length: 5}
	}
	return rs
}

func TestLimitsFilesAndRanges(t *testing.T) {
	// Rules: LIMIT-FILES-PER-JOB, LIMIT-RANGES-PER-FILE
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)

	j := smtJob(t, app, "files", model.BG_JOB_TYPE_DOWNLOAD)
	for i := 0; i < 200; i++ {
		require.NoError(t, j.AddFile(smtURL(fmt.Sprintf("f%d", i)), smtLocal(fmt.Sprintf("f%d", i))), "file %d", i+1)
	}
	err := j.AddFile(smtURL("f200"), smtLocal("f200"))
	smtIsHR(t, err, model.BG_E_TOO_MANY_FILES_IN_JOB)
	smtIsHR(t, err, model.HRESULT(0x80200051))
	err = j.AddFileSet([]model.FileInfo{{RemoteName: smtURL("f201"), LocalName: smtLocal("f201")}})
	smtIsHR(t, err, model.BG_E_TOO_MANY_FILES_IN_JOB)
	assert.Len(t, smtFiles(t, j), 200)

	r := smtJob(t, app, "ranges", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, r.AddFileWithRanges(smtURL("r500"), smtLocal("r500"), smtRanges(500)))
	err = r.AddFileWithRanges(smtURL("r501"), smtLocal("r501"), smtRanges(501))
	smtIsHR(t, err, model.BG_E_TOO_MANY_RANGES_IN_FILE)
	smtIsHR(t, err, model.HRESULT(0x80200052))
	assert.Len(t, smtFiles(t, r), 1)
}

func TestLimitsExemptAccounts(t *testing.T) {
	// Rules: LIMIT-ADMIN-EXEMPT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	for i, acct := range []model.Account{smtAdmin, model.LocalSystem, model.LocalService, model.NetworkService} {
		app := smtApp(t, svc, fmt.Sprintf("app%d", i), acct)
		var j model.Job
		for n := 0; n < 61; n++ {
			j = smtJob(t, app, fmt.Sprintf("%s %d", acct.Name, n), model.BG_JOB_TYPE_DOWNLOAD)
		}
		for n := 0; n < 201; n++ {
			require.NoError(t, j.AddFile(smtURL(fmt.Sprintf("f%d", n)), smtLocal(fmt.Sprintf("f%d", n))), "%s file %d", acct.Name, n+1)
		}
		require.NoError(t, j.AddFileWithRanges(smtURL("r"), smtLocal("r"), smtRanges(501)), acct.Name)
		assert.Len(t, smtFiles(t, j), 202, acct.Name)
	}
}

func TestLimitsNoneBeforeBITS3(t *testing.T) {
	// Rules: LIMIT-NONE-BEFORE-BITS3, LIMIT-RANGES-PER-FILE
	for _, v := range []model.Version{model.BITS1_5, model.BITS2_5} {
		t.Run(v.String(), func(t *testing.T) {
			svc := smtService(t, sim.Options{Version: v})
			defer svc.Close()
			var j model.Job
			for u := 0; u < 6; u++ {
				app := smtApp(t, svc, fmt.Sprintf("app%d", u), model.Account{Name: fmt.Sprintf("user%d", u), Kind: model.AccountUser})
				for n := 0; n < 61; n++ {
					j = smtJob(t, app, fmt.Sprintf("u%d-%d", u, n), model.BG_JOB_TYPE_DOWNLOAD)
				}
			}
			for n := 0; n < 201; n++ {
				require.NoError(t, j.AddFile(smtURL(fmt.Sprintf("f%d", n)), smtLocal(fmt.Sprintf("f%d", n))), "file %d", n+1)
			}
			if v >= model.BITS2_0 { // AddFileWithRanges is IBackgroundCopyJob3 (BITS 2.0)
				require.NoError(t, j.AddFileWithRanges(smtURL("r"), smtLocal("r"), smtRanges(501)))
			}
		})
	}
}

func TestLimitsCustom(t *testing.T) {
	// Rules: LIMIT-JOBS-PER-USER, LIMIT-JOBS-PER-MACHINE, LIMIT-FILES-PER-JOB, LIMIT-RANGES-PER-FILE
	svc := smtService(t, sim.Options{Limits: &rules.Limits{JobsPerUser: 2, JobsPerMachine: 3, FilesPerJob: 3, RangesPerFile: 4}})
	defer svc.Close()
	alice := smtApp(t, svc, "alice", smtAlice)
	bob := smtApp(t, svc, "bob", smtBob)
	j := smtJob(t, alice, "a1", model.BG_JOB_TYPE_DOWNLOAD)
	smtJob(t, alice, "a2", model.BG_JOB_TYPE_DOWNLOAD)
	_, err := alice.CreateJob("a3", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_USER)
	smtJob(t, bob, "b1", model.BG_JOB_TYPE_DOWNLOAD)
	_, err = bob.CreateJob("b2", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE)

	for i := 0; i < 3; i++ {
		smtAdd(t, j, fmt.Sprintf("f%d", i))
	}
	smtIsHR(t, j.AddFile(smtURL("f3"), smtLocal("f3")), model.BG_E_TOO_MANY_FILES_IN_JOB)

	k, err := bob.EnumJobs(0)
	require.NoError(t, err)
	require.Len(t, k, 1)
	require.NoError(t, k[0].AddFileWithRanges(smtURL("r4"), smtLocal("r4"), smtRanges(4)))
	smtIsHR(t, k[0].AddFileWithRanges(smtURL("r5"), smtLocal("r5"), smtRanges(5)), model.BG_E_TOO_MANY_RANGES_IN_FILE)
}

// ---------------------------------------------------------------------------
// 5. security

func TestSecurityGetJobOtherUser(t *testing.T) {
	// Rules: SEC-GETJOB-OTHER-USER, SEC-CREATOR-OWNER
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	alice := smtApp(t, svc, "alice", smtAlice)
	alice2 := smtApp(t, svc, "alice2", model.Account{Name: "ALICE", Kind: model.AccountUser})
	bob := smtApp(t, svc, "bob", smtBob)
	j := smtJob(t, alice, "mine", model.BG_JOB_TYPE_DOWNLOAD)
	owner, err := j.GetOwner()
	require.NoError(t, err)
	assert.Equal(t, "alice", owner)

	_, err = bob.GetJob(j.GetId())
	smtIsHR(t, err, model.E_ACCESSDENIED)
	smtIsHR(t, err, model.HRESULT(0x80070005))
	_, err = alice2.GetJob(j.GetId())
	assert.NoError(t, err, "another app of the same user")
	bobs, err := bob.EnumJobs(0)
	require.NoError(t, err)
	assert.Empty(t, bobs)
}

func TestSecurityEnumJobs(t *testing.T) {
	// Rules: SEC-ENUM-ALL-ADMIN, STATE-FINAL-NOT-ENUMERATED
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	alice := smtApp(t, svc, "alice", smtAlice)
	bob := smtApp(t, svc, "bob", smtBob)
	admin := smtApp(t, svc, "admin", smtAdmin)
	a1 := smtJob(t, alice, "a1", model.BG_JOB_TYPE_DOWNLOAD)
	b1 := smtJob(t, bob, "b1", model.BG_JOB_TYPE_DOWNLOAD)
	a2 := smtJob(t, alice, "a2", model.BG_JOB_TYPE_UPLOAD)
	b2 := smtJob(t, bob, "b2", model.BG_JOB_TYPE_DOWNLOAD)
	a3 := smtJob(t, alice, "a3", model.BG_JOB_TYPE_DOWNLOAD)
	gone := smtJob(t, alice, "gone", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, gone.Cancel())

	js, err := alice.EnumJobs(0)
	require.NoError(t, err)
	assert.Equal(t, []model.GUID{a1.GetId(), a2.GetId(), a3.GetId()}, smtIDs(js), "the caller's jobs in creation order")
	js, err = bob.EnumJobs(0)
	require.NoError(t, err)
	assert.Equal(t, []model.GUID{b1.GetId(), b2.GetId()}, smtIDs(js))
	js, err = admin.EnumJobs(0)
	require.NoError(t, err)
	assert.Empty(t, js, "EnumJobs(0) lists only the caller's own jobs, also for an administrator")

	_, err = alice.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	smtIsHR(t, err, model.E_ACCESSDENIED)
	_, err = bob.EnumJobs(0x1)
	smtIsHR(t, err, model.E_ACCESSDENIED)
	js, err = admin.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	require.NoError(t, err)
	assert.ElementsMatch(t, []model.GUID{a1.GetId(), b1.GetId(), a2.GetId(), b2.GetId(), a3.GetId()}, smtIDs(js))

	sys := smtApp(t, svc, "system", model.LocalSystem)
	js, err = sys.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	require.NoError(t, err, "LocalSystem is an administrator")
	assert.Len(t, js, 5)
	ns := smtApp(t, svc, "netsvc", model.NetworkService)
	_, err = ns.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	smtIsHR(t, err, model.E_ACCESSDENIED, "NetworkService is not an administrator")
}

func TestSecurityAdminModify(t *testing.T) {
	// Rules: SEC-ADMIN-MODIFY
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	alice := smtApp(t, svc, "alice", smtAlice)
	admin := smtApp(t, svc, "admin", smtAdmin)
	j := smtJob(t, alice, "alice's", model.BG_JOB_TYPE_DOWNLOAD)

	aj, err := admin.GetJob(j.GetId())
	require.NoError(t, err)
	require.NoError(t, aj.SetDescription("set by admin"))
	require.NoError(t, aj.SetDisplayName("renamed"))
	require.NoError(t, aj.SetPriority(model.BG_JOB_PRIORITY_HIGH))
	require.NoError(t, aj.SetMinimumRetryDelay(42*time.Second))
	require.NoError(t, aj.SetNotifyFlags(model.BG_NOTIFY_JOB_ERROR))
	require.NoError(t, aj.AddFile(smtURL("a.bin"), smtLocal("a.bin")))
	require.NoError(t, aj.Resume())
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, aj))
	owner, err := aj.GetOwner()
	require.NoError(t, err)
	assert.Equal(t, "alice", owner, "the owner stays the same")

	desc, err := j.GetDescription()
	require.NoError(t, err)
	assert.Equal(t, "set by admin", desc, "alice sees the administrator's changes")
	name, _ := j.GetDisplayName()
	assert.Equal(t, "renamed", name)
	prio, _ := j.GetPriority()
	assert.Equal(t, model.BG_JOB_PRIORITY_HIGH, prio)
	assert.Len(t, smtFiles(t, j), 1)

	hr, err := aj.Complete()
	require.NoError(t, err)
	assert.Equal(t, model.S_OK, hr)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))
	owner, _ = j.GetOwner()
	assert.Equal(t, "alice", owner)
}

func TestSecurityTakeOwnership(t *testing.T) {
	// Rules: SEC-TAKEOWNERSHIP-ADMIN, SEC-TAKEOWNERSHIP-OWNER, SEC-TAKEOWNERSHIP-REMOVES-CMDLINE, SEC-OWNER-ONLY, SEC-GETJOB-OTHER-USER
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	alice := smtApp(t, svc, "alice", smtAlice)
	admin := smtApp(t, svc, "admin", smtAdmin)
	j := smtJob(t, alice, "taken", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "a.bin")
	require.NoError(t, j.SetDescription("alice's"))
	require.NoError(t, j.SetNotifyCmdLine(`C:\tools\notify.exe`, "/job"))
	files := smtFiles(t, j)

	err := j.TakeOwnership()
	smtIsHR(t, err, model.E_ACCESSDENIED, "TakeOwnership by a non-administrator")
	owner, _ := j.GetOwner()
	assert.Equal(t, "alice", owner)
	prog, params, err := j.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Equal(t, `C:\tools\notify.exe`, prog, "a failed TakeOwnership keeps the command line")
	assert.Equal(t, "/job", params)

	aj, err := admin.GetJob(j.GetId())
	require.NoError(t, err)
	require.NoError(t, aj.TakeOwnership())
	owner, err = aj.GetOwner()
	require.NoError(t, err)
	assert.Equal(t, "admin", owner)
	prog, params, err = aj.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Equal(t, "", prog)
	assert.Equal(t, "", params)

	// alice is now neither the owner nor an administrator: every method
	// of her handle is denied and changes nothing.
	_, err = alice.GetJob(j.GetId())
	smtIsHR(t, err, model.E_ACCESSDENIED)
	js, err := alice.EnumJobs(0)
	require.NoError(t, err)
	assert.Empty(t, js)
	js, err = admin.EnumJobs(0)
	require.NoError(t, err)
	assert.Equal(t, []model.GUID{j.GetId()}, smtIDs(js))

	calls := map[string]func() error{
		"GetType": func() error { _, err := j.GetType(); return err },
		"AddFileSet": func() error {
			return j.AddFileSet([]model.FileInfo{{RemoteName: smtURL("b"), LocalName: smtLocal("b")}})
		},
		"AddFile":            func() error { return j.AddFile(smtURL("b"), smtLocal("b")) },
		"AddFileWithRanges":  func() error { return j.AddFileWithRanges(smtURL("b"), smtLocal("b"), smtRanges(1)) },
		"EnumFiles":          func() error { _, err := j.EnumFiles(); return err },
		"Suspend":            j.Suspend,
		"Resume":             j.Resume,
		"Cancel":             j.Cancel,
		"Complete":           func() error { _, err := j.Complete(); return err },
		"GetProgress":        func() error { _, err := j.GetProgress(); return err },
		"GetTimes":           func() error { _, err := j.GetTimes(); return err },
		"GetState":           func() error { _, err := j.GetState(); return err },
		"GetError":           func() error { _, err := j.GetError(); return err },
		"GetErrorCount":      func() error { _, err := j.GetErrorCount(); return err },
		"GetOwner":           func() error { _, err := j.GetOwner(); return err },
		"TakeOwnership":      j.TakeOwnership,
		"SetDisplayName":     func() error { return j.SetDisplayName("x") },
		"GetDisplayName":     func() error { _, err := j.GetDisplayName(); return err },
		"SetDescription":     func() error { return j.SetDescription("x") },
		"GetDescription":     func() error { _, err := j.GetDescription(); return err },
		"SetPriority":        func() error { return j.SetPriority(model.BG_JOB_PRIORITY_LOW) },
		"GetPriority":        func() error { _, err := j.GetPriority(); return err },
		"SetNotifyFlags":     func() error { return j.SetNotifyFlags(0) },
		"GetNotifyFlags":     func() error { _, err := j.GetNotifyFlags(); return err },
		"SetNotifyInterface": func() error { return j.SetNotifyInterface(&model.CallbackFuncs{}) },
		"GetNotifyInterface": func() error { _, err := j.GetNotifyInterface(); return err },
		"SetNotifyCmdLine":   func() error { return j.SetNotifyCmdLine(`C:\x.exe`, "") },
		"GetNotifyCmdLine":   func() error { _, _, err := j.GetNotifyCmdLine(); return err },
		"SetNotifyCLSID":     func() error { return j.SetNotifyCLSID(model.MustParseGUID("{11111111-2222-4333-8444-555555555555}")) },
		"GetNotifyCLSID":     func() error { _, err := j.GetNotifyCLSID(); return err },
		"SetProperty": func() error {
			return j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 1})
		},
		"GetProperty":             func() error { _, err := j.GetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS); return err },
		"SetMinimumRetryDelay":    func() error { return j.SetMinimumRetryDelay(time.Minute) },
		"GetMinimumRetryDelay":    func() error { _, err := j.GetMinimumRetryDelay(); return err },
		"SetNoProgressTimeout":    func() error { return j.SetNoProgressTimeout(time.Minute) },
		"GetNoProgressTimeout":    func() error { _, err := j.GetNoProgressTimeout(); return err },
		"SetMaximumDownloadTime":  func() error { return j.SetMaximumDownloadTime(time.Minute) },
		"GetMaximumDownloadTime":  func() error { _, err := j.GetMaximumDownloadTime(); return err },
		"File.GetRemoteName":      func() error { _, err := files[0].GetRemoteName(); return err },
		"File.GetLocalName":       func() error { _, err := files[0].GetLocalName(); return err },
		"File.GetProgress":        func() error { _, err := files[0].GetProgress(); return err },
		"File.GetTemporaryName":   func() error { _, err := files[0].GetTemporaryName(); return err },
		"File.SetValidationState": func() error { return files[0].SetValidationState(true) },
		"File.GetValidationState": func() error { _, err := files[0].GetValidationState(); return err },
		"File.IsDownloadedFromPeer": func() error {
			_, err := files[0].IsDownloadedFromPeer()
			return err
		},
		"File.RequestFileRanges":   func() error { return files[0].RequestFileRanges(smtRanges(1)) },
		"File.GetFilledFileRanges": func() error { _, err := files[0].GetFilledFileRanges(); return err },
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		smtIsHR(t, err, model.E_ACCESSDENIED, name)
	}
	assert.Equal(t, j.GetId(), aj.GetId())
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, aj), "the job is unchanged")
	desc, _ := aj.GetDescription()
	assert.Equal(t, "alice's", desc)
	owner, _ = aj.GetOwner()
	assert.Equal(t, "admin", owner)
	assert.Len(t, smtFiles(t, aj), 1)
	prio, _ := aj.GetPriority()
	assert.Equal(t, model.BG_JOB_PRIORITY_NORMAL, prio)
	flags, _ := aj.GetNotifyFlags()
	assert.Equal(t, model.NotifyFlags(0x3), flags)
}

func TestSecurityDeadAppHandles(t *testing.T) {
	// Rules: SEC-CREATOR-OWNER, OBJ-CLEAR-BEFORE-EXIT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	for _, end := range []string{"Exit", "Crash"} {
		t.Run(end, func(t *testing.T) {
			app := smtApp(t, svc, "short-lived", smtAlice)
			j := smtJob(t, app, "survivor", model.BG_JOB_TYPE_DOWNLOAD)
			smtAdd(t, j, "a.bin")
			var c smtCounter
			require.NoError(t, j.SetNotifyInterface(c.object()))
			if end == "Exit" {
				app.Exit()
			} else {
				app.Crash()
			}
			assert.False(t, app.Alive())

			for name, call := range map[string]func() error{
				"GetState":    func() error { _, err := j.GetState(); return err },
				"Resume":      j.Resume,
				"AddFile":     func() error { return j.AddFile(smtURL("b"), smtLocal("b")) },
				"Cancel":      j.Cancel,
				"CreateJob":   func() error { _, err := app.CreateJob("x", model.BG_JOB_TYPE_DOWNLOAD); return err },
				"GetJob":      func() error { _, err := app.GetJob(j.GetId()); return err },
				"EnumJobs":    func() error { _, err := app.EnumJobs(0); return err },
				"Description": func() error { return j.SetDescription("x") },
			} {
				var err error
				require.NotPanics(t, func() { err = call() }, name)
				smtIsHR(t, err, model.RPC_E_DISCONNECTED, name)
			}

			// The job lives on, owned by alice, for her next app.
			next := smtApp(t, svc, "next-"+end, smtAlice)
			nj, err := next.GetJob(j.GetId())
			require.NoError(t, err)
			assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, nj))
			owner, _ := nj.GetOwner()
			assert.Equal(t, "alice", owner)
			assert.Len(t, smtFiles(t, nj), 1)
			if end == "Exit" {
				// The exited app cleared its object: the transfer calls
				// nothing and makes no failing call.
				require.NoError(t, nj.Resume())
				smtRun(t, svc)
				require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, nj))
				assert.Equal(t, 0, c.transferred)
				for _, e := range svc.Trace() {
					if e.Job == j.GetId() {
						assert.NotEqual(t, "short-lived", e.Target.App, "no call to the exited app: %v", e)
					}
				}
			}
			require.NoError(t, nj.Cancel())
			next.Exit()
		})
	}
}

// ---------------------------------------------------------------------------
// 6. files

func TestFilesAddFileValidation(t *testing.T) {
	// Rules: FILE-FIFO
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "files", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "first.bin")

	for _, tc := range []struct {
		name, remote, local string
		want                model.HRESULT
	}{
		{"empty remote", "", smtLocal("x"), model.E_INVALIDARG},
		{"empty local", smtURL("x"), "", model.E_INVALIDARG},
		{"both empty", "", "", model.E_INVALIDARG},
		{"relative local path", smtURL("x"), `dl\x.bin`, model.E_INVALIDARG},
		{"bare file name", smtURL("x"), "x.bin", model.E_INVALIDARG},
		{"ftp URL", "ftp://example.test/x", smtLocal("x"), model.BG_E_PROTOCOL_NOT_AVAILABLE},
		{"NUL in remote", smtURL("x\x00y"), smtLocal("x"), model.E_INVALIDARG},
		{"NUL in local", smtURL("x"), smtLocal("x\x00y"), model.E_INVALIDARG},
	} {
		var err error
		require.NotPanics(t, func() { err = j.AddFile(tc.remote, tc.local) }, tc.name)
		smtIsHR(t, err, tc.want, tc.name)
		assert.Len(t, smtFiles(t, j), 1, "%s: nothing added", tc.name)
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	}

	smtAdd(t, j, "second.bin")
	require.NoError(t, j.AddFile(`\\server\share\third.bin`, `C:\dl\third.bin`))
	fs := smtFiles(t, j)
	require.Len(t, fs, 3)
	for i, want := range []string{smtURL("first.bin"), smtURL("second.bin"), `\\server\share\third.bin`} {
		got, err := fs[i].GetRemoteName()
		require.NoError(t, err)
		assert.Equal(t, want, got, "EnumFiles lists files in the order added")
	}
	local, err := fs[2].GetLocalName()
	require.NoError(t, err)
	assert.Equal(t, `C:\dl\third.bin`, local)
}

func TestFilesRemoteNameForms(t *testing.T) {
	// Rules: FILE-REMOTE-NAME-FORMS
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "forms", model.BG_JOB_TYPE_DOWNLOAD)
	remotes := []string{
		"http://server/a.bin",
		"https://server/b.bin",
		`\\server\share\c.bin`,
		`C:\Users\alice\Temp\qmgr1.tmp`,
		`d:/share/e.bin`,
		`file://C:\Users\alice\Temp\qmgr2.tmp`,
		"file:///C:/share/g.bin",
		"file://server/share/h.bin",
	}
	for i, r := range remotes {
		assert.NoError(t, j.AddFile(r, smtLocal(fmt.Sprintf("forms%d", i))), "AddFile(%q) returns S_OK", r)
	}
	fs := smtFiles(t, j)
	require.Len(t, fs, len(remotes), "every form is added")
	for i, f := range fs {
		got, err := f.GetRemoteName()
		require.NoError(t, err)
		assert.Equal(t, remotes[i], got)
	}
	set := smtJob(t, smtApp(t, svc, "app2", smtAlice), "set", model.BG_JOB_TYPE_DOWNLOAD)
	assert.NoError(t, set.AddFileSet([]model.FileInfo{
		{RemoteName: `C:\src\1.bin`, LocalName: smtLocal("s1")},
		{RemoteName: `\\server\share\2.bin`, LocalName: smtLocal("s2")},
	}), "AddFileSet returns S_OK")
	assert.Len(t, smtFiles(t, set), 2)
}

func TestFilesAddFileSetFailsWhole(t *testing.T) {
	// Rules: FILE-FIFO, FILE-ADDFILESET-ATOMIC
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "set", model.BG_JOB_TYPE_DOWNLOAD)
	err := j.AddFileSet([]model.FileInfo{
		{RemoteName: smtURL("1"), LocalName: smtLocal("1")},
		{RemoteName: smtURL("2"), LocalName: smtLocal("2")},
		{RemoteName: "ftp://example.test/3", LocalName: smtLocal("3")},
		{RemoteName: smtURL("4"), LocalName: smtLocal("4")},
	})
	smtIsHR(t, err, model.BG_E_PROTOCOL_NOT_AVAILABLE)
	assert.Empty(t, smtFiles(t, j), "a failed AddFileSet adds none of the files in the array")
	smtIsHR(t, j.AddFileSet(nil), model.E_INVALIDARG)
	smtIsHR(t, j.AddFileSet([]model.FileInfo{}), model.E_INVALIDARG)
	assert.Empty(t, smtFiles(t, j))
}

func TestFilesTransferOrder(t *testing.T) {
	// Rules: FILE-FIFO, FILE-ERROR-STOPS-JOB
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	for _, n := range []string{"1.bin", "2.bin", "3.bin"} {
		require.NoError(t, svc.SetRemote(smtURL(n), sim.Remote{Size: 3000, Rate: 1000}))
	}
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "fifo", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "1.bin")
	smtAdd(t, j, "2.bin")
	smtAdd(t, j, "3.bin")
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	fs := smtFiles(t, j)
	require.Len(t, fs, 3)

	smtAdvance(t, svc, 2*time.Second)
	assert.Equal(t, uint64(2000), smtFileProgress(t, fs[0]).BytesTransferred)
	assert.Equal(t, uint64(0), smtFileProgress(t, fs[1]).BytesTransferred, "one file at a time")
	assert.Equal(t, uint64(0), smtFileProgress(t, fs[2]).BytesTransferred)
	smtAdvance(t, svc, 2*time.Second)
	assert.True(t, smtFileProgress(t, fs[0]).Completed)
	assert.Equal(t, uint64(1000), smtFileProgress(t, fs[1]).BytesTransferred, "the second file follows the first")
	assert.Equal(t, uint64(0), smtFileProgress(t, fs[2]).BytesTransferred)
	smtAdvance(t, svc, 5*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))

	// A fatal error on the middle file stops the job.
	require.NoError(t, svc.SetRemote(smtURL("bad.bin"), sim.NotFound()))
	k := smtJob(t, smtApp(t, svc, "app2", smtAlice), "stops", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, k.AddFile(smtURL("1.bin"), smtLocal("k1.bin")))
	require.NoError(t, k.AddFile(smtURL("bad.bin"), smtLocal("k2.bin")))
	require.NoError(t, k.AddFile(smtURL("3.bin"), smtLocal("k3.bin")))
	require.NoError(t, k.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, time.Minute)
	require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, k))
	kf := smtFiles(t, k)
	assert.True(t, smtFileProgress(t, kf[0]).Completed)
	assert.False(t, smtFileProgress(t, kf[2]).Completed)
	assert.Equal(t, uint64(0), smtFileProgress(t, kf[2]).BytesTransferred, "no later file is transferred")
	e, err := k.GetError()
	require.NoError(t, err)
	assert.Equal(t, smtLocal("k2.bin"), e.File.LocalName)
}

func TestFilesTemporaryName(t *testing.T) {
	// Rules: FILE-TEMPORARY-NAME
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("big.bin"), sim.Remote{Size: 10000, Rate: 1000}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "tmp", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, j.AddFile(smtURL("big.bin"), `C:\downloads\sub\big.bin`))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 2*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j))
	f := smtFiles(t, j)[0]
	tmp, err := f.GetTemporaryName()
	require.NoError(t, err)
	assert.NotEmpty(t, tmp, "BITS writes a temporary file during the transfer")
	assert.NotEqual(t, `C:\downloads\sub\big.bin`, tmp)
	assert.True(t, strings.HasPrefix(tmp, `C:\downloads\sub\`), "the temporary file %q is in the destination directory", tmp)
	assert.NotContains(t, tmp[len(`C:\downloads\sub\`):], `\`)
}

func TestFilesValidationPending(t *testing.T) {
	// Rules: FILE-VALIDATION-PENDING
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("big.bin"), sim.Remote{Size: 10000, Rate: 1000}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "pending", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "big.bin")
	f := smtFiles(t, j)[0]

	for _, v := range []bool{true, false} {
		err := f.SetValidationState(v)
		smtIsHR(t, err, model.E_PENDING, "SUSPENDED, SetValidationState(%v)", v)
		smtIsHR(t, err, model.HRESULT(0x8000000A))
		assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	}
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 3*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j))
	smtIsHR(t, f.SetValidationState(false), model.E_PENDING, "TRANSFERRING")
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j))
	assert.Equal(t, uint64(3000), smtFileProgress(t, f).BytesTransferred, "nothing was reset")
	v, err := f.GetValidationState()
	require.NoError(t, err)
	assert.False(t, v)
}

func TestFilesValidationFalseOrigin(t *testing.T) {
	// Rules: FILE-VALIDATION-FALSE-ORIGIN
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("a.bin"), sim.Remote{Size: 2048}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "origin", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "a.bin")
	var c smtCounter
	require.NoError(t, j.SetNotifyInterface(c.object()))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	f := smtFiles(t, j)[0]
	peer, err := f.IsDownloadedFromPeer()
	require.NoError(t, err)
	require.False(t, peer)

	require.NoError(t, f.SetValidationState(false))
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j))
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.BG_E_VALIDATION_FAILED, e.Code)
	assert.Equal(t, model.HRESULT(0x80200053), e.Code)
	assert.Equal(t, uint64(0), smtFileProgress(t, f).BytesTransferred, "the file's transferred bytes are reset to 0")
	smtRun(t, svc)
	assert.Equal(t, 1, c.jobErrors, "JobError for the entry into ERROR")
	assert.True(t, errors.Is(c.lastErr, model.BG_E_VALIDATION_FAILED))
	v, err := f.GetValidationState()
	require.NoError(t, err)
	assert.False(t, v)
}

func TestFilesValidationFalsePeer(t *testing.T) {
	// Rules: FILE-VALIDATION-FALSE-PEER
	for _, tc := range []struct {
		version   model.Version
		wantFiles int // FileTransferred calls in all
	}{
		{model.BITS10_3, 2},
		{model.BITS4_0, 2},
		{model.BITS3_0, 1}, // "calling FileTransferred again afterwards except on BITS 3.0"
	} {
		t.Run(tc.version.String(), func(t *testing.T) {
			svc := smtService(t, sim.Options{Version: tc.version})
			defer svc.Close()
			require.NoError(t, svc.SetRemote(smtURL("p.bin"), sim.Remote{Size: 2048, FromPeer: true}))
			j := smtJob(t, smtApp(t, svc, "app", smtAlice), "peer", model.BG_JOB_TYPE_DOWNLOAD)
			smtAdd(t, j, "p.bin")
			var c smtCounter
			require.NoError(t, j.SetNotifyFlags(model.NotifyFlags(0x11)))
			require.NoError(t, j.SetNotifyInterface(c.object()))
			require.NoError(t, j.Resume())
			smtRun(t, svc)
			require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
			require.Equal(t, 1, c.files)
			require.Equal(t, 1, c.transferred)
			f := smtFiles(t, j)[0]
			peer, err := f.IsDownloadedFromPeer()
			require.NoError(t, err)
			require.True(t, peer)

			require.NoError(t, f.SetValidationState(false))
			assert.NotEqual(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "rejected peer content is not an error")
			assert.Equal(t, uint64(0), smtFileProgress(t, f).BytesTransferred, "the file's transferred bytes are reset to 0")
			smtRun(t, svc)
			assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j), "downloaded again")
			assert.Equal(t, model.FileProgress{BytesTotal: 2048, BytesTransferred: 2048, Completed: true}, smtFileProgress(t, f))
			peer, err = f.IsDownloadedFromPeer()
			require.NoError(t, err)
			assert.False(t, peer, "the second download came from the origin server")
			assert.Equal(t, tc.wantFiles, c.files, "FileTransferred calls")
		})
	}
}

func TestFilesCompleteValidates(t *testing.T) {
	// Rules: STATE-COMPLETE-DOWNLOAD
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "validate", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "a.bin")
	smtAdd(t, j, "b.bin")
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	fs := smtFiles(t, j)
	v, err := fs[0].GetValidationState()
	require.NoError(t, err)
	require.False(t, v, "not validated yet")

	hr, err := j.Complete()
	require.NoError(t, err)
	assert.Equal(t, model.S_OK, hr)
	for i, f := range fs {
		v, err := f.GetValidationState()
		require.NoError(t, err)
		assert.True(t, v, "file %d: Complete validates", i)
		assert.True(t, smtFileProgress(t, f).Completed)
	}
}

func TestFilesOnDemandRanges(t *testing.T) {
	// Rules: FILE-RANGES-SUSPEND
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("od.bin"), sim.Remote{Size: 1000}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "on demand", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}))
	smtAdd(t, j, "od.bin")
	f := smtFiles(t, j)[0]

	require.NoError(t, f.RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 100}}))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j), "part of the file: SUSPENDED")
	got, err := f.GetFilledFileRanges()
	require.NoError(t, err)
	assert.Equal(t, []model.FileRange{{InitialOffset: 0, Length: 100}}, got)

	require.NoError(t, f.RequestFileRanges([]model.FileRange{{InitialOffset: 100, Length: model.BG_LENGTH_TO_EOF}}))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j), "the whole file: TRANSFERRED")
}

// ---------------------------------------------------------------------------
// 7. bad input

func TestBadInputManager(t *testing.T) {
	// Rules: LIMIT-DISPLAY-NAME, LIMIT-NULL-DISPLAY-NAME, SEC-ENUM-ALL-ADMIN
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	admin := smtApp(t, svc, "admin", smtAdmin)

	for _, tc := range []struct {
		name string
		typ  model.JobType
		want model.HRESULT
	}{
		{"", model.BG_JOB_TYPE_DOWNLOAD, model.E_INVALIDARG},
		{strings.Repeat("n", 257), model.BG_JOB_TYPE_DOWNLOAD, model.E_INVALIDARG},
		{"ok", model.JobType(3), model.E_INVALIDARG},
		{"ok", model.JobType(0xFFFFFFFF), model.E_INVALIDARG},
	} {
		var err error
		require.NotPanics(t, func() { _, err = app.CreateJob(tc.name, tc.typ) })
		smtIsHR(t, err, tc.want, "CreateJob(%d chars, %v)", len(tc.name), tc.typ)
	}
	js, err := app.EnumJobs(0)
	require.NoError(t, err)
	assert.Empty(t, js, "no job was created")
	smtJob(t, app, strings.Repeat("n", 256), model.BG_JOB_TYPE_DOWNLOAD)

	for _, f := range []model.EnumJobsFlags{0x2, 0x3, 0x80000000} {
		_, err = app.EnumJobs(f)
		assert.Error(t, err)
		_, err = admin.EnumJobs(f)
		smtIsHR(t, err, model.E_INVALIDARG, "EnumJobs(%v)", f)
	}
}

func TestBadInputJob(t *testing.T) {
	// Rules: LIMIT-DISPLAY-NAME, LIMIT-NULL-DISPLAY-NAME, LIMIT-DESCRIPTION, STATE-PRIORITY-INVALID, OBJ-NO-CALLBACK-INTERFACE, OBJ-NULL-CLEARS, FLAGS-INVALID-NOTIMPL, CMD-STRING-TOO-LONG, CMD-PARAMS-WITHOUT-PROGRAM
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "bad input", model.BG_JOB_TYPE_DOWNLOAD)
	up := smtJob(t, app, "upload", model.BG_JOB_TYPE_UPLOAD)
	smtAdd(t, j, "a.bin")
	obj := &model.CallbackFuncs{}
	require.NoError(t, j.SetNotifyInterface(obj))
	require.NoError(t, j.SetDescription("kept"))
	require.NoError(t, j.SetNotifyCmdLine(`C:\tools\notify.exe`, "kept"))

	// snapshot reads everything the bad calls must leave alone.
	type snapshot struct {
		state    model.JobState
		name     string
		desc     string
		prio     model.JobPriority
		flags    model.NotifyFlags
		obj      model.Callback
		prog     string
		params   string
		retry    time.Duration
		noProg   time.Duration
		maxDL    time.Duration
		files    int
		onDemand bool
	}
	snap := func() snapshot {
		var s snapshot
		var err error
		s.state = smtState(t, j)
		s.name, err = j.GetDisplayName()
		require.NoError(t, err)
		s.desc, err = j.GetDescription()
		require.NoError(t, err)
		s.prio, err = j.GetPriority()
		require.NoError(t, err)
		s.flags, err = j.GetNotifyFlags()
		require.NoError(t, err)
		s.obj, err = j.GetNotifyInterface()
		require.NoError(t, err)
		s.prog, s.params, err = j.GetNotifyCmdLine()
		require.NoError(t, err)
		s.retry, err = j.GetMinimumRetryDelay()
		require.NoError(t, err)
		s.noProg, err = j.GetNoProgressTimeout()
		require.NoError(t, err)
		s.maxDL, err = j.GetMaximumDownloadTime()
		require.NoError(t, err)
		s.files = len(smtFiles(t, j))
		v, err := j.GetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE)
		require.NoError(t, err)
		s.onDemand = v.Enable
		return s
	}
	before := snap()
	require.Same(t, obj, before.obj)

	f := smtFiles(t, j)[0]
	for _, tc := range []struct {
		name string
		call func() error
		want model.HRESULT
	}{
		{"SetDisplayName(\"\")", func() error { return j.SetDisplayName("") }, model.E_INVALIDARG},
		{"SetDisplayName(257)", func() error { return j.SetDisplayName(strings.Repeat("d", 257)) }, model.E_INVALIDARG},
		{"SetDescription(1025)", func() error { return j.SetDescription(strings.Repeat("d", 1025)) }, model.BG_E_STRING_TOO_LONG},
		{"SetPriority(4)", func() error { return j.SetPriority(model.JobPriority(4)) }, model.E_NOTIMPL},
		{"SetPriority(max)", func() error { return j.SetPriority(model.JobPriority(0xFFFFFFFF)) }, model.E_NOTIMPL},
		{"SetNotifyFlags(0x40)", func() error { return j.SetNotifyFlags(model.NotifyFlags(0x40)) }, model.E_NOTIMPL},
		{"SetNotifyFlags(0xFFFF)", func() error { return j.SetNotifyFlags(model.NotifyFlags(0xFFFF)) }, model.E_NOTIMPL},
		{"SetNotifyInterface(42)", func() error { return j.SetNotifyInterface(42) }, model.E_NOINTERFACE},
		{"SetNotifyInterface(struct{}{})", func() error { return j.SetNotifyInterface(struct{}{}) }, model.E_NOINTERFACE},
		{"SetNotifyInterface(string)", func() error { return j.SetNotifyInterface("callback") }, model.E_NOINTERFACE},
		{"SetNotifyCmdLine(261-char program)", func() error { return j.SetNotifyCmdLine(`C:\`+strings.Repeat("p", 258), "") }, model.BG_E_STRING_TOO_LONG},
		{"SetNotifyCmdLine(4001-char parameters)", func() error { return j.SetNotifyCmdLine(`C:\p.exe`, strings.Repeat("a", 4001)) }, model.BG_E_STRING_TOO_LONG},
		{"SetNotifyCmdLine(no program)", func() error { return j.SetNotifyCmdLine("", "/x") }, model.E_INVALIDARG},
		{"SetMinimumRetryDelay(-1s)", func() error { return j.SetMinimumRetryDelay(-time.Second) }, model.E_INVALIDARG},
		{"SetNoProgressTimeout(-1s)", func() error { return j.SetNoProgressTimeout(-time.Second) }, model.E_INVALIDARG},
		{"SetMaximumDownloadTime(-1s)", func() error { return j.SetMaximumDownloadTime(-time.Second) }, model.E_INVALIDARG},
		{"SetNoProgressTimeout(2^32 s)", func() error { return j.SetNoProgressTimeout((1 << 32) * time.Second) }, model.E_INVALIDARG},
		{"SetProperty(6)", func() error { return j.SetProperty(model.JobPropertyID(6), model.JobPropertyValue{}) }, model.BG_E_UNKNOWN_PROPERTY_ID},
		{"SetProperty(99)", func() error { return j.SetProperty(model.JobPropertyID(99), model.JobPropertyValue{}) }, model.BG_E_UNKNOWN_PROPERTY_ID},
		{"GetProperty(0)", func() error { _, err := j.GetProperty(model.JobPropertyID(0)); return err }, model.BG_E_UNKNOWN_PROPERTY_ID},
		{"SetProperty(ON_DEMAND) after AddFile", func() error {
			return j.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true})
		}, model.BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE},
		{"SetProperty(ON_DEMAND) on upload", func() error {
			return up.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true})
		}, model.BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY},
		{"AddFileWithRanges(no ranges)", func() error { return j.AddFileWithRanges(smtURL("r"), smtLocal("r"), nil) }, model.E_INVALIDARG},
		{"AddFileWithRanges(zero length)", func() error {
			return j.AddFileWithRanges(smtURL("r"), smtLocal("r"), []model.FileRange{{InitialOffset: 0, Length: 0}})
		}, model.BG_E_INVALID_RANGE},
		{"AddFileWithRanges(overlapping)", func() error {
			return j.AddFileWithRanges(smtURL("r"), smtLocal("r"), []model.FileRange{{InitialOffset: 0, Length: 10}, {InitialOffset: 5, Length: 10}})
		}, model.BG_E_OVERLAPPING_RANGES},
		{"AddFileWithRanges(upload)", func() error { return up.AddFileWithRanges(smtURL("r"), smtLocal("r"), smtRanges(1)) }, model.E_NOTIMPL},
		{"AddFileSet(nil)", func() error { return j.AddFileSet(nil) }, model.E_INVALIDARG},
		{"Resume on empty upload job", up.Resume, model.BG_E_EMPTY},
		{"File.SetValidationState before transfer", func() error { return f.SetValidationState(true) }, model.E_PENDING},
		{"File.RequestFileRanges on a normal job", func() error { return f.RequestFileRanges(smtRanges(1)) }, model.BG_E_UNSUPPORTED_JOB_CONFIGURATION},
	} {
		was := snap()
		var err error
		require.NotPanics(t, func() { err = tc.call() }, tc.name)
		smtIsHR(t, err, tc.want, tc.name)
		assert.Equal(t, was, snap(), "%s changed the job", tc.name)
	}
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, up))

	// Boundaries that are accepted.
	require.NoError(t, j.SetDisplayName(strings.Repeat("d", 256)))
	require.NoError(t, j.SetDescription(strings.Repeat("d", 1024)))
	require.NoError(t, j.SetDescription(""))
	require.NoError(t, j.SetNotifyCmdLine(`C:\`+strings.Repeat("p", 257), strings.Repeat("a", 4000)))

	// A nil *CallbackFuncs clears the registration, like NULL.
	require.NoError(t, j.SetNotifyInterface((*model.CallbackFuncs)(nil)))
	cb, err := j.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, cb)
	require.NoError(t, j.SetNotifyInterface(obj))
	require.NoError(t, j.SetNotifyInterface(nil))
	cb, err = j.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, cb)
}

func TestBadInputService(t *testing.T) {
	// Rules: CLSID-REQUIRES-JOB5
	for _, v := range []model.Version{model.Version(0x0100), model.Version(0x0999), model.Version(0x0A04)} {
		svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1, Version: v})
		assert.Error(t, err, "sim.New with version %v", v)
		if svc != nil {
			svc.Close()
		}
	}
	for name, opts := range map[string]sim.Options{
		"unknown clock mode":       {Clock: sim.ClockMode(7)},
		"negative default latency": {Clock: sim.Manual, DefaultRemote: &sim.Remote{Latency: -time.Second}},
		"negative speed":           {Clock: sim.Automatic, Speed: -1},
	} {
		svc, err := sim.New(opts)
		assert.Error(t, err, name)
		if svc != nil {
			svc.Close()
		}
	}

	svc := smtService(t, sim.Options{Version: model.BITS4_0})
	defer svc.Close()
	_, err := svc.StartApp("", smtAlice)
	smtIsHR(t, err, model.E_INVALIDARG, "StartApp with an empty name")
	_, err = svc.StartApp("nobody", model.Account{})
	smtIsHR(t, err, model.E_INVALIDARG, "StartApp with an empty user")
	app := smtApp(t, svc, "app", smtAlice)
	_, err = svc.StartApp("app", smtBob)
	assert.Error(t, err, "a second running app with the same name")

	assert.Error(t, svc.SetRemote(smtURL("x"), sim.Remote{Latency: -time.Second}), "negative latency")
	assert.Error(t, svc.SetRemote(smtURL("x"), sim.Remote{TransientFailures: -1}), "negative failures")
	assert.Error(t, svc.SetRemote(smtURL("x"), sim.Remote{Fatal: model.S_OK + 1}), "a success code as Fatal")
	assert.Error(t, svc.SetRemote("", sim.Remote{}), "empty URL")
	assert.Error(t, svc.Advance(-time.Second))
	assert.Error(t, svc.AdvanceUntilIdle(-time.Second))

	j := smtJob(t, app, "v4", model.BG_JOB_TYPE_DOWNLOAD)
	err = j.SetNotifyCLSID(model.MustParseGUID("{11111111-2222-4333-8444-555555555555}"))
	smtIsHR(t, err, model.E_NOINTERFACE, "SetNotifyCLSID on BITS 4.0")
	_, err = j.GetNotifyCLSID()
	smtIsHR(t, err, model.E_NOINTERFACE, "GetNotifyCLSID on BITS 4.0")
	smtIsHR(t, j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{}), model.E_NOINTERFACE)
}

// ---------------------------------------------------------------------------
// 8. versions

func TestVersionsInterfaces(t *testing.T) {
	// Rules: FLAGS-VERSION-MASK, CLSID-REQUIRES-JOB5, FILE-TEMPORARY-NAME
	clsid := model.MustParseGUID("{6B9A0C51-2B7E-4F0A-9E0D-3C5D7A1E2F40}")

	t.Run("3.0", func(t *testing.T) {
		svc := smtService(t, sim.Options{Version: model.BITS3_0})
		defer svc.Close()
		j := smtJob(t, smtApp(t, svc, "app", smtAlice), "v3", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, j.SetNotifyFlags(model.NotifyFlags(0x1F)), "FILE_TRANSFERRED exists on 3.0")
		smtIsHR(t, j.SetNotifyFlags(model.NotifyFlags(0x3F)), model.E_NOTIMPL, "FILE_RANGES_TRANSFERRED does not")
		flags, _ := j.GetNotifyFlags()
		assert.Equal(t, model.NotifyFlags(0x1F), flags)
		smtIsHR(t, j.SetNotifyCLSID(clsid), model.E_NOINTERFACE, "no IBackgroundCopyJob5 on 3.0")
		smtAdd(t, j, "a.bin")
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		f := smtFiles(t, j)[0]
		tmp, err := f.GetTemporaryName()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(tmp, `C:\dl\`))
		_, err = f.GetFilledFileRanges()
		smtIsHR(t, err, model.E_NOINTERFACE)
	})

	t.Run("2.5", func(t *testing.T) {
		svc := smtService(t, sim.Options{Version: model.BITS2_5})
		defer svc.Close()
		j := smtJob(t, smtApp(t, svc, "app", smtAlice), "v25", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, j.SetNotifyFlags(model.NotifyFlags(0x0F)))
		smtIsHR(t, j.SetNotifyFlags(model.NotifyFlags(0x10)), model.E_NOTIMPL, "no FILE_TRANSFERRED before 3.0")
		flags, _ := j.GetNotifyFlags()
		assert.Equal(t, model.NotifyFlags(0x0F), flags)
		smtAdd(t, j, "a.bin")
		f := smtFiles(t, j)[0]
		_, err := f.GetTemporaryName()
		smtIsHR(t, err, model.E_NOINTERFACE, "GetTemporaryName is IBackgroundCopyFile3 (3.0)")
		smtIsHR(t, f.SetValidationState(true), model.E_NOINTERFACE)
		_, err = f.IsDownloadedFromPeer()
		smtIsHR(t, err, model.E_NOINTERFACE)
		_, err = j.GetMaximumDownloadTime()
		smtIsHR(t, err, model.E_NOINTERFACE, "IBackgroundCopyJob4 (3.0)")
		smtIsHR(t, j.SetNotifyCLSID(clsid), model.E_NOINTERFACE)
	})

	t.Run("5.0", func(t *testing.T) {
		svc := smtService(t, sim.Options{Version: model.BITS5_0})
		defer svc.Close()
		j := smtJob(t, smtApp(t, svc, "app", smtAlice), "v5", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, j.SetNotifyCLSID(clsid), "IBackgroundCopyJob5 exists on 5.0")
		got, err := j.GetNotifyCLSID()
		require.NoError(t, err)
		assert.Equal(t, clsid, got)
		smtIsHR(t, j.SetNotifyFlags(model.NotifyFlags(0x20)), model.E_NOTIMPL)
		smtAdd(t, j, "a.bin")
		f := smtFiles(t, j)[0]
		smtIsHR(t, f.RequestFileRanges(smtRanges(1)), model.E_NOINTERFACE, "RequestFileRanges is IBackgroundCopyFile6 (10.1)")
		_, err = f.GetFilledFileRanges()
		smtIsHR(t, err, model.E_NOINTERFACE)
		smtIsHR(t, j.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}), model.BG_E_UNKNOWN_PROPERTY_ID)
	})

	t.Run("10.1", func(t *testing.T) {
		svc := smtService(t, sim.Options{Version: model.BITS10_1})
		defer svc.Close()
		j := smtJob(t, smtApp(t, svc, "app", smtAlice), "v101", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, j.SetNotifyFlags(model.NotifyFlags(0x3F)))
		smtIsHR(t, j.SetNotifyFlags(model.NotifyFlags(0x40)), model.E_NOTIMPL)
	})
}
