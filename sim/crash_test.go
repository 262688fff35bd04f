package sim_test

// Crash safety of the file store, through the public API: a child process
// (this test binary re-executed) writes snapshots through a service's
// Restart and acknowledges each one; the parent kills it with SIGKILL at
// random points and proves that the store still loads and that no
// acknowledged write was lost.

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

const (
	// crashEnv holds the directory of the store when the test binary runs
	// as the child of TestFileStoreKilledDuringWrites.
	crashEnv = "BITSSIM_CRASH_CHILD"
	// crashWrites is how many snapshots the children write in all: write n
	// is the snapshot with jobs 1..n.
	crashWrites = 1000
	// crashMinKills is how many times the parent must have killed a child
	// in the middle of its writes.
	crashMinKills = 20
	crashFile     = "bits.db"
)

// crashOwner owns every job: an administrator, so that the per-user and
// per-machine job limits (LIMIT-ADMIN-EXEMPT) do not stop at 60 or 300.
var crashOwner = model.Account{Name: "crash-admin", Kind: model.AccountAdministrator}

func crashJobName(n int) string { return fmt.Sprintf("write %04d", n) }

// crashChildCommand re-executes the test binary as a child that runs only
// TestCrashChild on the store in dir.
func crashChildCommand(dir string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	return cmd
}

// TestCrashChild is the child process of TestFileStoreKilledDuringWrites:
// it loads the service from the file store, then creates one job at a time
// and saves the whole state with Restart, printing "ack N" once the
// snapshot with N jobs is saved, until there are crashWrites jobs. Run
// directly it skips.
//
// Rules: none (the writer of the crash test, run only as its child process)
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("runs only as the child process of TestFileStoreKilledDuringWrites")
	}
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: int64(os.Getpid()), Store: sim.NewFileStore(filepath.Join(dir, crashFile))})
	require.NoError(t, err)
	defer svc.Close()
	app, err := svc.StartApp("writer", crashOwner)
	require.NoError(t, err)
	jobs, err := app.EnumJobs(0)
	require.NoError(t, err)
	for n := len(jobs) + 1; n <= crashWrites; n++ {
		job, err := app.CreateJob(crashJobName(n), model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, job.AddFile(fmt.Sprintf("https://example.test/%d.bin", n), fmt.Sprintf(`C:\crash\%d.bin`, n)))
		require.NoError(t, svc.Restart()) // saves the snapshot through the FileStore
		fmt.Printf("ack %d\n", n)
	}
	fmt.Println("done")
}

// crashLoad opens the store in a new service (a new process after the
// crash, as far as the store knows) and returns the display names of its
// jobs, in creation order.
func crashLoad(t *testing.T, path string) []string {
	t.Helper()
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	require.NoError(t, err, "the store must load after every crash")
	defer svc.Close()
	app, err := svc.StartApp("checker", crashOwner)
	require.NoError(t, err)
	jobs, err := app.EnumJobs(0)
	require.NoError(t, err)
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i], err = j.GetDisplayName()
		require.NoError(t, err)
	}
	return names
}

// 1,000 writes through FileStore.Save (each a Restart of a service that
// has one more job than before), with the writer killed by SIGKILL at
// random points: after every kill the store loads, and it holds every
// acknowledged write: the jobs of the last acknowledged snapshot, and at
// most the one job of a write that completed but was not acknowledged
// before the kill.
//
// Rules: PERSIST-JOBS
func TestFileStoreKilledDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary a few dozen times and writes 1,000 snapshots with fsync")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, crashFile)
	rng := rand.New(rand.NewSource(8))
	acked, kills, unacked := 0, 0, 0
	for round := 0; acked < crashWrites; round++ {
		require.Less(t, round, 10*crashWrites/crashMinKills, "no progress: %d writes acknowledged", acked)
		// Kill after this many further acknowledgements (0: at once, while
		// the child loads the store); the child is then somewhere in its
		// next write. The mean, 25, makes some 40 kills in 1,000 writes (fewer when acks printed before a kill land).
		killAfter := rng.Intn(50)
		cmd := crashChildCommand(dir)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())

		killed, done := false, false
		kill := func() {
			if !killed {
				killed = true
				kills++
				require.NoError(t, cmd.Process.Kill())
			}
		}
		if killAfter == 0 {
			kill()
		}
		var other []string
		seen := 0
		// Read to EOF even after the kill: acks the child printed before it
		// died are acknowledged writes too.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			rest, isAck := strings.CutPrefix(line, "ack ")
			if !isAck {
				if line == "done" {
					done = true
				}
				other = append(other, line)
				continue
			}
			n, err := strconv.Atoi(rest)
			require.NoError(t, err, "line %q", line)
			require.Greater(t, n, acked, "acks only grow")
			acked = n
			seen++
			if seen == killAfter {
				kill()
			}
		}
		require.NoError(t, sc.Err())
		werr := cmd.Wait()
		if !killed {
			require.NoError(t, werr, "the child failed:\n%s\n%s", strings.Join(other, "\n"), stderr.String())
			require.True(t, done, "the child ended without finishing:\n%s", strings.Join(other, "\n"))
		}

		names := crashLoad(t, path)
		require.GreaterOrEqual(t, len(names), acked, "round %d: an acknowledged write was lost", round)
		require.LessOrEqual(t, len(names), acked+1, "round %d: more writes than were made", round)
		for i, name := range names {
			require.Equal(t, crashJobName(i+1), name, "round %d: job %d", round, i+1)
		}
		if len(names) > acked {
			unacked++
		}
		acked = len(names) // a completed but unacknowledged write is kept too
	}
	assert.Equal(t, crashWrites, acked)
	assert.GreaterOrEqual(t, kills, crashMinKills, "the child was killed too rarely to prove anything")
	// Where the kills landed: after a completed but unacknowledged write,
	// or before the rename (a stray temporary file, which Load ignores).
	strays, err := filepath.Glob(path + ".tmp-*")
	require.NoError(t, err)
	t.Logf("%d writes, %d kills: %d after an unacknowledged write, %d left a temporary file", acked, kills, unacked, len(strays))
}

// A store file cut short at any length, or whose tail reads back as
// zeros (what a crash on a file system that extended the file before
// writing its blocks leaves), makes New fail with an error naming the
// file, and leaves the file as it was: the service never starts empty
// over jobs it could not read. (Single corruptions are in
// TestRestartCorruptStoreFileFailsNew; this goes through every length.)
//
// Rules: PERSIST-JOBS
func TestFileStoreEveryTruncationAndZeroedTailFailsNew(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 9, Store: sim.NewFileStore(good)})
	require.NoError(t, err)
	app, err := svc.StartApp("writer", crashOwner)
	require.NoError(t, err)
	for n := 1; n <= 2; n++ {
		job, err := app.CreateJob(crashJobName(n), model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, job.AddFile(fmt.Sprintf("https://example.test/%d.bin", n), fmt.Sprintf(`C:\crash\%d.bin`, n)))
	}
	require.NoError(t, svc.Restart())
	require.NoError(t, svc.Close())
	valid, err := os.ReadFile(good)
	require.NoError(t, err)
	require.Equal(t, []string{crashJobName(1), crashJobName(2)}, crashLoad(t, good))

	path := filepath.Join(dir, "bad.db")
	check := func(what string, data []byte) {
		t.Helper()
		require.NoError(t, os.WriteFile(path, data, 0o600))
		s, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
		if s != nil {
			s.Close()
		}
		if !assert.Error(t, err, "%s: New must not start over a file it cannot read", what) {
			return
		}
		assert.Contains(t, err.Error(), path, "%s: the error names the file", what)
		after, rerr := os.ReadFile(path)
		require.NoError(t, rerr)
		assert.Equal(t, data, after, "%s: the file is left as it was", what)
	}
	for n := 0; n < len(valid); n++ {
		check(fmt.Sprintf("first %d of %d bytes", n, len(valid)), valid[:n])
		zeroed := bytes.Clone(valid)
		clear(zeroed[n:])
		check(fmt.Sprintf("bytes %d.. of %d zeroed", n, len(valid)), zeroed)
	}
}
