package sim_test

// The concurrency stress test: 64 goroutines do random operations on one
// automatic-clock service for 10 seconds of wall time, with callbacks that
// fail, panic and call back into their job, apps that exit and crash,
// ownership taken by an administrator and service restarts; then the
// invariants are checked. Run it with -race.

import (
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

const (
	stressGoroutines = 64
	// stressDuration is the one real-time bound of the test: how long the
	// goroutines keep drawing operations.
	stressDuration = 10 * time.Second
	// stressMargin is how much longer the goroutines, the end of the
	// callbacks and Close may take before the watchdog calls it a deadlock.
	stressMargin = 60 * time.Second
	// stressMaxOwnJobs bounds the jobs one goroutine drives at a time.
	stressMaxOwnJobs = 6
)

var (
	stressUsers = []model.Account{
		{Name: "alice"}, {Name: "bob"}, {Name: "carol"},
		{Name: "root", Kind: model.AccountAdministrator},
	}
	stressAdmin = model.Account{Name: "stress-admin", Kind: model.AccountAdministrator}
	// Classes: one that works, one whose factory fails, one whose factory
	// panics, and one never registered.
	stressClassOK      = model.MustParseGUID("{5A000000-0000-4000-8000-000000000001}")
	stressClassFails   = model.MustParseGUID("{5A000000-0000-4000-8000-000000000002}")
	stressClassPanics  = model.MustParseGUID("{5A000000-0000-4000-8000-000000000003}")
	stressClassMissing = model.MustParseGUID("{5A000000-0000-4000-8000-000000000004}")
	stressCLSIDs       = []model.GUID{stressClassOK, stressClassFails, stressClassPanics, stressClassMissing, {}}
)

// stressRun is what the goroutines share.
type stressRun struct {
	t     *testing.T
	svc   *sim.Service
	admin *sim.App // an administrator app that never ends

	// Callbacks do their misbehaviour under cbGate.RLock while stopped is
	// false; the end of the test takes cbGate.Lock to wait for the ones in
	// progress and to make later ones do nothing.
	cbGate  sync.RWMutex
	stopped bool

	failures atomic.Int32
	ops      atomic.Int64
	calls    atomic.Int64
}

// errorf reports a failure from any goroutine; after 20 it stays quiet.
func (r *stressRun) errorf(format string, args ...any) {
	if n := r.failures.Add(1); n <= 20 {
		r.t.Errorf(format, args...)
	} else if n == 21 {
		r.t.Errorf("more failures follow; not reported")
	}
}

// checkErr reports an error of the model API that carries no failure
// HRESULT: bad input and calls in the wrong state must get one.
func (r *stressRun) checkErr(op string, err error) {
	if err == nil {
		return
	}
	var hr model.HRESULT
	if !errors.As(err, &hr) || hr.Succeeded() {
		r.errorf("%s: an error without a failure HRESULT: %v", op, err)
	}
}

// checkProgress reports impossible progress.
func (r *stressRun) checkProgress(op string, p model.JobProgress) {
	if p.FilesTransferred > p.FilesTotal {
		r.errorf("%s: FilesTransferred %d > FilesTotal %d", op, p.FilesTransferred, p.FilesTotal)
	}
	if p.BytesTotal != model.BG_SIZE_UNKNOWN && p.BytesTransferred > p.BytesTotal {
		r.errorf("%s: BytesTransferred %d > BytesTotal %d", op, p.BytesTransferred, p.BytesTotal)
	}
}

// callback returns a callback object that behaves as mode says; mode is
// drawn by the goroutine that registers it.
func (r *stressRun) callback(mode int) *model.CallbackFuncs {
	var calls atomic.Int64
	act := func(job model.Job) error {
		r.cbGate.RLock()
		defer r.cbGate.RUnlock()
		if r.stopped {
			return nil
		}
		r.calls.Add(1)
		n := calls.Add(1)
		switch mode {
		case 0: // succeeds
			return nil
		case 1: // fails for ever
			return model.E_FAIL
		case 2: // fails every other call
			if n%2 == 1 {
				return model.HTTPError(500)
			}
			return nil
		case 3: // panics on the first call, with an error or not
			if n == 1 {
				panic(fmt.Sprintf("stress callback panic %d", n))
			}
			if n == 2 {
				panic(model.S_OK)
			}
			return nil
		case 4: // completes the job, as the documentation's sample does
			_, err := job.Complete()
			r.checkErr("Complete in a callback", err)
			return nil
		case 5: // reads the job
			p, err := job.GetProgress()
			r.checkErr("GetProgress in a callback", err)
			r.checkProgress("GetProgress in a callback", p)
			_, err = job.GetState()
			r.checkErr("GetState in a callback", err)
			_, err = job.EnumFiles()
			r.checkErr("EnumFiles in a callback", err)
			return nil
		case 6: // changes the job
			r.checkErr("SetDescription in a callback", job.SetDescription(fmt.Sprintf("call %d", n)))
			r.checkErr("SetPriority in a callback", job.SetPriority(model.JobPriority(n%4)))
			if n%3 == 0 {
				r.checkErr("Resume in a callback", job.Resume())
			}
			return nil
		case 7: // cancels the job
			r.checkErr("Cancel in a callback", job.Cancel())
			return nil
		case 8: // restarts the service, now and then
			if n%5 == 1 {
				if err := r.svc.Restart(); err != nil {
					r.errorf("Restart in a callback: %v", err)
				}
			}
			return nil
		}
		return nil
	}
	return &model.CallbackFuncs{
		OnJobTransferred:  act,
		OnJobError:        func(j model.Job, _ model.JobError) error { return act(j) },
		OnJobModification: act,
		OnFileTransferred: func(j model.Job, _ model.File) error { return act(j) },
		OnFileRangesTransferred: func(j model.Job, _ model.File, _ []model.FileRange) error {
			return act(j)
		},
	}
}

// stressWorker is one goroutine's state.
type stressWorker struct {
	r    *stressRun
	g    int
	rng  *rand.Rand
	user model.Account
	app  *sim.App
	jobs []model.Job
	urls int
}

func (w *stressWorker) startApp() {
	app, err := w.r.svc.StartApp(fmt.Sprintf("g%02d", w.g), w.user)
	if err != nil {
		w.r.errorf("goroutine %d: StartApp: %v", w.g, err)
		return
	}
	w.app = app
	// Pick up some of the user's jobs (other goroutines' too).
	jobs, err := app.EnumJobs(0)
	w.r.checkErr("EnumJobs", err)
	w.rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	w.jobs = jobs[:min(len(jobs), stressMaxOwnJobs/2)]
}

// job draws one of the goroutine's jobs, or nil.
func (w *stressWorker) job() model.Job {
	if len(w.jobs) == 0 {
		return nil
	}
	return w.jobs[w.rng.Intn(len(w.jobs))]
}

// forget drops job from the goroutine's list.
func (w *stressWorker) forget(job model.Job) {
	for i, j := range w.jobs {
		if j == job {
			w.jobs = append(w.jobs[:i], w.jobs[i+1:]...)
			return
		}
	}
}

// remote scripts a new URL at random.
func (w *stressWorker) remote() string {
	w.urls++
	url := fmt.Sprintf("https://stress.test/g%02d/%d.bin", w.g, w.urls)
	var rem sim.Remote
	switch k := w.rng.Intn(20); {
	case k < 12:
		rem = sim.Remote{Size: uint64(1 + w.rng.Intn(4096))}
	case k < 14:
		rem = sim.Remote{Size: 64 << 10, Rate: 16 << 10} // 4 virtual seconds
	case k < 16:
		rem = sim.Unavailable(1+w.rng.Intn(3), 2048)
	case k < 18:
		rem = sim.Remote{Size: 1024, Latency: time.Duration(1+w.rng.Intn(30)) * time.Second}
	case k < 19:
		rem = sim.HTTPStatus(503, 2048) // transient for ever
	default:
		rem = sim.NotFound()
	}
	if err := w.r.svc.SetRemote(url, rem); err != nil {
		w.r.errorf("SetRemote(%s): %v", url, err)
	}
	return url
}

// check checks the error of a call on job, and forgets the job when the
// error says that it is final, gone, or no longer the user's.
func (w *stressWorker) check(op string, job model.Job, err error) {
	w.r.checkErr(op, err)
	if errors.Is(err, model.BG_E_INVALID_STATE) || errors.Is(err, model.BG_E_NOT_FOUND) ||
		errors.Is(err, model.E_ACCESSDENIED) || errors.Is(err, model.BG_E_TOO_MANY_FILES) {
		if st, serr := job.GetState(); serr != nil || st.IsFinal() || errors.Is(err, model.BG_E_TOO_MANY_FILES) {
			w.forget(job)
		}
	}
}

// step does one random operation.
func (w *stressWorker) step() {
	r := w.r
	r.ops.Add(1)
	if !w.app.Alive() {
		w.startApp()
		return
	}
	job := w.job()
	op := w.rng.Intn(100)
	if job == nil && op >= 10 && op < 90 {
		op = 0
	}
	switch {
	case op < 10: // create
		if len(w.jobs) >= stressMaxOwnJobs {
			j := w.jobs[0]
			r.checkErr("Cancel", j.Cancel())
			w.forget(j)
			return
		}
		typ := model.BG_JOB_TYPE_DOWNLOAD
		if w.rng.Intn(5) == 0 {
			typ = model.JobType(1 + w.rng.Intn(2))
		}
		j, err := w.app.CreateJob(fmt.Sprintf("g%02d job", w.g), typ)
		r.checkErr("CreateJob", err)
		if err == nil {
			w.jobs = append(w.jobs, j)
			r.checkErr("SetMinimumRetryDelay", j.SetMinimumRetryDelay(time.Duration(5+w.rng.Intn(60))*time.Second))
			if w.rng.Intn(2) == 0 {
				// Foreground jobs transfer at once; the others take turns
				// in the one background slot.
				r.checkErr("SetPriority", j.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND))
			}
		}
	case op < 22: // files, and resume
		n := 1 + w.rng.Intn(2)
		files := make([]model.FileInfo, n)
		for i := range files {
			files[i] = model.FileInfo{RemoteName: w.remote(), LocalName: fmt.Sprintf(`C:\stress\g%02d\%d.bin`, w.g, w.urls)}
		}
		if w.rng.Intn(10) == 0 {
			files[0].LocalName = "relative.bin" // bad input
		}
		w.check("AddFileSet", job, job.AddFileSet(files))
		if w.rng.Intn(2) == 0 {
			w.check("Resume", job, job.Resume())
		}
	case op < 30: // callback object
		if w.rng.Intn(4) == 0 {
			w.check("SetNotifyInterface(nil)", job, job.SetNotifyInterface(nil))
		} else {
			w.check("SetNotifyInterface", job, job.SetNotifyInterface(r.callback(w.rng.Intn(9))))
		}
	case op < 34: // flags
		flags := model.NotifyFlags(w.rng.Intn(0x40))
		if w.rng.Intn(10) == 0 {
			flags |= 0x100 // not a flag
		}
		w.check("SetNotifyFlags", job, job.SetNotifyFlags(flags))
	case op < 38: // CLSID
		w.check("SetNotifyCLSID", job, job.SetNotifyCLSID(stressCLSIDs[w.rng.Intn(len(stressCLSIDs))]))
	case op < 42: // command line
		if w.rng.Intn(3) == 0 {
			w.check("SetNotifyCmdLine(clear)", job, job.SetNotifyCmdLine("", ""))
		} else {
			w.check("SetNotifyCmdLine", job, job.SetNotifyCmdLine(`C:\stress\notify.exe`, fmt.Sprintf("notify.exe %d", w.rng.Intn(100))))
		}
	case op < 56: // state changes
		switch w.rng.Intn(6) {
		case 0, 1, 2:
			w.check("Resume", job, job.Resume())
		case 3:
			w.check("Suspend", job, job.Suspend())
		case 4:
			w.check("Cancel", job, job.Cancel())
		case 5:
			_, err := job.Complete()
			w.check("Complete", job, err)
		}
	case op < 60: // other properties
		w.check("SetPriority", job, job.SetPriority(model.JobPriority(w.rng.Intn(4))))
		w.check("SetDisplayName", job, job.SetDisplayName(strings.Repeat("x", w.rng.Intn(300)))) // "" and > 256 are bad
		w.check("SetNoProgressTimeout", job, job.SetNoProgressTimeout(time.Duration(w.rng.Intn(3600))*time.Second))
	case op < 80: // reads
		st, err := job.GetState()
		r.checkErr("GetState", err)
		p, err := job.GetProgress()
		r.checkErr("GetProgress", err)
		r.checkProgress("GetProgress", p)
		files, err := job.EnumFiles()
		r.checkErr("EnumFiles", err)
		for _, f := range files {
			fp, err := f.GetProgress()
			r.checkErr("File.GetProgress", err)
			if err == nil && fp.BytesTotal != model.BG_SIZE_UNKNOWN && fp.BytesTransferred > fp.BytesTotal {
				r.errorf("File.GetProgress: BytesTransferred %d > BytesTotal %d", fp.BytesTransferred, fp.BytesTotal)
			}
		}
		_, err = job.GetError()
		r.checkErr("GetError", err)
		_, err = job.GetTimes()
		r.checkErr("GetTimes", err)
		_, err = job.GetNotifyInterface()
		r.checkErr("GetNotifyInterface", err)
		if err != nil || st.IsFinal() {
			w.forget(job) // final, taken by another user, or this app ended
		}
	case op < 86: // the manager
		_, err := w.app.EnumJobs(0)
		r.checkErr("EnumJobs", err)
		if w.user.Kind == model.AccountAdministrator {
			_, err = w.app.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
			r.checkErr("EnumJobs(ALL_USERS)", err)
		}
		_, err = w.app.GetJob(job.GetId())
		r.checkErr("GetJob", err)
		_ = r.svc.TraceSince(uint64(w.rng.Int63n(1 << 20)))
		_ = r.svc.Pending()
		_ = r.svc.InFlight(w.user.Name)
	case op < 90: // the administrator takes a job over, or ends it
		all, err := r.admin.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
		r.checkErr("admin EnumJobs", err)
		// Keep the machine under its 300-job limit, for the users' sake:
		// jobs of ended apps are left behind.
		for len(all) > 200 {
			k := w.rng.Intn(len(all))
			r.checkErr("admin Cancel", all[k].Cancel())
			all = append(all[:k], all[k+1:]...)
		}
		if len(all) > 0 {
			j := all[w.rng.Intn(len(all))]
			switch w.rng.Intn(4) {
			case 0, 1:
				r.checkErr("TakeOwnership", j.TakeOwnership())
			case 2:
				r.checkErr("admin Cancel", j.Cancel())
			case 3:
				r.checkErr("admin Resume", j.Resume())
			}
		}
	case op < 96: // the app ends, now and then
		if w.rng.Intn(10) != 0 {
			return
		}
		if w.rng.Intn(2) == 0 {
			w.app.Exit()
		} else {
			w.app.Crash()
		}
		w.jobs = nil
	case op < 98: // the class registry changes
		if w.rng.Intn(2) == 0 {
			r.svc.UnregisterClass(stressClassOK)
		} else if err := r.svc.RegisterClass(stressClassOK, stressFactory(r)); err != nil {
			r.errorf("RegisterClass: %v", err)
		}
	default: // the service restarts, now and then
		if w.rng.Intn(10) == 0 {
			if err := r.svc.Restart(); err != nil {
				r.errorf("Restart: %v", err)
			}
		}
	}
}

// run draws operations until the deadline, reporting any panic.
func (w *stressWorker) run(deadline time.Time) {
	for time.Now().Before(deadline) {
		func() {
			defer func() {
				if p := recover(); p != nil {
					w.r.errorf("goroutine %d: panic: %v\n%s", w.g, p, debug.Stack())
				}
			}()
			w.step()
		}()
		runtime.Gosched() // let the service's own goroutines in
	}
}

func stressFactory(r *stressRun) sim.ClassFactory {
	var n atomic.Int64
	return func(*sim.App) (any, error) { return r.callback(int(n.Add(1) % 9)), nil }
}

// stressWatch runs fn and waits for it at most d; past that it fails the
// test with the stack of every goroutine: a deadlock.
func stressWatch(t *testing.T, what string, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		buf := make([]byte, 1<<20)
		for {
			n := runtime.Stack(buf, true)
			if n < len(buf) {
				buf = buf[:n]
				break
			}
			buf = make([]byte, 2*len(buf))
		}
		t.Fatalf("deadlock: %s did not finish within %v; goroutines:\n%s", what, d, buf)
	}
}

// 64 goroutines do random operations on one automatic-clock service for 10
// seconds: no panic escapes, nothing deadlocks, and afterwards every job
// an administrator lists is in a state that is listed, progress is
// consistent, the trace is in order, Close returns and every callback has
// given back its slot. Run it with -race; TestMain checks that no
// goroutine of the service is left.
//
// Rules: STATE-FINAL-NOT-ENUMERATED, SEC-ENUM-ALL-ADMIN
func TestStress(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 10 seconds")
	}
	svc, err := sim.New(sim.Options{Clock: sim.Automatic, Speed: 1000, Seed: 64})
	require.NoError(t, err)
	closed := false
	defer func() {
		if !closed {
			svc.Close() // after a failure; a deadlock has already failed the test
		}
	}()
	r := &stressRun{t: t, svc: svc}
	r.admin, err = svc.StartApp("stress-admin", stressAdmin)
	require.NoError(t, err)
	require.NoError(t, svc.RegisterClass(stressClassOK, stressFactory(r)))
	require.NoError(t, svc.RegisterClass(stressClassFails, func(*sim.App) (any, error) {
		return nil, errors.New("the server failed to start")
	}))
	require.NoError(t, svc.RegisterClass(stressClassPanics, func(*sim.App) (any, error) { panic("the server crashed") }))
	var launches atomic.Int64
	svc.SetCommandHandler(func(l sim.Launch) (int, error) {
		switch launches.Add(1) % 7 {
		case 0:
			return 0, fmt.Errorf("%s: %w", l.Program, model.HRESULTFromWin32(2)) // not found
		case 1:
			panic("the program crashed")
		case 2, 3:
			return 1, nil
		}
		return 0, nil
	})

	deadline := time.Now().Add(stressDuration)
	stressWatch(t, "the 64 goroutines", stressDuration+stressMargin, func() {
		var wg sync.WaitGroup
		for g := range stressGoroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := &stressWorker{r: r, g: g, rng: rand.New(rand.NewSource(int64(1000 + g))), user: stressUsers[g%len(stressUsers)]}
				w.startApp()
				if w.app != nil {
					w.run(deadline)
				}
			}()
		}
		wg.Wait()
	})
	// Wait for the callbacks in progress; later ones do nothing, so no
	// client changes a job any more.
	stressWatch(t, "the callbacks in progress", stressMargin, func() {
		r.cbGate.Lock()
		r.stopped = true
		r.cbGate.Unlock()
	})

	// Every job an administrator lists is in a listed (not final) state,
	// with consistent progress.
	all, err := r.admin.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	require.NoError(t, err)
	listed := map[model.GUID]bool{}
	for _, j := range all {
		listed[j.GetId()] = true
		st, err := j.GetState()
		require.NoError(t, err)
		assert.False(t, st.IsFinal(), "job %v is listed in state %v", j.GetId(), st)
		p, err := j.GetProgress()
		require.NoError(t, err)
		r.checkProgress("GetProgress at the end", p)
	}
	// Each user's own list is part of the administrator's.
	for _, u := range stressUsers {
		app, err := svc.StartApp("check-"+u.Name, u)
		require.NoError(t, err)
		own, err := app.EnumJobs(0)
		require.NoError(t, err)
		for _, j := range own {
			assert.True(t, listed[j.GetId()], "%s lists job %v, which the administrator does not", u.Name, j.GetId())
		}
	}

	// The trace is in order and holds only known kinds of event.
	trace := svc.Trace()
	kinds := map[model.EventKind]bool{}
	for _, k := range model.EventKinds() {
		kinds[k] = true
	}
	for i, e := range trace {
		if !kinds[e.Kind] {
			t.Errorf("event %v has an unknown kind", e)
		}
		if e.Target.Kind < model.TargetObject || e.Target.Kind > model.TargetCommandLine {
			t.Errorf("event %v has an unknown target", e)
		}
		if i > 0 && (e.Seq <= trace[i-1].Seq || e.Time.Before(trace[i-1].Time)) {
			t.Errorf("event %v follows %v", e, trace[i-1])
		}
	}

	stressWatch(t, "Close", stressMargin, func() {
		assert.NoError(t, svc.Close())
	})
	closed = true
	for _, u := range stressUsers {
		assert.Equal(t, 0, svc.InFlight(u.Name), "%s's callbacks have all returned", u.Name)
	}
	_, err = r.admin.CreateJob("after Close", model.BG_JOB_TYPE_DOWNLOAD)
	assert.ErrorIs(t, err, sim.ErrClosed)
	t.Logf("%d operations, %d callback calls, %d command lines, %d events, %d jobs left",
		r.ops.Load(), r.calls.Load(), launches.Load(), len(trace), len(all))
}
