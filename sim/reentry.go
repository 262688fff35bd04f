package sim

import "sync/atomic"

// maxReentry bounds how deeply BITS calls back into an STA callback that
// keeps making COM calls.
const maxReentry = 4

// reentryScope marks the handle given to one callback of an STA object.
type reentryScope struct {
	active atomic.Bool // the callback has not returned
	depth  int         // how deeply this callback is nested
}

// reenter delivers the job's due JobModification to an STA callback that
// has just called a method of the job through h, before that method
// returns to it: in a single-threaded apartment the outgoing COM call lets
// incoming calls in (DELIV-STA-REENTRY).
func (s *Service) reenter(h *jobHandle) {
	r := h.reentry
	if !r.active.Load() || r.depth >= maxReentry {
		return
	}
	s.mu.Lock()
	j := h.j
	at, ok := s.pendingAt(j, slotModification)
	if s.closed || j.stale || !ok || at > s.clock().UnixNano() {
		s.mu.Unlock()
		return
	}
	s.cancel(j, slotModification)
	w, ok := s.startModification(j)
	s.mu.Unlock()
	if !ok {
		return
	}
	w.mod.depth = r.depth + 1
	s.do(w)
}
