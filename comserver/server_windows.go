//go:build windows

package comserver

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/harness/winbits"
	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// Config configures a Server.
type Config struct {
	// Options are the simulator's options. The clock is usually
	// sim.Automatic (the default: transfers happen on their own, as in
	// BITS); sim.Manual leaves time to the control plane's advance.
	Options sim.Options
	// StorePath, when set, is the file the simulator persists its state in
	// (sim.FileStore): a server started again on the same file is BITS
	// after a service restart. Empty keeps the state in memory.
	StorePath string
	// User is the account a caller is mapped to when COM cannot tell who
	// it is (CoImpersonateClient fails under Wine 8.0). An empty Name is
	// the server's own account name; the zero Kind is an ordinary user,
	// to whom BITS applies its limits.
	User model.Account
	// Log receives diagnostics (nil: none).
	Log io.Writer
	// CommandLines starts notification command lines with CreateProcess
	// (the default, false, only records them in the simulator).
	CommandLines bool
	// ProbeRemotes makes the server ask each loopback http(s) source once,
	// when a file names it, and script the simulator with its status and
	// size (see Prober): a client's own test server then behaves as with
	// BITS. Other sources follow the simulator's scripts.
	ProbeRemotes bool
}

// Server is the simulator served through BITS's COM interfaces.
type Server struct {
	svc *sim.Service
	cfg Config

	mu      sync.Mutex
	clients *clients // guarded by mu
	classes map[model.GUID]bool
	cookies []uint32
	factory *object
	closed  bool
	prober  Prober
}

// logw is where logf writes; set by New.
var (
	logMu sync.Mutex
	logw  io.Writer
)

func logf(format string, args ...any) {
	logMu.Lock()
	defer logMu.Unlock()
	if logw != nil {
		fmt.Fprintf(logw, "bitssim-comserver: "+format+"\n", args...)
	}
}

// New starts the simulator (loading the state StorePath holds) and makes
// the process a member of COM's multithreaded apartment. Serve then
// publishes its class objects.
func New(cfg Config) (*Server, error) {
	if cfg.Log != nil {
		logMu.Lock()
		logw = cfg.Log
		logMu.Unlock()
	}
	if err := winbits.InitCOM(); err != nil {
		return nil, fmt.Errorf("comserver: %w", err)
	}
	if cfg.User.Name == "" {
		cfg.User.Name = currentUser()
	}
	opts := cfg.Options
	if cfg.StorePath != "" {
		opts.Store = sim.NewFileStore(cfg.StorePath)
	}
	svc, err := sim.New(opts)
	if err != nil {
		return nil, fmt.Errorf("comserver: starting the simulator: %w", err)
	}
	s := &Server{svc: svc, cfg: cfg, clients: newClients(), classes: map[model.GUID]bool{}}
	if cfg.CommandLines {
		if err := svc.SetCommandHandler(startCommand); err != nil {
			_ = svc.Close()
			return nil, fmt.Errorf("comserver: %w", err)
		}
	}
	if err := s.adoptClasses(); err != nil {
		_ = svc.Close()
		return nil, err
	}
	return s, nil
}

// Service returns the simulator behind the server, for the control plane.
func (s *Server) Service() *sim.Service { return s.svc }

// currentUser is the account name the server runs as.
func currentUser() string {
	if u, err := windows.GetCurrentProcessToken().GetTokenUser(); err == nil {
		if name, _, _, err := u.User.Sid.LookupAccount(""); err == nil {
			return name
		}
	}
	return "user"
}

// adoptClasses makes the simulator activate, through COM, the notification
// CLSID of every job it loaded from the store.
func (s *Server) adoptClasses() error {
	admin, err := s.svc.StartApp("bitssim-comserver", model.Account{Name: "SYSTEM", Kind: model.AccountLocalSystem})
	if err != nil {
		return fmt.Errorf("comserver: %w", err)
	}
	defer admin.Exit()
	jobs, err := admin.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	if err != nil {
		return fmt.Errorf("comserver: listing the persisted jobs: %w", err)
	}
	for _, j := range jobs {
		if c, err := j.GetNotifyCLSID(); err == nil && !c.IsNull() {
			if err := s.useClass(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// useClass registers clsid with the simulator, once, as a class whose
// instances CoCreateInstance makes: the simulator decides when to
// activate it, COM does it, and the HRESULT COM gives is the activation's.
func (s *Server) useClass(clsid model.GUID) error {
	s.mu.Lock()
	done := s.classes[clsid]
	s.classes[clsid] = true
	s.mu.Unlock()
	if done {
		return nil
	}
	err := s.svc.RegisterClass(clsid, func(host *sim.App) (any, error) {
		// BITS asks the new instance for the callback interface (a class
		// whose objects lack it fails the activation, CLSID-NOT-NOTIFY-INTERFACE).
		p, h := createInstance(clsid, iidCallback)
		if h.Failed() {
			logf("CoCreateInstance(%v): %v", clsid, h)
			return nil, fmt.Errorf("CoCreateInstance(%v): %w", clsid, h)
		}
		defer comRelease(p)
		cb, err := newRemoteCallback(s, p, host)
		if err != nil {
			return nil, err
		}
		return cb, nil
	})
	if err != nil {
		return fmt.Errorf("comserver: registering class %v with the simulator: %w", clsid, err)
	}
	return nil
}

// caller returns the simulator app of the client whose call the current
// thread serves: one per process and account, started on its first call
// and started again when the app was marked dead (the PID reused).
func (s *Server) caller() (*sim.App, error) {
	pid := callerPID()
	user, known := s.callerAccount()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !known {
		user = s.clients.account(pid, s.cfg.User)
	}
	key := appKey{pid: pid, user: user}
	if s.closed {
		return nil, coEServerStopping
	}
	if a := s.clients.app(key); a != nil {
		return a, nil
	}
	// A new client: first forget the ones whose process is gone, so that
	// the table holds the live clients and no more.
	if n := s.clients.prune(); n > 0 {
		logf("forgot %d client(s) whose process has ended", n)
	}
	a, err := s.svc.StartApp(fmt.Sprintf("pid%d", pid), user)
	if err != nil {
		return nil, err
	}
	s.clients.add(key, a, watchProcess(pid))
	return a, nil
}

// callerAccount is the client's account: its impersonation token's user
// and elevation (known), or, when COM cannot impersonate the client (Wine
// 8.0 answers 0x80010117), not known: then the caller is the account its
// process was mapped to (MapAccount), or Config.User.
func (s *Server) callerAccount() (acct model.Account, known bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if com.ImpersonateClient().Failed() {
		return model.Account{}, false
	}
	defer com.RevertToSelf()
	var tok windows.Token
	if err := windows.OpenThreadToken(windows.CurrentThread(), windows.TOKEN_QUERY, true, &tok); err != nil {
		return model.Account{}, false
	}
	defer tok.Close()
	u, err := tok.GetTokenUser()
	if err != nil {
		return model.Account{}, false
	}
	name, domain, _, err := u.User.Sid.LookupAccount("")
	if err != nil {
		return model.Account{}, false
	}
	acct = model.Account{Name: domain + `\` + name, Kind: model.AccountUser}
	switch {
	case u.User.Sid.IsWellKnown(windows.WinLocalSystemSid):
		acct.Kind = model.AccountLocalSystem
	case tok.IsElevated():
		acct.Kind = model.AccountAdministrator
	default:
		if member, err := tok.IsMember(adminsSID()); err == nil && member {
			acct.Kind, acct.Unelevated = model.AccountAdministrator, true
		}
	}
	return acct, true
}

// MapAccount records that client process pid acts as account user
// wherever COM cannot tell who calls: under Wine, where
// CoImpersonateClient fails inside calls, the harness that starts a
// client says which account it stands for (the control plane's account
// verb). On Windows the impersonated token decides and the mapping is not
// used. The process's app under another account exits; pid 0, an empty
// name or an unknown kind is E_INVALIDARG.
func (s *Server) MapAccount(pid uint32, user model.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.clients.mapAccount(pid, user); err != nil {
		return err
	}
	logf("process %d acts as %s where COM cannot tell", pid, user)
	return nil
}

// adminsSID is BUILTIN\Administrators.
func adminsSID() *windows.SID {
	sid, _ := windows.CreateWellKnownSid(windows.WinBuiltinAdministratorsSid)
	return sid
}

// job returns the handle through which app acts on job id: app's own
// handle (GetJob, cached), or, for a job app cannot open (a final state
// job, or one it reached through a callback), the handle origin.
func (s *Server) job(app *sim.App, id model.GUID, origin model.Job) model.Job {
	s.mu.Lock()
	if h := s.clients.handle(app, id); h != nil {
		s.mu.Unlock()
		return h
	}
	s.mu.Unlock()
	h, err := app.GetJob(id)
	if err != nil {
		return origin
	}
	s.keep(app, h)
	return h
}

// keep caches app's handle of a job.
func (s *Server) keep(app *sim.App, h model.Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients.keep(app, h)
}

// probe scripts the simulator for a loopback source a file names, when
// Config.ProbeRemotes is set.
func (s *Server) probe(url string) {
	if !s.cfg.ProbeRemotes {
		return
	}
	if err := s.prober.Probe(s.svc, url); err != nil {
		logf("%v", err)
	}
}

// completedFiles returns j's transferred files before Complete, for
// writeFiles after it; a failure to read them is logged.
func (s *Server) completedFiles(j model.Job) []model.FileInfo {
	files, err := CompletedFiles(j)
	if err != nil {
		logf("%v", err)
	}
	return files
}

// writeFiles makes a completed job's files exist under their local names
// (WriteFiles); what cannot be written is logged: the job is already
// ACKNOWLEDGED in the simulator.
func (s *Server) writeFiles(files []model.FileInfo) {
	if len(files) == 0 {
		return
	}
	skipped, err := WriteFiles(files, nil)
	if err != nil {
		logf("%v", err)
	}
	if len(skipped) > 0 {
		logf("not written (a source with no content the server can read): %s", strings.Join(skipped, ", "))
	}
}

// appDied marks app as crashed: its process answered a call with an RPC
// error that says it is gone.
func (s *Server) appDied(app *sim.App) {
	if app != nil && app.Alive() {
		logf("%s is gone: marking it crashed", app.Name())
		app.Crash()
	}
}

// Serve publishes the server's class object under each CLSID
// (CoRegisterClassObject, CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE): from
// now on CoCreateInstance of any of them returns an
// IBackgroundCopyManager of this server.
func (s *Server) Serve(clsids ...model.GUID) error {
	if len(clsids) == 0 {
		return fmt.Errorf("comserver: Serve: no CLSID: %w", model.E_INVALIDARG)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("comserver: Serve: %w", sim.ErrClosed)
	}
	if s.factory == nil {
		s.factory = newObject(factoryVtbl, &factoryObj{s: s}, iidClassFactory)
	}
	for _, c := range clsids {
		cookie, err := com.RegisterClassObject(c, s.factory.ptr())
		if err != nil {
			return fmt.Errorf("comserver: %w", err)
		}
		s.cookies = append(s.cookies, cookie)
	}
	return nil
}

// Close revokes the class objects and closes the simulator, which saves
// its state to the store. Objects clients still hold answer
// CO_E_SERVER_STOPPING from then on.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cookies := s.cookies
	s.cookies = nil
	s.mu.Unlock()
	var errs []error
	for _, c := range cookies {
		if err := com.RevokeClassObject(c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.svc.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("comserver: Close: %w", err)
	}
	return nil
}

// factoryObj is the IClassFactory of every CLSID the server serves.
type factoryObj struct{ s *Server }

var factoryVtbl = vtable(facCreateInstance, facLockServer)

func facCreateInstance(this, outer uintptr, riid *windows.GUID, ppv *uintptr) uintptr {
	return guard(func() uintptr {
		if ppv == nil {
			return hr(model.E_POINTER)
		}
		*ppv = 0
		o := live(this)
		if o == nil {
			return hr(model.RPC_E_DISCONNECTED)
		}
		if outer != 0 {
			return hr(model.CLASS_E_NOAGGREGATION)
		}
		f := o.impl.(*factoryObj)
		m := newManager(f.s)
		defer m.release()
		return objQueryInterface(m.ptr(), riid, ppv)
	})
}

func facLockServer(this, lock uintptr) uintptr { return hr(model.S_OK) }
