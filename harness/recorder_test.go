package harness_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

var alice = model.Account{Name: "alice", Kind: model.AccountUser}

// transfer makes a one-file job of app with obj registered and transfers it.
func transfer(t *testing.T, b *harness.SimBackend, app harness.App, obj model.Callback, flags model.NotifyFlags) model.Job {
	t.Helper()
	job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	url, err := b.Remote(harness.RemoteOK, 1024)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(url, `C:\out\one.bin`))
	if flags != 0 {
		require.NoError(t, job.SetNotifyFlags(flags))
	}
	require.NoError(t, job.SetNotifyInterface(obj))
	require.NoError(t, job.Resume())
	require.NoError(t, b.Settle())
	return job
}

func TestRecorderAnswersAnyHRESULT(t *testing.T) {
	b, err := harness.NewSim(sim.Options{Seed: 1})
	require.NoError(t, err)
	defer b.Close()
	app, err := b.StartApp("app", alice)
	require.NoError(t, err)
	obj := app.Callback(harness.Behavior{
		Results: map[model.EventKind]model.HRESULT{model.EventJobTransferred: model.S_FALSE},
		Files:   map[string]model.HRESULT{`C:\out\one.bin`: model.E_ACCESSDENIED},
	})
	err = obj.JobTransferred(nil)
	assert.True(t, errors.Is(err, model.S_FALSE), "S_FALSE is returned as is, not as nil: %v", err)
	job := transfer(t, b, app, obj, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED)
	ft := harness.Calls(b.Trace(), job.GetId(), model.EventFileTransferred)
	require.NotEmpty(t, ft)
	assert.Equal(t, model.E_ACCESSDENIED, ft[0].Result, "the per-file answer")
	assert.Equal(t, `C:\out\one.bin`, ft[0].File, "the file BITS passed")
}

func TestRecorderInterfaceLevels(t *testing.T) {
	b, err := harness.NewSim(sim.Options{Seed: 1})
	require.NoError(t, err)
	defer b.Close()
	app, err := b.StartApp("app", alice)
	require.NoError(t, err)

	basic := app.Callback(harness.Behavior{Interface: harness.BasicInterface})
	_, isFile := basic.(model.FileCallback)
	assert.False(t, isFile, "a basic object has no FileTransferred")
	job := transfer(t, b, app, basic, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_TRANSFERRED)
	assert.Empty(t, harness.Calls(b.Trace(), job.GetId(), model.EventFileTransferred), "BITS cannot call a method the object lacks")
	assert.Len(t, harness.Calls(b.Trace(), job.GetId(), model.EventJobTransferred), 1)

	two := app.Callback(harness.Behavior{Interface: harness.Callback2Interface})
	_, isFile = two.(model.FileCallback)
	_, isRanges := two.(model.RangesCallback)
	assert.True(t, isFile)
	assert.False(t, isRanges)
	_, isRanges = app.Callback(harness.Behavior{}).(model.RangesCallback)
	assert.True(t, isRanges, "by default every interface")
}

func TestRecorderReenters(t *testing.T) {
	b, err := harness.NewSim(sim.Options{Seed: 1})
	require.NoError(t, err)
	defer b.Close()
	app, err := b.StartApp("app", alice)
	require.NoError(t, err)
	var seen model.JobState
	obj := app.Callback(harness.Behavior{Reenter: func(job model.Job, kind model.EventKind) error {
		if kind != model.EventJobTransferred {
			return nil
		}
		seen, _ = job.GetState()
		return model.E_NOTIMPL
	}})
	job := transfer(t, b, app, obj, model.BG_NOTIFY_JOB_TRANSFERRED)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, seen, "the job is read from inside the call")
	jt := harness.Calls(b.Trace(), job.GetId(), model.EventJobTransferred)
	require.NotEmpty(t, jt)
	assert.Equal(t, model.E_NOTIMPL, jt[0].Result, "the re-entrant call's error is the answer")
}

// The user in the sim backend's trace is the one the simulator called as,
// not the recorder's own: an object nobody called through the simulator
// has no user.
func TestSimTraceUserComesFromTheSimulator(t *testing.T) {
	b, err := harness.NewSim(sim.Options{Seed: 1})
	require.NoError(t, err)
	defer b.Close()
	app, err := b.StartApp("app", alice)
	require.NoError(t, err)
	obj := app.Callback(harness.Behavior{})
	job := transfer(t, b, app, obj, model.BG_NOTIFY_JOB_TRANSFERRED)
	jt := harness.Calls(b.Trace(), job.GetId(), model.EventJobTransferred)
	require.Len(t, jt, 1)
	assert.Equal(t, "alice", jt[0].User)

	require.NoError(t, obj.JobTransferred(job)) // called directly, not by BITS
	jt = harness.Calls(b.Trace(), job.GetId(), model.EventJobTransferred)
	require.Len(t, jt, 2)
	assert.Equal(t, "", jt[1].User, "no call of the simulator's matches")
}

func TestGate(t *testing.T) {
	g := &harness.Gate{}
	done := make(chan struct{})
	b, err := harness.NewSimAuto(sim.Options{Seed: 1})
	require.NoError(t, err)
	defer b.Close()
	assert.True(t, b.Capabilities().Concurrent)
	assert.False(t, b.Capabilities().VirtualTime)
	assert.Equal(t, "sim-auto", b.Name())
	app, err := b.StartApp("app", alice)
	require.NoError(t, err)
	obj := app.Callback(harness.Behavior{Block: g})
	go func() {
		defer close(done)
		_ = obj.JobModification(nil)
		_ = obj.JobModification(nil)
	}()
	require.True(t, g.WaitInside(1, 10*time.Second))
	assert.Equal(t, 1, g.Inside())
	assert.False(t, g.WaitInside(2, 50*time.Millisecond), "only one call is inside")
	g.Open()
	<-done
	assert.Equal(t, 0, g.Inside())
	assert.Equal(t, 2, g.Entered())
	assert.Equal(t, 1, g.Most())
}

func TestSimAutoAdvanceAndSettle(t *testing.T) {
	b, err := harness.NewSimAuto(sim.Options{Seed: 1})
	require.NoError(t, err)
	defer b.Close()
	start := b.Service().Now()
	require.NoError(t, b.Advance(time.Minute))
	assert.GreaterOrEqual(t, b.Service().Now().Sub(start), time.Minute, "Advance waits until the minute has passed")
	assert.Error(t, b.Advance(-time.Second))
	app, err := b.StartApp("app", alice)
	require.NoError(t, err)
	job := transfer(t, b, app, app.Callback(harness.Behavior{}), model.BG_NOTIFY_JOB_TRANSFERRED)
	st, err := job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st, "Settle waited for the transfer")
	assert.Len(t, harness.Calls(b.Trace(), job.GetId(), model.EventJobTransferred), 1, "and for the callback")
}
