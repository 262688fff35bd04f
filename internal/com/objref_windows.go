//go:build windows

package com

import (
	"encoding/binary"
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

var (
	procCreateStreamOnHGlobal = modole32.NewProc("CreateStreamOnHGlobal")
	procGetHGlobalFromStream  = modole32.NewProc("GetHGlobalFromStream")
	procCoMarshalInterface    = modole32.NewProc("CoMarshalInterface")
	procCoReleaseMarshalData  = modole32.NewProc("CoReleaseMarshalData")

	modkernel32      = windows.NewLazySystemDLL("kernel32.dll")
	procGlobalLock   = modkernel32.NewProc("GlobalLock")
	procGlobalUnlock = modkernel32.NewProc("GlobalUnlock")
)

// The marshalling constants ObjRefOf uses (objidl.h).
const (
	mshctxLocal        = 0          // MSHCTX_LOCAL
	mshlflagsTableWeak = 2          // MSHLFLAGS_TABLEWEAK
	objrefSignature    = 0x574f454d // "MEOW"
	objrefStandard     = 1          // OBJREF_STANDARD
	streamSeekSet      = 0          // STREAM_SEEK_SET
	slotStreamSeek     = 5          // IStream::Seek, after IUnknown and ISequentialStream's Read, Write
)

// ObjRef is the network identity COM's standard marshalling gives an
// object: the apartment (OXID) and the object within it (OID). COM's
// proxies are keyed by the pair: a process that unmarshals a reference
// whose pair it already holds a proxy for gets that proxy back, whatever
// object the reference now names.
type ObjRef struct {
	OXID uint64 // the object exporter: the apartment that holds the object
	OID  uint64 // the object, within its apartment
}

// WinePID is the ID of the process whose apartment r names, as Wine makes
// OXIDs: the process ID in the upper 32 bits, and 0xCAFE (the MTA) or the
// apartment's thread ID in the lower. So under Wine an OXID, and with it
// every proxy keyed by it, outlives its process: a later process that gets
// the same process ID exports its objects under the same OXID, and its
// first objects get the same OIDs (each apartment counts them from 1), so
// a process that still holds a proxy of the dead one's object gets that
// stale proxy for the new object. Windows draws OXIDs at random; there the
// upper half means nothing.
func (r ObjRef) WinePID() uint32 { return uint32(r.OXID >> 32) }

// String formats r as Wine's traces do.
func (r ObjRef) String() string { return fmt.Sprintf("OXID %016x OID %d", r.OXID, r.OID) }

// ObjRefOf returns the identity of the object p (a proxy of another
// process's object, or an object of this process) by marshalling it
// table-weak, which moves no reference and makes no call to the object's
// process, and reading the standard OBJREF; the marshalled data is
// released before it returns. An object with custom marshalling has no
// standard identity: E_NOTIMPL.
func ObjRefOf(p uintptr) (ObjRef, error) {
	if p == 0 {
		return ObjRef{}, fmt.Errorf("ObjRefOf(NULL): %w", model.E_POINTER)
	}
	var stream uintptr
	if h := hresult(syscall.SyscallN(procCreateStreamOnHGlobal.Addr(), 0, 1, uintptr(unsafe.Pointer(&stream)))); h.Failed() {
		return ObjRef{}, fmt.Errorf("CreateStreamOnHGlobal: %w", h)
	}
	s := Pointer(stream)
	defer s.Release()
	if h := hresult(syscall.SyscallN(procCoMarshalInterface.Addr(), stream, uintptr(unsafe.Pointer(WinGUID(IIDUnknown))), p,
		mshctxLocal, 0, mshlflagsTableWeak)); h.Failed() {
		return ObjRef{}, fmt.Errorf("CoMarshalInterface: %w", h)
	}
	defer func() {
		// Back to the start, and release what the marshalling registered
		// (a weak table entry; for a proxy, nothing).
		if s.Call(slotStreamSeek, uintptr(0), uintptr(streamSeekSet), uintptr(0)).Succeeded() {
			_, _, _ = syscall.SyscallN(procCoReleaseMarshalData.Addr(), stream)
		}
	}()
	var hg uintptr
	if h := hresult(syscall.SyscallN(procGetHGlobalFromStream.Addr(), stream, uintptr(unsafe.Pointer(&hg)))); h.Failed() {
		return ObjRef{}, fmt.Errorf("GetHGlobalFromStream: %w", h)
	}
	mem, _, _ := syscall.SyscallN(procGlobalLock.Addr(), hg)
	if mem == 0 {
		return ObjRef{}, fmt.Errorf("GlobalLock: %w", model.E_OUTOFMEMORY)
	}
	defer syscall.SyscallN(procGlobalUnlock.Addr(), hg)
	// OBJREF: signature, flags, iid (16 bytes), then STDOBJREF: flags,
	// cPublicRefs, oxid, oid, ipid.
	b := unsafe.Slice((*byte)(foreign(mem)), 48)
	if binary.LittleEndian.Uint32(b[0:]) != objrefSignature || binary.LittleEndian.Uint32(b[4:]) != objrefStandard {
		return ObjRef{}, fmt.Errorf("ObjRefOf: not a standard OBJREF: %w", model.E_NOTIMPL)
	}
	return ObjRef{OXID: binary.LittleEndian.Uint64(b[32:]), OID: binary.LittleEndian.Uint64(b[40:])}, nil
}

func hresult(r uintptr, _ uintptr, _ error) model.HRESULT { return model.HRESULT(uint32(r)) }

// UnderWine reports whether the process runs under Wine (its ntdll
// exports wine_get_version; Windows's does not).
func UnderWine() bool { return underWine() }

var underWine = sync.OnceValue(func() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
})

// OwnerWatch keeps the process that holds an object from having its
// process ID reused while a proxy of the object is held (see WatchOwner).
type OwnerWatch struct {
	ref ObjRef
	h   windows.Handle
}

// WatchOwner opens a watch of the process that holds the object p, for a
// process that keeps p, a proxy of another process's object, for long:
// close the watch when the proxy is released, not before.
//
// Under Wine a proxy outlives the identity of its object: Wine's OXID is
// the object's process ID (see ObjRef.WinePID), and COM hands out the
// proxy it holds for an OXID and OID, so after the object's process has
// ended, a new process given the same process ID has its first objects
// mistaken for the dead one's. Asked for an interface, the stale proxy
// asks the new process about an interface pointer ID it never issued:
// E_NOINTERFACE. An open handle of a process keeps its ID from being
// reused (under Wine as on Windows), so while the watch is open no process
// can take the identity. Outside Wine, where OXIDs are random, WatchOwner
// opens nothing and returns a watch whose Close does nothing.
func WatchOwner(p uintptr) (*OwnerWatch, error) {
	ref, err := ObjRefOf(p)
	if err != nil {
		return nil, err
	}
	w := &OwnerWatch{ref: ref}
	if !UnderWine() {
		return w, nil
	}
	pid := ref.WinePID()
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, pid)
	if err != nil {
		return w, fmt.Errorf("OpenProcess(%d), the process of %v: %w", pid, ref, err)
	}
	w.h = h
	return w, nil
}

// Watching reports whether the watch holds the process open (under Wine,
// until Close).
func (w *OwnerWatch) Watching() bool { return w != nil && w.h != 0 }

// Ref returns the identity of the watched object.
func (w *OwnerWatch) Ref() ObjRef { return w.ref }

// Close closes the watch; the process ID may be reused once the process
// has ended. Closing a nil watch, or one twice, does nothing.
func (w *OwnerWatch) Close() error {
	if w == nil || w.h == 0 {
		return nil
	}
	h := w.h
	w.h = 0
	return windows.CloseHandle(h)
}
