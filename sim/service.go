package sim

import (
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Errors of the service's control plane.
var (
	// ErrClosed is returned by every call after Close.
	ErrClosed = errors.New("sim: service closed")
	// ErrReentrant is returned when Advance or RunUntilIdle is called from
	// inside a callback they are running.
	ErrReentrant = errors.New("sim: Advance or RunUntilIdle called from a callback it is running")
	// ErrNotManual is returned by RunUntilIdle and AdvanceUntilIdle on an
	// automatic clock, where the background goroutine does the work: wait
	// for it with WaitIdle, WaitState or WaitEvent instead.
	ErrNotManual = errors.New("sim: RunUntilIdle and AdvanceUntilIdle need Options{Clock: sim.Manual}; on the automatic clock use WaitIdle")
)

// Service is a simulated BITS service. It is safe for concurrent use.
// Callbacks run outside its lock, so a callback may call back into the job.
type Service struct {
	mu   sync.Mutex
	opts Options
	// resolved is opts.Variants resolved once, for routing every event.
	resolved *rules.Resolved

	// Virtual time. Manual: now moves in Advance. Automatic: now follows
	// the wall clock from realStart.
	now       time.Time
	realStart time.Time

	rng    *rand.Rand
	timers timerHeap
	// idleTimers holds the inactivity timers (slotInactivity): see heapOf.
	idleTimers timerHeap
	seq        uint64 // timer sequence, for a stable order of timers due together
	// tickDue is when the progress tick being run fell due (0 outside
	// one): the next tick counts from it, not from the moment the tick
	// ran, so on the automatic clock a tick run late (the goroutine held
	// off under load) does not stretch the transfer's virtual duration.
	tickDue int64

	jobs map[model.GUID]*job
	// final keeps finalized jobs for GetJob under STATE-GETJOB-FINAL's
	// found reading (nil otherwise); a restart forgets them.
	final    map[model.GUID]*job
	userJobs map[string]*ownerJobs    // live jobs per owner (Account.Key), for the limits
	jobOrder uint64                   // creation counter, for EnumJobs order
	queueSeq uint64                   // round-robin order of QUEUED jobs
	runq     [4]runQueue              // QUEUED jobs per priority, in round-robin order
	keys     map[model.Account]string // Account.Key cache (Service.key)
	bgSlot   *job                     // the background job holding the transfer slot
	offline  bool                     // the network is disconnected (SetNetwork)

	localErrors map[string]model.HRESULT // lower-case local name → rename error (SetLocalFileError)

	callers     []*caller // free list of delivery callers
	apps        map[string]*App
	appSweep    int // len(apps) at which addApp forgets ended apps
	classes     map[model.GUID]classReg
	activations map[model.GUID]int // instances created per class
	commands    CommandHandler
	remotes     map[string]Remote
	launches    []Launch

	trace    []model.Event
	traced   atomic.Bool // the trace holds events: DrainTrace has work
	eventSeq uint64

	writeThrough bool         // the store wants every acknowledged change (persist)
	batch        batcher      // the group commit of a BatchingStore
	lastSave     int          // the length of the last encoding saved, to size the next
	saveBuf      []byte       // the last encoding, reused by the next (encodeState)
	unlockStore  func() error // releases the store's lock at Close

	generation uint64 // bumped by Restart; stale deliveries are ignored
	running    bool   // Advance/RunUntilIdle in progress (manual)
	closed     bool

	// Automatic mode.
	wake      chan struct{}
	stop      chan struct{}
	driverWG  sync.WaitGroup
	deliverWG sync.WaitGroup
	// Workers run the automatic clock's deliveries (spawn): a worker that
	// finishes waits for the next on workers, so that a delivery reuses a
	// goroutine (and its grown stack) instead of starting one.
	workers     chan func()
	idleWorkers atomic.Int32 // workers waiting on workers
	workerWG    sync.WaitGroup
	inFlight    map[string]int // user → running callbacks
	slotFree    *sync.Cond     // signalled when a callback returns
	hold        holdState      // callbacks held on the manual clock (EnableHolds)

	waits waiters // WaitIdle, WaitState, WaitEvent, Subscribe
}

// New starts a service. Close it when done: an automatic service runs a
// background goroutine.
func New(opts Options) (*Service, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{
		opts:        o,
		resolved:    o.Variants.Resolve(),
		now:         o.Start,
		realStart:   time.Now(),
		rng:         rand.New(rand.NewSource(o.Seed)),
		jobs:        map[model.GUID]*job{},
		userJobs:    map[string]*ownerJobs{},
		apps:        map[string]*App{},
		classes:     map[model.GUID]classReg{},
		activations: map[model.GUID]int{},
		remotes:     map[string]Remote{},
		inFlight:    map[string]int{},
	}
	s.timers.sched = -1
	s.idleTimers.sched = -1
	s.slotFree = sync.NewCond(&s.mu)
	if s.unlockStore, err = lockStore(o.Store); err != nil {
		return nil, err
	}
	s.writeThrough = writeThrough(o.Store)
	if s.batch.window, err = batchWindow(o.Store); err != nil {
		_ = s.unlockStore() // the settings' error is the one to report
		return nil, err
	}
	if _, err := s.loadJobs(false); err != nil {
		_ = s.unlockStore() // the load error is the one to report
		return nil, err
	}
	if o.Clock == Automatic {
		s.wake = make(chan struct{}, 1)
		s.stop = make(chan struct{})
		s.workers = make(chan func())
		s.driverWG.Add(1)
		go s.drive()
	}
	return s, nil
}

// Version returns the BITS version profile.
func (s *Service) Version() model.Version { return s.opts.Version }

// Mode returns the clock mode.
func (s *Service) Mode() ClockMode { return s.opts.Clock }

// Close stops the service. It waits for the background goroutine and for
// callbacks in progress to return, so it must not be called from a
// callback; calls afterwards fail with ErrClosed. On a WriteThroughStore
// it saves the persisted state a last time (on a batching one, after
// stopping its background save); then it releases the store's
// lock (LockingStore). The error is that of the save or the release.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.slotFree.Broadcast()
	s.changed()
	s.mu.Unlock()
	s.releaseParked()
	if s.stop != nil {
		close(s.stop)
		s.driverWG.Wait()
	}
	s.deliverWG.Wait()
	s.workerWG.Wait() // idle workers leave on stop
	var err error
	if s.batch.window > 0 {
		err = s.closeBatch()
	} else {
		s.mu.Lock()
		err = s.persist()
		s.mu.Unlock()
	}
	if uerr := s.unlockStore(); err == nil {
		err = uerr
	}
	return err
}

// Now returns the virtual time.
func (s *Service) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock()
}

// clock returns the virtual time; s.mu is held.
func (s *Service) clock() time.Time {
	if s.opts.Clock == Automatic {
		elapsed := scaled(time.Since(s.realStart), s.opts.Speed)
		t := s.opts.Start.Add(elapsed)
		if t.After(MaxTime) || t.Before(s.opts.Start) { // the clock stops at MaxTime
			t = MaxTime
		}
		if t.After(s.now) {
			s.now = t
		}
	}
	return s.now
}

// Advance moves virtual time forward by d, doing the work that falls due
// on the way in order, each at its due time: the way past a 10-minute
// retry delay or the 90-day inactivity timeout without waiting for it.
//
// On the manual clock callbacks run on the calling goroutine and
// everything due by the new time has happened when Advance returns. On
// the automatic clock Advance jumps the clock, as miniredis's FastForward
// does: the service's own work (transfers, retries, timeouts) is done
// before it returns, and the notifications it causes are delivered in the
// background, at the new time; WaitIdle waits for them.
//
// Moving the clock past MaxTime fails with ErrTimeLimit and does nothing.
func (s *Service) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("sim: Advance(%v): negative duration", d)
	}
	if now := s.Now(); now.Add(d).After(MaxTime) {
		return fmt.Errorf("sim: Advance(%v) from %v: %w (%v)", d, now.Format(time.RFC3339), ErrTimeLimit, MaxTime.Format(time.RFC3339))
	}
	if s.opts.Clock == Automatic {
		return s.advanceAutomatic(d)
	}
	return s.runManual(func(now time.Time) time.Time { return now.Add(d) }, true)
}

// RunUntilIdle does all the work due at the current virtual time, including
// the work that work creates, without moving the clock (manual clock
// only). Work due later, such as a retry after MinimumRetryDelay, stays
// pending: to get to it, call Advance (a given duration) or
// AdvanceUntilIdle (until nothing more is due). On the automatic clock use
// WaitIdle.
func (s *Service) RunUntilIdle() error {
	return s.runManual(func(now time.Time) time.Time { return now }, true)
}

// AdvanceUntilIdle, unlike RunUntilIdle, moves the clock: from one piece
// of work to the next, doing each, until no more work is due before the
// time of the call plus limit; the clock stops at the last work done
// (manual clock only). It suits tests that do not
// care how long things take; the limit bounds timers such as the 90-day
// JobInactivityTimeout, which are always pending.
func (s *Service) AdvanceUntilIdle(limit time.Duration) error {
	if limit < 0 {
		return fmt.Errorf("sim: AdvanceUntilIdle(%v): negative limit", limit)
	}
	return s.runManual(func(now time.Time) time.Time {
		if end := now.Add(limit); end.Before(MaxTime) {
			return end
		}
		return MaxTime
	}, false)
}

// runManual does the work due up to target(now); with moveClock the clock
// ends at that time, otherwise at the last work done.
func (s *Service) runManual(target func(time.Time) time.Time, moveClock bool) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.opts.Clock != Manual:
		s.mu.Unlock()
		return ErrNotManual
	case s.running:
		s.mu.Unlock()
		return ErrReentrant
	}
	s.running = true
	locked := true
	defer func() {
		// Also runs when a callback ends the caller's goroutine
		// (runtime.Goexit, t.FailNow): the service stays usable.
		if !locked {
			s.mu.Lock()
		}
		s.running = false
		s.mu.Unlock()
	}()
	end := target(s.now)
	for !s.closed {
		if s.hold.on.Load() && s.resumeReady() {
			continue // a held call let go, or a slot free for a waiting one (EnableHolds)
		}
		t, ok := s.popDue(end.UnixNano())
		if !ok {
			break
		}
		if at := time.Unix(0, t.at).UTC(); at.After(s.now) {
			s.now = at
		}
		if w, ok := s.runTask(t); ok {
			if s.hold.on.Load() {
				s.takeTurn(func() { s.do(w) })
				continue
			}
			if w.mod == nil {
				// The owed notifications, inline: deliverOwed lets the
				// lock go only around each callback, and returns with it
				// held even when a callback ends the goroutine.
				s.deliverOwed(w.j, w.gen, true)
				continue
			}
			s.mu.Unlock()
			locked = false
			s.do(w)
			s.mu.Lock()
			locked = true
		}
	}
	if moveClock && end.After(s.now) {
		s.now = end
	}
	return nil
}

// drive is the automatic clock's goroutine.
func (s *Service) drive() {
	defer s.driverWG.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		now := s.clock()
		for !s.closed {
			t, ok := s.popDue(now.UnixNano())
			if !ok {
				break
			}
			if w, ok := s.runTask(t); ok {
				s.spawnWork(w)
			}
			now = s.clock()
		}
		s.changed()
		wait := time.Hour
		if t, ok := s.peekTimer(); ok {
			wait = realWait(t.at-now.UnixNano(), s.opts.Speed)
		}
		s.mu.Unlock()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(wait, 0))
		select {
		case <-s.stop:
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// spawn runs work on a goroutine of its own, an idle worker's or a new
// one (automatic mode); s.mu is held.
func (s *Service) spawn(work func()) {
	s.deliverWG.Add(1)
	if s.workers != nil {
		select {
		case s.workers <- work:
			return
		default:
		}
	}
	s.workerWG.Add(1)
	go s.worker(work)
}

// maxIdleWorkers bounds the workers kept waiting for work: a worker that
// finishes when as many wait ends.
const maxIdleWorkers = 64

// worker runs work, then the work it is handed, until the service stops
// (or a callback ends its goroutine with runtime.Goexit).
func (s *Service) worker(work func()) {
	defer s.workerWG.Done()
	for {
		s.runWork(work)
		if s.workers == nil || s.idleWorkers.Add(1) > maxIdleWorkers {
			s.idleWorkers.Add(-1)
			return
		}
		select {
		case work = <-s.workers:
			s.idleWorkers.Add(-1)
		case <-s.stop:
			s.idleWorkers.Add(-1)
			return
		}
	}
}

// runWork runs one piece of spawned work.
func (s *Service) runWork(work func()) {
	defer s.deliverWG.Done() // also when a callback calls runtime.Goexit
	work()
}

// kick wakes the automatic driver; s.mu is held.
func (s *Service) kick() {
	if s.wake != nil {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Pending reports how many tasks are scheduled (timers, transfers,
// notifications), for tests and tools.
func (s *Service) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.timers.len() + s.idleTimers.len()
}

// NextDue returns when the next scheduled work falls due, and false when
// nothing is scheduled before MaxTime.
func (s *Service) NextDue() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.peekTimer()
	if !ok || t.at == never {
		return time.Time{}, false
	}
	return time.Unix(0, t.at).UTC(), true
}

// Trace returns a copy of the notification trace: every delivery attempt,
// in order (the last Options.TraceLimit when there is a limit).
func (s *Service) Trace() []model.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]model.Event(nil), s.kept()...)
}

// kept returns the events the trace shows; s.mu is held.
func (s *Service) kept() []model.Event {
	if lim := s.opts.TraceLimit; lim > 0 && len(s.trace) > lim {
		return s.trace[len(s.trace)-lim:]
	}
	return s.trace
}

// TraceSince returns the events with Seq greater than seq.
func (s *Service) TraceSince(seq uint64) []model.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.kept()
	i := sort.Search(len(kept), func(i int) bool { return kept[i].Seq > seq })
	return append([]model.Event(nil), kept[i:]...)
}

// DrainTrace appends every event the trace holds to dst, in order, and
// empties the trace: Trace, TraceSince and subscriptions no longer see
// them. It is for a reader that keeps its own record of the events (the
// scenario runner), which then holds the trace to the events of one step
// instead of Options.TraceLimit of them. With a TraceLimit, the first
// event returned has a Seq more than one past the last drained when
// events were dropped in between.
func (s *Service) DrainTrace(dst []model.Event) []model.Event {
	if !s.traced.Load() { // most calls: nothing happened since the last
		return dst
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dst = append(dst, s.kept()...)
	clear(s.trace) // the strings of the events go with them
	s.trace = s.trace[:0]
	s.traced.Store(false)
	return dst
}

// record appends an event to the trace; s.mu is held.
func (s *Service) record(e model.Event) model.Event {
	s.eventSeq++
	e.Seq = s.eventSeq
	e.Time = s.clock()
	s.changed()
	if s.opts.TraceLimit >= 0 {
		s.trace = append(s.trace, e)
		s.traced.Store(true)
		// Keep up to twice the limit and trim in one go, so that appending
		// stays cheap; Trace shows the last TraceLimit events.
		if lim := s.opts.TraceLimit; lim > 0 && len(s.trace) >= 2*lim {
			n := copy(s.trace, s.trace[len(s.trace)-lim:])
			clear(s.trace[n:])
			s.trace = s.trace[:n]
		}
	}
	return e
}

// newGUID draws a job GUID from the seeded generator; s.mu is held.
func (s *Service) newGUID() model.GUID {
	var g model.GUID
	s.rng.Read(g[:])
	g[6] = g[6]&0x0F | 0x40 // version 4
	g[8] = g[8]&0x3F | 0x80 // RFC 4122 variant
	return g
}

// tempNumber draws the random part of a temporary file name (tempNameFor);
// s.mu is held.
func (s *Service) tempNumber() uint16 { return uint16(s.rng.Uint32()) }
