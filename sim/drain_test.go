package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// drainLifecycle runs n jobs through a lifecycle whose object completes
// the job from JobTransferred: one notification each.
func drainLifecycle(t *testing.T, svc *sim.Service, app *sim.App, n int) {
	t.Helper()
	cb := &model.CallbackFuncs{OnJobTransferred: func(j model.Job) error { _, err := j.Complete(); return err }}
	for i := 0; i < n; i++ {
		j, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, j.AddFile("http://s/f", `C:\dl\f`))
		require.NoError(t, j.SetNotifyInterface(cb))
		require.NoError(t, j.Resume())
		require.NoError(t, svc.RunUntilIdle())
	}
}

// DrainTrace hands over the events the trace holds, in order, and the
// trace then holds none: the next drain, Trace and TraceSince see only
// what came after.
func TestDrainTrace(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	app, err := svc.StartApp("A", model.Account{Name: "alice", Kind: model.AccountUser})
	require.NoError(t, err)

	assert.Empty(t, svc.DrainTrace(nil), "nothing happened yet")
	drainLifecycle(t, svc, app, 2)
	buf := svc.DrainTrace(make([]model.Event, 0, 8))
	require.Len(t, buf, 2, "a JobTransferred per job")
	assert.Equal(t, []uint64{1, 2}, []uint64{buf[0].Seq, buf[1].Seq})
	for _, e := range buf {
		assert.Equal(t, model.EventJobTransferred, e.Kind)
		assert.Equal(t, "A", e.Target.App)
		assert.Equal(t, model.S_OK, e.Result)
	}
	assert.Empty(t, svc.Trace(), "drained")
	assert.Empty(t, svc.TraceSince(0), "drained")
	assert.Empty(t, svc.DrainTrace(nil), "drained")

	drainLifecycle(t, svc, app, 1)
	got := svc.DrainTrace(buf[:0]) // the same memory again
	require.Len(t, got, 1)
	assert.Equal(t, uint64(3), got[0].Seq, "numbering goes on after a drain")
	assert.Equal(t, uint64(3), svc.LastSeq())
}

// With a TraceLimit, a drain after more events than the limit returns the
// last TraceLimit of them: the gap in Seq shows what was dropped.
func TestDrainTraceLimit(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, TraceLimit: 3})
	require.NoError(t, err)
	defer svc.Close()
	app, err := svc.StartApp("A", model.Account{Name: "alice", Kind: model.AccountUser})
	require.NoError(t, err)
	drainLifecycle(t, svc, app, 5)
	got := svc.DrainTrace(nil)
	require.Len(t, got, 3)
	assert.Equal(t, []uint64{3, 4, 5}, []uint64{got[0].Seq, got[1].Seq, got[2].Seq})
	drainLifecycle(t, svc, app, 1)
	got = svc.DrainTrace(nil)
	require.Len(t, got, 1)
	assert.Equal(t, uint64(6), got[0].Seq)
}

// With TraceLimit negative the trace keeps nothing, and a drain returns
// nothing.
func TestDrainTraceNone(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, TraceLimit: -1})
	require.NoError(t, err)
	defer svc.Close()
	app, err := svc.StartApp("A", model.Account{Name: "alice", Kind: model.AccountUser})
	require.NoError(t, err)
	drainLifecycle(t, svc, app, 2)
	assert.Empty(t, svc.DrainTrace(nil))
	assert.Equal(t, uint64(2), svc.LastSeq(), "the events happened")
}
