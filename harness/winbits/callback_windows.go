//go:build windows

package winbits

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

// CallbackObject is a COM object made in Go that BITS can call: it
// implements IBackgroundCopyCallback, and IBackgroundCopyCallback2 and 3
// when its Go value implements model.FileCallback and model.RangesCallback.
// Made for a value that is not a model.Callback, it answers only IUnknown.
//
// Its methods are created once for the process with syscall.NewCallback
// (which has a global limit) and shared by every object; they find the
// object's Go value in a registry keyed by the object's address (this).
// The object is a Go heap object, which the garbage collector never moves;
// the registry keeps it reachable, and pinned, while its reference count is
// positive. The count is atomic: COM calls AddRef and Release from any
// thread.
type CallbackObject struct {
	vtbl *[8]uintptr // must be the first field: COM reads it through this
	refs atomic.Int32
	pin  runtime.Pinner

	target any
	onFree func() // called when the last reference goes
	cb     model.Callback
	file   model.FileCallback
	ranges model.RangesCallback
}

// callbackVtbl is the one vtable of every CallbackObject, in the slot
// order of IBackgroundCopyCallback3.
var callbackVtbl [8]uintptr

func init() {
	callbackVtbl[slotUnknown.QueryInterface] = syscall.NewCallback(cbQueryInterface)
	callbackVtbl[slotUnknown.AddRef] = syscall.NewCallback(cbAddRef)
	callbackVtbl[slotUnknown.Release] = syscall.NewCallback(cbRelease)
	callbackVtbl[slotCallback.JobTransferred] = syscall.NewCallback(cbJobTransferred)
	callbackVtbl[slotCallback.JobError] = syscall.NewCallback(cbJobError)
	callbackVtbl[slotCallback.JobModification] = syscall.NewCallback(cbJobModification)
	callbackVtbl[slotCallback2.FileTransferred] = syscall.NewCallback(cbFileTransferred)
	callbackVtbl[slotCallback3.FileRangesTransferred] = syscall.NewCallback(cbFileRangesTransferred)
}

// objects maps the address of every live CallbackObject to it.
var objects = struct {
	sync.RWMutex
	m map[uintptr]*CallbackObject
}{m: map[uintptr]*CallbackObject{}}

func addr(o *CallbackObject) uintptr { return uintptr(unsafe.Pointer(o)) }

// NewCallbackObject makes a callback object for target, with one
// reference, which the caller must Release (BITS takes its own in
// SetNotifyInterface).
func NewCallbackObject(target any) (*CallbackObject, error) {
	if err := InitCOM(); err != nil {
		return nil, err
	}
	o := &CallbackObject{vtbl: &callbackVtbl, target: target}
	o.cb, _ = target.(model.Callback)
	o.file, _ = target.(model.FileCallback)
	o.ranges, _ = target.(model.RangesCallback)
	o.refs.Store(1)
	o.pin.Pin(o)
	objects.Lock()
	objects.m[addr(o)] = o
	objects.Unlock()
	return o, nil
}

// Pointer returns the object's IUnknown (and IBackgroundCopyCallback) pointer.
func (o *CallbackObject) Pointer() unsafe.Pointer { return unsafe.Pointer(o) }

// Target returns the Go value the object dispatches to.
func (o *CallbackObject) Target() any { return o.target }

// AddRef adds a reference.
func (o *CallbackObject) AddRef() { cbAddRef(o) }

// Release drops a reference; the last one unregisters the object.
func (o *CallbackObject) Release() { cbRelease(o) }

// lookup returns the live object at this, or nil.
func lookup(this *CallbackObject) *CallbackObject {
	objects.RLock()
	defer objects.RUnlock()
	return objects.m[addr(this)]
}

// lookupCallback returns the Go callback behind a COM object of this
// process, or nil when u is not one of ours.
func lookupCallback(u *unknown) model.Callback {
	p, hr := u.QueryInterface(iidUnknown)
	if hr.Failed() {
		return nil
	}
	defer p.Release()
	objects.RLock()
	o := objects.m[uintptr(unsafe.Pointer(p))]
	objects.RUnlock()
	if o == nil {
		return nil
	}
	return o.cb
}

func (o *CallbackObject) answers(iid model.GUID) bool {
	switch iid {
	case iidUnknown:
		return true
	case iidCallback:
		return o.cb != nil
	case iidCallback2:
		return o.file != nil
	case iidCallback3:
		return o.ranges != nil
	}
	return false
}

func cbQueryInterface(this *CallbackObject, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return uintptr(model.E_POINTER)
	}
	*ppv = 0
	o := lookup(this)
	if o == nil || riid == nil {
		return uintptr(model.E_UNEXPECTED)
	}
	if debugging {
		debugf("QueryInterface %v: %v", modelGUID(riid), o.answers(modelGUID(riid)))
	}
	if !o.answers(modelGUID(riid)) {
		return uintptr(model.E_NOINTERFACE)
	}
	o.refs.Add(1)
	*ppv = addr(o)
	return uintptr(model.S_OK)
}

func cbAddRef(this *CallbackObject) uintptr {
	return uintptr(this.refs.Add(1))
}

func cbRelease(this *CallbackObject) uintptr {
	n := this.refs.Add(-1)
	if n == 0 {
		objects.Lock()
		delete(objects.m, addr(this))
		objects.Unlock()
		this.pin.Unpin()
		if this.onFree != nil {
			this.onFree()
		}
	}
	return uintptr(max(n, 0))
}

// dispatch runs a Go callback method and turns its result into the
// HRESULT BITS sees: S_OK for nil or any success code, the failure code
// otherwise, E_UNEXPECTED for a panic.
func dispatch(f func() error) (hr uintptr) {
	defer func() {
		if r := recover(); r != nil {
			hr = uintptr(model.E_UNEXPECTED)
		}
	}()
	h := model.HRESULTOf(f())
	if h.Succeeded() {
		return uintptr(model.S_OK)
	}
	return uintptr(h)
}

func jobArg(p *unknown) (model.Job, error) {
	if p == nil {
		return nil, nil
	}
	return wrapJob(p)
}

func fileArg(p *unknown) model.File {
	if p == nil {
		return nil
	}
	return wrapFile(p)
}

func cbJobTransferred(this *CallbackObject, job *unknown) uintptr {
	o := lookup(this)
	if o == nil || o.cb == nil {
		return uintptr(model.S_OK)
	}
	return dispatch(func() error {
		j, err := jobArg(job)
		if err != nil {
			return err
		}
		return o.cb.JobTransferred(j)
	})
}

func cbJobError(this *CallbackObject, job *unknown, jobErr *unknown) uintptr {
	o := lookup(this)
	if o == nil || o.cb == nil {
		return uintptr(model.S_OK)
	}
	return dispatch(func() error {
		j, err := jobArg(job)
		if err != nil {
			return err
		}
		var je model.JobError
		if jobErr != nil {
			if je, err = readError(jobErr); err != nil {
				return fmt.Errorf("JobError: %w", err)
			}
		}
		return o.cb.JobError(j, je)
	})
}

func cbJobModification(this *CallbackObject, job *unknown, _ uintptr) uintptr {
	o := lookup(this)
	if o == nil || o.cb == nil {
		return uintptr(model.S_OK)
	}
	return dispatch(func() error {
		j, err := jobArg(job)
		if err != nil {
			return err
		}
		return o.cb.JobModification(j)
	})
}

func cbFileTransferred(this *CallbackObject, job, file *unknown) uintptr {
	o := lookup(this)
	if o == nil || o.file == nil {
		return uintptr(model.S_OK)
	}
	return dispatch(func() error {
		j, err := jobArg(job)
		if err != nil {
			return err
		}
		return o.file.FileTransferred(j, fileArg(file))
	})
}

func cbFileRangesTransferred(this *CallbackObject, job, file *unknown, count uintptr, ranges *bgFileRange) uintptr {
	o := lookup(this)
	if o == nil || o.ranges == nil {
		return uintptr(model.S_OK)
	}
	return dispatch(func() error {
		j, err := jobArg(job)
		if err != nil {
			return err
		}
		return o.ranges.FileRangesTransferred(j, fileArg(file), copyRanges(ranges, uint32(count)))
	})
}
