package sim

import (
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// soakLifecycles sets the soak test's length: go test ./sim -run TestSoak
// -v -args -soak=1000000 (about a minute). Without it the soak test runs a
// short round (2,000 lifecycles; 400 with -short).
var soakLifecycles = flag.Int("soak", 0, "lifecycles of TestSoakAutomaticClockWithChaos (0: the short default)")

// soakClass is the notification CLSID of the soak test's jobs.
var soakClass = model.MustParseGUID("{5A0C5A0C-0000-4000-8000-00000000050A}")

// lifecycleRig runs job lifecycles on a service: an app starts, creates a
// job with one file and the notification CLSID, resumes it and (now and
// then) crashes; the class's instance completes the job from
// JobTransferred; the app's job is then acknowledged. Chaos: activations
// and callbacks fail now and then (BITS retries), and some jobs use a
// command line instead, whose handler completes the job.
type lifecycleRig struct {
	s     *Service
	admin *App // completes jobs for the command-line handler
	mu    sync.Mutex
	done  map[model.GUID]chan struct{}
	rng   *rand.Rand
	chaos bool
}

func newLifecycleRig(tb testing.TB, opts Options, chaos bool) *lifecycleRig {
	s, err := New(opts)
	require.NoError(tb, err)
	r := &lifecycleRig{s: s, done: map[model.GUID]chan struct{}{}, rng: rand.New(rand.NewSource(42)), chaos: chaos}
	r.admin, err = s.StartApp("completer", model.LocalSystem)
	require.NoError(tb, err)
	require.NoError(tb, s.RegisterClass(soakClass, func(host *App) (any, error) {
		if r.chance(5) {
			return nil, errors.New("chaos: the server does not start")
		}
		return &model.CallbackFuncs{OnJobTransferred: func(j model.Job) error {
			if r.chance(5) {
				return errors.New("chaos: the callback fails")
			}
			if _, err := j.Complete(); err != nil {
				return err // e.g. a restart disconnected the job: redelivered
			}
			r.finished(j.GetId())
			return nil
		}}, nil
	}))
	s.SetCommandHandler(func(l Launch) (int, error) {
		if r.chance(5) {
			return 1, nil // chaos: the program fails
		}
		j, err := r.admin.GetJob(l.Job)
		if err != nil {
			return 2, nil
		}
		if _, err := j.Complete(); err != nil {
			return 3, nil
		}
		r.finished(l.Job)
		return 0, nil
	})
	return r
}

func (r *lifecycleRig) chance(percent int) bool {
	if !r.chaos {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rng.Intn(100) < percent
}

func (r *lifecycleRig) finished(id model.GUID) {
	r.mu.Lock()
	ch := r.done[id]
	delete(r.done, id)
	r.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// run does one lifecycle as user and returns when the job is acknowledged.
func (r *lifecycleRig) run(tb testing.TB, i int, user model.Account) {
	app, err := r.s.StartApp(fmt.Sprintf("app%d", i), user)
	require.NoError(tb, err)
	j, err := app.CreateJob("soak", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(tb, err)
	require.NoError(tb, j.AddFile("https://soak.test/f", `C:\soak\f`))
	if i%10 == 3 {
		require.NoError(tb, j.SetNotifyCmdLine(`C:\soak\notify.exe`, "notify.exe"))
	} else {
		require.NoError(tb, j.SetNotifyCLSID(soakClass))
	}
	ch := make(chan struct{})
	r.mu.Lock()
	r.done[j.GetId()] = ch
	r.mu.Unlock()
	require.NoError(tb, j.Resume())
	if r.chance(10) {
		app.Crash()
	} else {
		app.Exit()
	}
	select {
	case <-ch:
	case <-time.After(time.Minute):
		st, _ := j.GetState()
		require.FailNow(tb, "lost", "lifecycle %d: job %v never completed (state %v)", i, j.GetId(), st)
	}
}

// sizes are the service's tables that could grow with the lifecycles.
type sizes struct{ apps, jobs, timers, launches, callers, inFlight, activations int }

func (r *lifecycleRig) sizes() sizes {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return sizes{len(s.apps), len(s.jobs), s.timers.len(), len(s.launches), len(s.callers), len(s.inFlight), len(s.activations)}
}

func heapInUse() uint64 { // live heap bytes after a collection
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// The soak test: the automatic clock runs N lifecycles with chaos (failing
// activations, callbacks and programs, crashing apps, service restarts);
// every job completes (nothing lost), the service's tables stay bounded and
// the heap flat, and Close leaves no goroutine (TestMain checks).
func TestSoakAutomaticClockWithChaos(t *testing.T) {
	n := *soakLifecycles
	if n == 0 {
		n = 2000
		if testing.Short() {
			n = 400
		}
	}
	r := newLifecycleRig(t, Options{Clock: Automatic, Speed: MaxSpeed, Seed: 3, TraceLimit: 1000, LaunchLimit: 100}, true)
	defer r.s.Close()
	users := []model.Account{{Name: "alice"}, {Name: "Bob"}, {Name: "carol"}, {Name: "dave"}}
	const workers = 4
	var next atomic.Int64
	var heapAtQuarter uint64
	var quarter sync.Once
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || t.Failed() {
					return
				}
				if i == n/4 {
					quarter.Do(func() { heapAtQuarter = heapInUse() })
				}
				if i%500 == 250 {
					assert.NoError(t, r.s.Restart(), "restart at lifecycle %d", i)
				}
				r.run(t, i, users[w])
			}
		}(w)
	}
	wg.Wait()
	require.False(t, t.Failed())
	end := heapInUse()
	sz := r.sizes()
	t.Logf("%d lifecycles: heap %d KiB at a quarter, %d KiB at the end; tables %+v", n, heapAtQuarter>>10, end>>10, sz)
	assert.Zero(t, sz.jobs, "every job acknowledged")
	assert.LessOrEqual(t, sz.apps, 128, "ended apps and servers are forgotten")
	assert.LessOrEqual(t, sz.launches, 200, "launches are capped by LaunchLimit (twice the limit before a trim)")
	assert.LessOrEqual(t, sz.callers, 64)
	assert.LessOrEqual(t, sz.activations, 1, "one class")
	assert.Less(t, end, heapAtQuarter+heapAtQuarter/2+4<<20, "the heap stays flat")
}

// BenchmarkLifecycleHeap runs b.N lifecycles on the manual clock under the
// long-running settings (TraceLimit and the default LaunchLimit) and
// reports the live heap after them: run it with -benchtime=10000x and
// -benchtime=1000000x and compare heap-KiB, which stays flat.
func BenchmarkLifecycleHeap(b *testing.B) {
	r := newLifecycleRig(b, Options{Clock: Manual, Seed: 3, TraceLimit: 1000}, false)
	defer r.s.Close()
	user := model.Account{Name: "alice"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		app, err := r.s.StartApp(fmt.Sprintf("app%d", i), user)
		require.NoError(b, err)
		j, err := app.CreateJob("bench", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(b, err)
		require.NoError(b, j.AddFile("https://soak.test/f", `C:\soak\f`))
		if i%2 == 1 {
			require.NoError(b, j.SetNotifyCmdLine(`C:\soak\notify.exe`, "notify.exe"))
		} else {
			require.NoError(b, j.SetNotifyCLSID(soakClass))
		}
		require.NoError(b, j.Resume())
		app.Exit()
		require.NoError(b, r.s.RunUntilIdle())
	}
	b.StopTimer()
	require.Empty(b, r.s.jobs, "every job acknowledged")
	b.ReportMetric(float64(heapInUse()>>10), "heap-KiB")
}
