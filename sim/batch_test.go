package sim

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// batchedService starts a manual service on a FileStore with Sync:
// Batched whose window passes only when the test sends on the returned
// tick channel; saved receives after each background save.
func batchedService(t *testing.T, path string) (svc *Service, tick chan time.Time, saved chan error) {
	t.Helper()
	st := NewFileStore(path)
	st.Sync = Batched
	st.Window = time.Hour // the test's ticks stand for it
	svc, err := New(Options{Clock: Manual, Store: st})
	require.NoError(t, err)
	tick = make(chan time.Time)
	saved = make(chan error)
	svc.mu.Lock() // before the first change starts the flusher
	svc.batch.after = func(d time.Duration) <-chan time.Time {
		assert.Equal(t, time.Hour, d, "the flusher waits the store's Window")
		return tick
	}
	svc.batch.saved = saved
	svc.mu.Unlock()
	return svc, tick, saved
}

// crashCopy is what a crash at this moment leaves on disk: the store's
// file, copied to a path of its own (the crashed service still holds the
// lock of the original), and the jobs a new service finds in it by ID,
// with their descriptions.
func crashCopy(t *testing.T, path string) map[model.GUID]string {
	t.Helper()
	copyPath := filepath.Join(t.TempDir(), "crashed.db")
	data, err := os.ReadFile(path)
	if !errors.Is(err, os.ErrNotExist) {
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(copyPath, data, 0o600))
	}
	svc, err := New(Options{Clock: Manual, Store: NewFileStore(copyPath)})
	require.NoError(t, err)
	defer func() { require.NoError(t, svc.Close()) }()
	app, err := svc.StartApp("check", model.LocalSystem)
	require.NoError(t, err)
	jobs, err := app.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	require.NoError(t, err)
	got := map[model.GUID]string{}
	for _, j := range jobs {
		d, err := j.GetDescription()
		require.NoError(t, err)
		got[j.GetId()] = d
	}
	return got
}

// batchedJob creates a job with the given description on app.
func batchedJob(t *testing.T, app *App, desc string) model.GUID {
	t.Helper()
	j, err := app.CreateJob(desc, model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, j.SetDescription(desc))
	return j.GetId()
}

// The crash semantics of Sync: Batched, step by step: an acknowledged
// change is on disk once the window has passed and the background save
// is done, or once Flush returns; a crash before loses exactly the changes
// since the last save, and nothing saved before.
func TestBatchedFileStoreCrashLosesOnlyTheUnsavedWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bits.db")
	svc, tick, saved := batchedService(t, path)
	app, err := svc.StartApp("app", model.LocalSystem)
	require.NoError(t, err)

	a := batchedJob(t, app, "a")
	assert.Empty(t, crashCopy(t, path), "a crash inside the first window loses job a: nothing was saved")

	tick <- time.Time{} // the window passes
	require.NoError(t, <-saved)
	assert.Equal(t, map[model.GUID]string{a: "a"}, crashCopy(t, path), "after the background save, a crash keeps job a")

	b := batchedJob(t, app, "b")
	assert.Equal(t, map[model.GUID]string{a: "a"}, crashCopy(t, path), "a crash in the next window loses job b and keeps job a")

	require.NoError(t, svc.Flush())
	assert.Equal(t, map[model.GUID]string{a: "a", b: "b"}, crashCopy(t, path), "Flush saves job b at once")

	tick <- time.Time{} // b's window passes after Flush saved it
	require.NoError(t, <-saved)
	assert.Equal(t, map[model.GUID]string{a: "a", b: "b"}, crashCopy(t, path))

	c := batchedJob(t, app, "c")
	require.NoError(t, svc.Close())
	assert.Equal(t, map[model.GUID]string{a: "a", b: "b", c: "c"}, crashCopy(t, path), "Close saves job c")
}

// On the real clock, the background save happens by itself once the
// window has passed, without Flush.
func TestBatchedFileStoreSavesAfterTheWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bits.db")
	st := NewFileStore(path)
	st.Sync = Batched
	st.Window = time.Millisecond
	svc, err := New(Options{Clock: Manual, Store: st})
	require.NoError(t, err)
	defer func() { require.NoError(t, svc.Close()) }()
	saved := make(chan error, 1)
	svc.mu.Lock()
	svc.batch.saved = saved
	svc.mu.Unlock()
	app, err := svc.StartApp("app", model.LocalSystem)
	require.NoError(t, err)
	a := batchedJob(t, app, "a")
	select {
	case err := <-saved:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		require.FailNow(t, "no background save a minute after a 1 ms window")
	}
	assert.Equal(t, map[model.GUID]string{a: "a"}, crashCopy(t, path))
}

// A background save that fails loses nothing: the change stays unsaved,
// Flush reports the failure while the disk refuses, and saves the change
// once it accepts again.
func TestBatchedFileStoreFailedSaveIsRetried(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	require.NoError(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "bits.db")
	svc, tick, saved := batchedService(t, path)
	app, err := svc.StartApp("app", model.LocalSystem)
	require.NoError(t, err)
	a := batchedJob(t, app, "a")

	require.NoError(t, os.RemoveAll(dir)) // the disk refuses: no directory for the temporary file
	tick <- time.Time{}
	err = <-saved
	require.Error(t, err)
	assert.ErrorContains(t, err, path)
	err = svc.Flush()
	require.Error(t, err, "Flush reports that job a is not saved")
	assert.ErrorContains(t, err, path)

	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, svc.Flush())
	assert.Equal(t, map[model.GUID]string{a: "a"}, crashCopy(t, path))
	go func() { tick <- time.Time{} }() // the retry the failure armed
	require.NoError(t, <-saved, "the retry finds nothing left to save")
	require.NoError(t, svc.Close())
}

// Restart saves synchronously on a batched store too: nothing is lost.
func TestBatchedFileStoreRestartSaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bits.db")
	svc, _, _ := batchedService(t, path)
	app, err := svc.StartApp("app", model.LocalSystem)
	require.NoError(t, err)
	a := batchedJob(t, app, "a")
	require.NoError(t, svc.Restart())
	assert.Equal(t, map[model.GUID]string{a: "a"}, crashCopy(t, path), "Restart saved job a")
	require.NoError(t, svc.Close())
}

func TestFileStoreSyncSettings(t *testing.T) {
	st := NewFileStore("/x/bits.db")
	w, err := st.BatchWindow()
	require.NoError(t, err)
	assert.Zero(t, w, "PerCall, the default, saves before each call returns")
	st.Sync = Batched
	w, err = st.BatchWindow()
	require.NoError(t, err)
	assert.Equal(t, DefaultBatchWindow, w)
	st.Window = time.Second
	w, err = st.BatchWindow()
	require.NoError(t, err)
	assert.Equal(t, time.Second, w)

	for _, bad := range []*FileStore{
		{path: filepath.Join(t.TempDir(), "neg.db"), Sync: Batched, Window: -time.Second},
		{path: filepath.Join(t.TempDir(), "mode.db"), Sync: SyncMode(7)},
	} {
		svc, err := New(Options{Clock: Manual, Store: bad})
		require.Error(t, err)
		assert.Nil(t, svc)
		assert.ErrorIs(t, err, model.E_INVALIDARG)
		assert.ErrorContains(t, err, bad.path)
		again, err := New(Options{Clock: Manual, Store: NewFileStore(bad.path)})
		require.NoError(t, err, "the failed New released the lock")
		require.NoError(t, again.Close())
	}
	assert.Equal(t, "PerCall", PerCall.String())
	assert.Equal(t, "Batched", Batched.String())
	assert.Equal(t, "SyncMode(7)", SyncMode(7).String())
}

func TestFlushOnOtherStores(t *testing.T) {
	for _, st := range []Store{NewMemoryStore(), NewFileStore(filepath.Join(t.TempDir(), "bits.db"))} {
		svc, err := New(Options{Clock: Manual, Store: st})
		require.NoError(t, err)
		assert.NoError(t, svc.Flush(), "%v: every acknowledged change is already saved", st)
		require.NoError(t, svc.Close())
		require.NoError(t, svc.Close(), "a second Close does nothing")
		assert.ErrorIs(t, svc.Flush(), ErrClosed, "and leaves the service answering")
	}
}
