package sim

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestMain runs the package's tests and examples, then fails the run if a
// goroutine of the simulator is still alive. Close waits for the service's
// background goroutine and for callbacks in progress, and every test
// defers Close, so after the tests none may remain: one that does is a
// service a test forgot to close, or a Close that does not wait for what
// it started.
func TestMain(m *testing.M) {
	code := m.Run()
	leaks := leakedGoroutines()
	// Close returns once the service's goroutines have called
	// WaitGroup.Done, which is the last thing they do, but a goroutine is
	// still listed until it has returned from that call. Such a goroutine
	// is runnable, never blocked, so give runnable ones the processor a
	// bounded number of times (no sleeping, no timing); a goroutine that
	// is blocked, or still there after that, has leaked.
	for i := 0; i < 1000 && len(leaks) > 0 && allRunnable(leaks); i++ {
		runtime.Gosched()
		leaks = leakedGoroutines()
	}
	if len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d goroutine(s) of the simulator still running after the tests "+
			"(every test must Close its service, and Close must wait for what the service started):\n\n%s\n",
			len(leaks), strings.Join(leaks, "\n\n"))
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// simFrame marks a stack with a frame of package sim (the test helpers of
// package sim_test print as "bitssim/sim_test.", which does not match).
const simFrame = "github.com/bitssim/bitssim/sim."

// leakedGoroutines returns the stacks of the goroutines, other than the
// caller, that have a frame of package sim or were started by one.
func leakedGoroutines() []string {
	var leaks []string
	for i, stack := range goroutineStacks() {
		if i == 0 {
			continue // runtime.Stack lists the calling goroutine first
		}
		if strings.Contains(stack, simFrame) {
			leaks = append(leaks, stack)
		}
	}
	return leaks
}

// allRunnable reports whether every stack is of a goroutine that is running
// or waiting only for a processor ("goroutine N [runnable]:").
func allRunnable(stacks []string) bool {
	for _, s := range stacks {
		header, _, _ := strings.Cut(s, "\n")
		_, status, _ := strings.Cut(header, "[")
		if !strings.HasPrefix(status, "runnable") && !strings.HasPrefix(status, "running") {
			return false
		}
	}
	return true
}

// goroutineStacks returns the stack of every goroutine, the caller's first.
func goroutineStacks() []string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	// Goroutines are separated by a blank line; each starts "goroutine N [status]:".
	var stacks []string
	for _, s := range strings.Split(strings.TrimSpace(string(buf)), "\n\n") {
		if strings.HasPrefix(s, "goroutine ") {
			stacks = append(stacks, s)
		}
	}
	return stacks
}
