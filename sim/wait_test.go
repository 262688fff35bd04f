package sim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// waitSetup starts a service on the clock, an app of alice, and a job with
// one file of url whose JobTransferred handler completes the job.
func waitSetup(t *testing.T, clock sim.ClockMode, url string, r sim.Remote) (*sim.Service, model.Job) {
	t.Helper()
	svc, err := sim.New(sim.Options{Clock: clock, Seed: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, svc.SetRemote(url, r))
	app, err := svc.StartApp("updater", model.Account{Name: "alice"})
	require.NoError(t, err)
	job, err := app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(url, `C:\dl\f.bin`))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(j model.Job) error { _, err := j.Complete(); return err },
	}))
	return svc, job
}

func bothClocks(t *testing.T, f func(t *testing.T, clock sim.ClockMode)) {
	for _, c := range []sim.ClockMode{sim.Manual, sim.Automatic} {
		t.Run(c.String(), func(t *testing.T) { f(t, c) })
	}
}

func TestWaitStateAcknowledgedAfterTheCallbackReturned(t *testing.T) {
	bothClocks(t, func(t *testing.T, clock sim.ClockMode) {
		svc, job := waitSetup(t, clock, "http://srv/f", sim.Remote{Size: 10})
		require.NoError(t, job.Resume())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := svc.WaitState(ctx, job, model.BG_JOB_STATE_ACKNOWLEDGED)
		require.NoError(t, err)
		assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, st)
		// The callback has returned: its delivery is in the trace.
		tr := svc.Trace()
		require.Len(t, tr, 1)
		assert.Equal(t, model.EventJobTransferred, tr[0].Kind)
		assert.Equal(t, model.S_OK, tr[0].Result)
		require.NoError(t, svc.WaitIdle(ctx))
	})
}

func TestWaitOnTheManualClockDoesNotMoveTime(t *testing.T) {
	svc, job := waitSetup(t, sim.Manual, "http://srv/f", sim.Unavailable(1, 10))
	require.NoError(t, job.Resume())
	ctx := context.Background()
	st, err := svc.WaitState(ctx, job, model.BG_JOB_STATE_TRANSIENT_ERROR)
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, st)
	_, err = svc.WaitState(ctx, job, model.BG_JOB_STATE_ACKNOWLEDGED)
	assert.ErrorIs(t, err, sim.ErrWouldBlock, "the retry is 10 minutes away and only Advance gets there")
	assert.Equal(t, time.Duration(0), svc.Elapsed())
	require.NoError(t, svc.Advance(10*time.Minute))
	st, err = svc.WaitState(ctx, job, model.BG_JOB_STATE_ACKNOWLEDGED)
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, st)
	assert.Equal(t, 10*time.Minute, svc.Elapsed())
}

// Rules: STATE-TRANSIENT-RETRY
func TestAdvanceOnTheAutomaticClockJumpsPastTheRetryDelay(t *testing.T) {
	svc, job := waitSetup(t, sim.Automatic, "http://srv/f", sim.Unavailable(1, 10))
	require.NoError(t, job.Resume())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := svc.WaitState(ctx, job, model.BG_JOB_STATE_TRANSIENT_ERROR)
	require.NoError(t, err)
	before := svc.Now()
	require.NoError(t, svc.Advance(10*time.Minute))
	assert.GreaterOrEqual(t, svc.Now().Sub(before), 10*time.Minute)
	_, err = svc.WaitState(ctx, job, model.BG_JOB_STATE_ACKNOWLEDGED)
	require.NoError(t, err)
	tr := svc.Trace()
	require.Len(t, tr, 1)
	// The retry fell due 10 minutes (the default MinimumRetryDelay) after
	// the failure, and the delivery came after it.
	assert.GreaterOrEqual(t, tr[0].Time.Sub(before), 10*time.Minute)
}

func TestWaitEventAndSubscription(t *testing.T) {
	bothClocks(t, func(t *testing.T, clock sim.ClockMode) {
		svc, job := waitSetup(t, clock, "http://srv/f", sim.Remote{Size: 10})
		sub := svc.Subscribe()
		mark := svc.LastSeq()
		require.NoError(t, job.Resume())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e, err := svc.WaitEvent(ctx, mark, func(e model.Event) bool { return e.Kind == model.EventJobTransferred })
		require.NoError(t, err)
		assert.Equal(t, job.GetId(), e.Job)
		got, err := sub.Next(ctx)
		require.NoError(t, err)
		assert.Equal(t, e, got)
		assert.Equal(t, e.Seq, sub.Last())
		if clock == sim.Manual {
			_, err = sub.Next(ctx)
			assert.ErrorIs(t, err, sim.ErrWouldBlock)
			return
		}
		short, cancel2 := context.WithCancel(ctx)
		cancel2()
		_, err = sub.Next(short)
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestWaitEndsWithClose(t *testing.T) {
	svc, job := waitSetup(t, sim.Automatic, "http://srv/f", sim.NotFound())
	done := make(chan error, 1)
	go func() {
		_, err := svc.WaitState(context.Background(), job, model.BG_JOB_STATE_ACKNOWLEDGED)
		done <- err
	}()
	require.NoError(t, svc.Close())
	assert.ErrorIs(t, <-done, sim.ErrClosed)
}

func TestWaitStateRejectsAForeignJob(t *testing.T) {
	svc, _ := waitSetup(t, sim.Manual, "http://srv/f", sim.Remote{})
	_, err := svc.WaitState(context.Background(), nil, model.BG_JOB_STATE_QUEUED)
	assert.ErrorIs(t, err, model.E_INVALIDARG)
}

// Rules: STATE-TRANSIENT-RETRY, STATE-FATAL-ERROR
func TestRemoteSequenceTransientTransientFatalThenOK(t *testing.T) {
	r, err := sim.Sequence(10, 503, 503, 404)
	require.NoError(t, err)
	svc, job := waitSetup(t, sim.Manual, "http://srv/f", r)
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle())
	assertState(t, job, model.BG_JOB_STATE_TRANSIENT_ERROR)
	require.NoError(t, svc.Advance(10*time.Minute))
	assertState(t, job, model.BG_JOB_STATE_TRANSIENT_ERROR)
	require.NoError(t, svc.Advance(10*time.Minute))
	assertState(t, job, model.BG_JOB_STATE_ERROR)
	je, err := job.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.HTTPError(404), je.Code)
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle())
	assertState(t, job, model.BG_JOB_STATE_ACKNOWLEDGED)
}

func assertState(t *testing.T, job model.Job, want model.JobState) {
	t.Helper()
	st, err := job.GetState()
	require.NoError(t, err)
	assert.Equal(t, want, st)
}

func TestRemoteContradictoryOptionsAreAnError(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	for name, r := range map[string]sim.Remote{
		"with TransientFailures": {Attempts: []sim.Outcome{sim.Transfer}, TransientFailures: 1},
		"with Fatal":             {Attempts: []sim.Outcome{sim.Transfer}, Fatal: model.HTTPError(404)},
		"with TransientError":    {Attempts: []sim.Outcome{sim.Transfer}, TransientError: model.HTTPError(503)},
		"transient without err":  {Attempts: []sim.Outcome{{Transient: true}}},
		"success code":           {Attempts: []sim.Outcome{sim.FatalFailure(model.S_FALSE)}},
	} {
		assert.Error(t, svc.SetRemote("http://srv/"+name, r), name)
	}
	_, err = sim.Sequence(1, 503, 99)
	assert.ErrorIs(t, err, model.E_INVALIDARG)
}

func TestEveryControlCallAfterCloseIsErrClosed(t *testing.T) {
	svc, err := sim.New(sim.Options{})
	require.NoError(t, err)
	require.NoError(t, svc.Close())
	clsid := model.MustParseGUID("{6C1F4A52-3B8D-4E0F-9A27-5D6E7F809A1B}")
	_, err = svc.StartApp("a", model.Account{Name: "alice"})
	for name, err := range map[string]error{
		"StartApp":          err,
		"SetRemote":         svc.SetRemote("http://srv/f", sim.Remote{}),
		"RegisterClass":     svc.RegisterClass(clsid, func(*sim.App) (any, error) { return nil, nil }),
		"UnregisterClass":   svc.UnregisterClass(clsid),
		"SetCommandHandler": svc.SetCommandHandler(nil),
		"Restart":           svc.Restart(),
		"Advance":           svc.Advance(time.Second),
		"WaitIdle":          svc.WaitIdle(context.Background()),
	} {
		assert.True(t, errors.Is(err, sim.ErrClosed), "%s: %v", name, err)
	}
}

func TestEventsPrintWithTheirTime(t *testing.T) {
	svc, job := waitSetup(t, sim.Manual, "http://srv/f", sim.Remote{Size: 10})
	require.NoError(t, svc.Advance(90*time.Second))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle())
	tr := svc.Trace()
	require.Len(t, tr, 1)
	assert.Contains(t, tr[0].String(), "#1 2026-01-01T00:01:30Z JobTransferred ")
}

// Rules: STATE-TRANSIENT-RETRY
func TestChangingARemoteAppliesToTheNextAttemptOfARunningJob(t *testing.T) {
	svc, job := waitSetup(t, sim.Manual, "http://srv/f", sim.HTTPStatus(503, 10))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle())
	assertState(t, job, model.BG_JOB_STATE_TRANSIENT_ERROR)
	require.NoError(t, svc.SetRemote("http://srv/f", sim.Remote{Size: 10}))
	assertState(t, job, model.BG_JOB_STATE_TRANSIENT_ERROR)
	require.NoError(t, svc.Advance(10*time.Minute))
	assertState(t, job, model.BG_JOB_STATE_ACKNOWLEDGED)
}
