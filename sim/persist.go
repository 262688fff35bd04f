package sim

import (
	"errors"
	"fmt"
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
	if err := s.saveState(); err != nil {
		return fmt.Errorf("the change is made but not saved: %w", err)
	}
	return nil
}
