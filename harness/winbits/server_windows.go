//go:build windows

package winbits

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/bitssim/bitssim/internal/com"
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
	fac := &classFactory{make: factory}
	fac.lastIdle.Store(time.Now().UnixNano())
	// The server keeps the factory's first reference for the process's
	// lifetime: COM may hand the class object out until it is revoked.
	obj := com.NewObject(factoryVtbl, fac, com.IIDClassFactory)
	cookie, err := com.RegisterClassObject(clsid, obj.Ptr())
	if err != nil {
		obj.Release()
		return nil, fmt.Errorf("winbits: ServeClass(%v): %w", clsid, err)
	}
	s := &ClassServer{clsid: clsid, fac: fac, cookie: cookie}
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
	if err := com.RevokeClassObject(s.cookie); err != nil {
		return fmt.Errorf("winbits: ClassServer(%v).Close: %w", s.clsid, err)
	}
	return nil
}

// classFactory is the Go value of a ClassServer's IClassFactory, an
// internal/com object like CallbackObject.
type classFactory struct {
	make     func() (any, error)
	made     int64 // atomic
	live     atomic.Int32
	locks    atomic.Int32
	lastIdle atomic.Int64
}

var factoryVtbl = com.NewVTable(facCreateInstance, facLockServer)

func facCreateInstance(this, outer uintptr, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return uintptr(model.E_POINTER)
	}
	*ppv = 0
	return com.Method(this, func(f *classFactory) model.HRESULT {
		if outer != 0 {
			return model.CLASS_E_NOAGGREGATION
		}
		var target any
		if hr := model.HRESULT(uint32(dispatch(func() error {
			var err error
			target, err = f.make()
			return err
		}))); hr.Failed() {
			return hr
		}
		atomic.AddInt64(&f.made, 1)
		obj, err := NewCallbackObject(target)
		if err != nil {
			return model.HRESULTOf(err)
		}
		f.live.Add(1)
		obj.obj.OnFinalRelease(func() {
			f.lastIdle.Store(time.Now().UnixNano())
			f.live.Add(-1)
		})
		defer obj.Release()
		return model.HRESULT(uint32(com.QueryInterface(obj.obj.Ptr(), riid, ppv)))
	})
}

func facLockServer(this, lock uintptr) uintptr {
	return com.Method(this, func(f *classFactory) model.HRESULT {
		if int32(lock) != 0 {
			f.locks.Add(1)
		} else {
			f.lastIdle.Store(time.Now().UnixNano())
			f.locks.Add(-1)
		}
		return model.S_OK
	})
}
