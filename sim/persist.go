package sim

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// WriteThroughStore is a Store that wants every acknowledged change. A
// service on such a store saves its persisted state before a client call
// that changed it returns (the durability point: when CreateJob, a setter,
// AddFile*, Suspend, Resume, Cancel, Complete or TakeOwnership returns
// success, the change is in the store), and once more at Close. Progress the
// service makes on its own (bytes transferred, state changes of running
// jobs) is saved with the next such call or at Close; after a crash a job
// comes back as of its last save, and transfers resume from there.
// FileStore is one; MemoryStore is not (it only has to survive Restart).
type WriteThroughStore interface {
	Store
	// WriteThrough reports whether the store wants every change.
	WriteThrough() bool
}

// LockingStore is a Store that one service at a time may use. New takes the
// lock and fails when another service (in this or another process) holds
// it; Close releases it.
type LockingStore interface {
	Store
	// Lock takes the store's lock without waiting; it returns the function
	// that releases it, or an error when the lock is held elsewhere
	// (wrapping ErrStoreLocked).
	Lock() (unlock func() error, err error)
}

// ErrStoreLocked is wrapped by the error of New when another service holds
// the lock of its store.
var ErrStoreLocked = errors.New("sim: the store is in use by another service")

// lockStore takes st's lock if it has one; the returned function (never
// nil) releases it.
func lockStore(st Store) (func() error, error) {
	l, ok := st.(LockingStore)
	if !ok {
		return func() error { return nil }, nil
	}
	unlock, err := l.Lock()
	if err != nil {
		return nil, fmt.Errorf("sim: lock %s: %w", storeName(st), err)
	}
	return unlock, nil
}

// BatchingStore is a WriteThroughStore that may take acknowledged changes
// in groups (group commit). A service on one whose BatchWindow is positive
// does not save before a changing call returns: it saves in the
// background, at most that window after the first change not yet saved,
// and at Flush, Restart and Close. A BatchWindow of zero means every change
// is saved before its call returns, as on any WriteThroughStore; an error
// fails New. FileStore is one (Sync: Batched).
type BatchingStore interface {
	WriteThroughStore
	// BatchWindow returns the longest an acknowledged change may stay
	// unsaved (zero: none), or why the store's settings are invalid.
	BatchWindow() (time.Duration, error)
}

// batchWindow returns st's batch window: zero unless st is a
// BatchingStore with a positive one.
func batchWindow(st Store) (time.Duration, error) {
	b, ok := st.(BatchingStore)
	if !ok || !b.WriteThrough() {
		return 0, nil
	}
	return b.BatchWindow()
}

// writeThrough reports whether st wants every acknowledged change.
func writeThrough(st Store) bool {
	w, ok := st.(WriteThroughStore)
	return ok && w.WriteThrough()
}

// persist saves the persisted state when the store wants every change;
// s.mu is held. A failed save is returned to the caller, whose change is
// then applied but not durable.
func (s *Service) persist() error {
	if !s.writeThrough {
		return nil
	}
	if s.batch.window > 0 {
		s.batch.unsaved = true
		s.armBatch()
		return nil
	}
	if err := s.saveState(); err != nil {
		return fmt.Errorf("the change is made but not saved: %w", err)
	}
	return nil
}

// batcher is the group commit of a service on a BatchingStore: changes
// mark the state unsaved and arm the flusher goroutine, which saves once
// the window has passed. Its fields are guarded by Service.mu, except
// saveMu, which orders whole saves (encoding and writing) and is taken
// before Service.mu.
type batcher struct {
	window  time.Duration // zero: not batching
	saveMu  sync.Mutex    // one save at a time, in the order of their encodings
	unsaved bool          // acknowledged changes not yet in a completed save
	armed   bool          // the flusher is counting down its window
	started bool          // the flusher goroutine runs
	kick    chan struct{} // arms the flusher (buffer of one)
	stop    chan struct{} // closed at Close
	wg      sync.WaitGroup

	// after returns a channel that receives once the window has passed
	// (time.After); saved, when not nil, receives after each background
	// save. Both are for tests, set before the first change.
	after func(time.Duration) <-chan time.Time
	saved chan error
}

// armBatch starts the flusher's countdown unless it is running; s.mu is
// held.
func (s *Service) armBatch() {
	b := &s.batch
	if b.armed {
		return
	}
	b.armed = true
	if !b.started {
		b.started = true
		b.kick = make(chan struct{}, 1)
		b.stop = make(chan struct{})
		if b.after == nil {
			b.after = time.After
		}
		b.wg.Add(1)
		go s.flusher(b.kick, b.stop, b.after, b.saved)
	}
	select {
	case b.kick <- struct{}{}:
	default: // already kicked
	}
}

// flusher is the background save of a batching service: armed, it waits
// for the window, then saves everything acknowledged so far. A failed
// save leaves the changes unsaved and is tried again a window later.
func (s *Service) flusher(kick, stop <-chan struct{}, after func(time.Duration) <-chan time.Time, saved chan<- error) {
	defer s.batch.wg.Done()
	for {
		select {
		case <-stop:
			return
		case <-kick:
		}
		select {
		case <-stop:
			return // Close saves
		case <-after(s.batch.window):
		}
		err := s.saveBatch(false)
		if saved != nil {
			saved <- err
		}
	}
}

// saveBatch saves the state if a change is unsaved (always, when all is
// set), encoding it under s.mu and writing it outside, so that calls go on
// during the write. A failure leaves the state unsaved and re-arms the
// flusher (unless the service is closed); it is returned.
func (s *Service) saveBatch(all bool) error {
	b := &s.batch
	b.saveMu.Lock()
	defer b.saveMu.Unlock()
	s.mu.Lock()
	b.armed = false
	if !b.unsaved && !all {
		s.mu.Unlock()
		return nil
	}
	data := s.encodeState()
	b.unsaved = false
	s.mu.Unlock()
	err := s.opts.Store.Save(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("sim: save snapshot to %s: %w", storeName(s.opts.Store), err)
		b.unsaved = true
		if !s.closed {
			s.armBatch()
		}
		return err
	}
	return nil
}

// Flush makes every change acknowledged so far durable before it returns.
// On a FileStore with Sync: Batched it saves now what the background save
// has not saved yet; elsewhere every acknowledged change is already saved
// and Flush does nothing. It returns the failure of its save (a
// background save that failed leaves its changes unsaved, so Flush writes
// them again, and its error is Flush's if that fails too); after Close it
// fails with ErrClosed.
//
// A crash of a batching service loses the changes acknowledged since the
// start of the encoding of the last save that completed: a change waits at
// most the store's Window for the background save to start, or, if a
// save is being written when it arrives, for that save to finish and
// then the Window.
func (s *Service) Flush() error {
	s.mu.Lock()
	closed, batching := s.closed, s.batch.window > 0
	s.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case !batching:
		return nil
	}
	if err := s.saveBatch(false); err != nil {
		return fmt.Errorf("sim: flush: %w", err)
	}
	return nil
}

// closeBatch stops the flusher and saves the state a last time (Close).
func (s *Service) closeBatch() error {
	s.mu.Lock()
	started := s.batch.started
	s.mu.Unlock()
	if started {
		close(s.batch.stop)
		s.batch.wg.Wait()
	}
	return s.saveBatch(true)
}
