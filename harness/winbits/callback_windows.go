//go:build windows

package winbits

import (
	"fmt"
	"unsafe"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// CallbackObject is a COM object made in Go that BITS can call: it
// implements IBackgroundCopyCallback, and IBackgroundCopyCallback2 and 3
// when its Go value implements model.FileCallback and model.RangesCallback.
// Made for a value that is not a model.Callback, it answers only IUnknown.
//
// It is an internal/com object: its methods are created once for the
// process with syscall.NewCallback (which has a global limit) and shared
// by every object; they find the object's Go value in a registry keyed by
// the object's address (this). The object is pinned while its reference
// count is positive; the count is atomic, as COM calls AddRef and Release
// from any thread.
type CallbackObject struct {
	obj *com.Object

	target any
	cb     model.Callback
	file   model.FileCallback
	ranges model.RangesCallback
}

// callbackVtbl is the one vtable of every CallbackObject, in the slot
// order of IBackgroundCopyCallback3.
var callbackVtbl = com.NewVTable(cbJobTransferred, cbJobError, cbJobModification, cbFileTransferred,
	cbFileRangesTransferred)

// NewCallbackObject makes a callback object for target, with one
// reference, which the caller must Release (BITS takes its own in
// SetNotifyInterface).
func NewCallbackObject(target any) (*CallbackObject, error) {
	if err := InitCOM(); err != nil {
		return nil, err
	}
	o := &CallbackObject{target: target}
	o.cb, _ = target.(model.Callback)
	o.file, _ = target.(model.FileCallback)
	o.ranges, _ = target.(model.RangesCallback)
	var iids []model.GUID
	for _, i := range []struct {
		iid model.GUID
		has bool
	}{{bitsabi.IIDCallback, o.cb != nil}, {bitsabi.IIDCallback2, o.file != nil}, {bitsabi.IIDCallback3, o.ranges != nil}} {
		if i.has {
			iids = append(iids, i.iid)
		}
	}
	o.obj = com.NewObject(callbackVtbl, o, iids...)
	return o, nil
}

// Pointer returns the object's IUnknown (and IBackgroundCopyCallback) pointer.
func (o *CallbackObject) Pointer() unsafe.Pointer { return unsafe.Pointer(o.obj) }

// Target returns the Go value the object dispatches to.
func (o *CallbackObject) Target() any { return o.target }

// AddRef adds a reference.
func (o *CallbackObject) AddRef() { o.obj.AddRef() }

// Release drops a reference; the last one unregisters the object.
func (o *CallbackObject) Release() { o.obj.Release() }

// lookup returns the live callback object at this, or nil.
func lookup(this uintptr) *CallbackObject {
	if o := com.Live(this); o != nil {
		c, _ := o.Impl().(*CallbackObject)
		return c
	}
	return nil
}

// lookupCallback returns the Go callback behind a COM object of this
// process, or nil when u is not one of ours.
func lookupCallback(u *com.Unknown) model.Callback {
	p, hr := u.QueryInterface(com.IIDUnknown)
	if hr.Failed() {
		return nil
	}
	defer p.Release()
	if o := lookup(p.Ptr()); o != nil {
		return o.cb
	}
	return nil
}

// dispatch runs a Go callback method and turns its result into the
// HRESULT BITS sees: S_OK for nil or any success code, the failure code
// otherwise, E_UNEXPECTED for a panic.
func dispatch(f func() error) uintptr {
	return com.Guard(func() uintptr {
		h := model.HRESULTOf(f())
		if h.Succeeded() {
			return uintptr(model.S_OK)
		}
		return uintptr(h)
	})
}

func jobArg(p *com.Unknown) (model.Job, error) {
	if p == nil {
		return nil, nil
	}
	return wrapJob(p)
}

func fileArg(p *com.Unknown) model.File {
	if p == nil {
		return nil
	}
	return wrapFile(p)
}

// callback is the frame of every callback method: it finds the object at
// this and the interface of its Go value that pick returns, wraps the job
// pointer and runs f under dispatch. An object released, or whose value
// lacks the interface, answers S_OK.
func callback[I any](this uintptr, pick func(o *CallbackObject) I, job *com.Unknown, f func(itf I, j model.Job) error) uintptr {
	o := lookup(this)
	if o == nil {
		return uintptr(model.S_OK)
	}
	itf := pick(o)
	if any(itf) == nil {
		return uintptr(model.S_OK)
	}
	return dispatch(func() error {
		j, err := jobArg(job)
		if err != nil {
			return err
		}
		return f(itf, j)
	})
}

func (o *CallbackObject) callback() model.Callback         { return o.cb }
func (o *CallbackObject) fileCallback() model.FileCallback { return o.file }
func (o *CallbackObject) rangesCallback() model.RangesCallback {
	return o.ranges
}

func cbJobTransferred(this uintptr, job *com.Unknown) uintptr {
	return callback(this, (*CallbackObject).callback, job, model.Callback.JobTransferred)
}

func cbJobError(this uintptr, job *com.Unknown, jobErr *com.Unknown) uintptr {
	return callback(this, (*CallbackObject).callback, job, func(cb model.Callback, j model.Job) error {
		var je model.JobError
		if jobErr != nil {
			var err error
			if je, err = readError(jobErr); err != nil {
				return fmt.Errorf("JobError: %w", err)
			}
		}
		return cb.JobError(j, je)
	})
}

func cbJobModification(this uintptr, job *com.Unknown, _ uintptr) uintptr {
	return callback(this, (*CallbackObject).callback, job, model.Callback.JobModification)
}

func cbFileTransferred(this uintptr, job, file *com.Unknown) uintptr {
	return callback(this, (*CallbackObject).fileCallback, job, func(cb model.FileCallback, j model.Job) error {
		return cb.FileTransferred(j, fileArg(file))
	})
}

func cbFileRangesTransferred(this uintptr, job, file *com.Unknown, count uintptr, ranges *bgFileRange) uintptr {
	return callback(this, (*CallbackObject).rangesCallback, job, func(cb model.RangesCallback, j model.Job) error {
		return cb.FileRangesTransferred(j, fileArg(file), copyRanges(ranges, uint32(count)))
	})
}
