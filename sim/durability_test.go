package sim_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// Two services on one store path used to lose data silently: the second
// now fails at New, naming the path, until the first is closed.
func TestFileStoreSecondServiceOnThePathFailsAtNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bits.db")
	first, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	require.NoError(t, err)
	second, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	require.Error(t, err)
	assert.Nil(t, second)
	assert.ErrorIs(t, err, sim.ErrStoreLocked)
	assert.ErrorContains(t, err, path)
	require.NoError(t, first.Close())
	again, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	require.NoError(t, err, "the lock is released at Close")
	require.NoError(t, again.Close())
}

// Jobs created before Close used to be lost: the file store was written
// only by Restart. Every acknowledged change is in the file when the call
// returns, and a new service finds it.
func TestFileStorePersistsEveryAcknowledgedChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bits.db")
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	require.NoError(t, err)
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "first", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, j.SetDescription("acknowledged"))
	smtAdd(t, j, "f.bin")
	id := j.GetId()
	// The file already holds the job: a service that never closes (the
	// process dies) loses nothing acknowledged. Release the lock the way a
	// dying process does, without the final save of Close, by reading the
	// file before Close.
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, svc.Close())
	require.NoError(t, os.WriteFile(path, data, 0o600), "the file as it was before Close")

	svc2, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	require.NoError(t, err)
	defer svc2.Close()
	got, err := smtApp(t, svc2, "app", smtAlice).GetJob(id)
	require.NoError(t, err)
	d, err := got.GetDescription()
	require.NoError(t, err)
	assert.Equal(t, "acknowledged", d)
	assert.Len(t, smtFiles(t, got), 1)
}

const killChildEnv = "BITSSIM_KILL_TEST_STORE"

// The kill test: a child process runs a service on a file store and
// reports each job it created and changed once the calls returned; the
// parent kills it with SIGKILL (TerminateProcess on Windows) at an
// arbitrary point, and a new service on the file restores every job the
// child reported.
func TestKillNineRestoresEveryAcknowledgedJob(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path, sim.PerCall)
		return
	}
	killNine(t, "^TestKillNineRestoresEveryAcknowledgedJob$")
}

// The kill test on a FileStore with Sync: Batched: the child reports a job
// once Flush has returned after its calls, and every job reported survives
// the kill.
func TestKillNineBatchedRestoresEveryFlushedJob(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path, sim.Batched)
		return
	}
	killNine(t, "^TestKillNineBatchedRestoresEveryFlushedJob$")
}

// killNine runs the test named by run as the child of a kill test, kills
// it after 40 reported jobs, and checks that a new service on its file
// has every job it reported, with the description it reported.
func killNine(t *testing.T, run string) {
	exe, err := os.Executable()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "bits.db")
	cmd := exec.Command(exe, "-test.run="+run)
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	acked := map[model.GUID]string{}
	sc := bufio.NewScanner(out)
	for len(acked) < 40 && sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != "ack" {
			continue
		}
		acked[model.MustParseGUID(f[1])] = f[2]
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait() // killed: the error is expected
	require.Len(t, acked, 40, "the child acknowledged 40 jobs before it was killed")

	svc, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	require.NoError(t, err, "the dead process's lock is gone")
	defer svc.Close()
	app := smtApp(t, svc, "check", model.LocalSystem)
	for id, desc := range acked {
		j, err := app.GetJob(id)
		if !assert.NoError(t, err, "acknowledged job %v", id) {
			continue
		}
		d, err := j.GetDescription()
		require.NoError(t, err)
		assert.Equal(t, desc, d, "job %v keeps its acknowledged description", id)
	}
}

// killChild creates and changes jobs for ever, printing "ack ID DESC" after
// the calls returned (with Sync: Batched, after a Flush every third job,
// for the jobs it saved); the parent kills it.
func killChild(path string, sync sim.SyncMode) {
	st := sim.NewFileStore(path)
	st.Sync = sync
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Store: st, Seed: 9})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	app, err := svc.StartApp("child", model.LocalSystem) // no per-user limit
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var unsaved []string // acknowledged, not known to be saved
	for i := 0; ; i++ {
		j, err := app.CreateJob(fmt.Sprintf("job%d", i), model.BG_JOB_TYPE_DOWNLOAD)
		if err != nil {
			select {} // a limit: wait for the parent's kill
		}
		desc := fmt.Sprintf("d%d", i)
		if err := j.SetDescription(desc); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		unsaved = append(unsaved, fmt.Sprintf("ack %v %s", j.GetId(), desc))
		if sync == sim.Batched && i%3 != 2 {
			continue
		}
		if err := svc.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for _, line := range unsaved {
			fmt.Println(line)
		}
		unsaved = unsaved[:0]
	}
}

// BenchmarkFileStoreAcknowledgedChange measures the durability point: one
// SetDescription on a service with 100 jobs on a FileStore, which saves
// the snapshot (temporary file, fsync, rename, directory fsync) before it
// returns.
func BenchmarkFileStoreAcknowledgedChange(b *testing.B) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(filepath.Join(b.TempDir(), "bits.db"))})
	require.NoError(b, err)
	defer svc.Close()
	app, err := svc.StartApp("bench", model.LocalSystem)
	require.NoError(b, err)
	var j model.Job
	for i := 0; i < 100; i++ {
		j, err = app.CreateJob("bench", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(b, err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		require.NoError(b, j.SetDescription("change"))
	}
}
