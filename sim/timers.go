package sim

import "time"

// taskKind says what a timer does when it fires.
type taskKind uint8

const (
	taskSchedule     taskKind = iota + 1 // run the scheduler (a service timer)
	taskConnected                        // CONNECTING → TRANSFERRING
	taskProgress                         // bytes of the current file flow
	taskRetryDue                         // TRANSIENT_ERROR → QUEUED
	taskNoProgress                       // NoProgressTimeout check
	taskMaxDownload                      // MaximumDownloadTime check
	taskInactivity                       // JobInactivityTimeout check
	taskTimeSlice                        // the background slot's time slice ended
	taskNotify                           // deliver owed notifications
	taskModification                     // deliver JobModification
)

// Job timer slots: a job has at most one pending timer of each slot, so
// timers live inside the job and are moved or cancelled, never piled up.
const (
	slotTransfer     = iota // taskConnected, taskProgress
	slotRetryDue            // taskRetryDue
	slotNoProgress          // taskNoProgress
	slotMaxDownload         // taskMaxDownload
	slotInactivity          // taskInactivity
	slotTimeSlice           // taskTimeSlice
	slotNotify              // taskNotify
	slotModification        // taskModification
	numSlots
)

var slotOf = [...]int{
	taskConnected: slotTransfer, taskProgress: slotTransfer, taskRetryDue: slotRetryDue,
	taskNoProgress: slotNoProgress, taskMaxDownload: slotMaxDownload, taskInactivity: slotInactivity,
	taskTimeSlice: slotTimeSlice, taskNotify: slotNotify, taskModification: slotModification,
}

// timer is one pending piece of work at a virtual time: an entry of the
// timer heap. The job keeps the entry's position for each of its slots, so
// a job costs a few bytes of indexes rather than a timer per slot.
type timer struct {
	at   int64  // virtual time, Unix nanoseconds
	seq  uint64 // order among timers due together
	job  *job   // the job; nil for the service's scheduler timer
	kind taskKind
	slot uint8
	arg  int32 // the file of taskProgress
}

// timerHeap is a min-heap of pending timers by (at, seq).
type timerHeap struct {
	entries []timer
	sched   int32 // position of the scheduler timer, -1 when not pending
}

func (h *timerHeap) less(i, j int) bool {
	a, b := &h.entries[i], &h.entries[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// setIndex records where entry i now lives.
func (h *timerHeap) setIndex(i int) {
	e := &h.entries[i]
	if e.job == nil {
		h.sched = int32(i)
		return
	}
	e.job.tidx[e.slot] = int32(i)
}

func (h *timerHeap) swap(i, j int) {
	h.entries[i], h.entries[j] = h.entries[j], h.entries[i]
	h.setIndex(i)
	h.setIndex(j)
}

func (h *timerHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

func (h *timerHeap) down(i int) bool {
	i0 := i
	n := len(h.entries)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && h.less(r, l) {
			j = r
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}

// set schedules or moves the entry at position idx (-1: new).
func (h *timerHeap) set(idx int32, t timer) {
	if idx < 0 {
		h.entries = append(h.entries, t)
		n := len(h.entries) - 1
		h.setIndex(n)
		h.up(n)
		return
	}
	h.entries[idx] = t
	if !h.down(int(idx)) {
		h.up(int(idx))
	}
}

// remove unschedules the entry at position i.
func (h *timerHeap) remove(i int) timer {
	n := len(h.entries) - 1
	t := h.entries[i]
	if i != n {
		h.swap(i, n)
	}
	h.entries[n] = timer{}
	h.entries = h.entries[:n]
	if i != n && !h.down(i) {
		h.up(i)
	}
	if t.job == nil {
		h.sched = -1
	} else {
		t.job.tidx[t.slot] = -1
	}
	return t
}

func (h *timerHeap) len() int { return len(h.entries) }

// peek returns the next timer to fire; ok is false when none is pending.
func (h *timerHeap) peek() (timer, bool) {
	if len(h.entries) == 0 {
		return timer{}, false
	}
	return h.entries[0], true
}

// reset drops every timer (a restart); the old jobs keep stale indexes
// but are never scheduled again.
func (h *timerHeap) reset() {
	clear(h.entries)
	h.entries = h.entries[:0]
	h.sched = -1
}

// schedule sets j's timer for kind at at (moving it if pending); s.mu is
// held. A time after MaxTime never falls due, and a time in the past is
// due now: no timer is armed in the past.
func (s *Service) schedule(at time.Time, kind taskKind, j *job, arg int) {
	s.seq++
	slot := slotOf[kind]
	ns := nanos(at)
	if now := s.now.UnixNano(); ns < now {
		ns = now
	}
	s.heapOf(slot).set(j.tidx[slot], timer{at: ns, seq: s.seq, job: j, kind: kind, slot: uint8(slot), arg: int32(arg)})
	s.kick()
}

// pending reports whether j's timer of slot is scheduled, and when.
func (s *Service) pendingAt(j *job, slot int) (int64, bool) {
	if i := j.tidx[slot]; i >= 0 {
		return s.heapOf(slot).entries[i].at, true
	}
	return 0, false
}

// cancel unschedules j's timers of the given slots; s.mu is held.
func (s *Service) cancel(j *job, slots ...int) {
	for _, sl := range slots {
		if i := j.tidx[sl]; i >= 0 {
			s.heapOf(sl).remove(int(i))
		}
	}
}

// askScheduler runs the scheduler at the current time; s.mu is held.
func (s *Service) askScheduler() {
	now := s.clock().UnixNano()
	if i := s.timers.sched; i >= 0 && s.timers.entries[i].at <= now {
		return
	}
	s.seq++
	s.timers.set(s.timers.sched, timer{at: now, seq: s.seq, kind: taskSchedule})
	s.kick()
}

// popDue removes and returns the next timer due at or before end; s.mu is
// held.
func (s *Service) popDue(end int64) (timer, bool) {
	h := s.nextHeap()
	t, ok := h.peek()
	if !ok || t.at > end {
		return timer{}, false
	}
	return h.remove(0), true
}

// heapOf returns the heap that holds the timers of slot: the inactivity
// timers, 90 days ahead, have their own, so that the timers of work about
// to happen move through a heap as small as that work, however many idle
// jobs the service holds. The two heaps together order timers exactly as
// one would: by (at, seq). s.mu is held.
func (s *Service) heapOf(slot int) *timerHeap {
	if slot == slotInactivity {
		return &s.idleTimers
	}
	return &s.timers
}

// nextHeap returns the heap whose first timer fires first; s.mu is held.
func (s *Service) nextHeap() *timerHeap {
	a, aok := s.timers.peek()
	b, bok := s.idleTimers.peek()
	if bok && (!aok || b.at < a.at || b.at == a.at && b.seq < a.seq) {
		return &s.idleTimers
	}
	return &s.timers
}

// peekTimer returns the next timer to fire; ok is false when none is
// pending. s.mu is held.
func (s *Service) peekTimer() (timer, bool) { return s.nextHeap().peek() }
