//go:build windows

package winbits

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/bitssim/bitssim/model"
)

// A program that wants BITS to start it when a job's notification is due,
// even after it has exited, serves a notification class: it registers the
// class once (RegisterServer, usually at install time), names the CLSID
// on its jobs (Job.SetNotifyCLSID), and, when COM starts it for the class
// (its command line then ends with -Embedding), serves the class object
// (ServeClass) whose instances receive the callbacks. This mirrors
// sim.Service.RegisterClass, which registers the same kind of factory with
// the simulator.

// Scope is where a class registration is written.
type Scope int

const (
	// ScopeAuto writes to HKLM when this process may (elevated), otherwise
	// to HKCU.
	ScopeAuto Scope = iota
	// ScopeMachine writes HKLM\Software\Classes: every account sees the
	// class, so BITS can activate it as whichever user owns the job,
	// including service accounts and users not logged on. Needs an
	// elevated process.
	ScopeMachine
	// ScopeUser writes HKCU\Software\Classes: no elevation needed, but only
	// the registering user's activations see the class (COM reads HKCU of
	// the account it activates as). Enough for jobs this user owns while
	// logged on; jobs of other users get REGDB_E_CLASSNOTREG.
	ScopeUser
)

// String returns "auto", "machine" or "user".
func (s Scope) String() string {
	switch s {
	case ScopeAuto:
		return "auto"
	case ScopeMachine:
		return "machine"
	case ScopeUser:
		return "user"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// ServerRegistration is the registration of a notification class served by
// an executable (LocalServer32) under an AppID.
type ServerRegistration struct {
	// CLSID is the class; it must not be GUID_NULL.
	CLSID model.GUID
	// Name describes the class (the key's default value).
	Name string
	// Command is the LocalServer32 command line: the quoted path of the
	// executable and its arguments. COM appends -Embedding when it starts
	// it for an activation.
	Command string
	// AppID groups the class's security and identity settings; GUID_NULL
	// means the CLSID.
	AppID model.GUID
	// RunAs, when set, is the AppID's RunAs value: "Interactive User"
	// (Microsoft's CLSID sample) runs the server in the logged-on user's
	// session whoever owns the job. Empty: the server runs as the account
	// that activates it, which for BITS is the job's owner.
	RunAs string
	// Scope is where to write; ScopeAuto by default.
	Scope Scope
}

// RegisterServer writes the registration of a notification class: the
// CLSID key with its LocalServer32 command and AppID value, and the AppID
// key (with RunAs when given). It returns where it wrote: with ScopeAuto,
// ScopeMachine when HKLM is writable, otherwise ScopeUser. Nothing is left
// behind when it fails.
func RegisterServer(r ServerRegistration) (Scope, error) {
	if r.CLSID.IsNull() {
		return 0, fmt.Errorf("winbits: RegisterServer: GUID_NULL CLSID: %w", model.E_INVALIDARG)
	}
	if r.Command == "" {
		return 0, fmt.Errorf("winbits: RegisterServer(%v): empty command: %w", r.CLSID, model.E_INVALIDARG)
	}
	if r.AppID.IsNull() {
		r.AppID = r.CLSID
	}
	scopes := []Scope{r.Scope}
	if r.Scope == ScopeAuto {
		scopes = []Scope{ScopeMachine, ScopeUser}
	}
	var errs []error
	for _, s := range scopes {
		root, err := scopeRoot(s)
		if err != nil {
			return 0, err
		}
		if err := writeServer(root, r); err != nil {
			removeServer(root, r.CLSID, r.AppID)
			errs = append(errs, fmt.Errorf("%v: %w", s, err))
			continue
		}
		return s, nil
	}
	return 0, fmt.Errorf("winbits: RegisterServer(%v): %w", r.CLSID, errors.Join(errs...))
}

// UnregisterServer removes what RegisterServer wrote for clsid (and its
// AppID; GUID_NULL means the CLSID) in scope (ScopeAuto: both). Removing a
// class that is not registered is not an error.
func UnregisterServer(clsid, appID model.GUID, scope Scope) error {
	if clsid.IsNull() {
		return fmt.Errorf("winbits: UnregisterServer: GUID_NULL CLSID: %w", model.E_INVALIDARG)
	}
	if appID.IsNull() {
		appID = clsid
	}
	scopes := []Scope{scope}
	if scope == ScopeAuto {
		scopes = []Scope{ScopeMachine, ScopeUser}
	}
	for _, s := range scopes {
		root, err := scopeRoot(s)
		if err != nil {
			return err
		}
		removeServer(root, clsid, appID)
	}
	return nil
}

func scopeRoot(s Scope) (registry.Key, error) {
	switch s {
	case ScopeMachine:
		return registry.LOCAL_MACHINE, nil
	case ScopeUser:
		return registry.CURRENT_USER, nil
	}
	return 0, fmt.Errorf("winbits: unknown scope %v: %w", s, model.E_INVALIDARG)
}

func setKey(root registry.Key, path string, values map[string]string) error {
	k, _, err := registry.CreateKey(root, path, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`create %s: %w`, path, err)
	}
	defer k.Close()
	for name, v := range values {
		if err := k.SetStringValue(name, v); err != nil {
			return fmt.Errorf(`set %s\%s: %w`, path, name, err)
		}
	}
	return nil
}

func writeServer(root registry.Key, r ServerRegistration) error {
	clsidKey := `Software\Classes\CLSID\` + r.CLSID.String()
	appKey := `Software\Classes\AppID\` + r.AppID.String()
	if err := setKey(root, clsidKey, map[string]string{"": r.Name, "AppID": r.AppID.String()}); err != nil {
		return err
	}
	if err := setKey(root, clsidKey+`\LocalServer32`, map[string]string{"": r.Command}); err != nil {
		return err
	}
	app := map[string]string{"": r.Name}
	if r.RunAs != "" {
		app["RunAs"] = r.RunAs
	}
	return setKey(root, appKey, app)
}

func removeServer(root registry.Key, clsid, appID model.GUID) {
	path := `Software\Classes\CLSID\` + clsid.String()
	_ = registry.DeleteKey(root, path+`\LocalServer32`)
	_ = registry.DeleteKey(root, path)
	_ = registry.DeleteKey(root, `Software\Classes\AppID\`+appID.String())
}

// ClassServer is a notification class served by this process: COM hands
// its class object to BITS, which asks it for an instance, and each
// instance is a CallbackObject for a value the factory made.
type ClassServer struct {
	clsid  model.GUID
	fac    *classFactory
	cookie uint32

	mu     sync.Mutex
	closed bool
}

// ServeClass registers the class object of clsid for this process
// (CoRegisterClassObject, CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE): from
// now on COM activations of the class call factory for every new instance.
// The value factory returns should implement model.Callback (and
// model.FileCallback, model.RangesCallback for IBackgroundCopyCallback2
// and 3); an error fails the activation with its HRESULT. Close revokes
// the class object; Wait waits until no instance has been alive for a
// while, the usual moment for a COM server to exit.
func ServeClass(clsid model.GUID, factory func() (any, error)) (*ClassServer, error) {
	if clsid.IsNull() {
		return nil, fmt.Errorf("winbits: ServeClass: GUID_NULL CLSID: %w", model.E_INVALIDARG)
	}
	if factory == nil {
		return nil, fmt.Errorf("winbits: ServeClass(%v): nil factory: %w", clsid, model.E_INVALIDARG)
	}
	if err := InitCOM(); err != nil {
		return nil, err
	}
	fac := &classFactory{vtbl: &factoryVtbl, make: factory}
	fac.refs.Store(1)
	fac.lastIdle.Store(time.Now().UnixNano())
	facRegistry.Lock()
	facRegistry.m[facAddr(fac)] = fac
	facRegistry.Unlock()
	s := &ClassServer{clsid: clsid, fac: fac}
	r, _, _ := syscall.SyscallN(procCoRegisterClassObject.Addr(), uintptr(unsafe.Pointer(winGUID(clsid))),
		uintptr(unsafe.Pointer(fac)), clsctxLocalServer, regclsMultipleUse, uintptr(unsafe.Pointer(&s.cookie)))
	if hr := model.HRESULT(uint32(r)); hr.Failed() {
		facRegistry.Lock()
		delete(facRegistry.m, facAddr(fac))
		facRegistry.Unlock()
		return nil, fmt.Errorf("winbits: ServeClass(%v): CoRegisterClassObject: %w", clsid, hr)
	}
	return s, nil
}

// CLSID returns the class served.
func (s *ClassServer) CLSID() model.GUID { return s.clsid }

// Instances returns how many instances were created so far.
func (s *ClassServer) Instances() int { return int(atomic.LoadInt64(&s.fac.made)) }

// Live returns how many instances COM still holds.
func (s *ClassServer) Live() int { return int(s.fac.live.Load()) }

// Wait returns once no instance has been alive, and the server not locked
// (IClassFactory::LockServer), for idle; it polls every idle/10.
func (s *ClassServer) Wait(idle time.Duration) {
	tick := max(idle/10, 10*time.Millisecond)
	for {
		if s.fac.live.Load() == 0 && s.fac.locks.Load() == 0 &&
			time.Since(time.Unix(0, s.fac.lastIdle.Load())) >= idle {
			return
		}
		time.Sleep(tick)
	}
}

// Close revokes the class object: new activations no longer reach this
// process. Instances already handed out keep working until released.
func (s *ClassServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	r, _, _ := syscall.SyscallN(procCoRevokeClassObject.Addr(), uintptr(s.cookie))
	if hr := model.HRESULT(uint32(r)); hr.Failed() {
		return fmt.Errorf("winbits: ClassServer(%v).Close: CoRevokeClassObject: %w", s.clsid, hr)
	}
	return nil
}

// classFactory is IClassFactory, made in Go like CallbackObject.
type classFactory struct {
	vtbl *[5]uintptr // must be the first field
	refs atomic.Int32

	make     func() (any, error)
	made     int64 // atomic
	live     atomic.Int32
	locks    atomic.Int32
	lastIdle atomic.Int64
}

const regclsMultipleUse = 1

var factoryVtbl [5]uintptr

func init() {
	factoryVtbl[slotUnknown.QueryInterface] = syscall.NewCallback(facQueryInterface)
	factoryVtbl[slotUnknown.AddRef] = syscall.NewCallback(facAddRef)
	factoryVtbl[slotUnknown.Release] = syscall.NewCallback(facRelease)
	factoryVtbl[slotClassFactory.CreateInstance] = syscall.NewCallback(facCreateInstance)
	factoryVtbl[slotClassFactory.LockServer] = syscall.NewCallback(facLockServer)
}

var facRegistry = struct {
	sync.Mutex
	m map[uintptr]*classFactory
}{m: map[uintptr]*classFactory{}}

func facAddr(f *classFactory) uintptr { return uintptr(unsafe.Pointer(f)) }

func facQueryInterface(this *classFactory, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return uintptr(model.E_POINTER)
	}
	*ppv = 0
	if riid == nil {
		return uintptr(model.E_INVALIDARG)
	}
	switch modelGUID(riid) {
	case iidUnknown, iidClassFactory:
		this.refs.Add(1)
		*ppv = facAddr(this)
		return uintptr(model.S_OK)
	}
	return uintptr(model.E_NOINTERFACE)
}

func facAddRef(this *classFactory) uintptr { return uintptr(this.refs.Add(1)) }

// facRelease never frees the factory: it lives as long as the process.
func facRelease(this *classFactory) uintptr { return uintptr(max(this.refs.Add(-1), 0)) }

func facCreateInstance(this *classFactory, outer *unknown, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return uintptr(model.E_POINTER)
	}
	*ppv = 0
	if outer != nil {
		return uintptr(model.CLASS_E_NOAGGREGATION)
	}
	var target any
	hr := dispatch(func() error {
		var err error
		target, err = this.make()
		return err
	})
	if model.HRESULT(uint32(hr)).Failed() {
		return hr
	}
	atomic.AddInt64(&this.made, 1)
	obj, err := NewCallbackObject(target)
	if err != nil {
		return uintptr(model.HRESULTOf(err))
	}
	this.live.Add(1)
	obj.onFree = func() {
		this.lastIdle.Store(time.Now().UnixNano())
		this.live.Add(-1)
	}
	defer obj.Release()
	return cbQueryInterface(obj, riid, ppv)
}

func facLockServer(this *classFactory, lock uintptr) uintptr {
	if int32(lock) != 0 {
		this.locks.Add(1)
	} else {
		this.lastIdle.Store(time.Now().UnixNano())
		this.locks.Add(-1)
	}
	return uintptr(model.S_OK)
}
