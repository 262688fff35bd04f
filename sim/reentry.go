package sim

// maxReentry bounds how deeply BITS calls back into an STA callback that
// keeps making COM calls.
const maxReentry = 4

// reenter delivers the job's due JobModification to an STA app whose
// callback has just called a method of the job through h, before that
// method returns to it: in a single-threaded apartment an outgoing COM
// call lets incoming calls in (DELIV-STA-REENTRY).
func (s *Service) reenter(h *jobHandle) {
	depth := int(h.app.inCallback.Load())
	if depth > maxReentry {
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
	w.mod.depth = depth
	s.do(w)
}
