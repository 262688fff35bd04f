package sim

import (
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// App is a client application (a process) connected to the service as a
// user. It is a model.Manager: the jobs it creates and gets act on its
// behalf, and callback objects registered through them live in it.
//
// An app ends by Exit (it clears its callback registrations first, as the
// documentation asks) or by Crash (it dies abruptly; BITS finds out only
// when it next calls one of its objects).
type App struct {
	s    *Service
	name string
	user model.Account
	// server: the app hosts a CLSID instance BITS activated.
	server bool
	// state: 0 running, 1 exited, 2 crashed.
	state atomic.Int32
	// sta: the app's callback objects live in a single-threaded apartment.
	sta atomic.Bool
	// inCallback counts the app's STA callbacks running (nested ones too).
	inCallback atomic.Int32
	// jobs caches the count of user's live jobs (Service.appJobs), valid in
	// service generation jobsGen; guarded by the service's lock.
	jobs    *ownerJobs
	jobsGen uint64
}

// SetSingleThreadedApartment makes the app's callback objects live in a
// single-threaded apartment (COINIT_APARTMENTTHREADED) or, with false, in
// the multithreaded apartment apps start in. While a callback of an STA
// object calls a method of the job it was given, BITS can call the object
// again: the job's next JobModification, when one is due, is delivered
// before the method returns (DELIV-STA-REENTRY).
func (a *App) SetSingleThreadedApartment(sta bool) { a.sta.Store(sta) }

const (
	appRunning int32 = iota
	appExited
	appCrashed
)

// StartApp starts a client application named name (unique among running
// apps) that connects as user.
func (s *Service) StartApp(name string, user model.Account) (*App, error) {
	if name == "" {
		return nil, fmt.Errorf("sim: StartApp: empty app name: %w", model.E_INVALIDARG)
	}
	if user.Name == "" {
		return nil, fmt.Errorf("sim: StartApp(%q): empty user name: %w", name, model.E_INVALIDARG)
	}
	if user.Kind < model.AccountUser || user.Kind > model.AccountNetworkService {
		return nil, fmt.Errorf("sim: StartApp(%q): unknown account kind %d: %w", name, int(user.Kind), model.E_INVALIDARG)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if a, ok := s.apps[name]; ok && a.alive() {
		return nil, fmt.Errorf("sim: StartApp: an app named %q is already running", name)
	}
	a := &App{s: s, name: name, user: user}
	s.addApp(a)
	return a, nil
}

// addApp records a new app; s.mu is held. Apps that have ended are
// forgotten from time to time (nothing lists or finds them by name), so a
// long-running service that starts and ends apps stays the same size: the
// sweep runs when the table has doubled since the last one.
func (s *Service) addApp(a *App) {
	s.apps[a.name] = a
	if len(s.apps) < s.appSweep {
		return
	}
	for name, b := range s.apps {
		if !b.alive() {
			delete(s.apps, name)
		}
	}
	s.appSweep = max(64, 2*len(s.apps))
}

// dropInstance releases j's CLSID instance, if any: BITS releases its
// reference, and the server process BITS started for it ends, as a COM
// server does when its last object is released; s.mu is held.
func (s *Service) dropInstance(j *job) {
	if j.inst != nil {
		exitServer(j.inst)
		j.inst = nil
	}
}

// exitServer ends the server app of a released instance.
func exitServer(inst *instanceReg) {
	inst.host.state.CompareAndSwap(appRunning, appExited)
}

// Apps lists the running applications, by name.
func (s *Service) Apps() []*App {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*App
	for _, a := range s.apps {
		if a.alive() {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Name returns the app's name.
func (a *App) Name() string { return a.name }

// User returns the account the app runs as.
func (a *App) User() model.Account { return a.user }

// IsServer reports whether BITS started the app to host a CLSID instance.
func (a *App) IsServer() bool { return a.server }

// Alive reports whether the app is running.
func (a *App) Alive() bool { return a.alive() }

func (a *App) alive() bool { return a.state.Load() == appRunning }

// Exit ends the app cleanly: it first removes every callback object it
// registered (SetNotifyInterface(NULL)), so BITS makes no failing call to
// find out (OBJ-CLEAR-BEFORE-EXIT).
func (a *App) Exit() {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !a.alive() {
		return
	}
	for _, j := range s.jobs {
		if j.obj != nil && j.obj.app == a {
			j.obj = nil
			j.regEpoch++
		}
		if j.inst != nil && j.inst.host == a {
			j.inst = nil
			j.regEpoch++
		}
	}
	a.state.Store(appExited)
}

// Crash kills the app: its callback objects stay registered, and the next
// call BITS makes to one of them fails with RPC_S_SERVER_UNAVAILABLE
// (OBJ-DISCOVER-DEAD).
func (a *App) Crash() {
	a.state.CompareAndSwap(appRunning, appCrashed)
}

// checkAlive returns the error of a call made by a dead app.
func (a *App) checkAlive() error {
	if a.alive() {
		return nil
	}
	return fmt.Errorf("sim: app %q has ended: %w", a.name, model.RPC_E_DISCONNECTED)
}

// CreateJob creates a SUSPENDED job owned by the app's user.
func (a *App) CreateJob(displayName string, jobType model.JobType) (model.Job, error) {
	s := a.s
	if hr := rules.CheckDisplayName(displayName); hr.Failed() {
		return nil, fmt.Errorf("CreateJob(%.40q): display name must have 1 to %d characters: %w", displayName, rules.MaxDisplayName, hr)
	}
	if !jobType.Valid() {
		return nil, fmt.Errorf("CreateJob: job type %v: %w", jobType, model.E_INVALIDARG)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.callable(a); err != nil {
		return nil, err
	}
	jobs := s.appJobs(a)
	if hr := rules.CheckCreateJob(*s.opts.Limits, s.opts.Version, a.user, jobs.n, len(s.jobs)); hr.Failed() {
		return nil, fmt.Errorf("CreateJob: %w", hr)
	}
	j := s.newJob(displayName, jobType, a.user, jobs)
	if err := s.persist(); err != nil {
		return nil, fmt.Errorf("CreateJob: %w", err)
	}
	j.h = jobHandle{s: s, app: a, j: j}
	return &j.h, nil
}

// GetJob returns the job with the given ID (BG_E_NOT_FOUND for unknown or
// final jobs, E_ACCESSDENIED for another user's job).
func (a *App) GetJob(id model.GUID) (model.Job, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.callable(a); err != nil {
		return nil, err
	}
	j, ok := s.jobs[id]
	if !ok {
		j, ok = s.final[id] // kept only under STATE-GETJOB-FINAL's found reading
	}
	if !ok {
		return nil, fmt.Errorf("GetJob(%v): %w", id, model.BG_E_NOT_FOUND)
	}
	switch hr := rules.CheckGetJob(a.user, j.rec.Owner, j.rec.State, s.opts.Variants); {
	case hr == model.BG_E_NOT_FOUND:
		return nil, fmt.Errorf("GetJob(%v): %w", id, hr)
	case hr.Failed():
		return nil, fmt.Errorf("GetJob(%v): owned by another user: %w", id, hr)
	}
	return &jobHandle{s: s, app: a, j: j}, nil
}

// EnumJobs lists the app user's jobs, or all users' with
// BG_JOB_ENUM_ALL_USERS (administrators only), in creation order.
func (a *App) EnumJobs(flags model.EnumJobsFlags) ([]model.Job, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.callable(a); err != nil {
		return nil, err
	}
	if hr := rules.CheckEnumJobs(a.user, flags); hr.Failed() {
		return nil, fmt.Errorf("EnumJobs(%v): %w", flags, hr)
	}
	var js []*job
	for _, j := range s.jobs {
		if rules.Visible(j.rec.State) && (flags&model.BG_JOB_ENUM_ALL_USERS != 0 || j.rec.Owner.Same(a.user)) &&
			rules.CheckAccess(a.user, j.rec.Owner, false).Succeeded() {
			js = append(js, j)
		}
	}
	sort.Slice(js, func(x, y int) bool { return js[x].index < js[y].index })
	out := make([]model.Job, len(js))
	for i, j := range js {
		out[i] = &jobHandle{s: s, app: a, j: j}
	}
	return out, nil
}

// callable checks that a may call the service; s.mu is held.
func (s *Service) callable(a *App) error {
	if s.closed {
		return ErrClosed
	}
	return a.checkAlive()
}

var _ model.Manager = (*App)(nil)

// ClassFactory creates the callback object of a notification CLSID inside
// host, the server process BITS starts for it (running as the job's
// owner, CLSID-OWNER-CONTEXT). The object must implement model.Callback;
// an error fails the activation.
type ClassFactory func(host *App) (any, error)

// ClassOptions describe a class registration beyond its factory.
type ClassOptions struct {
	// RunAs is the account the class's AppID names as RunAs (for example
	// the interactive user); nil: none. BITS honours it only under
	// CLSID-OWNER-CONTEXT's appid-runas reading.
	RunAs *model.Account
	// InProcessOnly registers the class as an in-process server only
	// (InprocServer32, no LocalServer32): BITS cannot activate it
	// (CLSID-OUT-OF-PROCESS), except under its in-process-activated reading.
	InProcessOnly bool
}

// classReg is a registered class.
type classReg struct {
	factory ClassFactory
	opts    ClassOptions
}

// RegisterClass registers (or replaces) the out-of-process COM class
// clsid, so that BITS can activate it for jobs whose notification CLSID it
// is.
func (s *Service) RegisterClass(clsid model.GUID, factory ClassFactory) error {
	return s.RegisterClassWith(clsid, factory, ClassOptions{})
}

// RegisterClassWith registers (or replaces) the COM class clsid with the
// given options: an AppID RunAs, or an in-process-only registration.
func (s *Service) RegisterClassWith(clsid model.GUID, factory ClassFactory, opts ClassOptions) error {
	if clsid.IsNull() {
		return fmt.Errorf("sim: RegisterClass(GUID_NULL): %w", model.E_INVALIDARG)
	}
	if factory == nil {
		return fmt.Errorf("sim: RegisterClass(%v): nil factory: %w", clsid, model.E_INVALIDARG)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if opts.RunAs != nil {
		runAs := *opts.RunAs
		opts.RunAs = &runAs // the caller's value may change later
	}
	s.classes[clsid] = classReg{factory: factory, opts: opts}
	return nil
}

// registered reports whether a class is registered for clsid; s.mu is
// held.
func (s *Service) registered(clsid model.GUID) bool {
	_, ok := s.classes[clsid]
	return ok
}

// UnregisterClass removes a class; activating it then fails with
// REGDB_E_CLASSNOTREG.
func (s *Service) UnregisterClass(clsid model.GUID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	delete(s.classes, clsid)
	return nil
}

// activate creates an instance of clsid for a job owned by owner whose
// CLSID setter set: it starts a server app as the account
// rules.ActivationAccount names and calls the factory outside the lock.
// Instances are numbered per class from 1, across restarts. It returns the
// HRESULT of a failed activation.
func (s *Service) activate(clsid model.GUID, owner, setter model.Account) (*instanceReg, model.HRESULT) {
	s.mu.Lock()
	reg, ok := s.classes[clsid]
	if !ok {
		s.mu.Unlock()
		return nil, model.REGDB_E_CLASSNOTREG
	}
	if hr := rules.CheckActivation(reg.opts.InProcessOnly, s.opts.Variants); hr.Failed() {
		s.mu.Unlock()
		return nil, hr
	}
	factory := reg.factory
	user := rules.ActivationAccount(owner, setter, reg.opts.RunAs, s.opts.Variants)
	s.activations[clsid]++
	n := s.activations[clsid]
	host := &App{s: s, name: fmt.Sprintf("%v#%d", clsid, n), user: user, server: true}
	s.addApp(host)
	s.mu.Unlock()
	obj, err := safeFactory(factory, host)
	if err != nil {
		host.state.Store(appExited)
		hr := model.HRESULTOf(err)
		if hr.Succeeded() || hr == model.E_FAIL {
			hr = model.CO_E_SERVER_EXEC_FAILURE
		}
		return nil, hr
	}
	cb, ok := asCallback(obj)
	if !ok {
		host.state.Store(appExited)
		return nil, model.E_NOINTERFACE
	}
	return &instanceReg{obj: cb, host: host, clsid: clsid, n: n}, model.S_OK
}

func safeFactory(f ClassFactory, host *App) (obj any, err error) {
	defer func() {
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("sim: class factory panicked: %v", r)
		}
	}()
	return f(host)
}

// Launch is one run of a notification command line.
type Launch struct {
	Job        model.GUID
	Program    string // run as is: no shell, no search path, no expansion
	Parameters string
	User       model.Account // the account that set the command line
	Time       time.Time
	// ExitCode and Err are what the handler returned.
	ExitCode int
	Err      error
}

// CommandHandler plays the program of a command line: it returns the exit
// code, or an error when the program cannot be started.
type CommandHandler func(l Launch) (exitCode int, err error)

// SetCommandHandler scripts command-line launches; the default handler
// (nil) exits 0 at once.
func (s *Service) SetCommandHandler(h CommandHandler) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.commands = h
	return nil
}

// Launches returns the command lines launched so far, oldest first: every
// one, or the last Options.LaunchLimit when there are more.
func (s *Service) Launches() []Launch {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.launches
	if lim := s.opts.LaunchLimit; lim > 0 && len(kept) > lim {
		kept = kept[len(kept)-lim:]
	}
	return append([]Launch(nil), kept...)
}

// keepLaunch records a launch, trimming to Options.LaunchLimit: it keeps up
// to twice the limit and trims in one go, so appending stays cheap; s.mu is
// held.
func (s *Service) keepLaunch(l Launch) {
	s.launches = append(s.launches, l)
	if lim := s.opts.LaunchLimit; lim > 0 && len(s.launches) >= 2*lim {
		n := copy(s.launches, s.launches[len(s.launches)-lim:])
		clear(s.launches[n:])
		s.launches = s.launches[:n]
	}
}

// SetRemote scripts a remote URL. A change applies from the next transfer
// attempt of every job, including jobs already running: an attempt in
// progress keeps the size and outcome it started with (a new Rate takes
// effect at its next progress step), and a job in TRANSIENT_ERROR meets
// the new script when it retries. Attempts are counted per file of
// a job, across changes and restarts, so a Remote's Attempts sequence
// starts where the file's attempts have got to.
func (s *Service) SetRemote(url string, r Remote) error {
	if url == "" {
		return fmt.Errorf("sim: SetRemote: empty URL: %w", model.E_INVALIDARG)
	}
	if err := r.validate(); err != nil {
		return fmt.Errorf("sim: SetRemote(%q): %w", url, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.remotes[url] = r
	return nil
}
