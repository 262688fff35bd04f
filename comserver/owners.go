package comserver

import (
	"io"
	"sync"
)

// maxOwners bounds the watches an ownerSet keeps: past it, the oldest is
// closed first.
const maxOwners = 4096

// ownerSet keeps one watch (an open process handle) per process whose
// objects the server has held, so that no later process is given its
// process ID while the server lives (see owner_windows.go for why Wine
// needs it). The watches stay open after the proxies are released: Wine
// may keep a proxy manager of the object longer than the server's
// reference (and the server does not see every proxy COM makes for it,
// such as a notification class's factory), so a released identity is
// kept in quarantine rather than freed. At most max watches are kept,
// the oldest closed first.
type ownerSet struct {
	mu    sync.Mutex
	max   int
	m     map[uint32]io.Closer
	order []uint32 // pids, oldest first
}

func newOwnerSet(max int) *ownerSet { return &ownerSet{max: max, m: map[uint32]io.Closer{}} }

// keep records the watch w of process pid and reports whether it is kept;
// a process already watched keeps its first watch and w is closed.
func (s *ownerSet) keep(pid uint32, w io.Closer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[pid]; ok {
		_ = w.Close()
		return false
	}
	s.m[pid] = w
	s.order = append(s.order, pid)
	for len(s.order) > s.max {
		old := s.order[0]
		s.order = s.order[1:]
		_ = s.m[old].Close()
		delete(s.m, old)
	}
	return true
}

// watching reports whether process pid is watched.
func (s *ownerSet) watching(pid uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[pid]
	return ok
}

// size returns how many processes are watched.
func (s *ownerSet) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
