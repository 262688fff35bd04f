//go:build windows

package comserver

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// coEServerStopping is CO_E_SERVER_STOPPING: the server is shutting down.
const coEServerStopping model.HRESULT = 0x80080008

// errorMessageNotFound is HRESULT_FROM_WIN32(ERROR_MR_MID_NOT_FOUND), what
// GetErrorDescription answers for a code it has no text for.
const errorMessageNotFound model.HRESULT = 0x8007013D

// managerObj is IBackgroundCopyManager. It is bound to no client: every
// call acts as the process (and account) that makes it.
type managerObj struct{ s *Server }

var managerVtbl = vtable(mgrCreateJob, mgrGetJob, mgrEnumJobs, mgrGetErrorDescription)

func newManager(s *Server) *object { return newObject(managerVtbl, &managerObj{s: s}, iidManager) }

// managerCall runs f as the calling client.
func managerCall(this uintptr, f func(s *Server, app *sim.App) model.HRESULT) uintptr {
	return guard(func() uintptr {
		o := live(this)
		if o == nil {
			return hr(model.RPC_E_DISCONNECTED)
		}
		s := o.impl.(*managerObj).s
		app, err := s.caller()
		if err != nil {
			return result(err)
		}
		return hr(f(s, app))
	})
}

func mgrCreateJob(this uintptr, name *uint16, typ uintptr, id *windows.GUID, ppJob *uintptr) uintptr {
	return managerCall(this, func(s *Server, app *sim.App) model.HRESULT {
		if id == nil || ppJob == nil {
			return model.E_INVALIDARG
		}
		*ppJob = 0
		j, err := app.CreateJob(inString(name), model.JobType(uint32(typ)))
		if err != nil {
			return model.HRESULTOf(err)
		}
		s.keep(app, j)
		*id = toWin(j.GetId())
		*ppJob = newJobObject(s, j).ptr()
		return model.S_OK
	})
}

func mgrGetJob(this uintptr, id *windows.GUID, ppJob *uintptr) uintptr {
	return managerCall(this, func(s *Server, app *sim.App) model.HRESULT {
		if id == nil || ppJob == nil {
			return model.E_INVALIDARG
		}
		*ppJob = 0
		j, err := app.GetJob(fromWin(id))
		if err != nil {
			return model.HRESULTOf(err)
		}
		s.keep(app, j)
		*ppJob = newJobObject(s, j).ptr()
		return model.S_OK
	})
}

func mgrEnumJobs(this uintptr, flags uintptr, ppEnum *uintptr) uintptr {
	return managerCall(this, func(s *Server, app *sim.App) model.HRESULT {
		if ppEnum == nil {
			return model.E_INVALIDARG
		}
		*ppEnum = 0
		jobs, err := app.EnumJobs(model.EnumJobsFlags(uint32(flags)))
		if err != nil {
			return model.HRESULTOf(err)
		}
		items := make([]func() *object, len(jobs))
		for i, j := range jobs {
			items[i] = func() *object { return newJobObject(s, j) }
		}
		*ppEnum = newEnum(enumJobsVtbl, iidEnumJobs, items).ptr()
		return model.S_OK
	})
}

func mgrGetErrorDescription(this uintptr, code, lang uintptr, out **uint16) uintptr {
	return guard(func() uintptr {
		if live(this) == nil {
			return hr(model.RPC_E_DISCONNECTED)
		}
		if out == nil {
			return hr(model.E_INVALIDARG)
		}
		*out = nil
		d := model.HRESULT(uint32(code)).Description()
		if d == "" {
			return hr(errorMessageNotFound)
		}
		return hr(outString(out, d))
	})
}

// enumObj is IEnumBackgroundCopyJobs or IEnumBackgroundCopyFiles: a
// snapshot of the list taken when it was made, each item an object made
// when Next hands it out.
type enumObj struct {
	vtbl  unsafe.Pointer
	iid   model.GUID
	mu    sync.Mutex
	items []func() *object
	pos   int
}

// Both enumerators share one layout: Next, Skip, Reset, Clone, GetCount.
var (
	enumJobsVtbl  = vtable(enumNext, enumSkip, enumReset, enumClone, enumGetCount)
	enumFilesVtbl = vtable(enumNext, enumSkip, enumReset, enumClone, enumGetCount)
)

func newEnum(vtbl unsafe.Pointer, iid model.GUID, items []func() *object) *object {
	return newObject(vtbl, &enumObj{vtbl: vtbl, iid: iid, items: items}, iid)
}

func enumCall(this uintptr, f func(e *enumObj) model.HRESULT) uintptr {
	return guard(func() uintptr {
		o := live(this)
		if o == nil {
			return hr(model.RPC_E_DISCONNECTED)
		}
		e := o.impl.(*enumObj)
		e.mu.Lock()
		defer e.mu.Unlock()
		return hr(f(e))
	})
}

// enumNext hands out up to celt items; S_FALSE when fewer were left. A
// NULL fetched count is allowed only for one item (the IEnum contract).
func enumNext(this uintptr, celt uintptr, rgelt *uintptr, fetched *uint32) uintptr {
	return enumCall(this, func(e *enumObj) model.HRESULT {
		n := int(uint32(celt))
		if rgelt == nil || (fetched == nil && n != 1) {
			return model.E_INVALIDARG
		}
		out := unsafe.Slice(rgelt, max(n, 1))
		got := 0
		for got < n && e.pos < len(e.items) {
			out[got] = e.items[e.pos]().ptr()
			got++
			e.pos++
		}
		if fetched != nil {
			*fetched = uint32(got)
		}
		if got < n {
			return model.S_FALSE
		}
		return model.S_OK
	})
}

func enumSkip(this uintptr, celt uintptr) uintptr {
	return enumCall(this, func(e *enumObj) model.HRESULT {
		n := int(uint32(celt))
		if left := len(e.items) - e.pos; n > left {
			e.pos = len(e.items)
			return model.S_FALSE
		}
		e.pos += n
		return model.S_OK
	})
}

func enumReset(this uintptr) uintptr {
	return enumCall(this, func(e *enumObj) model.HRESULT {
		e.pos = 0
		return model.S_OK
	})
}

func enumClone(this uintptr, pp *uintptr) uintptr {
	return enumCall(this, func(e *enumObj) model.HRESULT {
		if pp == nil {
			return model.E_POINTER
		}
		c := newObject(e.vtbl, &enumObj{vtbl: e.vtbl, iid: e.iid, items: e.items, pos: e.pos}, e.iid)
		*pp = c.ptr()
		return model.S_OK
	})
}

func enumGetCount(this uintptr, count *uint32) uintptr {
	return enumCall(this, func(e *enumObj) model.HRESULT {
		if count == nil {
			return model.E_INVALIDARG
		}
		*count = uint32(len(e.items))
		return model.S_OK
	})
}
