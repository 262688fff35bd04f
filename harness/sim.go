package harness

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// SimFactory makes sim backends from opts on the manual clock: the suite
// drives time, and callbacks run one at a time, in a deterministic order.
func SimFactory(opts sim.Options) Factory {
	return func(t TB) Backend {
		b, err := NewSim(opts)
		if err != nil {
			t.Fatalf("harness: new sim backend: %v", err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
}

// SimAutoFactory makes sim backends from opts on the automatic clock:
// work happens in the background as on a real BITS, callbacks run on their
// own goroutines (at most four per user at once), Advance waits for
// virtual time to pass and Settle waits until the service is idle. Time is
// not exact there (Capabilities.VirtualTime is false), but callbacks are
// concurrent (Capabilities.Concurrent). opts.Speed 0 means
// DefaultAutoSpeed.
func SimAutoFactory(opts sim.Options) Factory {
	return func(t TB) Backend {
		b, err := NewSimAuto(opts)
		if err != nil {
			t.Fatalf("harness: new sim backend (automatic clock): %v", err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
}

// DefaultAutoSpeed is the automatic clock's speed in SimAutoFactory unless
// sim.Options.Speed says otherwise: a virtual hour in a real second.
const DefaultAutoSpeed = 3600

// SettleTimeout bounds how long Settle and Advance wait on the automatic
// clock for the service to become idle.
const SettleTimeout = 30 * time.Second

// SimBackend is the simulator as a Backend.
type SimBackend struct {
	svc   *sim.Service
	trace *Trace

	auto     bool
	speed    float64
	mu       sync.Mutex
	classes  int
	remotes  int
	commands map[string]*command
	programs int                 // programs made by CommandLine
	actors   map[string]*sim.App // user → the process programs act on jobs from
}

type command struct {
	exits []int
	runs  int
	does  string // Program.Does
}

var (
	_ Backend            = (*SimBackend)(nil)
	_ NetworkControl     = (*SimBackend)(nil)
	_ PowerControl       = (*SimBackend)(nil)
	_ LocalFileControl   = (*SimBackend)(nil)
	_ ServiceTracer      = (*SimBackend)(nil)
	_ Clock              = (*SimBackend)(nil)
	_ ContextSettler     = (*SimBackend)(nil)
	_ RemoteScripter     = (*SimBackend)(nil)
	_ ProgramScripter    = (*SimBackend)(nil)
	_ CallbackCounter    = (*SimBackend)(nil)
	_ ObjectOwner        = (*SimBackend)(nil)
	_ InProcessCallbacks = (*SimBackend)(nil)
	_ VariantBackend     = (*SimBackend)(nil)
	_ ClassUnregisterer  = (*SimBackend)(nil)
	_ ClassRegistrar     = (*SimBackend)(nil)
)

// NewSim starts a sim backend with a manual clock.
func NewSim(opts sim.Options) (*SimBackend, error) {
	opts.Clock = sim.Manual
	return newSim(opts)
}

// NewSimAuto starts a sim backend with an automatic clock (see
// SimAutoFactory).
func NewSimAuto(opts sim.Options) (*SimBackend, error) {
	opts.Clock = sim.Automatic
	if opts.Speed == 0 {
		opts.Speed = DefaultAutoSpeed
	}
	return newSim(opts)
}

func newSim(opts sim.Options) (*SimBackend, error) {
	svc, err := sim.New(opts)
	if err != nil {
		return nil, err
	}
	b := &SimBackend{svc: svc, commands: map[string]*command{}, actors: map[string]*sim.App{}, auto: opts.Clock == sim.Automatic, speed: opts.Speed}
	b.trace = NewTrace(svc.Now)
	b.trace.SetLimit(opts.TraceLimit) // the receivers' trace is capped as the service's
	svc.SetCommandHandler(b.runCommand)
	return b, nil
}

// LimitTrace caps the receivers' trace (Trace) at the last n events,
// apart from the service's own (ServiceTrace, capped by
// sim.Options.TraceLimit): 0 keeps all, negative none. A tool that reads
// only ServiceTrace keeps none.
func (b *SimBackend) LimitTrace(n int) { b.trace.SetLimit(n) }

// Service returns the simulated service, for sim-specific checks.
func (b *SimBackend) Service() *sim.Service { return b.svc }

// Name returns "sim" (manual clock) or "sim-auto" (automatic clock).
func (b *SimBackend) Name() string {
	if b.auto {
		return "sim-auto"
	}
	return "sim"
}

// Capabilities: the simulator can do everything; its manual clock has
// exact virtual time and runs callbacks one at a time, its automatic clock
// runs them concurrently and lets time pass in the background.
func (b *SimBackend) Capabilities() Capabilities {
	return Capabilities{Version: b.svc.Version(), VirtualTime: !b.auto, Restart: true, CLSID: b.svc.Version() >= model.BITS5_0,
		CommandLine: true, Users: true, Crash: true, Network: true, PowerLoss: true, LocalFiles: true, HTTPOptions: true, Concurrent: b.auto}
}

// Variants returns the readings of the open rules the simulator follows
// (sim.Options.Variants).
func (b *SimBackend) Variants() rules.Selection { return b.svc.Variants() }

// SetNetwork connects or disconnects the simulated network.
func (b *SimBackend) SetNetwork(connected bool) error { return b.svc.SetNetwork(connected) }

// PowerLoss restarts the simulated service as after a power loss.
func (b *SimBackend) PowerLoss() error { return b.svc.PowerLoss() }

// SetLocalFileError makes renaming to a local name fail in the simulator.
func (b *SimBackend) SetLocalFileError(localName string, hr model.HRESULT) error {
	return b.svc.SetLocalFileError(localName, hr)
}

// StartApp starts a simulated application.
func (b *SimBackend) StartApp(name string, user model.Account) (App, error) {
	a, err := b.svc.StartApp(name, user)
	if err != nil {
		return nil, err
	}
	return &simApp{App: a, b: b}, nil
}

// RegisterClass registers a recording class.
func (b *SimBackend) RegisterClass(behavior Behavior) (model.GUID, error) {
	b.mu.Lock()
	b.classes++
	clsid, err := model.ParseGUID(fmt.Sprintf("{B175C1A5-0000-4000-8000-%012X}", b.classes))
	b.mu.Unlock()
	if err != nil {
		return model.GUID{}, err
	}
	return clsid, b.RegisterClassID(clsid, behavior)
}

// RegisterClassID registers a recording class under clsid.
func (b *SimBackend) RegisterClassID(clsid model.GUID, behavior Behavior) error {
	var instMu sync.Mutex
	instances := 0
	return b.svc.RegisterClass(clsid, func(host *sim.App) (any, error) {
		instMu.Lock()
		instances++
		n := instances
		instMu.Unlock()
		target := model.Target{Kind: model.TargetCLSID, App: host.Name(), CLSID: clsid, Instance: n}
		return NewRecorder(b.trace, target, host.User(), behavior).Object(), nil
	})
}

// UnregisterClass removes a class registered with RegisterClass, so that
// activating it fails with REGDB_E_CLASSNOTREG.
func (b *SimBackend) UnregisterClass(clsid model.GUID) error {
	b.svc.UnregisterClass(clsid)
	return nil
}

// Remote scripts a simulated remote source.
func (b *SimBackend) Remote(kind RemoteKind, size uint64) (string, error) {
	b.mu.Lock()
	b.remotes++
	url := fmt.Sprintf("http://remote.test/%s/%d", kind, b.remotes)
	b.mu.Unlock()
	var r sim.Remote
	switch kind {
	case RemoteOK:
		r = sim.Remote{Size: size}
	case RemoteTransient:
		r = sim.HTTPStatus(503, size)
	case RemoteFatal:
		r = sim.NotFound()
	case RemoteSlow:
		r = sim.Remote{Size: size, Rate: 1024}
	default:
		return "", fmt.Errorf("harness: unknown remote kind %v", kind)
	}
	return url, b.svc.SetRemote(url, r)
}

// CommandLine makes a recorded program.
func (b *SimBackend) CommandLine(exitCodes ...int) (string, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.programs++
	n := b.programs
	program := fmt.Sprintf(`C:\bitssim\notify%d.exe`, n)
	for b.commands[program] != nil { // a name ScriptProgram took
		program = fmt.Sprintf(`C:\bitssim\notify%d-%d.exe`, n, len(b.commands))
	}
	b.commands[program] = &command{exits: append([]int(nil), exitCodes...)}
	return program, fmt.Sprintf(`"%s" %d`, program, n), nil
}

// ScriptProgram makes program runnable as a notification command line of
// the simulator, behaving as p; it replaces an earlier script of the same
// program (its runs count again from the first exit code).
func (b *SimBackend) ScriptProgram(program string, p Program) error {
	switch p.Does {
	case "", "complete", "cancel":
	default:
		return fmt.Errorf("harness: program %q: Does is complete, cancel or empty, not %q: %w", program, p.Does, model.E_INVALIDARG)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.commands[program] = &command{exits: append([]int(nil), p.Exits...), does: p.Does}
	return nil
}

func (b *SimBackend) runCommand(l sim.Launch) (int, error) {
	b.mu.Lock()
	c := b.commands[l.Program]
	exit, does := 0, ""
	if c != nil {
		if len(c.exits) > 0 {
			exit = c.exits[min(c.runs, len(c.exits)-1)]
		}
		c.runs++
		does = c.does
	}
	b.mu.Unlock()
	if c == nil {
		return 0, fmt.Errorf("harness: no such program %q: %w", l.Program, model.HRESULTFromWin32(2))
	}
	if does != "" && b.act(l, does) != nil {
		exit = 1 // the program failed: it exits non-zero
	}
	hr := model.S_OK
	if exit != 0 {
		hr = model.E_FAIL
	}
	b.trace.Add(model.Event{Job: l.Job, Kind: model.EventCommandLine, User: l.User.Name, Result: hr, ExitCode: exit,
		Target: model.Target{Kind: model.TargetCommandLine, Program: l.Program, Parameters: l.Parameters}})
	return exit, nil
}

// act completes or cancels the job of a launch, from a process of the
// command line's user.
func (b *SimBackend) act(l sim.Launch, does string) error {
	b.mu.Lock()
	app := b.actors[l.User.Name]
	b.mu.Unlock()
	if app == nil {
		var err error
		if app, err = b.svc.StartApp("program of "+l.User.Name, l.User); err != nil {
			return err
		}
		b.mu.Lock()
		b.actors[l.User.Name] = app
		b.mu.Unlock()
	}
	h, err := app.GetJob(l.Job)
	if err != nil {
		return err
	}
	if does == "cancel" {
		return h.Cancel()
	}
	_, err = h.Complete()
	return err
}

// ScriptRemote scripts the simulated remote source url.
func (b *SimBackend) ScriptRemote(url string, r RemoteScript) error {
	rm := sim.Remote{Size: r.Size, Rate: r.Rate, Latency: r.Latency, FromPeer: r.Peer}
	switch {
	case len(r.Attempts) > 0 && (r.Status != 0 || r.TransientFailures != 0):
		return fmt.Errorf("harness: remote %s: Attempts and Status or TransientFailures both script the attempts: %w", url, model.E_INVALIDARG)
	case len(r.Attempts) > 0:
		seq, err := sim.Sequence(r.Size, r.Attempts...)
		if err != nil {
			return fmt.Errorf("harness: remote %s: %w", url, err)
		}
		rm.Attempts = seq.Attempts
	case r.Status != 0:
		if r.Status < 100 || r.Status > 599 {
			return fmt.Errorf("harness: remote %s: HTTP status %d is not in 100-599: %w", url, r.Status, model.E_INVALIDARG)
		}
		rm = sim.HTTPStatus(r.Status, r.Size)
		rm.Rate, rm.Latency, rm.FromPeer = r.Rate, r.Latency, r.Peer
	}
	if r.TransientFailures != 0 {
		rm.TransientFailures, rm.TransientError = r.TransientFailures, model.HTTPError(503)
	}
	if err := b.svc.SetRemote(url, rm); err != nil {
		return fmt.Errorf("harness: remote %s: %w", url, err)
	}
	return nil
}

// ServiceTrace returns the simulator's own record of notification
// attempts after seq (sim.Service.TraceSince).
func (b *SimBackend) ServiceTrace(seq uint64) []model.Event { return b.svc.TraceSince(seq) }

// Now returns the simulator's virtual time.
func (b *SimBackend) Now() time.Time { return b.svc.Now() }

// SettleContext is Settle, ended early by ctx on the automatic clock.
func (b *SimBackend) SettleContext(ctx context.Context) error {
	if !b.auto {
		return b.svc.RunUntilIdle()
	}
	return b.svc.WaitIdle(ctx)
}

// InFlight returns the callback calls running as user.
func (b *SimBackend) InFlight(user string) int { return b.svc.InFlight(user) }

// ObjectApp names the app whose callback object job holds.
func (b *SimBackend) ObjectApp(job model.Job) (string, bool) { return b.svc.ObjectApp(job) }

// InProcessCallbacks is true: the simulator calls objects in this process.
func (b *SimBackend) InProcessCallbacks() bool { return true }

// Restart restarts the simulated service.
func (b *SimBackend) Restart() error { return b.svc.Restart() }

// Advance moves virtual time; on the automatic clock it waits until d
// has passed and the service is idle.
func (b *SimBackend) Advance(d time.Duration) error {
	if !b.auto {
		return b.svc.Advance(d)
	}
	if d < 0 {
		return fmt.Errorf("harness: Advance(%v): negative duration", d)
	}
	until := b.svc.Now().Add(d)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for now := b.svc.Now(); now.Before(until); now = b.svc.Now() {
		timer.Reset(max(time.Millisecond, time.Duration(float64(until.Sub(now))/b.speed)))
		<-timer.C
	}
	return b.Settle()
}

// Settle does the work due now; on the automatic clock it waits (at most
// SettleTimeout) until no work is due and no callback is running.
func (b *SimBackend) Settle() error {
	if !b.auto {
		return b.svc.RunUntilIdle()
	}
	ctx, cancel := context.WithTimeout(context.Background(), SettleTimeout)
	defer cancel()
	if err := b.svc.WaitIdle(ctx); err != nil {
		return fmt.Errorf("harness: settle: %w", err)
	}
	return nil
}

// Trace returns what the receivers observed. The user of each callback
// call is the one the simulator made the call as (from its own record of
// the call), not the one the receiving object was configured with: a call
// the simulator has no record of keeps no user.
func (b *SimBackend) Trace() []model.Event {
	evs := b.trace.Events()
	// The simulator's record of each call, queued per call, in order.
	type key struct {
		job    model.GUID
		kind   model.EventKind
		target model.Target
		file   string
	}
	made := map[key][]string{}
	for _, e := range b.svc.Trace() {
		if e.Target.Kind == model.TargetObject || e.Target.Kind == model.TargetCLSID {
			k := key{e.Job, e.Kind, e.Target, e.File}
			made[k] = append(made[k], e.User)
		}
	}
	for i, e := range evs {
		if e.Target.Kind != model.TargetObject && e.Target.Kind != model.TargetCLSID {
			continue
		}
		k := key{e.Job, e.Kind, e.Target, e.File}
		evs[i].User = ""
		if q := made[k]; len(q) > 0 {
			evs[i].User, made[k] = q[0], q[1:]
		}
	}
	return evs
}

// Close stops the service.
func (b *SimBackend) Close() error { return b.svc.Close() }

type simApp struct {
	*sim.App
	b *SimBackend
}

func (a *simApp) Callback(behavior Behavior) model.Callback {
	return NewRecorder(a.b.trace, model.Target{Kind: model.TargetObject, App: a.Name()}, a.User(), behavior).Object()
}

func (a *simApp) Exit() error  { a.App.Exit(); return nil }
func (a *simApp) Crash() error { a.App.Crash(); return nil }
