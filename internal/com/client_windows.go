//go:build windows

package com

import (
	"fmt"
	"reflect"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/bitssim/bitssim/model"
)

// Unknown is a COM interface pointer seen from Go: the memory it points
// to starts with the address of the interface's vtable. A *Unknown is the
// interface pointer itself; it may be any interface, IUnknown's three
// methods being the first slots of every one.
type Unknown struct {
	vtbl unsafe.Pointer
}

// Pointer returns the interface pointer an address from COM (an [out]
// parameter, a callback's argument) stands for; nil for 0.
func Pointer(p uintptr) *Unknown { return (*Unknown)(foreign(p)) }

// Ptr returns o's address, for a call that takes it as a word.
func (o *Unknown) Ptr() uintptr { return uintptr(unsafe.Pointer(o)) }

// method returns the address of the function in vtable slot i.
func (o *Unknown) method(i int) uintptr {
	return *(*uintptr)(unsafe.Add(o.vtbl, uintptr(i)*ptrSize))
}

// Call calls the method in vtable slot i with o as this and returns its
// HRESULT. Arguments are uintptr, uint32, int32, int, uint64, bool, nil,
// unsafe.Pointer or pointers (a pointer to a Go value escapes to the heap
// through args, which keeps it alive until the call returns; the callee
// must not keep it). An argument of another type is E_INVALIDARG, with
// no call made.
func (o *Unknown) Call(i int, args ...any) model.HRESULT {
	words := make([]uintptr, 0, len(args)+1)
	words = append(words, uintptr(unsafe.Pointer(o)))
	for _, a := range args {
		w, ok := word(a)
		if !ok {
			return model.E_INVALIDARG
		}
		words = append(words, w)
	}
	r, _, _ := syscall.SyscallN(o.method(i), words...)
	runtime.KeepAlive(args)
	runtime.KeepAlive(o)
	return model.HRESULT(uint32(r))
}

// word is a as one argument word of a call.
func word(a any) (uintptr, bool) {
	switch v := a.(type) {
	case nil:
		return 0, true
	case uintptr:
		return v, true
	case uint32:
		return uintptr(v), true
	case int32:
		return uintptr(uint32(v)), true
	case int:
		return uintptr(v), true
	case uint64:
		return uintptr(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	case unsafe.Pointer:
		return uintptr(v), true
	}
	rv := reflect.ValueOf(a)
	if rv.Kind() == reflect.Pointer || rv.Kind() == reflect.UnsafePointer {
		return rv.Pointer(), true
	}
	return 0, false
}

// AddRef is IUnknown::AddRef.
func (o *Unknown) AddRef() { o.Call(SlotUnknown.AddRef) }

// Release is IUnknown::Release.
func (o *Unknown) Release() { o.Call(SlotUnknown.Release) }

// QueryInterface is IUnknown::QueryInterface: o's interface iid, with a
// reference the caller releases, or the failure (E_NOINTERFACE also when
// the object answered success with a NULL pointer).
func (o *Unknown) QueryInterface(iid model.GUID) (*Unknown, model.HRESULT) {
	w := WinGUID(iid)
	// The out pointer lives on the heap, pinned: when the object is one
	// of this process's, the call runs Go code on this goroutine, whose
	// stack may move while COM holds the address.
	pp := new(*Unknown)
	var pin runtime.Pinner
	pin.Pin(pp)
	pin.Pin(w)
	defer pin.Unpin()
	h := o.Call(SlotUnknown.QueryInterface, w, pp)
	if h.Failed() {
		return nil, h
	}
	if *pp == nil {
		return nil, model.E_NOINTERFACE
	}
	return *pp, h
}

// CreateInstance is CoCreateInstance(clsid, NULL, CLSCTX_LOCAL_SERVER,
// iid) after Init: an instance of the class in its server's process, with
// a reference the caller releases. A success with a NULL pointer is
// E_POINTER.
func CreateInstance(clsid, iid model.GUID) (*Unknown, model.HRESULT) {
	if err := Init(); err != nil {
		return nil, model.HRESULTOf(err)
	}
	// The out pointer lives on the heap, pinned: an activation served by
	// this process calls back into Go on this goroutine, whose stack may
	// move while COM still holds the address.
	pp := new(*Unknown)
	c, i := WinGUID(clsid), WinGUID(iid)
	var pin runtime.Pinner
	pin.Pin(pp)
	pin.Pin(c)
	pin.Pin(i)
	defer pin.Unpin()
	r, _, _ := syscall.SyscallN(procCoCreateInstance.Addr(), uintptr(unsafe.Pointer(c)), 0, ClsctxLocalServer,
		uintptr(unsafe.Pointer(i)), uintptr(unsafe.Pointer(pp)))
	h := model.HRESULT(uint32(r))
	if h.Failed() {
		return nil, h
	}
	if *pp == nil {
		return nil, model.E_POINTER
	}
	return *pp, h
}

// RegisterClassObject is CoRegisterClassObject(clsid, factory,
// CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE): from now on activations of
// clsid reach factory, an IClassFactory of this process. The cookie
// revokes it.
func RegisterClassObject(clsid model.GUID, factory uintptr) (cookie uint32, err error) {
	if err := Init(); err != nil {
		return 0, err
	}
	w := WinGUID(clsid)
	r, _, _ := syscall.SyscallN(procCoRegisterClassObject.Addr(), uintptr(unsafe.Pointer(w)),
		factory, ClsctxLocalServer, RegclsMultipleUse, uintptr(unsafe.Pointer(&cookie)))
	if h := model.HRESULT(uint32(r)); h.Failed() {
		return 0, fmt.Errorf("CoRegisterClassObject(%v): %w", clsid, h)
	}
	return cookie, nil
}

// RevokeClassObject is CoRevokeClassObject: activations no longer reach
// the class object RegisterClassObject's cookie names.
func RevokeClassObject(cookie uint32) error {
	r, _, _ := syscall.SyscallN(procCoRevokeClassObject.Addr(), uintptr(cookie))
	if h := model.HRESULT(uint32(r)); h.Failed() {
		return fmt.Errorf("CoRevokeClassObject: %w", h)
	}
	return nil
}

// ImpersonateClient is CoImpersonateClient: the current thread, serving a
// COM call, takes the caller's identity until RevertToSelf. It fails
// outside a call (and inside calls under Wine 8.0, 0x80010117).
func ImpersonateClient() model.HRESULT {
	r, _, _ := syscall.SyscallN(procCoImpersonateClient.Addr())
	return model.HRESULT(uint32(r))
}

// RevertToSelf is CoRevertToSelf: the thread takes its own identity back
// after ImpersonateClient.
func RevertToSelf() model.HRESULT {
	r, _, _ := syscall.SyscallN(procCoRevertToSelf.Addr())
	return model.HRESULT(uint32(r))
}

// foreign converts the address of memory Go does not manage (COM's
// allocations and objects) to a pointer.
func foreign(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }
