package harness_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

func newSim(t *testing.T, opts sim.Options) *harness.SimBackend {
	t.Helper()
	b, err := harness.NewSim(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// runJob creates a job of app with one file from url, registers obj and
// resumes it.
func runJob(t *testing.T, b *harness.SimBackend, app harness.App, url string, obj model.Callback) model.Job {
	t.Helper()
	job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(url, `C:\dl\f.bin`))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_TRANSFERRED))
	if obj != nil {
		require.NoError(t, job.SetNotifyInterface(obj))
	}
	require.NoError(t, job.Resume())
	require.NoError(t, b.Settle())
	return job
}

func TestScriptRemoteAttempts(t *testing.T) {
	b := newSim(t, sim.Options{})
	app, err := b.StartApp("A", model.Account{Name: "alice"})
	require.NoError(t, err)
	require.NoError(t, b.ScriptRemote("http://s/404", harness.RemoteScript{Size: 10, Status: 404}))
	job := runJob(t, b, app, "http://s/404", nil)
	st, err := job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, st, "HTTP 404 is a fatal error")

	require.NoError(t, b.ScriptRemote("http://s/seq", harness.RemoteScript{Size: 10, Attempts: []int{503}}))
	job = runJob(t, b, app, "http://s/seq", nil)
	st, err = job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, st, "the first attempt answers 503: a transient error")

	err = b.ScriptRemote("http://s/bad", harness.RemoteScript{Status: 404, Attempts: []int{200}})
	assert.ErrorIs(t, err, model.E_INVALIDARG, "two scripts of the same attempts")
	assert.ErrorIs(t, b.ScriptRemote("http://s/bad", harness.RemoteScript{Status: 99}), model.E_INVALIDARG)
}

func TestScriptProgramExitsAndActs(t *testing.T) {
	b := newSim(t, sim.Options{})
	app, err := b.StartApp("A", model.Account{Name: "alice"})
	require.NoError(t, err)
	require.NoError(t, b.ScriptProgram(`C:\n.exe`, harness.Program{Exits: []int{3}, Does: "complete"}))
	job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	url, err := b.Remote(harness.RemoteOK, 10)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(url, `C:\dl\f.bin`))
	require.NoError(t, job.SetNotifyCmdLine(`C:\n.exe`, `"C:\n.exe" 1`))
	require.NoError(t, job.Resume())
	require.NoError(t, b.Settle())
	st, err := job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, st, "the program completed the job")
	runs := harness.Calls(b.Trace(), job.GetId(), model.EventCommandLine)
	require.Len(t, runs, 1)
	assert.Equal(t, 3, runs[0].ExitCode)
	assert.Equal(t, "alice", runs[0].User)

	assert.ErrorIs(t, b.ScriptProgram(`C:\x.exe`, harness.Program{Does: "delete"}), model.E_INVALIDARG)
	// CommandLine never hands out a name ScriptProgram took.
	require.NoError(t, b.ScriptProgram(`C:\bitssim\notify1.exe`, harness.Program{}))
	p, _, err := b.CommandLine()
	require.NoError(t, err)
	assert.NotEqual(t, `C:\bitssim\notify1.exe`, p)
}

func TestAnswerDecidesAndSeesTheFile(t *testing.T) {
	b := newSim(t, sim.Options{})
	app, err := b.StartApp("A", model.Account{Name: "alice"})
	require.NoError(t, err)
	url, err := b.Remote(harness.RemoteOK, 10)
	require.NoError(t, err)
	var files []string
	obj := app.Callback(harness.Behavior{Fail: true, Answer: func(job model.Job, kind model.EventKind, file model.File) error {
		if file != nil {
			name, _ := file.GetLocalName()
			files = append(files, name)
		}
		if kind == model.EventJobTransferred {
			return model.S_FALSE
		}
		return nil
	}})
	job := runJob(t, b, app, url, obj)
	assert.Equal(t, []string{`C:\dl\f.bin`}, files, "FileTransferred names its file")
	jt := harness.Calls(b.Trace(), job.GetId(), model.EventJobTransferred)
	require.NotEmpty(t, jt)
	assert.Equal(t, model.S_FALSE, jt[0].Result, "Answer overrides Fail")
	rec, ok := harness.RecorderOf(obj)
	require.True(t, ok)
	assert.Equal(t, "A", rec.Target().App)
	assert.Equal(t, 0, b.InFlight("alice"))
	owner, ok := b.ObjectApp(job)
	assert.True(t, ok)
	assert.Equal(t, "A", owner)
}

func TestServiceTraceHasWhatNoReceiverSaw(t *testing.T) {
	b := newSim(t, sim.Options{})
	app, err := b.StartApp("A", model.Account{Name: "alice"})
	require.NoError(t, err)
	url, err := b.Remote(harness.RemoteSlow, 10*1024)
	require.NoError(t, err)
	job := runJob(t, b, app, url, app.Callback(harness.Behavior{}))
	require.NoError(t, app.Crash())
	require.NoError(t, b.Advance(time.Hour))
	failed := 0
	for _, e := range b.ServiceTrace(0) {
		if e.Job == job.GetId() && e.Target.App == "A" && e.Result == model.RPC_S_SERVER_UNAVAILABLE {
			failed++
		}
	}
	assert.Positive(t, failed, "the call to the crashed app failed, in the service's record")
	assert.Empty(t, b.Trace(), "no receiver saw it")
}

func TestLimitTraceKeepsTheLast(t *testing.T) {
	b := newSim(t, sim.Options{})
	app, err := b.StartApp("A", model.Account{Name: "alice"})
	require.NoError(t, err)
	url, err := b.Remote(harness.RemoteOK, 10)
	require.NoError(t, err)
	b.LimitTrace(1)
	runJob(t, b, app, url, app.Callback(harness.Behavior{}))
	tr := b.Trace()
	require.Len(t, tr, 1, "FileTransferred then JobTransferred: only the last is kept")
	assert.Equal(t, model.EventJobTransferred, tr[0].Kind)
	b.LimitTrace(-1)
	assert.Empty(t, b.Trace())
}
