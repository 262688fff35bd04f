//go:build windows && realbits

package winbits

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

func init() {
	HelperArgs = []string{"-test.run=^TestHelperProcess$"}
	MaybeRunNotify()
}

// TestHelperProcess is the helper application when the backend starts
// this binary as one; otherwise it does nothing.
func TestHelperProcess(t *testing.T) { MaybeRunHelper() }

// TestBackendCrossProcess registers an object held by a helper process
// and sees JobTransferred reach it.
func TestBackendCrossProcess(t *testing.T) {
	b, err := NewBackend(Options{})
	require.NoError(t, err)
	defer b.Close()
	start := time.Now()
	a, err := b.StartApp("app1", model.Account{Name: "alice"})
	require.NoError(t, err)
	t.Logf("helper started in %v", time.Since(start))
	job, err := a.CreateJob("cross-process", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	url, err := b.Remote(harness.RemoteOK, 2048)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(url, `C:\bitssim\cross.bin`))
	start = time.Now()
	require.NoError(t, job.SetNotifyInterface(a.Callback(harness.Behavior{})))
	t.Logf("registered in %v", time.Since(start))
	cb, err := job.GetNotifyInterface()
	require.NoError(t, err)
	assert.NotNil(t, cb)
	require.NoError(t, job.Resume())
	require.NoError(t, b.Settle())
	st, err := job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st)
	tr := b.Trace()
	require.Len(t, tr, 1)
	assert.Equal(t, model.EventJobTransferred, tr[0].Kind)
	assert.Equal(t, job.GetId(), tr[0].Job)
	assert.Equal(t, "app1", tr[0].Target.App)
	require.NoError(t, a.Exit())
}

// TestClassServer registers a notification class served by this binary,
// activates it out of process as BITS would, and calls an instance.
func TestClassServer(t *testing.T) {
	require.NoError(t, ClassSupport())
	b, err := NewBackend(Options{})
	require.NoError(t, err)
	defer b.Close()
	clsid, err := b.RegisterClass(harness.Behavior{FailFirst: 1})
	require.NoError(t, err)
	for i := 1; i <= 2; i++ {
		p, hr := com.CreateInstance(clsid, bitsabi.IIDCallback)
		require.True(t, hr.Succeeded(), "CoCreateInstance: %v", hr)
		assert.Equal(t, model.E_FAIL, p.Call(bitsabi.SlotCallback.JobTransferred, nil), "the first call fails (FailFirst)")
		assert.Equal(t, model.S_OK, p.Call(bitsabi.SlotCallback.JobTransferred, nil))
		p.Release()
	}
	require.NoError(t, b.Settle())
	tr := b.Trace()
	require.Len(t, tr, 4)
	for i, e := range tr {
		assert.Equal(t, model.EventJobTransferred, e.Kind)
		assert.Equal(t, model.TargetCLSID, e.Target.Kind)
		assert.Equal(t, clsid, e.Target.CLSID)
		assert.Equal(t, 1+i/2, e.Target.Instance, "event %d", i)
	}
}

// TestRecordedCommandLine runs a recorded command line the way BITS would
// (CreateProcess with the program and the parameters as the command line)
// and finds its runs in the trace.
func TestRecordedCommandLine(t *testing.T) {
	b, err := NewBackend(Options{})
	require.NoError(t, err)
	defer b.Close()
	prog, params, err := b.CommandLine(0, 3)
	require.NoError(t, err)
	require.True(t, b.ours(prog, params))
	job := model.NewGUID()
	for i, want := range []int{0, 3, 3} {
		cmd := exec.Command(prog)
		cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: params + " " + job.String()}
		err := cmd.Run()
		if want == 0 {
			require.NoError(t, err, "run %d", i)
		} else {
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "run %d", i)
			assert.Equal(t, want, exit.ExitCode(), "run %d", i)
		}
	}
	tr := b.Trace()
	require.Len(t, tr, 3)
	for i, e := range tr {
		assert.Equal(t, model.EventCommandLine, e.Kind)
		assert.Equal(t, job, e.Job)
		assert.Equal(t, prog, e.Target.Program)
		assert.Equal(t, params, e.Target.Parameters)
		assert.Equal(t, []int{0, 3, 3}[i], e.ExitCode)
	}
}

// TestBackendHTTP transfers from the loopback HTTP server: a file served
// whole, a 404 (fatal) and a 503, and reads the errors through
// IBackgroundCopyError.
func TestBackendHTTP(t *testing.T) {
	local := false
	b, err := NewBackend(Options{LocalFiles: &local})
	require.NoError(t, err)
	defer b.Close()
	a, err := b.StartApp("app1", model.Account{Name: "alice"})
	require.NoError(t, err)
	run := func(kind harness.RemoteKind) model.Job {
		job, err := a.CreateJob("http "+kind.String(), model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		url, err := b.Remote(kind, 3000)
		require.NoError(t, err)
		require.NoError(t, job.AddFile(url, `C:\bitssim\http-`+kind.String()+`.bin`))
		require.NoError(t, job.Resume())
		require.NoError(t, b.Settle())
		return job
	}
	ok := run(harness.RemoteOK)
	st, err := ok.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st)
	p, err := ok.GetProgress()
	require.NoError(t, err)
	assert.Equal(t, uint64(3000), p.BytesTransferred)
	_, err = ok.GetError()
	assert.ErrorIs(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE)

	for kind, code := range map[harness.RemoteKind]model.HRESULT{
		harness.RemoteFatal: model.HTTPError(404), harness.RemoteTransient: model.HTTPError(503)} {
		job := run(kind)
		st, err := job.GetState()
		require.NoError(t, err)
		assert.Contains(t, []model.JobState{model.BG_JOB_STATE_ERROR, model.BG_JOB_STATE_TRANSIENT_ERROR}, st, "%v", kind)
		je, err := job.GetError()
		require.NoError(t, err, "%v", kind)
		assert.Equal(t, code, je.Code, "%v", kind)
		assert.Equal(t, model.BG_ERROR_CONTEXT_REMOTE_FILE, je.Context, "%v", kind)
		assert.Contains(t, je.File.RemoteName, b.baseURL, "%v", kind)
		t.Logf("%v: state %v, error %+v", kind, st, je)
	}
}
