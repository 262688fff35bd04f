package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// A progress tick that runs late (on the automatic clock, the service's
// goroutine held off under load while virtual time runs on) schedules the
// next tick ProgressInterval after the moment it fell due, not after the
// moment it ran: a file of Size bytes at Rate bytes a second takes
// Size/Rate virtual seconds however late the ticks run. Counting from the
// run stretched a 2-second transfer past a 10-second advance about once
// in 100 runs of SEC-ADMIN-MODIFY on one loaded core. The late run is made
// here on the manual clock, by moving now past the tick's time before
// running it.
func TestLateProgressTickKeepsTheTransfersPace(t *testing.T) {
	svc, err := New(Options{Clock: Manual, Seed: 1})
	require.NoError(t, err)
	defer svc.Close()
	require.NoError(t, svc.SetRemote("https://x.test/slow", Remote{Size: 4096, Rate: 1024}))
	app, err := svc.StartApp("alice", model.Account{Name: "alice"})
	require.NoError(t, err)
	j, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, j.AddFile("https://x.test/slow", `C:\dl\f`))
	require.NoError(t, j.Resume())
	require.NoError(t, svc.RunUntilIdle())

	svc.mu.Lock()
	defer svc.mu.Unlock()
	tick, ok := svc.timers.peek()
	require.True(t, ok, "a rate-limited transfer has a progress tick pending")
	require.Equal(t, taskProgress, tick.kind)
	svc.now = time.Unix(0, tick.at).Add(5 * time.Second) // the tick runs 5 s late
	due, ok := svc.popDue(svc.now.UnixNano())
	require.True(t, ok)
	require.Equal(t, tick.at, due.at)
	svc.runTask(due)

	next, ok := svc.pendingAt(due.job, slotTransfer)
	require.True(t, ok, "the transfer goes on: 1024 of 4096 bytes")
	// ProgressInterval (1 s) after the late tick fell due is 4 s in the
	// past: the next tick is due at once (no timer is armed in the past).
	require.Equal(t, time.Second, svc.opts.ProgressInterval)
	assert.Equal(t, svc.now.UnixNano(), next,
		"the next tick counts from when the late one fell due, so it is due at once")
}
