//go:build windows && realbits

package winbits

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// TestWinLifecycleRate measures full job lifecycles per second on the
// real service (create, AddFile, register an object, Resume, transfer,
// JobTransferred delivered, Complete) — the lifecycle of the simulator's
// BenchmarkLifecycle — for $BITSSIM_BENCH_SECONDS seconds, and prints
// "lifecycles/s: RATE". scripts/wine-bench.sh runs it under Wine.
func TestWinLifecycleRate(t *testing.T) {
	secs, err := strconv.ParseFloat(os.Getenv("BITSSIM_BENCH_SECONDS"), 64)
	if err != nil || secs <= 0 {
		t.Skip("set BITSSIM_BENCH_SECONDS to measure lifecycles per second")
	}
	m, err := Connect()
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "winbits-bench-")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "src.bin")
	require.NoError(t, os.WriteFile(src, make([]byte, 1024), 0o644))
	done := make(chan error, 1)
	cb := &model.CallbackFuncs{OnJobTransferred: func(job model.Job) error {
		_, err := job.Complete()
		done <- err
		return err
	}}
	n := 0
	start := time.Now()
	for time.Since(start) < time.Duration(secs*float64(time.Second)) {
		j, err := m.CreateJob("bench", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, j.AddFile(src, filepath.Join(dir, fmt.Sprintf("dst%d.bin", n))))
		require.NoError(t, j.SetNotifyInterface(cb))
		require.NoError(t, j.Resume())
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("lifecycle %d: no JobTransferred within 30 s", n)
		}
		n++
	}
	rate := float64(n) / time.Since(start).Seconds()
	fmt.Printf("lifecycles/s: %.2f\n", rate)
	t.Logf("%d lifecycles in %v: %.2f lifecycles/s", n, time.Since(start), rate)
}
