//go:build windows

package winbits

import (
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The performance counter stamps the events of every source of the trace
// (see eventOrder): all the processes of a machine share it, it never goes
// back, and its ticks are fine (100 ns on Windows; Wine reads the host's
// monotonic clock), unlike Go's wall clock on Windows, which moves in
// timer ticks.
var (
	procQueryPerformanceCounter   = windows.NewLazySystemDLL("kernel32.dll").NewProc("QueryPerformanceCounter")
	procQueryPerformanceFrequency = windows.NewLazySystemDLL("kernel32.dll").NewProc("QueryPerformanceFrequency")
)

// stamp reads the performance counter; 0 when it cannot.
func stamp() int64 {
	var n int64
	if r, _, _ := procQueryPerformanceCounter.Call(uintptr(unsafe.Pointer(&n))); r == 0 {
		return 0
	}
	return n
}

// newCounterClock pairs the counter with the wall clock now.
func newCounterClock() counterClock {
	var f int64
	if r, _, _ := procQueryPerformanceFrequency.Call(uintptr(unsafe.Pointer(&f))); r == 0 {
		f = 0
	}
	return counterClock{at0: stamp(), wall0: time.Now(), freq: f}
}

// commandLine is the command line the process received, as received
// (GetCommandLineW): a recorded command line reports it, so that the
// trace shows the parameters BITS passed, not the ones the test set.
func commandLine() string { return windows.UTF16PtrToString(windows.GetCommandLine()) }
