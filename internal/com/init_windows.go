//go:build windows

package com

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

var (
	modole32                  = windows.NewLazySystemDLL("ole32.dll")
	procCoCreateInstance      = modole32.NewProc("CoCreateInstance")
	procCoInitializeSecurity  = modole32.NewProc("CoInitializeSecurity")
	procCoIncrementMTAUsage   = modole32.NewProc("CoIncrementMTAUsage")
	procCoRegisterClassObject = modole32.NewProc("CoRegisterClassObject")
	procCoRevokeClassObject   = modole32.NewProc("CoRevokeClassObject")
	procCoTaskMemAlloc        = modole32.NewProc("CoTaskMemAlloc")
	procCoImpersonateClient   = modole32.NewProc("CoImpersonateClient")
	procCoRevertToSelf        = modole32.NewProc("CoRevertToSelf")
)

const (
	rpcCAuthnLevelConnect          = 2
	rpcCImpLevelImpersonate        = 3
	eoacNone                       = 0
	rpcETooLate             uint32 = 0x80010119 // RPC_E_TOO_LATE: security was set before

	ptrSize = unsafe.Sizeof(uintptr(0))
)

var (
	initOnce sync.Once
	initErr  error
)

// Init makes the process a member of the multithreaded apartment (MTA)
// once, so that every thread, including the ones goroutines migrate to and
// the RPC threads COM calls objects on, may use COM; and it sets the
// process security so that a service (BITS) can call the process's objects
// (authentication CONNECT, impersonation IMPERSONATE, as Wine's BITS tests
// do). It is idempotent and returns the first call's error.
func Init() error {
	initOnce.Do(func() {
		done := make(chan error, 1)
		go func() {
			// The thread that initializes COM stays in the MTA for the
			// process's lifetime: it is unlocked afterwards, never
			// uninitialized, and Go never ends an unlocked thread.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if err := windows.CoInitializeEx(0, windows.COINIT_MULTITHREADED); err != nil {
				if hr := FromError(err); hr.Failed() {
					done <- fmt.Errorf("CoInitializeEx(COINIT_MULTITHREADED): %w", hr)
					return
				}
			}
			if procCoIncrementMTAUsage.Find() == nil {
				var cookie uintptr
				_, _, _ = syscall.SyscallN(procCoIncrementMTAUsage.Addr(), uintptr(unsafe.Pointer(&cookie)))
			}
			r, _, _ := syscall.SyscallN(procCoInitializeSecurity.Addr(), 0, ^uintptr(0), 0, 0,
				rpcCAuthnLevelConnect, rpcCImpLevelImpersonate, 0, eoacNone, 0)
			if hr := model.HRESULT(uint32(r)); hr.Failed() && uint32(hr) != rpcETooLate {
				done <- fmt.Errorf("CoInitializeSecurity: %w", hr)
				return
			}
			done <- nil
		}()
		initErr = <-done
	})
	return initErr
}
