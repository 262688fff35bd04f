//go:build windows

package com

import (
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

// Object is a COM object implemented in Go. Its address is its interface
// pointer: vtbl must stay the first field (COM reads the vtable through
// the pointer). Every interface the object answers shares that one vtable,
// so they must be one interface and its bases (IBackgroundCopyJob5 answers
// for IBackgroundCopyJob to Job4).
type Object struct {
	vtbl unsafe.Pointer
	refs atomic.Int32
	pin  runtime.Pinner

	iids  []model.GUID // the interfaces it answers besides IUnknown
	impl  any
	final func()
}

var objects = struct {
	sync.RWMutex
	m map[uintptr]*Object
}{m: map[uintptr]*Object{}}

// NewObject makes an object with one reference, which the caller hands out
// (through an [out] parameter) or releases. vtbl comes from NewVTable;
// impl is the Go value its methods find with Live(this).Impl(); iids are
// the interfaces it answers besides IUnknown. The object stays registered,
// and pinned, while its reference count is positive.
func NewObject(vtbl unsafe.Pointer, impl any, iids ...model.GUID) *Object {
	o := &Object{vtbl: vtbl, impl: impl, iids: iids}
	o.refs.Store(1)
	o.pin.Pin(o)
	objects.Lock()
	objects.m[o.Ptr()] = o
	objects.Unlock()
	tracef("%#x NewObject %T: refs 1", o.Ptr(), impl)
	return o
}

// OnFinalRelease sets f to run when the last reference goes, after the
// object is unregistered; set it before the object is handed out.
func (o *Object) OnFinalRelease(f func()) { o.final = f }

// Ptr returns the object's interface pointer.
func (o *Object) Ptr() uintptr { return uintptr(unsafe.Pointer(o)) }

// Impl returns the Go value behind the object.
func (o *Object) Impl() any { return o.impl }

// Answers reports whether the object answers QueryInterface for iid.
func (o *Object) Answers(iid model.GUID) bool {
	if iid == IIDUnknown {
		return true
	}
	for _, i := range o.iids {
		if i == iid {
			return true
		}
	}
	return false
}

// AddRef adds a reference, as IUnknown::AddRef.
func (o *Object) AddRef() { objAddRef(o.Ptr()) }

// Release drops a reference, as IUnknown::Release; the last one
// unregisters the object and runs its OnFinalRelease function.
func (o *Object) Release() { objRelease(o.Ptr()) }

// Live returns the live object whose interface pointer is this, or nil for
// an address that is not (or no longer) one.
func Live(this uintptr) *Object {
	objects.RLock()
	defer objects.RUnlock()
	return objects.m[this]
}

// LiveObjects returns how many objects made in Go COM still holds.
func LiveObjects() int {
	objects.RLock()
	defer objects.RUnlock()
	return len(objects.m)
}

// The IUnknown methods, shared by every vtable.
var unknownThunks = [3]uintptr{
	syscall.NewCallback(objQueryInterface),
	syscall.NewCallback(objAddRef),
	syscall.NewCallback(objRelease),
}

// QueryInterface is the IUnknown::QueryInterface every object of this
// package answers: the object itself, with a reference, for IUnknown and
// its iids; E_NOINTERFACE for others; RPC_E_DISCONNECTED for an object
// already released. A method that returns an object may end with it
// (IClassFactory::CreateInstance does).
func QueryInterface(this uintptr, riid *windows.GUID, ppv *uintptr) uintptr {
	return objQueryInterface(this, riid, ppv)
}

func objQueryInterface(this uintptr, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return uintptr(model.E_POINTER)
	}
	*ppv = 0
	o := Live(this)
	if o == nil {
		tracef("%#x QueryInterface: not a live object: RPC_E_DISCONNECTED", this)
		return uintptr(model.RPC_E_DISCONNECTED)
	}
	if riid == nil {
		return uintptr(model.E_INVALIDARG)
	}
	iid := ModelGUID(riid)
	if !o.Answers(iid) {
		tracef("%#x QueryInterface %v: E_NOINTERFACE", this, iid)
		return uintptr(model.E_NOINTERFACE)
	}
	n := o.refs.Add(1)
	tracef("%#x QueryInterface %v: S_OK, refs %d", this, iid, n)
	*ppv = this
	return uintptr(model.S_OK)
}

func objAddRef(this uintptr) uintptr {
	o := Live(this)
	if o == nil {
		tracef("%#x AddRef: not a live object", this)
		return 0
	}
	n := o.refs.Add(1)
	tracef("%#x AddRef: refs %d", this, n)
	return uintptr(n)
}

func objRelease(this uintptr) uintptr {
	o := Live(this)
	if o == nil {
		tracef("%#x Release: not a live object", this)
		return 0
	}
	n := o.refs.Add(-1)
	tracef("%#x Release: refs %d", this, n)
	if n == 0 {
		objects.Lock()
		delete(objects.m, this)
		objects.Unlock()
		o.pin.Unpin()
		if o.final != nil {
			o.final()
		}
	}
	return uintptr(max(n, 0))
}

// NewVTable builds a vtable for NewObject: IUnknown's three methods, then
// methods in slot order, each a Go function for syscall.NewCallback whose
// first argument is this (uintptr), or nil for a method that answers
// E_NOTIMPL. Call it once per interface, at package initialization: the
// process may create only a limited number of callbacks. The table is kept
// for the process's lifetime.
func NewVTable(methods ...any) unsafe.Pointer {
	v := make([]uintptr, 0, 3+len(methods))
	v = append(v, unknownThunks[:]...)
	for _, m := range methods {
		if m == nil {
			v = append(v, notImplThunk)
			continue
		}
		v = append(v, syscall.NewCallback(m))
	}
	vtables.Lock()
	vtables.keep = append(vtables.keep, v)
	vtables.Unlock()
	return unsafe.Pointer(&v[0])
}

// vtables holds every vtable for the process's lifetime.
var vtables struct {
	sync.Mutex
	keep [][]uintptr
}

// notImplThunk answers E_NOTIMPL, whatever the arguments (the callee
// cleans nothing up on amd64).
var notImplThunk = syscall.NewCallback(func(this uintptr) uintptr { return uintptr(model.E_NOTIMPL) })

// Guard runs f, the body of a method COM calls, and turns a panic into
// E_UNEXPECTED (logged): a bug in Go must not unwind into COM's RPC thread.
func Guard(f func() uintptr) (r uintptr) {
	defer func() {
		if p := recover(); p != nil {
			logf("panic in a COM method: %v", p)
			r = uintptr(model.E_UNEXPECTED)
		}
	}()
	return f()
}

// Method is the frame of a method of an object made with NewObject: it
// finds the live object at this, hands its Go value (of type T) to f and
// returns f's HRESULT, under Guard. An object already released answers
// RPC_E_DISCONNECTED, and one whose value is not a T E_UNEXPECTED.
func Method[T any](this uintptr, f func(impl T) model.HRESULT) uintptr {
	return Guard(func() uintptr {
		o := Live(this)
		if o == nil {
			return uintptr(model.RPC_E_DISCONNECTED)
		}
		impl, ok := o.impl.(T)
		if !ok {
			return uintptr(model.E_UNEXPECTED)
		}
		return uintptr(f(impl))
	})
}

// logger receives the package's diagnostics (SetLog), tracer its trace
// (SetTrace).
var logger, tracer atomic.Pointer[func(format string, args ...any)]

// SetLog sends the package's diagnostics (panics in methods, turned into
// E_UNEXPECTED) to f; nil, the default, drops them.
func SetLog(f func(format string, args ...any)) { setHook(&logger, f) }

// SetTrace sends a line to f for every object made in Go and every
// QueryInterface, AddRef and Release it answers, with its address and
// reference count; nil, the default, drops them.
func SetTrace(f func(format string, args ...any)) { setHook(&tracer, f) }

func setHook(h *atomic.Pointer[func(format string, args ...any)], f func(format string, args ...any)) {
	if f == nil {
		h.Store(nil)
		return
	}
	h.Store(&f)
}

func logf(format string, args ...any)   { call(&logger, format, args) }
func tracef(format string, args ...any) { call(&tracer, format, args) }

func call(h *atomic.Pointer[func(format string, args ...any)], format string, args []any) {
	if f := h.Load(); f != nil {
		(*f)(format, args...)
	}
}
