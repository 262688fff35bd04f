package sim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Store is where a service keeps its persisted state between restarts. A
// store holds one blob of bytes and does not interpret it; the encoding's own
// magic number, version and checksum protect the contents.
type Store interface {
	// Save replaces the stored data with data. It is atomic: after a crash
	// at any point, Load returns either the old data or the new data, never
	// a mix of the two. The store does not keep a reference to data.
	Save(data []byte) error
	// Load returns the data of the last successful Save, or (nil, nil) when
	// nothing was ever saved. Data that was saved empty loads as a non-nil
	// empty slice.
	Load() ([]byte, error)
}

// MemoryStore is a Store in memory: state survives a service restart but
// not the process. It is the default store and is safe for concurrent use.
type MemoryStore struct {
	mu   sync.Mutex
	data []byte // nil: nothing saved
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Save keeps a private copy of data.
func (m *MemoryStore) Save(data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if reusable(m.data, len(data)) { // no one else sees m.data: Load copies
		m.data = append(m.data[:0], data...)
		return nil
	}
	m.data = append(make([]byte, 0, len(data)), data...) // non-nil even when empty
	return nil
}

// reusable reports whether a buffer of buf's capacity is worth reusing for
// n bytes: it holds them, and not more than four times as much.
func reusable(buf []byte, n int) bool {
	return buf != nil && cap(buf) >= n && cap(buf)/4 <= n
}

// Load returns a copy of the saved data, or (nil, nil) if nothing was saved.
func (m *MemoryStore) Load() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		return nil, nil
	}
	return append(make([]byte, 0, len(m.data)), m.data...), nil
}

// String returns "memory store".
func (m *MemoryStore) String() string { return "memory store" }

// FileStore is a crash-safe Store in one file. Save writes a temporary file
// in the same directory, flushes it to disk, renames it over the file and
// flushes the directory, so a crash leaves either the old or the new
// contents (and possibly a stray "*.tmp-*" file, which Load ignores). The
// file is created with mode 0600. A FileStore is safe for concurrent use
// within one process; the directory must already exist.
//
// A FileStore is a WriteThroughStore: a service on it saves every
// acknowledged change, so that New after a crash (or kill -9) of the
// process restores every job a call acknowledged (with Sync: Batched,
// every job acknowledged before the last save, below). It is a LockingStore: a
// service holds an OS lock (flock, LockFileEx on Windows) on the file
// "PATH.lock" from New to Close, and a second service on the same path, in
// this process or another, fails at New with ErrStoreLocked.
//
// Sync chooses when an acknowledged change reaches the disk. PerCall (the
// default) saves it before the call returns: acknowledged means durable, at
// the price of a whole fsync'd save per call. Batched is group commit: the
// call returns at once, and the service saves every change acknowledged
// since its last save in one background save, at most Window after the
// first of them (DefaultBatchWindow when Window is zero); Service.Flush and
// Close save at once. A crash (kill -9, power loss) of a Batched service
// loses exactly the changes acknowledged since the last save that
// completed: at most those of the last Window, plus those that arrived
// while that save was being written (see Service.Flush). Set Sync and
// Window before New; a service reads them once.
type FileStore struct {
	// Sync is PerCall (the zero value) or Batched.
	Sync SyncMode
	// Window bounds how long a Batched store leaves an acknowledged change
	// unsaved (zero: DefaultBatchWindow). PerCall ignores it.
	Window time.Duration

	path string
	mu   sync.Mutex // serializes Save
}

// SyncMode says when a FileStore makes an acknowledged change durable.
type SyncMode int

const (
	// PerCall saves every acknowledged change before its call returns.
	PerCall SyncMode = iota
	// Batched saves acknowledged changes in groups, in the background, at
	// most a FileStore's Window after the first of a group (group commit).
	Batched
)

// String returns "PerCall" or "Batched" (or "SyncMode(n)").
func (m SyncMode) String() string {
	switch m {
	case PerCall:
		return "PerCall"
	case Batched:
		return "Batched"
	}
	return fmt.Sprintf("SyncMode(%d)", int(m))
}

// DefaultBatchWindow is the Window of a Batched FileStore whose Window is
// zero.
const DefaultBatchWindow = 10 * time.Millisecond

// BatchWindow returns 0 for PerCall (every change saved before its call
// returns) and the window for Batched. An unknown Sync or a negative
// Window is an error wrapping E_INVALIDARG.
func (f *FileStore) BatchWindow() (time.Duration, error) {
	switch f.Sync {
	case PerCall:
		return 0, nil
	case Batched:
		switch {
		case f.Window < 0:
			return 0, fmt.Errorf("sim: file store %s: Window %v is negative: %w", f.path, f.Window, model.E_INVALIDARG)
		case f.Window == 0:
			return DefaultBatchWindow, nil
		}
		return f.Window, nil
	}
	return 0, fmt.Errorf("sim: file store %s: Sync %v is neither PerCall nor Batched: %w", f.path, f.Sync, model.E_INVALIDARG)
}

// NewFileStore returns a store that keeps its data in the file at path.
// Nothing is touched until Save or Load.
func NewFileStore(path string) *FileStore { return &FileStore{path: path} }

// WriteThrough reports true: a service saves every acknowledged change.
func (f *FileStore) WriteThrough() bool { return true }

// Lock takes the OS lock of the store's "PATH.lock" file without waiting;
// it fails with ErrStoreLocked while another holder has it.
func (f *FileStore) Lock() (unlock func() error, err error) {
	lf, err := os.OpenFile(f.path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sim: file store: %w", err)
	}
	if err := lockFile(lf); err != nil {
		_ = lf.Close() // the lock error is the one to report
		if errors.Is(err, ErrStoreLocked) {
			return nil, fmt.Errorf("%s.lock is held by another service: %w", f.path, err)
		}
		return nil, fmt.Errorf("sim: file store: lock %s.lock: %w", f.path, err)
	}
	return func() error {
		err := unlockFile(lf)
		if cerr := lf.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

// Path returns the file's path.
func (f *FileStore) Path() string { return f.path }

// String returns "file store " followed by the path.
func (f *FileStore) String() string { return "file store " + f.path }

// Save atomically replaces the file's contents with data.
func (f *FileStore) Save(data []byte) (err error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return f.saveErr(err)
	}
	tmpName := tmp.Name()
	renamed := false
	defer func() {
		if !renamed {
			_ = tmp.Close() // may already be closed; the error is irrelevant
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return f.saveErr(err)
	}
	if err := tmp.Sync(); err != nil {
		return f.saveErr(err)
	}
	if err := tmp.Close(); err != nil {
		return f.saveErr(err)
	}
	if err := os.Rename(tmpName, f.path); err != nil {
		return f.saveErr(err)
	}
	renamed = true
	if err := syncDir(dir); err != nil && runtime.GOOS != "windows" {
		// The new data is in place but its directory entry may not be
		// durable yet.
		return f.saveErr(fmt.Errorf("sync directory: %w", err))
	}
	return nil
}

// Load returns the file's contents, or (nil, nil) if the file does not exist.
func (f *FileStore) Load() ([]byte, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		// err is an *fs.PathError, which names the file.
		return nil, fmt.Errorf("sim: file store: load: %w", err)
	}
	return data, nil
}

// saveErr names the file in a Save error (err itself may name only the
// temporary file).
func (f *FileStore) saveErr(err error) error {
	return fmt.Errorf("sim: file store: save %s: %w", f.path, err)
}

// syncDir flushes a directory's entries to disk (unsupported on Windows).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// storeName describes st for error messages.
func storeName(st Store) string {
	if s, ok := st.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", st)
}

// saveSnapshot encodes s and saves it in st.
func saveSnapshot(st Store, s *snapshot) error {
	if err := st.Save(encodeSnapshot(s)); err != nil {
		return fmt.Errorf("sim: save snapshot to %s: %w", storeName(st), err)
	}
	return nil
}

// loadSnapshot loads and decodes the snapshot in st. It returns (nil, nil)
// when nothing was ever saved; corrupt data is an error naming the store
// (for a FileStore, its path).
func loadSnapshot(st Store) (snap *snapshot, err error) {
	err = withStoreData(st, func(data []byte) error {
		if data != nil {
			snap, err = decodeSnapshot(data)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// withStoreData calls fn with the data saved in st (nil when nothing was
// saved): a MemoryStore's own, under its lock, without Load's copy. An
// error of the load or of fn names the store (for a FileStore, its path).
func withStoreData(st Store, fn func(data []byte) error) error {
	var err error
	if m, ok := st.(*MemoryStore); ok {
		m.mu.Lock()
		err = fn(m.data)
		m.mu.Unlock()
	} else {
		var data []byte
		if data, err = st.Load(); err == nil {
			err = fn(data)
		}
	}
	if err != nil {
		return fmt.Errorf("sim: load snapshot from %s: %w", storeName(st), err)
	}
	return nil
}

// loadState loads the snapshot in st for a service following the readings
// sel, in two passes over its encoding and without a slice of its jobs: the
// first decodes and validates every field of every job (validator),
// and only when all decode and are valid does the second decode them again and call
// begin with their number, then fn with each (in a record fn must not
// keep). It reports whether anything was saved. Errors name the store (for
// a FileStore, its path), the job, the file and the field.
func loadState(st Store, sel rules.Selection, begin func(n int), fn func(j *jobRecord)) (found bool, err error) {
	err = withStoreData(st, func(data []byte) error {
		if data == nil {
			return nil
		}
		found = true
		r, err := openSnapshot(data)
		if err != nil {
			return err
		}
		// A decoding error comes first, then the first invalid field, as
		// when the snapshot is decoded whole and then validated.
		v := newValidator(sel, r.n)
		invalid := v.savedAt(r.savedAt)
		if err := r.each(func(i int, j *jobRecord) error {
			if invalid == nil {
				invalid = v.job(i, j)
			}
			return nil
		}); err != nil {
			return err
		}
		if invalid != nil {
			return invalid
		}
		begin(r.n)
		return r.each(func(_ int, j *jobRecord) error {
			fn(j)
			return nil
		})
	})
	return found, err
}
