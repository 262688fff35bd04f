package harness

import (
	"fmt"
	"sync"
)

// Standalone is a TB for code that makes backends outside a test, such as
// a command-line tool: it keeps cleanups until Close and records the first
// fatal error instead of stopping anything.
type Standalone struct {
	name     string
	mu       sync.Mutex
	cleanups []func()
	fatal    error
}

var _ TB = (*Standalone)(nil)

// NewStandalone returns a Standalone named name.
func NewStandalone(name string) *Standalone { return &Standalone{name: name} }

// Helper does nothing.
func (s *Standalone) Helper() {}

// Name returns the name given to NewStandalone.
func (s *Standalone) Name() string { return s.name }

// Logf discards the message.
func (s *Standalone) Logf(format string, args ...any) {}

// Skipf discards the message: a standalone run has nothing to skip.
func (s *Standalone) Skipf(format string, args ...any) {}

// Fatalf records the first fatal error; see Err.
func (s *Standalone) Fatalf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fatal == nil {
		s.fatal = fmt.Errorf(format, args...)
	}
}

// Err returns the first error passed to Fatalf, or nil.
func (s *Standalone) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fatal
}

// Cleanup registers f to run at Close.
func (s *Standalone) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}

// Close runs the cleanups, last registered first.
func (s *Standalone) Close() {
	s.mu.Lock()
	fs := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
