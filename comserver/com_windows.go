//go:build windows

package comserver

import (
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

var (
	modole32                  = windows.NewLazySystemDLL("ole32.dll")
	procCoCreateInstance      = modole32.NewProc("CoCreateInstance")
	procCoRegisterClassObject = modole32.NewProc("CoRegisterClassObject")
	procCoRevokeClassObject   = modole32.NewProc("CoRevokeClassObject")
	procCoTaskMemAlloc        = modole32.NewProc("CoTaskMemAlloc")
	procCoImpersonateClient   = modole32.NewProc("CoImpersonateClient")
	procCoRevertToSelf        = modole32.NewProc("CoRevertToSelf")

	modrpcrt4                        = windows.NewLazySystemDLL("rpcrt4.dll")
	procIRpcBindingInqLocalClientPID = modrpcrt4.NewProc("I_RpcBindingInqLocalClientPID")
)

const (
	clsctxLocalServer = 0x4
	regclsMultipleUse = 1
	ptrSize           = unsafe.Sizeof(uintptr(0))
)

// Interface identifiers the server answers or calls.
var (
	iidUnknown      = model.MustParseGUID("{00000000-0000-0000-C000-000000000046}")
	iidClassFactory = model.MustParseGUID("{00000001-0000-0000-C000-000000000046}")
	iidManager      = model.IID_IBackgroundCopyManager
	iidJob          = model.IID_IBackgroundCopyJob
	iidJob2         = model.MustParseGUID("{54B50739-686F-45EB-9DFF-D6A9A0FAA9AF}")
	iidJob3         = model.MustParseGUID("{443C8934-90FF-48ED-BCDE-26F5C7450042}")
	iidJob4         = model.MustParseGUID("{659CDEAE-489E-11D9-A9CD-000D56965251}")
	iidJob5         = model.MustParseGUID("{E847030C-BBBA-4657-AF6D-484AA42BF1FE}")
	iidFile         = model.MustParseGUID("{01B7BD23-FB88-4A77-8490-5891D3E4653A}")
	iidFile2        = model.MustParseGUID("{83E81B93-0873-474D-8A8C-F2018B1A939C}")
	iidFile3        = model.MustParseGUID("{659CDEAA-489E-11D9-A9CD-000D56965251}")
	iidFile4        = model.MustParseGUID("{EF7E0655-7888-4960-B0E5-730846E03492}")
	iidFile5        = model.MustParseGUID("{85C1657F-DAFC-40E8-8834-DF18EA25717E}")
	iidFile6        = model.MustParseGUID("{CF6784F7-D677-49FD-9368-CB47AEE9D1AD}")
	iidCallback     = model.IID_IBackgroundCopyCallback
	iidCallback2    = model.IID_IBackgroundCopyCallback2
	iidCallback3    = model.IID_IBackgroundCopyCallback3
	iidError        = model.MustParseGUID("{19C613A0-FCB8-4F28-81AE-897C3D078F81}")
	iidEnumJobs     = model.MustParseGUID("{1AF4F612-3B71-466F-8F58-7B6F73AC57AD}")
	iidEnumFiles    = model.MustParseGUID("{CA51E165-C365-424C-8D41-24AAA4FF3C40}")
)

// object is a COM object made in Go: every interface of the server is one.
// vtbl must be the first field (COM reads it through the interface
// pointer, which is the object's address). The method thunks are created
// once per interface with syscall.NewCallback and find the object in the
// registry by its address, so an address COM holds after the last Release
// is answered with an error rather than followed.
type object struct {
	vtbl unsafe.Pointer
	refs atomic.Int32
	pin  runtime.Pinner

	iids []model.GUID // the interfaces it answers besides IUnknown
	impl any          // *managerObj, *jobObj, *fileObj, *enumObj, *errorObj, *factoryObj
}

var objects = struct {
	sync.RWMutex
	m map[uintptr]*object
}{m: map[uintptr]*object{}}

// newObject makes an object with one reference, which the caller hands
// out (through an [out] pointer) or releases.
func newObject(vtbl unsafe.Pointer, impl any, iids ...model.GUID) *object {
	o := &object{vtbl: vtbl, impl: impl, iids: iids}
	o.refs.Store(1)
	o.pin.Pin(o)
	objects.Lock()
	objects.m[uintptr(unsafe.Pointer(o))] = o
	objects.Unlock()
	return o
}

// ptr is the object's interface pointer.
func (o *object) ptr() uintptr { return uintptr(unsafe.Pointer(o)) }

// live returns the live object at this, or nil.
func live(this uintptr) *object {
	objects.RLock()
	defer objects.RUnlock()
	return objects.m[this]
}

// liveObjects returns how many objects COM holds.
func liveObjects() int {
	objects.RLock()
	defer objects.RUnlock()
	return len(objects.m)
}

func (o *object) answers(iid model.GUID) bool {
	if iid == iidUnknown {
		return true
	}
	for _, i := range o.iids {
		if i == iid {
			return true
		}
	}
	return false
}

// The IUnknown methods, shared by every vtable.
var unknownThunks = [3]uintptr{
	syscall.NewCallback(objQueryInterface),
	syscall.NewCallback(objAddRef),
	syscall.NewCallback(objRelease),
}

func objQueryInterface(this uintptr, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return hr(model.E_POINTER)
	}
	*ppv = 0
	o := live(this)
	if o == nil {
		return hr(model.RPC_E_DISCONNECTED)
	}
	if riid == nil {
		return hr(model.E_INVALIDARG)
	}
	if !o.answers(fromWin(riid)) {
		return hr(model.E_NOINTERFACE)
	}
	o.refs.Add(1)
	*ppv = this
	return hr(model.S_OK)
}

func objAddRef(this uintptr) uintptr {
	o := live(this)
	if o == nil {
		return 0
	}
	return uintptr(o.refs.Add(1))
}

func objRelease(this uintptr) uintptr {
	o := live(this)
	if o == nil {
		return 0
	}
	n := o.refs.Add(-1)
	if n == 0 {
		objects.Lock()
		delete(objects.m, this)
		objects.Unlock()
		o.pin.Unpin()
		if r, ok := o.impl.(interface{ released() }); ok {
			r.released()
		}
	}
	return uintptr(max(n, 0))
}

// release drops a reference the server itself holds.
func (o *object) release() { objRelease(o.ptr()) }

// vtable builds a vtable: IUnknown's three methods, then methods, each a
// Go function for syscall.NewCallback (or 0 for a method that answers
// E_NOTIMPL). The array lives outside the Go heap's moving concerns (a
// package-level value never moves).
func vtable(methods ...any) unsafe.Pointer {
	v := make([]uintptr, 0, 3+len(methods))
	v = append(v, unknownThunks[:]...)
	for _, m := range methods {
		if m == nil {
			v = append(v, notImplThunk)
			continue
		}
		v = append(v, syscall.NewCallback(m))
	}
	keep = append(keep, v)
	return unsafe.Pointer(&v[0])
}

// keep holds every vtable for the process's lifetime.
var keep [][]uintptr

// notImplThunk answers E_NOTIMPL, whatever the arguments (the callee
// cleans nothing up on amd64).
var notImplThunk = syscall.NewCallback(func(this uintptr) uintptr { return hr(model.E_NOTIMPL) })

// hr turns an HRESULT into a callback's return value.
func hr(h model.HRESULT) uintptr { return uintptr(h) }

// result turns an error into the HRESULT a method returns: the error's
// HRESULT, or E_FAIL for an error that has none.
func result(err error) uintptr { return hr(model.HRESULTOf(err)) }

// guard runs f and turns a panic into E_UNEXPECTED: a bug in the server
// must not unwind into COM's RPC thread.
func guard(f func() uintptr) (r uintptr) {
	defer func() {
		if p := recover(); p != nil {
			logf("panic in a COM method: %v", p)
			r = hr(model.E_UNEXPECTED)
		}
	}()
	return f()
}

// fromWin converts a Windows GUID structure to a model.GUID.
func fromWin(w *windows.GUID) model.GUID {
	b := (*[16]byte)(unsafe.Pointer(w))
	g, _ := model.GUIDFromWindowsBytes(b[:]) // 16 bytes: cannot fail
	return g
}

// toWin converts a model.GUID to a Windows GUID structure.
func toWin(g model.GUID) windows.GUID {
	b := g.WindowsBytes()
	return *(*windows.GUID)(unsafe.Pointer(&b))
}

// inString reads an [in] LPCWSTR; NULL is the empty string.
func inString(p *uint16) string {
	if p == nil {
		return ""
	}
	return windows.UTF16PtrToString(p)
}

// outString allocates s with CoTaskMemAlloc for an [out] LPWSTR, which the
// caller frees with CoTaskMemFree.
func outString(dst **uint16, s string) model.HRESULT {
	if dst == nil {
		return model.E_POINTER
	}
	*dst = nil
	u, err := windows.UTF16FromString(s)
	if err != nil {
		// An interior NUL cannot cross as an LPWSTR: cut it there.
		u, _ = windows.UTF16FromString(s[:indexNUL(s)])
	}
	p := outMem(uintptr(len(u)) * 2)
	if p == nil {
		return model.E_OUTOFMEMORY
	}
	copy(unsafe.Slice((*uint16)(p), len(u)), u)
	*dst = (*uint16)(p)
	return model.S_OK
}

func indexNUL(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return len(s)
}

// outMem allocates n bytes with CoTaskMemAlloc.
func outMem(n uintptr) unsafe.Pointer {
	if n == 0 {
		n = 1
	}
	p, _, _ := syscall.SyscallN(procCoTaskMemAlloc.Addr(), n)
	return foreign(p)
}

// foreign converts the address of memory Go does not manage (COM's
// allocations and objects) to a pointer.
func foreign(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// comCall calls the method in vtable slot of the interface pointer p.
func comCall(p uintptr, slot int, args ...uintptr) model.HRESULT {
	vtbl := *(*unsafe.Pointer)(foreign(p))
	fn := *(*uintptr)(unsafe.Add(vtbl, uintptr(slot)*ptrSize))
	r, _, _ := syscall.SyscallN(fn, append([]uintptr{p}, args...)...)
	return model.HRESULT(uint32(r))
}

// comRelease and comAddRef call IUnknown's Release and AddRef on p.
func comRelease(p uintptr) { comCall(p, 2) }
func comAddRef(p uintptr)  { comCall(p, 1) }

// comQuery is IUnknown::QueryInterface on p; it returns 0 when p does
// not answer iid.
func comQuery(p uintptr, iid model.GUID) (uintptr, model.HRESULT) {
	w := toWin(iid)
	out := new(uintptr)
	var pin runtime.Pinner
	pin.Pin(out)
	pin.Pin(&w)
	defer pin.Unpin()
	h := comCall(p, 0, uintptr(unsafe.Pointer(&w)), uintptr(unsafe.Pointer(out)))
	if h.Failed() {
		return 0, h
	}
	if *out == 0 {
		return 0, model.E_NOINTERFACE
	}
	return *out, h
}

// createInstance is CoCreateInstance(clsid, NULL, CLSCTX_LOCAL_SERVER,
// iid).
func createInstance(clsid, iid model.GUID) (uintptr, model.HRESULT) {
	c, i := toWin(clsid), toWin(iid)
	out := new(uintptr)
	var pin runtime.Pinner
	pin.Pin(out)
	pin.Pin(&c)
	pin.Pin(&i)
	defer pin.Unpin()
	r, _, _ := syscall.SyscallN(procCoCreateInstance.Addr(), uintptr(unsafe.Pointer(&c)), 0, clsctxLocalServer,
		uintptr(unsafe.Pointer(&i)), uintptr(unsafe.Pointer(out)))
	h := model.HRESULT(uint32(r))
	if h.Failed() {
		return 0, h
	}
	if *out == 0 {
		return 0, model.E_POINTER
	}
	return *out, h
}

// callerPID returns the process ID of the client whose COM call the
// current thread is serving (I_RpcBindingInqLocalClientPID); 0 when the
// call did not come over local RPC (the server calling itself).
func callerPID() uint32 {
	if procIRpcBindingInqLocalClientPID.Find() != nil {
		return 0
	}
	var pid uint32
	r, _, _ := syscall.SyscallN(procIRpcBindingInqLocalClientPID.Addr(), 0, uintptr(unsafe.Pointer(&pid)))
	if r != 0 {
		return 0
	}
	return pid
}
