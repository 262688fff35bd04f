//go:build windows

package com

import (
	"encoding/binary"
	"fmt"
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
