// Package harness puts every BITS backend behind one interface, so that one
// conformance suite runs against the simulator, Wine's BITS and real BITS.
//
// A Backend is the model API (through App, a model.Manager bound to an
// application and a user) plus a control plane: start applications as
// users, let them exit or crash, register a callback class, make remote
// sources that succeed or fail, make command lines, restart the service,
// let time pass, and read the notification trace. Capabilities say what a
// backend can do, so that a suite can skip what it cannot.
//
// The trace is what the receivers observed: every call a harness callback
// object, CLSID instance or command line received, with the result it
// returned. A backend cannot see BITS's own failed attempts on a dead
// process, so neither does the trace; it is the same on every backend.
package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Capabilities say what a backend can do.
type Capabilities struct {
	// Version is the BITS version the backend behaves as.
	Version model.Version
	// VirtualTime: Advance is instant and exact; otherwise it waits.
	VirtualTime bool
	// Restart: the service can be restarted.
	Restart bool
	// CLSID: notification CLSIDs can be set and classes registered.
	CLSID bool
	// CommandLine: notification command lines run.
	CommandLine bool
	// Users: applications can run as different users, administrators and
	// service accounts.
	Users bool
	// Crash: applications can be killed abruptly.
	Crash bool
	// Network: the machine's network can be disconnected and connected
	// again; the backend implements NetworkControl.
	Network bool
	// PowerLoss: the machine can lose power, which restarts the service
	// unexpectedly; the backend implements PowerControl.
	PowerLoss bool
	// LocalFiles: a local file name can be made impossible to rename to;
	// the backend implements LocalFileControl.
	LocalFiles bool
	// HTTPOptions: the backend's jobs implement model.JobHTTPOptions
	// (custom headers, client certificate) and model.JobCredentials.
	HTTPOptions bool
	// Concurrent: callbacks run at the same time, each on its own thread,
	// so a callback that blocks holds only its own call (as on a real
	// BITS). The simulator's manual clock runs them one at a time.
	Concurrent bool
	// COM: the API reaches an out-of-process service through COM proxies.
	// A NULL string for a [ref] parameter fails in the client's proxy
	// (LIMIT-NULL-STRING-COM), so such a backend sends the Go API's empty
	// string as an empty string, never as NULL. Not a requirement: Has and
	// Missing ignore it.
	COM bool
	// MaxWait, for a backend without VirtualTime, is the longest real wait
	// Advance makes; a scenario that must advance further is timing-
	// dependent and is skipped, never reported as a divergence. 0 means no
	// limit (virtual time, or a service without timers, where a shorter
	// wait observes what a longer one would). Has and Missing ignore it.
	MaxWait time.Duration
}

// LocalFileControl is the control plane of a backend with
// Capabilities.LocalFiles.
type LocalFileControl interface {
	// SetLocalFileError makes renaming a temporary file to localName fail
	// with hr (another program holds the file); a success HRESULT clears it.
	SetLocalFileError(localName string, hr model.HRESULT) error
}

// PowerControl is the control plane of a backend with
// Capabilities.PowerLoss.
type PowerControl interface {
	// PowerLoss restarts the service as after an unexpected shutdown.
	PowerLoss() error
}

// NetworkControl is the control plane of a backend with
// Capabilities.Network: it disconnects and reconnects the machine's
// network.
type NetworkControl interface {
	// SetNetwork connects (true) or disconnects (false) the network.
	SetNetwork(connected bool) error
}

// Has reports whether c includes every capability of need (Version is
// compared as a minimum).
func (c Capabilities) Has(need Capabilities) bool {
	return (!need.VirtualTime || c.VirtualTime) && (!need.Restart || c.Restart) &&
		(!need.CLSID || c.CLSID) && (!need.CommandLine || c.CommandLine) &&
		(!need.Users || c.Users) && (!need.Crash || c.Crash) && (!need.Network || c.Network) &&
		(!need.PowerLoss || c.PowerLoss) && (!need.LocalFiles || c.LocalFiles) &&
		(!need.Concurrent || c.Concurrent) && (!need.HTTPOptions || c.HTTPOptions) &&
		c.Version >= need.Version
}

// Missing names the capabilities of need that c lacks.
func (c Capabilities) Missing(need Capabilities) []string {
	var out []string
	add := func(cond bool, name string) {
		if cond {
			out = append(out, name)
		}
	}
	add(need.VirtualTime && !c.VirtualTime, "virtual time")
	add(need.Restart && !c.Restart, "restart")
	add(need.CLSID && !c.CLSID, "CLSID")
	add(need.CommandLine && !c.CommandLine, "command line")
	add(need.Users && !c.Users, "several users")
	add(need.Crash && !c.Crash, "crash")
	add(need.Network && !c.Network, "network control")
	add(need.PowerLoss && !c.PowerLoss, "power loss")
	add(need.LocalFiles && !c.LocalFiles, "local file control")
	add(need.Concurrent && !c.Concurrent, "concurrent callbacks")
	add(need.HTTPOptions && !c.HTTPOptions, "HTTP options and credentials")
	add(c.Version < need.Version, fmt.Sprintf("BITS %v", need.Version))
	return out
}

// RemoteKind is how a remote source behaves.
type RemoteKind int

// The kinds of remote source.
const (
	// RemoteOK serves its content.
	RemoteOK RemoteKind = iota + 1
	// RemoteTransient fails with a transient error (HTTP 503) for ever.
	RemoteTransient
	// RemoteFatal fails with a fatal error (HTTP 404).
	RemoteFatal
	// RemoteSlow serves its content slowly: one kilobyte per virtual
	// second, Size bytes in all.
	RemoteSlow
)

var remoteKindNames = []string{"", "ok", "transient", "fatal", "slow"}

// String returns "ok", "transient", "fatal" or "slow".
func (k RemoteKind) String() string {
	if k > 0 && int(k) < len(remoteKindNames) {
		return remoteKindNames[k]
	}
	return fmt.Sprintf("RemoteKind(%d)", int(k))
}

// Behavior scripts a harness callback object. The zero value answers
// S_OK to every call of every interface up to IBackgroundCopyCallback3.
type Behavior struct {
	// Fail makes every method return E_FAIL.
	Fail bool
	// FailFirst makes the first n calls of JobTransferred, JobError and
	// FileTransferred return E_FAIL.
	FailFirst int
	// Complete makes JobTransferred call Complete on the job, as the
	// documentation's sample does.
	Complete bool
	// Results answers calls of a method with any HRESULT, S_FALSE
	// included: a success code other than S_OK is returned as is. It
	// overrides Fail and FailFirst for the methods it names.
	Results map[model.EventKind]model.HRESULT
	// Files answers FileTransferred and FileRangesTransferred calls about
	// the file with this local name with the HRESULT given; it overrides
	// Results for those calls.
	Files map[string]model.HRESULT
	// Interface is the newest callback interface the object implements
	// (default: all of them). An object that lacks a method is never
	// called on it: BITS asks the object which interfaces it has.
	Interface Interface
	// Block makes every call wait inside the method until the gate is
	// opened (see Gate), after recording that it entered.
	Block *Gate `json:"-"` // in-process only: not sent to another process
	// Reenter is called inside every call, with the job the call is
	// about, before the method answers: a re-entrant callback that uses
	// the job (GetState, Complete, SetNotifyInterface, ...) from inside.
	// Its error, if any, becomes the answer.
	Reenter func(job model.Job, kind model.EventKind) error `json:"-"` // in-process only
	// Answer, when set, decides every answer instead of Fail, FailFirst,
	// Results and Files: it is called inside every call (after Block,
	// before Reenter), with the job and the file (nil for the job
	// methods) the call is about; nil is S_OK, an error its HRESULT
	// (S_FALSE included). It may use the job, as Reenter does.
	Answer func(job model.Job, kind model.EventKind, file model.File) error `json:"-"` // in-process only
}

// Interface is a level of the callback interface.
type Interface int

// The callback interfaces, oldest first.
const (
	// AllInterfaces is IBackgroundCopyCallback3, the default.
	AllInterfaces Interface = iota
	// BasicInterface is IBackgroundCopyCallback only: JobTransferred,
	// JobError and JobModification.
	BasicInterface
	// Callback2Interface adds FileTransferred (IBackgroundCopyCallback2).
	Callback2Interface
)

// App is an application connected to a backend as a user.
type App interface {
	model.Manager
	// Name is unique among the backend's running apps.
	Name() string
	// User is the account the app runs as.
	User() model.Account
	// Callback returns a new callback object living in this app, to pass
	// to SetNotifyInterface. Its calls are recorded in the trace with
	// Target{Kind: TargetObject, App: Name()}.
	Callback(b Behavior) model.Callback
	// Exit ends the app cleanly, clearing its registrations first.
	Exit() error
	// Crash kills the app (needs Capabilities.Crash).
	Crash() error
}

// Backend is one BITS implementation under test.
type Backend interface {
	// Name names the backend in reports: "sim", "wine", "windows".
	Name() string
	// Capabilities says what the backend can do.
	Capabilities() Capabilities
	// StartApp starts an application running as user.
	StartApp(name string, user model.Account) (App, error)
	// RegisterClass registers an out-of-process callback class and
	// returns its CLSID. BITS activates it as the job's owner; each
	// instance's calls are recorded with Target{Kind: TargetCLSID} and the
	// instance number, and behave as b says.
	RegisterClass(b Behavior) (model.GUID, error)
	// Remote returns the URL of a new remote source of the given kind and
	// size in bytes.
	Remote(kind RemoteKind, size uint64) (string, error)
	// CommandLine returns a program and parameters for SetNotifyCmdLine
	// whose runs are recorded in the trace; run i exits with exitCodes[i]
	// (the last code repeats; none means 0).
	CommandLine(exitCodes ...int) (program, parameters string, err error)
	// Restart restarts the service (needs Capabilities.Restart).
	Restart() error
	// Advance lets d pass, doing the work that falls due.
	Advance(d time.Duration) error
	// Settle does the work due now and waits for the notifications it
	// causes.
	Settle() error
	// Trace returns what the receivers observed so far, in order.
	Trace() []model.Event
	// Close releases the backend.
	Close() error
}

// TB is the part of testing.TB a Factory uses; *testing.T and *testing.B
// satisfy it, and tools can supply their own.
type TB interface {
	Helper()
	Name() string
	Cleanup(func())
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Factory makes a fresh backend for one test; it calls t.Skipf when the
// backend cannot run here, and registers the backend's Close with
// t.Cleanup.
type Factory func(t TB) Backend

// Delivered returns the events of trace that are successful deliveries
// matching keep.
func Delivered(trace []model.Event, keep func(model.Event) bool) []model.Event {
	var out []model.Event
	for _, e := range trace {
		if e.Delivered() && (keep == nil || keep(e)) {
			out = append(out, e)
		}
	}
	return out
}

// Calls returns the events of trace about job of kind, delivered or not.
func Calls(trace []model.Event, job model.GUID, kind model.EventKind) []model.Event {
	var out []model.Event
	for _, e := range trace {
		if e.Job == job && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// VariantBackend is a Backend that knows which reading of each open rule
// (rules.Uncertain) it follows, as the simulator does. A real BITS does not
// say: the conformance suite then finds out, running an open rule's
// scenario under each reading and reporting the ones it matched.
type VariantBackend interface {
	Backend
	// Variants returns the selected readings (nil: every default).
	Variants() rules.Selection
}

// BackendVariants returns the readings b follows and whether it declares
// them at all.
func BackendVariants(b Backend) (rules.Selection, bool) {
	if vb, ok := b.(VariantBackend); ok {
		return vb.Variants(), true
	}
	return nil, false
}

// ClassUnregisterer is a Backend that can remove a class registered with
// RegisterClass again (the simulator can; a real backend may not).
type ClassUnregisterer interface {
	UnregisterClass(clsid model.GUID) error
}

// The optional interfaces below let a tool that plays scripts (the
// scenario package) say on a backend what the Backend interface alone
// cannot. A backend implements those it can; a script that needs one the
// backend lacks is skipped, never run half-way. The simulator implements
// them all.

// ServiceTracer is a Backend whose service keeps its own record of every
// notification attempt, failed ones included: the calls to a crashed
// app's object and the activations that failed, which no receiver sees
// (the simulator keeps one; real BITS does not).
type ServiceTracer interface {
	// ServiceTrace returns the service's record of notification attempts
	// and command-line runs numbered after seq (0: all that are kept), in
	// order.
	ServiceTrace(seq uint64) []model.Event
}

// Clock is a Backend that can say what time it is on its own clock (the
// simulator's virtual clock), so that a trace can be laid out in time.
type Clock interface {
	// Now returns the backend's current time.
	Now() time.Time
}

// ContextSettler is a Backend whose Settle can be ended early: a tool that
// holds callbacks inside their methods (and so keeps the service busy)
// stops waiting as soon as one is held.
type ContextSettler interface {
	// SettleContext is Settle that returns ctx.Err() when ctx ends first.
	SettleContext(ctx context.Context) error
}

// RemoteScript says how a remote source behaves, attempt by attempt. The
// zero value serves 0 bytes at once with HTTP 200.
type RemoteScript struct {
	// Size in bytes.
	Size uint64
	// Rate in bytes per second (0: at once).
	Rate uint64
	// Latency is the time each attempt spends connecting.
	Latency time.Duration
	// Status answers every attempt with this HTTP status (0: 200): 2xx
	// transfers, 5xx, 408 and 429 fail transiently, others fatally.
	Status int
	// TransientFailures makes the first n attempts fail with HTTP 503.
	TransientFailures int
	// Attempts answers attempt i (per file, from 0) with the HTTP status
	// Attempts[i]; attempts after the last transfer. It cannot be combined
	// with Status or TransientFailures.
	Attempts []int
	// Peer: a peer serves the content until the file is rejected with
	// SetValidationState(FALSE).
	Peer bool
}

// RemoteScripter is a Backend whose remote sources can be scripted under
// the URL the script chooses, beyond the kinds of Backend.Remote.
type RemoteScripter interface {
	// ScriptRemote makes url behave as r.
	ScriptRemote(url string, r RemoteScript) error
}

// Program scripts a notification command line's program.
type Program struct {
	// Exits are the exit codes of the runs in turn (the last repeats;
	// none means 0).
	Exits []int
	// Does is what each run does to the job it was run for before it
	// exits, as the user the command line runs as: "complete", "cancel"
	// or "" (nothing). A run whose action fails exits 1.
	Does string
}

// ProgramScripter is a Backend that runs notification command lines of
// any program name the script chooses, scripted as Program says (the
// names Backend.CommandLine makes are the backend's own).
type ProgramScripter interface {
	// ScriptProgram makes program runnable, behaving as p; every run is
	// recorded in the trace.
	ScriptProgram(program string, p Program) error
}

// CallbackCounter is a Backend that can count the callback calls running
// now for a user (at most four at a time on BITS: DELIV-CONCURRENCY-LIMIT).
type CallbackCounter interface {
	// InFlight returns how many callback calls made as user are running.
	InFlight(user string) int
}

// ObjectOwner is a Backend that can say which app's callback object a job
// holds, when the object itself does not (an object the service restored
// after a restart).
type ObjectOwner interface {
	// ObjectApp names the app whose object job holds; false when none.
	ObjectApp(job model.Job) (string, bool)
}

// InProcessCallbacks is a Backend whose callback objects (App.Callback)
// and class instances live in the calling process, so that Behavior's
// functions (Answer, Reenter, Block) run; a backend whose objects live in
// helper processes receives Behavior as data only.
type InProcessCallbacks interface {
	// InProcessCallbacks reports whether Behavior's functions run.
	InProcessCallbacks() bool
}

// ClassRegistrar is a Backend that registers a callback class under a
// CLSID the caller chooses (RegisterClass chooses its own), so that a
// script's class keeps the CLSID its name gives it.
type ClassRegistrar interface {
	// RegisterClassID is RegisterClass under clsid.
	RegisterClassID(clsid model.GUID, b Behavior) error
}

// RecorderOf returns the recorder behind a callback object made by
// Recorder.Object (and so by App.Callback of the in-process backends).
func RecorderOf(cb any) (*Recorder, bool) {
	switch o := cb.(type) {
	case *Recorder:
		return o, true
	case basicObject:
		return o.r, true
	case callback2Object:
		return o.r, true
	}
	return nil, false
}
