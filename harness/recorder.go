package harness

import (
	"sync"
	"time"

	"github.com/bitssim/bitssim/model"
)

// Trace collects what receivers observed. It is safe for concurrent use.
type Trace struct {
	mu     sync.Mutex
	now    func() time.Time
	seq    uint64
	events []model.Event
}

// NewTrace returns an empty trace that stamps events with now().
func NewTrace(now func() time.Time) *Trace { return &Trace{now: now} }

// Add appends e, numbering it and stamping its time.
func (t *Trace) Add(e model.Event) {
	when := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	e.Seq = t.seq
	e.Time = when
	t.events = append(t.events, e)
}

// Events returns a copy of the events so far.
func (t *Trace) Events() []model.Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]model.Event(nil), t.events...)
}

// Recorder is a callback object that records every call it receives in a
// Trace and answers as its Behavior says. It implements every callback
// interface, as a real IBackgroundCopyCallback3 object would.
type Recorder struct {
	target model.Target
	user   model.Account
	b      Behavior
	trace  *Trace

	mu    sync.Mutex
	calls int // retried calls so far, for FailFirst
}

// NewRecorder returns a recorder that records calls as target, run as user.
func NewRecorder(trace *Trace, target model.Target, user model.Account, b Behavior) *Recorder {
	return &Recorder{target: target, user: user, b: b, trace: trace}
}

// Target is who the recorder is in the trace.
func (r *Recorder) Target() model.Target { return r.target }

func (r *Recorder) result(retried bool) model.HRESULT {
	if r.b.Fail {
		return model.E_FAIL
	}
	if !retried {
		return model.S_OK
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls <= r.b.FailFirst {
		return model.E_FAIL
	}
	return model.S_OK
}

func (r *Recorder) note(job model.Job, kind model.EventKind, file model.File, ranges []model.FileRange, hr model.HRESULT) error {
	e := model.Event{Kind: kind, Target: r.target, User: r.user.Name, Result: hr}
	if job != nil {
		e.Job = job.GetId()
	}
	if file != nil {
		e.File, _ = file.GetLocalName()
	}
	if len(ranges) > 0 {
		e.Ranges = append([]model.FileRange(nil), ranges...)
	}
	r.trace.Add(e)
	if hr.Succeeded() {
		return nil
	}
	return hr
}

// JobTransferred records the call; with Behavior.Complete it completes the job.
func (r *Recorder) JobTransferred(job model.Job) error {
	hr := r.result(true)
	if hr.Succeeded() && r.b.Complete && job != nil {
		if _, err := job.Complete(); err != nil {
			hr = model.HRESULTOf(err)
		}
	}
	return r.note(job, model.EventJobTransferred, nil, nil, hr)
}

// JobError records the call.
func (r *Recorder) JobError(job model.Job, _ model.JobError) error {
	return r.note(job, model.EventJobError, nil, nil, r.result(true))
}

// JobModification records the call.
func (r *Recorder) JobModification(job model.Job) error {
	return r.note(job, model.EventJobModification, nil, nil, r.result(false))
}

// FileTransferred records the call.
func (r *Recorder) FileTransferred(job model.Job, file model.File) error {
	return r.note(job, model.EventFileTransferred, file, nil, r.result(true))
}

// FileRangesTransferred records the call.
func (r *Recorder) FileRangesTransferred(job model.Job, file model.File, ranges []model.FileRange) error {
	return r.note(job, model.EventFileRangesTransferred, file, ranges, r.result(false))
}

var _ model.RangesCallback = (*Recorder)(nil)
