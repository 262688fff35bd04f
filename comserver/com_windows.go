//go:build windows

package comserver

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// The COM plumbing is internal/com's, shared with harness/winbits; this
// file gives its pieces the short names the server's files use, and holds
// the RPC call that tells the caller's process.

var (
	modrpcrt4                        = windows.NewLazySystemDLL("rpcrt4.dll")
	procIRpcBindingInqLocalClientPID = modrpcrt4.NewProc("I_RpcBindingInqLocalClientPID")
)

// Interface identifiers the server answers or calls.
var (
	iidClassFactory = com.IIDClassFactory
	iidManager      = bitsabi.IIDManager
	iidJob          = bitsabi.IIDJob
	iidJob2         = bitsabi.IIDJob2
	iidJob3         = bitsabi.IIDJob3
	iidJob4         = bitsabi.IIDJob4
	iidJob5         = bitsabi.IIDJob5
	iidFile         = bitsabi.IIDFile
	iidFile2        = bitsabi.IIDFile2
	iidFile3        = bitsabi.IIDFile3
	iidFile4        = bitsabi.IIDFile4
	iidFile5        = bitsabi.IIDFile5
	iidFile6        = bitsabi.IIDFile6
	iidCallback     = bitsabi.IIDCallback
	iidCallback2    = bitsabi.IIDCallback2
	iidCallback3    = bitsabi.IIDCallback3
	iidError        = bitsabi.IIDError
	iidEnumJobs     = bitsabi.IIDEnumJobs
	iidEnumFiles    = bitsabi.IIDEnumFiles
)

// Panics in the server's methods go to its log.
func init() { com.SetLog(logf) }

// object is an internal/com object: every interface of the server is one.
// impl is its Go value (*managerObj, *jobObj, *fileObj, *enumObj,
// *errorObj, *factoryObj).
type object struct {
	*com.Object
	impl any
}

// newObject makes an object with one reference, which the caller hands
// out (through an [out] pointer) or releases.
func newObject(vtbl unsafe.Pointer, impl any, iids ...model.GUID) *object {
	return &object{com.NewObject(vtbl, impl, iids...), impl}
}

// live returns the live object at this, or nil.
func live(this uintptr) *object {
	o := com.Live(this)
	if o == nil {
		return nil
	}
	return &object{o, o.Impl()}
}

// ptr is the object's interface pointer.
func (o *object) ptr() uintptr { return o.Ptr() }

// release drops a reference the server itself holds.
func (o *object) release() { o.Release() }

// vtable builds a vtable: IUnknown's three methods, then methods (nil
// answers E_NOTIMPL).
func vtable(methods ...any) unsafe.Pointer { return com.NewVTable(methods...) }

// objQueryInterface is IUnknown::QueryInterface of the object at this.
func objQueryInterface(this uintptr, riid *windows.GUID, ppv *uintptr) uintptr {
	return com.QueryInterface(this, riid, ppv)
}

// hr turns an HRESULT into a method's return value.
func hr(h model.HRESULT) uintptr { return uintptr(h) }

// result turns an error into the HRESULT a method returns: the error's
// HRESULT, or E_FAIL for an error that has none.
func result(err error) uintptr { return com.Result(err) }

// guard runs f and turns a panic into E_UNEXPECTED.
func guard(f func() uintptr) uintptr { return com.Guard(f) }

// errOf is nil for S_OK and the HRESULT otherwise.
func errOf(h model.HRESULT) error { return com.ErrorOf(h) }

// fromWin and toWin convert GUIDs to and from the Windows structure.
func fromWin(w *windows.GUID) model.GUID { return com.ModelGUID(w) }
func toWin(g model.GUID) windows.GUID    { return *com.WinGUID(g) }

// inString reads an [in] LPCWSTR; NULL is the empty string.
func inString(p *uint16) string { return com.InString(p) }

// outString allocates s with CoTaskMemAlloc for an [out] LPWSTR.
func outString(dst **uint16, s string) model.HRESULT { return com.OutString(dst, s) }

// outMem allocates n bytes with CoTaskMemAlloc.
func outMem(n uintptr) unsafe.Pointer { return com.Alloc(n) }

// comCall calls the method in vtable slot of the interface pointer p.
func comCall(p uintptr, slot int, args ...uintptr) model.HRESULT {
	a := make([]any, len(args))
	for i, w := range args {
		a[i] = w
	}
	return com.Pointer(p).Call(slot, a...)
}

// comRelease and comAddRef call IUnknown's Release and AddRef on p.
func comRelease(p uintptr) { com.Pointer(p).Release() }
func comAddRef(p uintptr)  { com.Pointer(p).AddRef() }

// comQuery is IUnknown::QueryInterface on p; it returns 0 when p does
// not answer iid.
func comQuery(p uintptr, iid model.GUID) (uintptr, model.HRESULT) {
	q, h := com.Pointer(p).QueryInterface(iid)
	return q.Ptr(), h
}

// createInstance is CoCreateInstance(clsid, NULL, CLSCTX_LOCAL_SERVER,
// iid).
func createInstance(clsid, iid model.GUID) (uintptr, model.HRESULT) {
	p, h := com.CreateInstance(clsid, iid)
	return p.Ptr(), h
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
