package harness

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bitssim/bitssim/model"
)

// Trace collects what receivers observed. It is safe for concurrent use.
type Trace struct {
	mu     sync.Mutex
	now    func() time.Time
	seq    uint64
	events []model.Event
	limit  int         // SetLimit
	none   atomic.Bool // limit < 0: Add numbers events without reading the clock
}

// SetLimit keeps only the last n events (0: all of them; negative: none),
// as sim.Options.TraceLimit does for the simulator's own trace; events
// keep their numbers.
func (t *Trace) SetLimit(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.limit = n
	t.none.Store(n < 0)
	t.trim()
}

// trim applies the limit, keeping up to twice as many events between
// trims so that Add stays cheap; t.mu is held.
func (t *Trace) trim() {
	switch {
	case t.limit < 0:
		clear(t.events)
		t.events = t.events[:0]
	case t.limit > 0 && len(t.events) >= 2*t.limit:
		n := copy(t.events, t.events[len(t.events)-t.limit:])
		clear(t.events[n:])
		t.events = t.events[:n]
	}
}

// NewTrace returns an empty trace that stamps events with now().
func NewTrace(now func() time.Time) *Trace { return &Trace{now: now} }

// Add appends e, numbering it and stamping its time.
func (t *Trace) Add(e model.Event) {
	if t.none.Load() { // kept by none (a runner that reads the service's own trace): no time to ask for
		t.mu.Lock()
		defer t.mu.Unlock()
		t.seq++
		return
	}
	when := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	e.Seq = t.seq
	e.Time = when
	if t.limit < 0 {
		return
	}
	t.events = append(t.events, e)
	t.trim()
}

// Events returns a copy of the events so far.
func (t *Trace) Events() []model.Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	evs := t.events
	if t.limit > 0 && len(evs) > t.limit {
		evs = evs[len(evs)-t.limit:]
	}
	return append([]model.Event(nil), evs...)
}

// Recorder is a callback object that records every call it receives in a
// Trace and answers as its Behavior says. By itself it implements every
// callback interface, as a real IBackgroundCopyCallback3 object would;
// Object gives it the interfaces Behavior.Interface names.
//
// What it records comes from the call: the job and file it was called
// about (read from the handles BITS passed), the ranges, and the answer it
// gave. The user is the account of the process the recorder lives in, as
// given to NewRecorder; a backend that knows as which user it made each
// call (the simulator does) reports that instead (see SimBackend.Trace).
type Recorder struct {
	target model.Target
	user   model.Account
	b      Behavior
	trace  *Trace

	mu    sync.Mutex
	calls int // retried calls so far, for FailFirst
}

// NewRecorder returns a recorder that records calls as target, in a
// process running as user.
func NewRecorder(trace *Trace, target model.Target, user model.Account, b Behavior) *Recorder {
	return &Recorder{target: target, user: user, b: b, trace: trace}
}

// Target is who the recorder is in the trace.
func (r *Recorder) Target() model.Target { return r.target }

// Object returns the recorder as an object with the callback interfaces
// its Behavior.Interface names: pass it to SetNotifyInterface.
func (r *Recorder) Object() model.Callback {
	switch r.b.Interface {
	case BasicInterface:
		return basicObject{r}
	case Callback2Interface:
		return callback2Object{basicObject{r}}
	}
	return r
}

type basicObject struct{ r *Recorder }

func (o basicObject) JobTransferred(job model.Job) error { return o.r.JobTransferred(job) }
func (o basicObject) JobError(job model.Job, e model.JobError) error {
	return o.r.JobError(job, e)
}
func (o basicObject) JobModification(job model.Job) error { return o.r.JobModification(job) }

type callback2Object struct{ basicObject }

func (o callback2Object) FileTransferred(job model.Job, file model.File) error {
	return o.r.FileTransferred(job, file)
}

func (r *Recorder) result(kind model.EventKind, file string, retried bool) model.HRESULT {
	return r.b.Result(kind, file, retried, func() int {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls++
		return r.calls
	})
}

// Result is the answer a callback object of this Behavior gives to a call
// of kind about the file with local name file ("" for none), without
// Answer, Block or Reenter: Files, then Results, then Fail, then FailFirst.
// retried says the call is one FailFirst counts (JobTransferred, JobError
// and FileTransferred); count is called only then, and returns the number
// of such calls so far, this one included.
func (b Behavior) Result(kind model.EventKind, file string, retried bool, count func() int) model.HRESULT {
	if hr, ok := b.Files[file]; ok && file != "" {
		return hr
	}
	if hr, ok := b.Results[kind]; ok {
		return hr
	}
	if b.Fail {
		return model.E_FAIL
	}
	if !retried {
		return model.S_OK
	}
	if count() <= b.FailFirst {
		return model.E_FAIL
	}
	return model.S_OK
}

// call runs one call: it waits at the gate, re-enters the job, answers
// as the Behavior says, and records the call.
func (r *Recorder) call(job model.Job, kind model.EventKind, file model.File, ranges []model.FileRange, retried bool, inside func() error) error {
	e := model.Event{Kind: kind, Target: r.target, User: r.user.Name}
	if job != nil {
		e.Job = job.GetId()
	}
	if file != nil {
		e.File, _ = file.GetLocalName()
	}
	if len(ranges) > 0 {
		e.Ranges = append([]model.FileRange(nil), ranges...)
	}
	if r.b.Block != nil {
		r.b.Block.pass()
	}
	hr := r.result(kind, e.File, retried)
	if r.b.Answer != nil && job != nil {
		hr = model.HRESULTOf(r.b.Answer(job, kind, file))
	}
	if r.b.Reenter != nil && job != nil {
		if err := r.b.Reenter(job, kind); err != nil {
			hr = model.HRESULTOf(err)
		}
	}
	if hr.Succeeded() && inside != nil {
		if err := inside(); err != nil {
			hr = model.HRESULTOf(err)
		}
	}
	e.Result = hr
	r.trace.Add(e)
	if hr == model.S_OK {
		return nil
	}
	return hr // S_FALSE and other success codes too: BITS sees them as returned
}

// JobTransferred records the call; with Behavior.Complete it completes the job.
func (r *Recorder) JobTransferred(job model.Job) error {
	var complete func() error
	if r.b.Complete && job != nil {
		complete = func() error { _, err := job.Complete(); return err }
	}
	return r.call(job, model.EventJobTransferred, nil, nil, true, complete)
}

// JobError records the call.
func (r *Recorder) JobError(job model.Job, _ model.JobError) error {
	return r.call(job, model.EventJobError, nil, nil, true, nil)
}

// JobModification records the call.
func (r *Recorder) JobModification(job model.Job) error {
	return r.call(job, model.EventJobModification, nil, nil, false, nil)
}

// FileTransferred records the call.
func (r *Recorder) FileTransferred(job model.Job, file model.File) error {
	return r.call(job, model.EventFileTransferred, file, nil, true, nil)
}

// FileRangesTransferred records the call.
func (r *Recorder) FileRangesTransferred(job model.Job, file model.File, ranges []model.FileRange) error {
	return r.call(job, model.EventFileRangesTransferred, file, ranges, false, nil)
}

var _ model.RangesCallback = (*Recorder)(nil)

// Gate holds the calls of blocking callback objects (Behavior.Block)
// until it is opened, and counts how many are inside at once: what a
// backend's concurrency does, observed from the receiving side. The zero
// value is a closed gate. It is safe for concurrent use.
type Gate struct {
	mu      sync.Mutex
	cond    *sync.Cond
	open    bool
	inside  int
	most    int
	entered int
}

func (g *Gate) init() {
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
}

// pass enters the gate and waits until it is open.
func (g *Gate) pass() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	g.inside++
	g.entered++
	g.most = max(g.most, g.inside)
	g.cond.Broadcast()
	for !g.open {
		g.cond.Wait()
	}
	g.inside--
	g.cond.Broadcast()
}

// Open lets every waiting call and every later one through.
func (g *Gate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	g.open = true
	g.cond.Broadcast()
}

// Inside returns how many calls are waiting at the gate now.
func (g *Gate) Inside() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inside
}

// Most returns the largest number of calls that were inside at once.
func (g *Gate) Most() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.most
}

// Entered returns how many calls have entered the gate so far.
func (g *Gate) Entered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.entered
}

// WaitInside waits until at least n calls are inside the gate at once, or
// timeout passes (in real time: the gate serves backends whose callbacks
// run on their own threads). It reports whether n were reached.
func (g *Gate) WaitInside(n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	stop := time.AfterFunc(timeout, func() {
		g.mu.Lock()
		g.init()
		g.cond.Broadcast()
		g.mu.Unlock()
	})
	defer stop.Stop()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	for g.inside < n && time.Now().Before(deadline) {
		g.cond.Wait()
	}
	return g.inside >= n
}
