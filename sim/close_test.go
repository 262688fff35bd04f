package sim

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// waitingForSlot reports whether a goroutine waits for a notification
// slot.
func waitingForSlot() bool {
	for _, st := range goroutineStacks() {
		if strings.Contains(st, "sim.(*Service).acquireSlot") && strings.Contains(st, "sync.(*Cond).Wait") {
			return true
		}
	}
	return false
}

// No callback starts after Close, not even one that was waiting for one of
// its user's four slots when Close was called (it used to start).
func TestCloseStartsNoWaitingCallback(t *testing.T) {
	svc, err := New(Options{Clock: Automatic, Seed: 8})
	require.NoError(t, err)
	release := make(chan struct{})
	entered := make(chan int, 16)
	app, err := svc.StartApp("alice", model.Account{Name: "alice"})
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		j, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, j.AddFile("https://x.test/f", `C:\dl\f`))
		n := i
		require.NoError(t, j.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
			entered <- n
			<-release
			return nil
		}}))
		require.NoError(t, j.Resume())
	}
	for i := 0; i < 4; i++ {
		select {
		case <-entered:
		case <-time.After(time.Minute):
			t.Fatal("the first four callbacks did not start")
		}
	}
	deadline := time.Now().Add(time.Minute)
	for !waitingForSlot() {
		require.True(t, time.Now().Before(deadline), "the fifth callback never waited for a slot")
		runtime.Gosched()
	}
	closed := make(chan error)
	go func() { closed <- svc.Close() }()
	for {
		svc.mu.Lock()
		c := svc.closed
		svc.mu.Unlock()
		if c {
			break
		}
		runtime.Gosched()
	}
	close(release)
	require.NoError(t, <-closed)
	select {
	case n := <-entered:
		t.Errorf("callback %d started after Close", n)
	default:
	}
}
