package sim

import (
	"errors"
	"sync/atomic"
)

// ErrNoHold is returned by Hold when the call cannot be held: the service
// is not on the manual clock with holds enabled (EnableHolds), or Hold was
// not called from a callback the service is running.
var ErrNoHold = errors.New("sim: Hold needs the manual clock with EnableHolds, and a callback the service is running")

// holdState lets callbacks stay in progress on the manual clock while the
// service goes on (EnableHolds). Deliveries then run on goroutines of
// their own, but never two at once: the goroutine that runs the clock
// (Advance, RunUntilIdle) hands a delivery its turn and waits until the
// delivery finishes or parks (Hold, or a wait for one of its user's four
// slots), so everything still happens in one order.
type holdState struct {
	on atomic.Bool
	// yield is sent to by a delivery whose turn is over: it finished or
	// parked.
	yield chan struct{}
	// parked are the deliveries waiting, in the order they parked; s.mu
	// guards it.
	parked []*parkedCall
	// turn: a delivery has the turn (s.mu guards it).
	turn bool
}

// parkedCall is a delivery waiting for ready to report true.
type parkedCall struct {
	ready  func() bool
	resume chan struct{}
}

// EnableHolds lets callbacks hold their calls on the manual clock (Hold):
// from now on each delivery runs on a goroutine of its own, taking turns
// with the clock, so a held call stays in progress, holding one of its
// user's four notification slots (DELIV-FOUR-PER-USER), while the service
// does the rest of its work; a delivery that finds its user's four slots
// taken waits for one, as on the automatic clock. Nothing runs
// concurrently: the order of events is as fixed as without holds, at the
// cost of a goroutine switch per delivery. It returns ErrNotManual on the
// automatic clock, where callbacks run concurrently anyway (block them in
// the callback instead).
func (s *Service) EnableHolds() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.opts.Clock != Manual:
		return ErrNotManual
	case s.hold.on.Load():
		return nil
	}
	s.hold.yield = make(chan struct{})
	s.hold.on.Store(true)
	return nil
}

// Hold keeps the callback that calls it in its call until ready reports
// true (manual clock, after EnableHolds): the service goes on with its
// work and Advance or RunUntilIdle returns while the call is held; a
// later Advance or RunUntilIdle finds ready true and lets the callback go
// on, in turn with the service's other work. Calls held at once are let
// go in the order they were held. ready is called with the service's lock
// held: it must not call the service. Hold returns ErrNoHold when called
// other than from a callback the service is running after EnableHolds,
// and ErrClosed when the service closed while the call was held (Close
// lets every held call go).
func (s *Service) Hold(ready func() bool) error {
	if !s.hold.on.Load() {
		return ErrNoHold
	}
	s.mu.Lock()
	if !s.hold.turn {
		s.mu.Unlock()
		return ErrNoHold
	}
	s.mu.Unlock()
	if !s.park(ready) {
		return ErrClosed
	}
	return nil
}

// park gives the turn back to the clock's goroutine and waits until ready
// reports true and the delivery has its turn again; s.mu is not held. It
// returns false without waiting, or after waiting, when the service is
// closed.
func (s *Service) park(ready func() bool) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	p := &parkedCall{ready: ready, resume: make(chan struct{})}
	s.hold.parked = append(s.hold.parked, p)
	s.hold.turn = false
	s.mu.Unlock()
	s.hold.yield <- struct{}{}
	<-p.resume
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	return !closed
}

// takeTurn runs f on a goroutine of its own and waits until it returns
// (also by runtime.Goexit) or parks; s.mu is held on entry and on return.
func (s *Service) takeTurn(f func()) {
	s.hold.turn = true
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			s.hold.turn = false
			s.mu.Unlock()
			s.hold.yield <- struct{}{}
		}()
		f()
	}()
	<-s.hold.yield
	s.mu.Lock()
}

// resumeReady lets the first parked delivery whose ready reports true go
// on, and waits until its turn is over; it reports whether there was one.
// s.mu is held on entry and on return.
func (s *Service) resumeReady() bool {
	for i, p := range s.hold.parked {
		if !s.closed && !p.ready() {
			continue
		}
		s.hold.parked = append(s.hold.parked[:i], s.hold.parked[i+1:]...)
		s.hold.turn = true
		s.mu.Unlock()
		close(p.resume)
		<-s.hold.yield
		s.mu.Lock()
		return true
	}
	return false
}

// releaseParked lets every parked delivery go on, one at a time, at Close
// (s.closed is set): each finds the service closed and returns. s.mu is
// not held.
func (s *Service) releaseParked() {
	if !s.hold.on.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.resumeReady() {
	}
}
