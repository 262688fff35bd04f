package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/bitssim/bitssim/model"
)

// ErrWouldBlock is returned by the waiting methods on the manual clock
// when the work due now is done and what they wait for has not happened:
// on that clock nothing more happens until Advance, so waiting longer
// would wait for ever.
var ErrWouldBlock = errors.New("sim: nothing more happens on the manual clock until Advance")

// ErrEventsDropped is returned by Subscription.Next when the trace no
// longer holds events the subscription has not seen (Options.TraceLimit
// dropped them, or the trace is off).
var ErrEventsDropped = errors.New("sim: the trace dropped events a subscription had not read")

// waiters is what the waiting methods need: a broadcast of changes and
// the work in progress on the automatic clock. s.mu guards it.
type waiters struct {
	// ch is closed, and forgotten, at every change a waiter may wait for:
	// an event, a state change, work finishing. nil when nobody waits.
	ch chan struct{}
	// busy counts deliveries running on their own goroutines; busyJobs
	// counts them per job.
	busy     int
	busyJobs map[*job]int
}

// changed wakes everyone waiting for a change; s.mu is held.
func (s *Service) changed() {
	if s.waits.ch != nil {
		close(s.waits.ch)
		s.waits.ch = nil
	}
}

// changes returns a channel closed at the next change; s.mu is held.
func (s *Service) changes() <-chan struct{} {
	if s.waits.ch == nil {
		s.waits.ch = make(chan struct{})
	}
	return s.waits.ch
}

// spawnWork runs w on its own goroutine (automatic clock), counted as work
// in progress until it returns; s.mu is held.
func (s *Service) spawnWork(w work) {
	s.waits.busy++
	if s.waits.busyJobs == nil {
		s.waits.busyJobs = map[*job]int{}
	}
	s.waits.busyJobs[w.j]++
	s.spawn(func() {
		defer func() { // also when a callback ends its goroutine
			s.mu.Lock()
			s.waits.busy--
			if s.waits.busyJobs[w.j]--; s.waits.busyJobs[w.j] <= 0 {
				delete(s.waits.busyJobs, w.j)
			}
			s.changed()
			s.mu.Unlock()
		}()
		s.do(w)
	})
}

// idle reports whether no work is due now and none is in progress; s.mu
// is held.
func (s *Service) idle() bool {
	if s.waits.busy > 0 {
		return false
	}
	t, ok := s.peekTimer()
	return !ok || t.at > s.clock().UnixNano()
}

// waitUntil blocks until cond, called with s.mu held, reports true, the
// context ends, or (on the manual clock, after doing the work due now)
// nothing more can happen.
func (s *Service) waitUntil(ctx context.Context, what string, cond func() (bool, error)) error {
	if s.opts.Clock == Manual {
		if err := s.RunUntilIdle(); err != nil {
			return err
		}
	}
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return ErrClosed
		}
		ok, err := cond()
		if err == nil && !ok && s.opts.Clock == Manual {
			err = fmt.Errorf("%s at %v: %w", what, s.now.Sub(s.opts.Start), ErrWouldBlock)
		}
		var ch <-chan struct{}
		if !ok && err == nil {
			ch = s.changes()
		}
		s.mu.Unlock()
		if ok || err != nil {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("sim: %s: %w", what, context.Cause(ctx))
		}
	}
}

// WaitIdle waits until no work is due at the current virtual time and no
// callback is running: every transfer, state change and notification due
// now has happened, including the work that work caused. It does not move
// the clock; work due later (a retry after MinimumRetryDelay) stays
// pending: Advance gets there.
//
// On the manual clock it does the work due now on the calling goroutine
// (as RunUntilIdle does) and returns. On the automatic clock it waits for
// the background goroutine and the callbacks, until ctx ends. Virtual
// time follows the wall clock there, so with a high Options.Speed new
// work may keep falling due.
func (s *Service) WaitIdle(ctx context.Context) error {
	return s.waitUntil(ctx, "waiting until idle", func() (bool, error) { return s.idle(), nil })
}

// WaitEvent waits for the first event after the event numbered since
// (0: from the start of the trace) for which match reports true, and
// returns it. match runs outside the service's lock. See WaitIdle for how
// the two clocks wait.
func (s *Service) WaitEvent(ctx context.Context, since uint64, match func(model.Event) bool) (model.Event, error) {
	if s.opts.Clock == Manual {
		if err := s.RunUntilIdle(); err != nil {
			return model.Event{}, err
		}
	}
	for {
		// The events and the channel of the next change are taken
		// together, so no event falls between them.
		s.mu.Lock()
		evs := s.eventsSince(since)
		closed, at := s.closed, s.now.Sub(s.opts.Start)
		ch := s.changes()
		s.mu.Unlock()
		for _, e := range evs {
			if match == nil || match(e) {
				return e, nil
			}
			since = e.Seq
		}
		switch {
		case closed:
			return model.Event{}, ErrClosed
		case s.opts.Clock == Manual:
			return model.Event{}, fmt.Errorf("waiting for an event at %v: %w", at, ErrWouldBlock)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return model.Event{}, fmt.Errorf("sim: waiting for an event: %w", context.Cause(ctx))
		}
	}
}

// eventsSince returns a copy of the kept events numbered after seq; s.mu
// is held.
func (s *Service) eventsSince(seq uint64) []model.Event {
	kept := s.kept()
	i := sort.Search(len(kept), func(i int) bool { return kept[i].Seq > seq })
	return append([]model.Event(nil), kept[i:]...)
}

// WaitState waits until the job is in one of the states and no
// notification of the job is being delivered, so that the callback that
// caused the state (a JobTransferred handler calling Complete, say) has
// returned. It returns the state. job must be a handle of this service;
// it follows the job across restarts. See WaitIdle for how the two clocks
// wait.
func (s *Service) WaitState(ctx context.Context, job model.Job, states ...model.JobState) (model.JobState, error) {
	h, ok := job.(*jobHandle)
	if !ok || h.s != s {
		return 0, fmt.Errorf("sim: WaitState: %T is not a job of this service: %w", job, model.E_INVALIDARG)
	}
	if len(states) == 0 {
		return 0, fmt.Errorf("sim: WaitState: no state to wait for: %w", model.E_INVALIDARG)
	}
	var got model.JobState
	what := fmt.Sprintf("waiting for job %v to be %v", h.j.rec.ID, states)
	err := s.waitUntil(ctx, what, func() (bool, error) {
		j := h.j
		for j.stale && j.next != nil {
			j = j.next
		}
		got = j.rec.State
		return slices.Contains(states, got) && !j.delivering && s.waits.busyJobs[j] == 0, nil
	})
	if err != nil && got != 0 {
		err = fmt.Errorf("%w (the job is %v)", err, got)
	}
	return got, err
}

// Subscription reads the service's events in order, waiting for new ones.
// It is a cursor over the trace: it misses nothing the trace keeps. A
// Subscription is not safe for concurrent use; each goroutine should
// subscribe on its own.
type Subscription struct {
	s    *Service
	last uint64
}

// Subscribe returns a subscription to the events recorded from now on.
func (s *Service) Subscribe() *Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &Subscription{s: s, last: s.eventSeq}
}

// Next returns the next event, waiting for it until ctx ends. On the
// manual clock it does the work due now first and returns ErrWouldBlock
// when no event is left.
func (sub *Subscription) Next(ctx context.Context) (model.Event, error) {
	s := sub.s
	var next model.Event
	err := s.waitUntil(ctx, "waiting for the next event", func() (bool, error) {
		if s.eventSeq == sub.last {
			return false, nil
		}
		kept := s.kept()
		i := sort.Search(len(kept), func(i int) bool { return kept[i].Seq > sub.last })
		if i == len(kept) || kept[i].Seq != sub.last+1 {
			return false, fmt.Errorf("sim: after event %d: %w", sub.last, ErrEventsDropped)
		}
		next = kept[i]
		return true, nil
	})
	if err == nil {
		sub.last = next.Seq
	}
	return next, err
}

// Last returns the number of the last event the subscription returned (or
// of the last event before it was made): a mark for WaitEvent and
// TraceSince.
func (sub *Subscription) Last() uint64 { return sub.last }

// Elapsed returns the virtual time since the service started
// (Options.Start).
func (s *Service) Elapsed() time.Duration {
	return s.Now().Sub(s.opts.Start)
}

// LastSeq returns the number of the last event recorded (0: none yet):
// a mark for TraceSince and WaitEvent.
func (s *Service) LastSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eventSeq
}

// advanceAutomatic jumps the automatic clock forward by d: the work due
// on the way is done in order, each at its due time; the deliveries it
// starts run in the background afterwards.
func (s *Service) advanceAutomatic(d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	end := s.clock().Add(d)
	for !s.closed {
		t, ok := s.popDue(end.UnixNano())
		if !ok {
			break
		}
		if at := time.Unix(0, t.at).UTC(); at.After(s.now) {
			s.now = at
		}
		if w, ok := s.runTask(t); ok {
			s.spawnWork(w)
		}
	}
	// From now on the wall clock counts from d later.
	s.realStart = s.realStart.Add(-unscaled(d, s.opts.Speed))
	if end.After(s.now) {
		s.now = end
	}
	s.changed()
	s.kick()
	return nil
}

// ObjectApp names the application whose callback object the job holds
// (registered with SetNotifyInterface), for tests and tools; false when
// the job holds none or is not a job of this service.
func (s *Service) ObjectApp(job model.Job) (string, bool) {
	h, ok := job.(*jobHandle)
	if !ok || h.s != s {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := h.j
	for j.stale && j.next != nil {
		j = j.next
	}
	if j.obj == nil {
		return "", false
	}
	return j.obj.app.name, true
}
