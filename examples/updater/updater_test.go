package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
	"github.com/bitssim/bitssim/simtest"
)

const (
	updateURL = "https://updates.example/app-1.2.3.msi"
	out       = `C:\Updates\app.msi`
)

// memStore is a Store in memory that can be told to fail.
type memStore struct {
	mu         sync.Mutex
	installed  []string
	failed     []string
	failRecord int // how many Record calls fail before one succeeds
}

func (s *memStore) Installed(version string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.installed, version), nil
}

func (s *memStore) Record(version, path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failRecord > 0 {
		s.failRecord--
		return fmt.Errorf("disk full")
	}
	s.installed = append(s.installed, version)
	return nil
}

func (s *memStore) Failed(version string, jobErr model.JobError) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = append(s.failed, version+": "+jobErr.Code.Name())
	return nil
}

func (s *memStore) Installs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.installed)
}

func (s *memStore) Failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.failed)
}

// world is what every test starts from: a simulated BITS service, the
// updater running as app "updater" of alice with the COM class
// "UpdaterClass" as its callback CLSID, and its store.
type world struct {
	svc   *simtest.Service
	app   *sim.App
	u     *Updater
	store *memStore
}

// newWorld sets the world up on a clock, with a remote for updateURL.
func newWorld(t *testing.T, r sim.Remote, opts ...simtest.Option) *world {
	w := &world{svc: simtest.New(t, opts...), store: &memStore{}}
	w.svc.Remote(updateURL, r)
	clsid := simtest.ClassID("UpdaterClass")
	w.svc.Class("UpdaterClass", func(host *sim.App) (any, error) {
		return New(host, w.store, clsid).Handler(), nil
	})
	w.app = w.svc.App("updater", "alice")
	w.u = New(w.app, w.store, clsid)
	return w
}

// download starts the update and names its job "update".
func (w *world) download(t *testing.T) model.Job {
	t.Helper()
	job, err := w.u.Download("1.2.3", updateURL, out)
	require.NoError(t, err)
	w.svc.NameJob("update", job)
	return job
}

// onBothClocks runs the test on the manual and the automatic clock.
func onBothClocks(t *testing.T, test func(t *testing.T, clock simtest.Option)) {
	t.Run("manual", func(t *testing.T) { test(t, simtest.Clock(sim.Manual)) })
	t.Run("automatic", func(t *testing.T) { test(t, simtest.Clock(sim.Automatic)) })
}

// slow transfers 1 MiB at 64 KiB per virtual second: 16 seconds.
var slow = sim.Remote{Size: 1 << 20, Rate: 64 << 10}

func TestDownloadIsRecordedThenCompleted(t *testing.T) {
	onBothClocks(t, func(t *testing.T, clock simtest.Option) {
		w := newWorld(t, sim.Remote{Size: 4096}, clock)
		job := w.download(t)
		w.svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
		assert.Equal(t, []string{"1.2.3"}, w.store.Installs())
		w.svc.Expect("update JobTransferred -> updater x1", "update no JobError", "update no JobTransferred -> UpdaterClass")
	})
}

func TestTransientThenFatalIsRecordedAndCancelled(t *testing.T) {
	onBothClocks(t, func(t *testing.T, clock simtest.Option) {
		r, err := sim.Sequence(4096, 503, 503, 404)
		require.NoError(t, err)
		w := newWorld(t, r, clock)
		job := w.download(t)
		w.svc.AwaitState(job, model.BG_JOB_STATE_TRANSIENT_ERROR)
		w.svc.Advance(10 * time.Minute) // BITS's default MinimumRetryDelay
		w.svc.Expect("update state TRANSIENT_ERROR", "update no JobError")
		w.svc.Advance(10 * time.Minute)
		w.svc.AwaitState(job, model.BG_JOB_STATE_CANCELLED)
		assert.Equal(t, []string{"1.2.3: BG_E_HTTP_ERROR_404"}, w.store.Failures())
		w.svc.Expect("update JobError -> updater x1", "update no JobTransferred")
	})
}

func TestUpdaterCrashesMidDownloadAndItsCLSIDTakesOver(t *testing.T) {
	onBothClocks(t, func(t *testing.T, clock simtest.Option) {
		w := newWorld(t, slow, clock)
		job := w.download(t)
		w.svc.AwaitState(job, model.BG_JOB_STATE_TRANSFERRING)
		w.app.Crash()
		w.svc.Advance(time.Minute)
		w.svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
		assert.Equal(t, []string{"1.2.3"}, w.store.Installs())
		w.svc.Expect("update JobTransferred -> updater x1 failed", "update JobTransferred -> UpdaterClass#1 x1")
	})
}

func TestServiceRestartsAndTheUpdaterReattaches(t *testing.T) {
	onBothClocks(t, func(t *testing.T, clock simtest.Option) {
		w := newWorld(t, slow, clock)
		job := w.download(t)
		w.svc.AwaitState(job, model.BG_JOB_STATE_TRANSFERRING)
		require.NoError(t, w.svc.Restart())
		w.svc.Expect("update interface none", "update clsid UpdaterClass")
		n, err := w.u.Reattach()
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		w.svc.Advance(time.Minute)
		w.svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
		w.svc.Expect("update JobTransferred -> updater x1", "update no JobTransferred -> UpdaterClass")
	})
}

func TestAFailedCallbackIsRetriedAndRecordsOnce(t *testing.T) {
	onBothClocks(t, func(t *testing.T, clock simtest.Option) {
		w := newWorld(t, sim.Remote{Size: 4096}, clock)
		w.store.failRecord = 1
		job := w.download(t)
		w.svc.AwaitEvent(0, simtest.Kind(model.EventJobTransferred), simtest.Failed())
		w.svc.Expect("update state TRANSFERRED")
		w.svc.Advance(10 * time.Minute) // the notification is retried after MinimumRetryDelay
		w.svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
		assert.Equal(t, []string{"1.2.3"}, w.store.Installs())
		w.svc.Expect("update JobTransferred -> updater x1 failed", "update JobTransferred -> updater x1")
	})
}

func TestASecondJobTransferredIsHarmless(t *testing.T) {
	onBothClocks(t, func(t *testing.T, clock simtest.Option) {
		w := newWorld(t, sim.Remote{Size: 4096}, clock)
		job := w.download(t)
		w.svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
		assert.NoError(t, w.u.Handler().JobTransferred(job), "delivery is at least once")
		assert.Equal(t, []string{"1.2.3"}, w.store.Installs())
	})
}

// The updater is correct under every reading of what the documentation
// leaves open: it crashes mid-download, its first attempt to record
// fails, the service restarts, and the update is still installed once.
func TestEveryReadingOfTheRulesInstallsOnce(t *testing.T) {
	simtest.ForEachVariant(t, func(t *testing.T, v rules.Selection) {
		onBothClocks(t, func(t *testing.T, clock simtest.Option) {
			w := newWorld(t, slow, clock, simtest.Variants(v))
			w.store.failRecord = 1
			job := w.download(t)
			w.svc.AwaitState(job, model.BG_JOB_STATE_TRANSFERRING)
			w.app.Crash()
			w.svc.Advance(time.Minute) // transferred; the CLSID's instance fails to record
			require.NoError(t, w.svc.Restart())
			w.svc.Advance(10 * time.Minute)
			w.svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
			assert.Equal(t, []string{"1.2.3"}, w.store.Installs())
		})
	})
}

func TestFileStoreKeepsWhatItRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "updates.json")
	s := NewFileStore(path)
	require.NoError(t, s.Record("1.2.3", out))
	require.NoError(t, s.Failed("1.2.4", model.JobError{Code: model.HTTPError(404)}))
	got, err := NewFileStore(path).Installed("1.2.3")
	require.NoError(t, err)
	assert.True(t, got)
	got, err = NewFileStore(path).Installed("1.2.4")
	require.NoError(t, err)
	assert.False(t, got)
}

// TestEveryTestBodyIsShort keeps the promise that a test of a BITS client
// written with simtest fits in 15 lines.
func TestEveryTestBodyIsShort(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "updater_test.go", nil, 0)
	require.NoError(t, err)
	tests := 0
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fn.Name.Name, "Test") {
			continue
		}
		tests++
		body := fset.Position(fn.Body.Rbrace).Line - fset.Position(fn.Body.Lbrace).Line - 1
		assert.LessOrEqual(t, body, 15, "%s has %d lines", fn.Name.Name, body)
	}
	assert.GreaterOrEqual(t, tests, 8)
}
