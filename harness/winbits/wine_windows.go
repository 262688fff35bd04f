//go:build windows

package winbits

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// WineVersion returns Wine's version ("8.0") and true when the process
// runs under Wine, detected by ntdll!wine_get_version, which only Wine's
// ntdll exports.
func WineVersion() (string, bool) {
	proc := windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version")
	if proc.Find() != nil {
		return "", false
	}
	r, _, _ := syscall.SyscallN(proc.Addr())
	if r == 0 {
		return "", true
	}
	// r is a const char* in Wine's ntdll, static for the process's life.
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&r))), true
}
