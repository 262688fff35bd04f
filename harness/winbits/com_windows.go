//go:build windows

package winbits

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"syscall"
	"time"
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
)

const (
	clsctxLocalServer = 0x4

	rpcCAuthnLevelConnect          = 2
	rpcCImpLevelImpersonate        = 3
	eoacNone                       = 0
	rpcETooLate             uint32 = 0x80010119

	ptrSize = unsafe.Sizeof(uintptr(0))
)

var (
	mtaOnce sync.Once
	mtaErr  error
)

// InitCOM makes the process a member of the multithreaded apartment (MTA)
// once, so that every thread, including the ones goroutines migrate to and
// the RPC threads BITS calls back on, may use COM; and it sets the process
// security so that the BITS service can call the process's callback
// objects (authentication CONNECT, impersonation IMPERSONATE, as Wine's
// BITS tests do). Every function of this package calls it; it is
// idempotent.
func InitCOM() error {
	mtaOnce.Do(func() {
		done := make(chan error, 1)
		go func() {
			// The thread that initializes COM stays in the MTA for the
			// process's lifetime: it is unlocked afterwards, never
			// uninitialized, and Go never ends an unlocked thread.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if err := windows.CoInitializeEx(0, windows.COINIT_MULTITHREADED); err != nil {
				if hr := hresultFromError(err); hr.Failed() {
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
		mtaErr = <-done
	})
	return mtaErr
}

func hresultFromError(err error) model.HRESULT {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return model.HRESULT(uint32(errno))
	}
	return model.HRESULTOf(err)
}

// unknown is a COM interface pointer: a pointer to a pointer to the vtable.
type unknown struct {
	vtbl unsafe.Pointer
}

// method returns the address of the function in vtable slot i.
func (o *unknown) method(i int) uintptr {
	return *(*uintptr)(unsafe.Add(o.vtbl, uintptr(i)*ptrSize))
}

// call calls the method in slot i with o as this. Arguments are uintptr,
// uint32, int32, int, bool, nil, unsafe.Pointer or pointers; pointers are
// held by args (so they escape to the non-moving heap) and kept alive
// until the call returns.
func (o *unknown) call(i int, args ...any) model.HRESULT {
	words := make([]uintptr, 0, len(args)+1)
	words = append(words, uintptr(unsafe.Pointer(o)))
	for _, a := range args {
		words = append(words, word(a))
	}
	r, _, _ := syscall.SyscallN(o.method(i), words...)
	runtime.KeepAlive(args)
	runtime.KeepAlive(o)
	return model.HRESULT(uint32(r))
}

func word(a any) uintptr {
	switch v := a.(type) {
	case nil:
		return 0
	case uintptr:
		return v
	case uint32:
		return uintptr(v)
	case int32:
		return uintptr(uint32(v))
	case int:
		return uintptr(v)
	case uint64:
		return uintptr(v)
	case bool:
		if v {
			return 1
		}
		return 0
	case unsafe.Pointer:
		return uintptr(v)
	}
	rv := reflect.ValueOf(a)
	if rv.Kind() == reflect.Pointer || rv.Kind() == reflect.UnsafePointer {
		return rv.Pointer()
	}
	panic(fmt.Sprintf("winbits: cannot pass %T to COM", a))
}

// AddRef increments the reference count.
func (o *unknown) AddRef() { o.call(slotUnknown.AddRef) }

// Release decrements the reference count.
func (o *unknown) Release() { o.call(slotUnknown.Release) }

// QueryInterface returns o's interface iid, or E_NOINTERFACE.
func (o *unknown) QueryInterface(iid model.GUID) (*unknown, model.HRESULT) {
	var p *unknown
	hr := o.call(slotUnknown.QueryInterface, winGUID(iid), &p)
	if hr.Failed() {
		return nil, hr
	}
	if p == nil {
		return nil, model.E_NOINTERFACE
	}
	return p, hr
}

// winGUID converts a GUID to the Windows structure, field by field.
func winGUID(g model.GUID) *windows.GUID {
	w := &windows.GUID{
		Data1: binary.BigEndian.Uint32(g[0:4]),
		Data2: binary.BigEndian.Uint16(g[4:6]),
		Data3: binary.BigEndian.Uint16(g[6:8]),
	}
	copy(w.Data4[:], g[8:16])
	return w
}

// modelGUID converts the Windows structure to a GUID, field by field.
func modelGUID(w *windows.GUID) model.GUID {
	var g model.GUID
	binary.BigEndian.PutUint32(g[0:4], w.Data1)
	binary.BigEndian.PutUint16(g[4:6], w.Data2)
	binary.BigEndian.PutUint16(g[6:8], w.Data3)
	copy(g[8:16], w.Data4[:])
	return g
}

// createInstance is CoCreateInstance(clsid, NULL, CLSCTX_LOCAL_SERVER, iid).
func createInstance(clsid, iid model.GUID) (*unknown, model.HRESULT) {
	if err := InitCOM(); err != nil {
		return nil, model.HRESULTOf(err)
	}
	// The out pointer lives on the heap, pinned: an activation served by
	// this process (ServeClass) calls back into Go on this goroutine,
	// whose stack may move while COM still holds the address.
	pp := new(*unknown)
	var pin runtime.Pinner
	pin.Pin(pp)
	defer pin.Unpin()
	c, i := winGUID(clsid), winGUID(iid)
	r, _, _ := syscall.SyscallN(procCoCreateInstance.Addr(), uintptr(unsafe.Pointer(c)), 0, clsctxLocalServer,
		uintptr(unsafe.Pointer(i)), uintptr(unsafe.Pointer(pp)))
	hr := model.HRESULT(uint32(r))
	if hr.Failed() {
		return nil, hr
	}
	p := *pp
	if p == nil {
		return nil, model.E_POINTER
	}
	return p, hr
}

// fail wraps a failed HRESULT with the interface and method name; it
// returns nil for a success code.
func fail(method string, hr model.HRESULT) error {
	if hr.Succeeded() {
		return nil
	}
	return fmt.Errorf("%s: %w", method, hr)
}

// wstr converts s for an [in, string] parameter. An interior NUL is
// E_INVALIDARG.
func wstr(s string) (*uint16, error) {
	p, err := windows.UTF16PtrFromString(s)
	if err != nil {
		return nil, fmt.Errorf("string %.40q: %w", s, model.E_INVALIDARG)
	}
	return p, nil
}

// wstrOrNull is wstr, but the empty string is passed as NULL.
func wstrOrNull(s string) (*uint16, error) {
	if s == "" {
		return nil, nil
	}
	return wstr(s)
}

// takeString converts an [out] LPWSTR and frees it with CoTaskMemFree.
func takeString(p *uint16) string {
	if p == nil {
		return ""
	}
	s := windows.UTF16PtrToString(p)
	windows.CoTaskMemFree(unsafe.Pointer(p))
	return s
}

// seconds converts a duration to the whole seconds BITS takes.
func seconds(d time.Duration) (uint32, error) {
	s := d / time.Second
	if d < 0 || s > 0xFFFFFFFF {
		return 0, fmt.Errorf("duration %v: %w", d, model.E_INVALIDARG)
	}
	return uint32(s), nil
}

// filetime converts a FILETIME; zero stays the zero time.
func filetime(f windows.Filetime) time.Time {
	if f.HighDateTime == 0 && f.LowDateTime == 0 {
		return time.Time{}
	}
	return time.Unix(0, f.Nanoseconds()).UTC()
}

// freeCoTaskMem is CoTaskMemFree.
func freeCoTaskMem(p unsafe.Pointer) { windows.CoTaskMemFree(p) }

// isNilPointer reports whether v holds a nil pointer (or nil map, func...).
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}
