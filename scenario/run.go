package scenario

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// StepKind says what a step of the log is.
type StepKind int

// The kinds of step.
const (
	// StepCall: an app called BITS.
	StepCall StepKind = iota + 1
	// StepControl: something happened to the world (an app started, a
	// service restart, time passed).
	StepControl
	// StepNotify: BITS notified a target (or tried to).
	StepNotify
)

// Step is one line of the log of a run, in order.
type Step struct {
	Kind StepKind `json:"kind"`
	Line int      `json:"line,omitempty"` // the statement, for calls and control steps
	// At is the virtual time since the start of the run.
	At time.Duration `json:"at"`
	// From and To are participants: an app, "BITS", a CLSID instance
	// ("Class#1") or "cmdline".
	From string `json:"from"`
	To   string `json:"to"`
	// Label says what happened: "resume job1", "JobTransferred job1".
	Label  string        `json:"label"`
	Result model.HRESULT `json:"result"`
	// OK: the call succeeded, or the notification was delivered.
	OK bool `json:"ok"`
	// Retry: a notification tried again after a failed attempt.
	Retry bool `json:"retry,omitempty"`
	// Job is the scenario's name of the job a call or notification is about.
	Job string `json:"job,omitempty"`
	// Event is the notification, for StepNotify.
	Event *model.Event `json:"event,omitempty"`
	// hasTail: the label is Label, a space and labelTail, which RunText
	// writes without joining them (a kept step has them joined in Label).
	hasTail   bool
	labelTail string
}

// Check is the outcome of one expectation, or of a call's HRESULT.
type Check struct {
	Line int    `json:"line"`
	Text string `json:"text"`
	OK   bool   `json:"ok"`
	// Want and Got say what was expected and seen when OK is false.
	Want string `json:"want,omitempty"`
	Got  string `json:"got,omitempty"`
	// afterSteps is one more than the number of steps the result held
	// when the check was made (0: not known, in a Result built outside the
	// runner): the renderers place the check after those steps, which the
	// line alone cannot do for checks in a repeat body.
	afterSteps int
}

// Participant is a lifeline of the run's sequence diagram.
type Participant struct {
	Name string `json:"name"`
	// Kind is "app", "bits", "clsid" or "cmdline".
	Kind string `json:"kind"`
	// User is the account an app or instance runs as.
	User string `json:"user,omitempty"`
}

// Result is what a run did.
type Result struct {
	File    string        `json:"file"`
	Version model.Version `json:"version"`
	// Variants are the readings of open rules the run followed, other
	// than the defaults (nil when every default).
	Variants rules.Selection `json:"variants,omitempty"`
	// Backend names the backend the script ran on ("sim", "wine", ...).
	Backend string `json:"backend,omitempty"`
	// Skipped says why the script did not run on the backend ("needs
	// restart, CLSID"), as the conformance suite skips a scenario; then
	// there are no steps and no checks. Empty when it ran.
	Skipped      string        `json:"skipped,omitempty"`
	Participants []Participant `json:"participants"`
	Steps        []Step        `json:"steps"`
	Checks       []Check       `json:"checks"`
	dropped      int           // passed checks RunText counted but did not keep
}

// CheckCount is how many checks the run made: len(Checks), plus those
// RunText counted without keeping them (it keeps only the failed ones).
func (r *Result) CheckCount() int { return len(r.Checks) + r.dropped }

// Failed reports whether any check failed.
func (r *Result) Failed() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return true
		}
	}
	return false
}

// Failures returns the failed checks.
func (r *Result) Failures() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// failKey is a job's notification kind, whose failed attempts are tracked
// to mark retries.
type failKey struct {
	job  model.GUID
	kind model.EventKind
}

// handleKey names an app's handle on a job.
type handleKey struct{ app, job string }

// appHandle is an app's handle on a job.
type appHandle struct {
	app string
	h   model.Job
}

// runner plays a script.
type runner struct {
	sc    *Script
	be    harness.Backend // nil for a Checker
	own   bool            // the runner made be and closes it
	start time.Time
	res   *Result
	users map[string]model.Account
	apps  map[string]harness.App
	// What the runner reads from the service: from the backend, or from
	// the simulator a Checker looks at.
	traceSince func(seq uint64) []model.Event
	clockNow   func() time.Time
	inFlight   func(user string) int
	objectApp  func(job model.Job) (string, bool)
	observe    func() (model.Manager, error) // starts an administrator's app
	inProcess  bool                          // callback objects run here (Behavior's functions work)
	realTime   bool                          // the backend's clock is real: times are shown to the millisecond
	objApps    map[any]string                // object → its app, for objects that are no Recorder (another process's)
	remotes    harness.RemoteScripter        // nil: remotes map to Backend.Remote
	urls       map[string]string             // script URL → the backend's, without remotes
	progs      harness.ProgramScripter
	cmds       backendCmds // command lines without progs (backend.go)
	jobs       map[string]model.GUID
	names      map[model.GUID]string // job GUID → name
	lastKey    handleKey             // the handle used last, and its key:
	lastHandle model.Job             // statements use one handle in a row, most of them
	classes    map[string]model.GUID
	byCLSID    map[model.GUID]string
	seen       map[string]bool       // participants added
	lastSeen   string                // the participant participant() found added last
	obs        model.Manager         // an administrator that reads jobs no app of the script can
	traced     uint64                // last sim event seq logged
	failed     map[failKey]time.Time // time of a failed attempt, for retries
	since      uint64                // notification expectations count events after this one

	// events are the notifications so far, in order, and byJob the same
	// per job: expectations count them without scanning the whole trace.
	// A Checker, which logs no notifications, leaves indexed false and
	// reads the service's trace instead.
	indexed     bool
	events      notes
	byJob       map[model.GUID][]int32 // indexes into events
	idxChunk    []int32                // memory for the first index of byJob's slices
	jobHandles  map[string][]appHandle // job → the apps' handles on it, in the order they got them
	handleChunk []appHandle            // memory for the first handle of jobHandles' slices

	marks map[string]uint64 // mark → last trace seq when it was set

	// The tables of the notes' apps, users and CLSIDs.
	strs     []string
	strIdx   map[string]int32
	strLast  [2]int32  // the strings str numbered last
	exts     []noteExt // the notes' command lines and ranges
	guids    []model.GUID
	guidIdx  map[model.GUID]int32
	guidLast int32 // the GUID guid numbered last

	auto       bool               // the automatic clock (clock automatic)
	noSettle   bool               // settle off: statements leave the work they cause to do
	gates      *gates             // where the calls of hold objects wait
	waitCancel context.CancelFunc // ends the settle in progress when a call is held

	text    io.Writer // RunText: steps and checks are written here, steps not kept
	lineBuf []byte    // the memory of the last text line, reused
	at      atCache   // the time of the last text line
	discard bool      // text goes to io.Discard: nothing is written
	textErr error     // the first error writing text

	caps   harness.Capabilities // the backend's, which when blocks test
	blocks blockStack           // the when blocks open at this point of the run

	programs map[string]bool // programs scripted on the backend
	plan     []release       // jobs to let go of, by statement (RunOptions.Plan)

	mu sync.Mutex
}

// RunOptions change how a script runs.
type RunOptions struct {
	// Variants selects readings of open rules; for a rule it names, it
	// overrides the script's variant statement. With a Backend it only
	// says which readings the script's expectations are written for: a
	// VariantBackend that follows others skips the script.
	Variants rules.Selection
	// Backend runs the script; the runner uses it and does not close it.
	// A script that needs what the backend cannot do (Script.Needs, and
	// the optional control interfaces of package harness) is skipped:
	// the Result says why, in Skipped. Give each script a fresh backend:
	// names of apps, jobs and classes are the script's own. nil runs the
	// script on a fresh simulator (harness.NewSim, or NewSimAuto for
	// clock automatic) with the script's version, seed and variants.
	Backend harness.Backend
	// Plan, from Prepare on the same script, lets RunText drop its
	// handles on a job once the script no longer names it (nil: it keeps
	// them to the end).
	Plan *Plan

	text io.Writer // RunText's writer
}

// Run plays the script on a simulator with a manual clock. The error is
// for the simulator failing to start; failed expectations are in the
// Result.
func Run(sc *Script) (*Result, error) { return RunWith(sc, RunOptions{}) }

// RunWith is Run with options.
func RunWith(sc *Script, opts RunOptions) (*Result, error) {
	if res := skipped(sc, opts); res != nil {
		return res, nil
	}
	return runAll(sc, opts)
}

// runAll plays every statement of sc on a new runner.
func runAll(sc *Script, opts RunOptions) (*Result, error) {
	r, err := newRunner(sc, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()
	for i := range sc.Stmts {
		if err := r.exec(&sc.Stmts[i]); err != nil {
			if err == errSkip {
				break
			}
			return nil, err
		}
		if r.textErr != nil {
			return nil, fmt.Errorf("scenario: write: %w", r.textErr)
		}
	}
	return r.finish()
}

// RunText parses and runs the scenario read from src as it reads it,
// writing the text log (as WriteText would) to w as the run goes (nothing
// is written, or formatted, when w is io.Discard). The
// Result keeps the failed checks, counts the others (CheckCount), and has
// no steps: a scenario of any length runs in memory proportional to its
// jobs (to its notifications, given the script's Plan), not to its
// statements (one statement may cause at most 16,384 notifications). A
// syntax error stops the run where it is found, after the text of the
// statements before it; check the scenario with Validate or Prepare first
// when that matters.
//
// Given the Plan Prepare made of the same source (RunOptions.Plan),
// RunText runs the statements Prepare parsed and checked: it reads the
// lines of src again for their text, and fails if src is not what Prepare
// read.
//
// With a Backend, the whole scenario is read first, so that a script the
// backend cannot run is skipped before it starts.
func RunText(name string, src io.Reader, w io.Writer, opts RunOptions) (*Result, error) {
	if opts.Backend != nil {
		sc, err := ParseFile(name, src)
		if err != nil {
			return nil, err
		}
		if res := skipped(sc, opts); res != nil {
			return res, nil
		}
		opts.text = w
		return runAll(sc, opts)
	}
	opts.text = w
	if opts.Plan != nil {
		return runPlan(name, src, opts)
	}
	sr := newStmtReader(name, src)
	var r *runner
	for {
		st, ok, err := sr.next()
		if err != nil {
			if r != nil {
				r.close()
			}
			return nil, err
		}
		if !ok {
			break
		}
		if r == nil { // the header is complete: start the service
			if r, err = newRunner(sr.sc, opts); err != nil {
				return nil, err
			}
			defer r.close()
		}
		if err := r.exec(&st); err != nil {
			if err == errSkip {
				break
			}
			return nil, err
		}
		if r.textErr != nil {
			return nil, fmt.Errorf("scenario: write: %w", r.textErr)
		}
	}
	return r.finish()
}

// runPlan runs the statements of opts.Plan, their text read from src.
func runPlan(name string, src io.Reader, opts RunOptions) (*Result, error) {
	sc := opts.Plan.header
	sc.File = name
	r, err := newRunner(&sc, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()
	d := newPlanReader(name, opts.Plan, src)
	for n := 0; ; n++ {
		st, ok, err := d.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if err := r.exec(st); err != nil {
			if err == errSkip {
				break
			}
			return nil, err
		}
		if r.textErr != nil {
			return nil, fmt.Errorf("scenario: write: %w", r.textErr)
		}
		r.releaseAfter(n, st)
	}
	return r.finish()
}

// releaseAfter lets go of the jobs the script no longer names after its
// statement number n, st: the handles on them, their index of
// notifications (the notifications stay, for expectations about every
// job), and the name of one in a final state.
func (r *runner) releaseAfter(n int, st *Stmt) {
	for len(r.plan) > 0 && int(r.plan[0].stmt) <= n {
		rel := r.plan[0]
		r.plan = r.plan[1:]
		job, ok := jobNamedAt(st, int(rel.pos))
		if !ok || int(rel.stmt) != n {
			continue // not this statement's: cannot be, the Plan is the script's
		}
		// A job in a final state (on the manual clock, where every
		// callback has returned) notifies no more: its name goes too.
		final := false
		for _, ah := range r.jobHandles[job] {
			if s, err := ah.h.GetState(); err == nil && !r.auto {
				final = s == model.BG_JOB_STATE_ACKNOWLEDGED || s == model.BG_JOB_STATE_CANCELLED
				break
			}
		}
		if r.lastKey.job == job {
			r.lastKey, r.lastHandle = handleKey{}, nil
		}
		delete(r.jobHandles, job)
		if id, ok := r.jobs[job]; ok {
			delete(r.byJob, id)
			delete(r.jobs, job)
			if final {
				delete(r.names, id)
			}
		}
	}
}

// selection is the readings a run follows: the script's, overridden by
// the options'.
func selection(sc *Script, opts RunOptions) (rules.Selection, error) {
	variants := rules.Selection{}
	for id, name := range sc.variants {
		variants[id] = name
	}
	for id, name := range opts.Variants {
		variants[strings.ToUpper(id)] = name
	}
	if err := variants.Validate(); err != nil {
		return nil, fmt.Errorf("scenario: %s: %w", sc.File, err)
	}
	return variants.Normalized(), nil
}

// skipped returns the Result of a script that cannot run on
// opts.Backend, or nil when it can (or runs on its own simulator).
func skipped(sc *Script, opts RunOptions) *Result {
	if opts.Backend == nil {
		return nil
	}
	run := *sc
	if sel, err := selection(sc, opts); err == nil {
		run.variants = sel
	}
	why := run.skipReason(opts.Backend)
	if why == "" {
		return nil
	}
	return &Result{File: sc.File, Version: sc.Version, Variants: run.variants, Backend: opts.Backend.Name(), Skipped: why,
		Participants: []Participant{}, Steps: []Step{}, Checks: []Check{}}
}

// newRunner starts a backend for the script's header and options, or
// takes opts.Backend.
func newRunner(sc *Script, opts RunOptions) (*runner, error) {
	variants, err := selection(sc, opts)
	if err != nil {
		return nil, err
	}
	be, own := opts.Backend, false
	var drain *sim.Service // the service whose trace the runner drains (RunText on its own simulator)
	if be == nil {
		so := simOptions(sc, variants, opts.text != nil)
		var sb *harness.SimBackend
		if sc.Automatic {
			sb, err = harness.NewSimAuto(so)
		} else {
			sb, err = harness.NewSim(so)
		}
		if err != nil {
			return nil, fmt.Errorf("scenario: %s: %w", sc.File, err)
		}
		if opts.text != nil {
			sb.LimitTrace(-1) // the runner reads the service's trace only
			drain = sb.Service()
		}
		be, own = sb, true
	}
	r := &runner{
		sc: sc, be: be, own: own, text: opts.text, discard: opts.text == io.Discard, auto: sc.Automatic, gates: newGates(),
		res:   &Result{File: sc.File, Version: sc.Version, Variants: variants, Backend: be.Name()},
		users: map[string]model.Account{}, apps: map[string]harness.App{}, jobs: map[string]model.GUID{},
		names: map[model.GUID]string{}, classes: map[string]model.GUID{},
		byCLSID: map[model.GUID]string{}, seen: map[string]bool{}, failed: map[failKey]time.Time{}, indexed: true, byJob: map[model.GUID][]int32{}, jobHandles: map[string][]appHandle{},
		marks: map[string]uint64{}, urls: map[string]string{}, blocks: blockStack{sel: variants},
	}
	if opts.Plan != nil && opts.text != nil && opts.Backend == nil {
		r.plan = opts.Plan.releases
	}
	r.useBackend(be)
	if drain != nil {
		// The runner keeps its own record of the notifications (notes):
		// the service's trace needs to hold only those of one statement,
		// which stay in the cache, and are copied into memory reused.
		var buf []model.Event
		r.traceSince = func(seq uint64) []model.Event {
			buf = drain.DrainTrace(buf[:0])
			i := sort.Search(len(buf), func(i int) bool { return buf[i].Seq > seq })
			return buf[i:]
		}
	}
	r.blocks.remotes = r.remotes != nil
	r.gates.onHold = r.holdEntered
	r.participant("BITS", "bits", "")
	return r, nil
}

// useBackend reads the service through be and the optional control
// interfaces it implements.
func (r *runner) useBackend(be harness.Backend) {
	if t, ok := be.(harness.ServiceTracer); ok {
		r.traceSince = t.ServiceTrace
	} else {
		r.traceSince = func(seq uint64) []model.Event {
			evs := be.Trace()
			i := sort.Search(len(evs), func(i int) bool { return evs[i].Seq > seq })
			return evs[i:]
		}
	}
	if c, ok := be.(harness.Clock); ok {
		r.clockNow = c.Now
	} else {
		r.clockNow = time.Now
	}
	r.start = r.clockNow()
	r.realTime = !be.Capabilities().VirtualTime
	if r.caps = be.Capabilities(); r.caps.Version == 0 {
		r.caps.Version = r.sc.Version
	}
	if c, ok := be.(harness.CallbackCounter); ok {
		r.inFlight = c.InFlight
	}
	if o, ok := be.(harness.ObjectOwner); ok {
		r.objectApp = o.ObjectApp
	}
	if ip, ok := be.(harness.InProcessCallbacks); ok {
		r.inProcess = ip.InProcessCallbacks()
	}
	r.remotes, _ = be.(harness.RemoteScripter)
	r.progs, _ = be.(harness.ProgramScripter)
	if r.progs == nil && be.Capabilities().CommandLine {
		// A backend without command lines gets the script's own program
		// and parameters: its setters answer as they do, and nothing runs.
		r.cmds.make = be.CommandLine
	}
	r.observe = func() (model.Manager, error) {
		return be.StartApp("\x00observer", model.Account{Name: "\x00observer", Kind: model.AccountAdministrator})
	}
}

// streamTraceLimit is the service's trace limit when RunText keeps the
// notifications itself: more notifications than this from one statement
// (16,384: an advance over thousands of jobs whose callbacks keep
// failing) are an error rather than a silent loss.
var streamTraceLimit = 1 << 14

// errSkip ends a run at a skip statement: the Result says why in Skipped.
// A start that failed ends it too (the Result has the failed check): the
// statements of an app that did not start cannot run.
var errSkip = errors.New("scenario: skipped")

// skipText is the reason a skip statement gives, with its line.
func skipText(st *Stmt) string {
	return fmt.Sprintf("%s (skip at line %d)", strings.Join(st.Args, " "), st.Line)
}

// finish orders the lifelines and returns the result.
func (r *runner) finish() (*Result, error) {
	if r.textErr != nil {
		return nil, fmt.Errorf("scenario: write: %w", r.textErr)
	}
	sortParticipants(r.res.Participants)
	return r.res, nil
}

// addStep logs a step: into the result, or as a line of text.
func (r *runner) addStep(s Step) {
	if r.text == nil {
		if s.hasTail {
			s.Label += " " + s.labelTail
			s.hasTail, s.labelTail = false, ""
		}
		r.res.Steps = append(r.res.Steps, s)
		return
	}
	if r.textErr == nil && !r.discard {
		r.lineBuf, r.textErr = writeStepBuf(r.text, s, r.lineBuf, &r.at)
	}
}

// addCheck records a check, and writes it when the run writes text; a
// text run keeps only the failed checks, and counts the others.
func (r *runner) addCheck(c Check) {
	if r.text == nil {
		c.afterSteps = len(r.res.Steps) + 1
		r.res.Checks = append(r.res.Checks, c)
		return
	}
	if c.OK {
		r.res.dropped++
	} else {
		r.res.Checks = append(r.res.Checks, c)
	}
	if r.textErr == nil && !r.discard {
		r.lineBuf, r.textErr = writeCheck(r.text, r.res.File, c, r.lineBuf)
	}
}

func (r *runner) now() time.Duration {
	if r.auto {
		return 0 // the automatic clock follows the wall clock: no time is shown
	}
	return r.offset(r.clockNow())
}

// offset is the time of the run at t: exact on a virtual clock, to the
// millisecond on a real one.
func (r *runner) offset(t time.Time) time.Duration {
	d := t.Sub(r.start)
	if r.realTime {
		d = d.Round(time.Millisecond)
	}
	return d
}

// close lets every held call go and stops the backend the runner made.
func (r *runner) close() {
	r.gates.openAll()
	if r.own {
		_ = r.be.Close()
	}
}

// settleTimeout bounds how long the automatic clock may take to settle.
const settleTimeout = 10 * time.Second

// settle does the work the last statement caused: on the manual clock all
// of it, at once; on the automatic clock it waits until the service is
// idle, or until a call is held (which waits for a release).
func (r *runner) settle() error {
	if !r.auto && !r.caps.Concurrent {
		return r.be.Settle() // the manual clock: held calls are parked in the service
	}
	deadline := time.Now().Add(settleTimeout)
	for {
		if r.gates.held() > 0 {
			return nil // a call is held: the service waits for its release
		}
		err := r.waitIdleUntil(deadline)
		if err == nil || r.gates.held() > 0 {
			return nil
		}
		// A call entered a hold and ended the wait, but had its release
		// already (a permit given before it arrived) and went on: wait
		// again, within the same time.
		if errors.Is(err, context.Canceled) && time.Now().Before(deadline) {
			continue
		}
		return fmt.Errorf("the service did not settle within %v: %w", settleTimeout, err)
	}
}

// waitIdleUntil waits until the service is idle, the deadline passes, or
// a call enters a hold (holdEntered cancels the wait).
func (r *runner) waitIdleUntil(deadline time.Time) error {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	r.mu.Lock()
	r.waitCancel = cancel
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.waitCancel = nil
		r.mu.Unlock()
	}()
	if r.gates.held() > 0 {
		return nil
	}
	if s, ok := r.be.(harness.ContextSettler); ok {
		return s.SettleContext(ctx)
	}
	return r.be.Settle()
}

// holdEntered is called when a call starts waiting for its release: a
// settle in progress stops waiting.
func (r *runner) holdEntered() {
	r.mu.Lock()
	cancel := r.waitCancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (r *runner) participant(name, kind, user string) {
	if name == r.lastSeen && name != "" { // a notification's target, most often the one before's
		return
	}
	if r.seen[name] {
		r.lastSeen = name
		return
	}
	r.seen[name] = true
	r.res.Participants = append(r.res.Participants, Participant{Name: name, Kind: kind, User: user})
}

func (r *runner) user(name string) model.Account {
	if u, ok := r.users[model.FoldName(name)]; ok {
		return u
	}
	switch strings.ToLower(name) {
	case "localsystem":
		return model.LocalSystem
	case "localservice":
		return model.LocalService
	case "networkservice":
		return model.NetworkService
	}
	return model.Account{Name: name, Kind: model.AccountUser}
}

// clsidOf turns a class name (or a GUID) into a CLSID.
func (r *runner) clsidOf(name string) model.GUID {
	if strings.EqualFold(name, "NULL") {
		return model.GUID_NULL
	}
	if g, ok := r.classes[name]; ok {
		return g
	}
	return classCLSID(name)
}

// exec runs one statement and then the work it causes.
func (r *runner) exec(st *Stmt) error {
	if wasOn := r.blocks.off == 0; !r.blocks.step(st, r.caps) {
		if st.Verb == "when" && wasOn { // not inside a block that does not run
			runs := "yes"
			if r.blocks.off > 0 {
				runs = "no"
			}
			about := fmt.Sprintf("BITS %v", r.caps.Version)
			if c, _ := parseWhen(st.Args); c.op == "variant" {
				about = c.rule + "=" + r.blocks.sel.Of(c.rule)
			}
			r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: "BITS", To: "BITS",
				Label: fmt.Sprintf("%s: %s (%s)", st.Text, runs, about), OK: true})
		}
		return nil
	}
	switch st.Verb {
	case "expect":
		r.check(st)
		return nil
	case "user":
		kind := model.AccountUser
		if len(st.Args) == 2 {
			kind, _ = model.ParseAccountKind(st.Args[1])
		}
		r.users[model.FoldName(st.Args[0])] = model.Account{Name: st.Args[0], Kind: kind}
		return nil
	case "start":
		u := r.user(st.Args[2])
		a, err := r.be.StartApp(st.Args[0], u)
		r.control(st, "start as "+u.Name, err)
		if err != nil {
			return errSkip // the app's statements would call no app
		}
		r.apps[st.Args[0]] = a
		r.participant(st.Args[0], "app", u.Name)
	case "exit", "crash":
		a := r.apps[st.Args[0]]
		var err error
		if st.Verb == "exit" {
			err = a.Exit()
		} else {
			err = a.Crash()
		}
		if err != nil {
			r.addCheck(Check{Line: st.Line, Text: st.Text, OK: false, Want: "success", Got: err.Error()})
		} else {
			r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: st.Args[0], To: st.Args[0], Label: st.Verb, OK: true})
		}
	case "restart":
		r.control(st, "service restart", r.be.Restart())
	case "network", "powerloss", "lockfile", "unlockfile":
		r.control(st, st.Text, r.machine(st))
	case "advance":
		d, _ := ParseDuration(st.Args[0])
		r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: "BITS", To: "BITS", Label: "advance " + st.Args[0], OK: true})
		if err := r.be.Advance(d); err != nil {
			return fmt.Errorf("scenario: line %d: %w", st.Line, err)
		}
		return r.collect()
	case "remote":
		r.control(st, "", r.defineRemote(st))
		return nil
	case "class":
		r.defineClass(st)
		return nil
	case "unregister":
		err := errors.New("the backend cannot unregister a class") // skipReason skips such a backend
		if u, ok := r.be.(harness.ClassUnregisterer); ok {
			err = u.UnregisterClass(r.classes[st.Args[0]])
		}
		r.control(st, "unregister "+st.Args[0], err)
		return nil
	case "await":
		n, _ := strconv.Atoi(st.Args[2])
		wait := settleTimeout
		if r.gates.hold != nil {
			wait = 0 // the manual clock: the calls held now are all there will be
		}
		if err := r.gates.await(st.Args[1], n, wait); err != nil {
			r.addCheck(Check{Line: st.Line, Text: st.Text, Want: fmt.Sprintf("%d held calls of %s", n, st.Args[1]), Got: err.Error()})
		}
		r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: "BITS", To: "BITS", Label: st.Text, OK: true})
		return r.collect()
	case "release":
		n := -1
		if len(st.Args) > 1 {
			n, _ = strconv.Atoi(st.Args[1])
		}
		r.gates.release(st.Args[0], n)
		r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: "BITS", To: "BITS", Label: st.Text, OK: true})
	case "skip":
		r.res.Skipped = skipText(st)
		r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: "BITS", To: "BITS", Label: st.Text, OK: true})
		return errSkip
	case "settle":
		r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: "BITS", To: "BITS", Label: st.Text, OK: true})
		if len(st.Args) == 1 && strings.EqualFold(st.Args[0], "off") {
			r.noSettle = true
			return nil
		}
		if len(st.Args) == 1 { // settle on; a bare settle leaves the mode as it is
			r.noSettle = false
		}
		if err := r.settle(); err != nil {
			return fmt.Errorf("scenario: line %d: %w", st.Line, err)
		}
		return r.collect()
	case "mark":
		r.marks[st.Args[0]] = r.traced
		r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: "BITS", To: "BITS", Label: "mark " + st.Args[0], OK: true})
		return nil
	default:
		r.call(st)
	}
	if r.noSettle {
		return r.collect() // settle off: the work waits for settle or advance
	}
	if err := r.settle(); err != nil {
		return fmt.Errorf("scenario: line %d: %w", st.Line, err)
	}
	return r.collect()
}

// machine runs a statement of the machine's control plane (network,
// powerloss, lockfile, unlockfile) through the backend's optional
// interface (harness.NetworkControl, PowerControl, LocalFileControl).
func (r *runner) machine(st *Stmt) error {
	missing := func(what string) error {
		return fmt.Errorf("the backend has no %s control (harness.%s)", st.Verb, what)
	}
	switch st.Verb {
	case "network":
		nc, ok := r.be.(harness.NetworkControl)
		if !ok {
			return missing("NetworkControl")
		}
		return nc.SetNetwork(strings.EqualFold(st.Args[0], "on"))
	case "powerloss":
		pc, ok := r.be.(harness.PowerControl)
		if !ok {
			return missing("PowerControl")
		}
		return pc.PowerLoss()
	}
	lc, ok := r.be.(harness.LocalFileControl)
	if !ok {
		return missing("LocalFileControl")
	}
	hr := model.S_OK
	if st.Verb == "lockfile" {
		hr = errorSharingViolation
	}
	return lc.SetLocalFileError(st.Args[0], hr)
}

// errorSharingViolation is the error of renaming to a file another
// program holds: HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION).
var errorSharingViolation = model.HRESULTFromWin32(32)

// control records a control step; a failure is a failed check.
func (r *runner) control(st *Stmt, label string, err error) {
	if err != nil {
		r.addCheck(Check{Line: st.Line, Text: st.Text, OK: false, Want: "success", Got: err.Error()})
		return
	}
	if label != "" {
		from := "BITS"
		if st.Verb == "start" {
			from = st.Args[0]
		}
		r.addStep(Step{Kind: StepControl, Line: st.Line, At: r.now(), From: from, To: "BITS", Label: label, OK: true})
	}
}

// defineRemote scripts the remote source of a remote statement: under its
// URL when the backend scripts remotes, otherwise as one of the backend's
// own (a plain, fatal or transient one) that addfile uses instead.
func (r *runner) defineRemote(st *Stmt) error {
	url := st.Args[0]
	if r.remotes != nil {
		return r.remotes.ScriptRemote(url, remoteScriptOf(st.opts))
	}
	kind, ok := remoteKindOf(st.opts)
	if !ok { // skipReason skipped such a script
		return fmt.Errorf("the backend cannot script this remote: %w", model.E_NOTIMPL)
	}
	size := remoteScriptOf(st.opts).Size
	got, err := r.be.Remote(kind, size)
	if err != nil {
		return err
	}
	if !isHTTP(got) && r.sc.readsProtocol() {
		// The script's remote is http:// (skipReason skips others): one
		// of another form would change the protocol the script expects
		// of its errors (FILE-ERROR-PROTOCOL). Other scripts do not see
		// the form: winbits' own plain remotes are local files.
		return fmt.Errorf("the backend's remote %q for %s is not http://, and the script expects the protocol of an error", got, url)
	}
	r.urls[url] = got
	return nil
}

// remoteURL is the URL a file of the script is added from: its own, or
// the backend's remote that stands for it (a plain one of 1 KiB when the
// script declared none, as the simulator's default remote).
func (r *runner) remoteURL(url string) (string, error) {
	if r.remotes != nil {
		return url, nil
	}
	if got, ok := r.urls[url]; ok {
		return got, nil
	}
	got, err := r.be.Remote(harness.RemoteOK, 1024)
	if err != nil {
		return "", err
	}
	r.urls[url] = got
	return got, nil
}

func (r *runner) defineClass(st *Stmt) {
	name := st.Args[0]
	if _, unregistered := st.opts["unregistered"]; unregistered {
		clsid := r.clsidOf(name)
		r.classes[name] = clsid
		r.byCLSID[clsid] = name
		return
	}
	b, _ := behaviorOf(st.opts)
	b.holder = name
	hb := r.harnessBehavior(b, "")
	var clsid model.GUID
	var err error
	if cr, ok := r.be.(harness.ClassRegistrar); ok {
		clsid = r.clsidOf(name)
		err = cr.RegisterClassID(clsid, hb)
	} else {
		clsid, err = r.be.RegisterClass(hb)
	}
	if err != nil {
		r.addCheck(Check{Line: st.Line, Text: st.Text, OK: false, Want: "success", Got: err.Error()})
		return
	}
	r.classes[name] = clsid
	r.byCLSID[clsid] = name
}

// enableHolds lets the simulator's manual clock hold calls in turn
// (sim.Service.EnableHolds), before the first object that holds is made:
// its held calls then wait in the service, which goes on meanwhile
// (DELIV-FOUR-PER-USER). A backend whose callbacks run concurrently
// holds them in the gates (skipReason skipped any other).
func (r *runner) enableHolds() {
	if r.gates.hold != nil {
		return
	}
	ss, ok := r.be.(simService)
	if !ok || ss.Service().Mode() != sim.Manual {
		return
	}
	if svc := ss.Service(); svc.EnableHolds() == nil {
		r.gates.mu.Lock()
		r.gates.hold = svc.Hold
		r.gates.mu.Unlock()
	}
}

// harnessBehavior is the harness.Behavior of a scenario object of app
// ("" for a class's instances): in-process, the scenario's own answers;
// otherwise the behaviour as data (skipReason skipped a script whose
// behaviours data cannot say).
func (r *runner) harnessBehavior(b behavior, app string) harness.Behavior {
	if d := b.asData(); !r.inProcess || d.exact {
		return d.b // data says it all: no object of the runner's in between
	}
	if b.hold {
		r.enableHolds()
	}
	c := &callback{b: b, app: app, gates: r.gates}
	hb := harness.Behavior{Answer: c.answer}
	switch b.iface {
	case "basic":
		hb.Interface = harness.BasicInterface
	case "file":
		hb.Interface = harness.Callback2Interface
	}
	return hb
}

// handle returns app's handle on job, getting it with GetJob when the app
// did not create it.
func (r *runner) handle(app, job string) (model.Job, error) {
	key := handleKey{app, job}
	if r.lastHandle != nil && r.lastKey == key {
		return r.lastHandle, nil
	}
	for _, ah := range r.jobHandles[job] {
		if ah.app == app {
			r.lastKey, r.lastHandle = key, ah.h
			return ah.h, nil
		}
	}
	id, ok := r.jobs[job]
	if !ok {
		return nil, fmt.Errorf("job %q was not created: %w", job, model.BG_E_NOT_FOUND)
	}
	h, err := r.app(app).GetJob(id)
	if err != nil {
		return nil, err
	}
	r.addHandle(app, job, h)
	return h, nil
}

// named reports whether the script's job of that name is known to the
// run (created, and not let go of).
func (r *runner) named(job string) bool {
	_, ok := r.jobs[job]
	return ok
}

// app returns the app of that name (nil: none started).
func (r *runner) app(name string) harness.App { return r.apps[name] }

// addHandle records app's handle on job.
func (r *runner) addHandle(app, job string, h model.Job) {
	key := handleKey{app, job}
	r.lastKey, r.lastHandle = key, h
	hs := r.jobHandles[job]
	for i := range hs {
		if hs[i].app == app {
			hs[i].h = h
			return
		}
	}
	if hs == nil { // most jobs have one handle: its slice is carved from a chunk
		if len(r.handleChunk) == 0 {
			r.handleChunk = make([]appHandle, 256)
		}
		hs, r.handleChunk = r.handleChunk[:0:1], r.handleChunk[1:]
	}
	r.jobHandles[job] = append(hs, appHandle{app, h})
}

// call performs an app's call and checks its HRESULT.
func (r *runner) call(st *Stmt) {
	app := r.app(st.Actor)
	job := ""
	if len(st.Args) > 0 && st.Verb != "enumjobs" {
		job = st.Args[0]
	}
	// The label, as its verb and the rest (joined only for a kept step).
	label, tail, hasTail := "", "", false
	switch st.Verb {
	case "create", "addfile", "addfileset", "addfileranges", "setnotifycmdline", "setdescription", "setdisplayname",
		"setcustomheaders", "setclientcert", "setcredentials": // no secrets in the picture either
		label, tail, hasTail = st.Verb, job, true // long arguments stay out of the picture
	default:
		if len(st.Args) == 1 && st.Args[0] != "" && strings.TrimSpace(st.Args[0]) == st.Args[0] {
			label, tail, hasTail = st.Verb, st.Args[0], true // nothing to trim
		} else {
			label = strings.TrimSpace(joinWords(st.Verb, st.Args))
		}
	}
	var hr model.HRESULT
	err := func() error {
		if st.Verb == "enumjobs" {
			jobs, err := app.EnumJobs(enumFlags(st.Args))
			if err == nil {
				label = strings.TrimSpace(joinWords(st.Verb, st.Args)) + fmt.Sprintf(" (%d jobs)", len(jobs))
				tail, hasTail = "", false
			}
			return err
		}
		if st.Verb == "create" {
			typ := model.BG_JOB_TYPE_DOWNLOAD
			name := job
			if len(st.Args) > 1 {
				typ, _ = model.ParseJobType(st.Args[1])
			}
			if len(st.Args) > 2 {
				name = st.Args[2]
			}
			h, err := app.CreateJob(name, typ)
			if err != nil {
				return err
			}
			r.jobs[job] = h.GetId()
			r.names[h.GetId()] = job
			r.addHandle(st.Actor, job, h)
			return nil
		}
		if st.Verb == "getjob" && !r.named(job) {
			if id, err := model.ParseGUID(job); err == nil { // an ID that names no job of the script
				_, err := app.GetJob(id)
				return err
			}
		}
		h, err := r.handle(st.Actor, job)
		if err != nil {
			return err
		}
		return r.jobCall(st, h, &hr)
	}()
	result := model.HRESULTOf(err)
	if err == nil && hr != 0 {
		result = hr
	}
	if !r.discard { // -q: a step nobody reads needs no time from the service
		r.addStep(Step{Kind: StepCall, Line: st.Line, At: r.now(), From: st.Actor, To: "BITS",
			Label: label, hasTail: hasTail, labelTail: tail, Job: job, Result: result, OK: err == nil})
	}
	switch {
	case st.WantNot && result == st.Want:
		r.addCheck(Check{Line: st.Line, Text: st.Text, Want: "anything but " + st.Want.String(), Got: result.String()})
	case st.WantNot:
		r.addCheck(Check{Line: st.Line, Text: st.Text, OK: true})
	case st.Want != 0 && result != st.Want:
		r.addCheck(Check{Line: st.Line, Text: st.Text, Want: st.Want.String(), Got: result.String()})
	case st.Want != 0:
		r.addCheck(Check{Line: st.Line, Text: st.Text, OK: true})
	case err != nil:
		r.addCheck(Check{Line: st.Line, Text: st.Text, Want: "success",
			Got: fmt.Sprintf("%v (write \"-> %s\" to expect it)", err, result.String())})
	}
}

// joinWords is first and words joined by spaces, in one allocation.
func joinWords(first string, words []string) string {
	n := len(first) + len(words)
	for _, w := range words {
		n += len(w)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(first)
	for _, w := range words {
		b.WriteByte(' ')
		b.WriteString(w)
	}
	return b.String()
}

// jobCall performs a job verb; hr receives a success code other than S_OK.
func (r *runner) jobCall(st *Stmt, h model.Job, hr *model.HRESULT) error {
	if handled, err := r.secretCall(st, h, hr); handled {
		return err
	}
	a := st.Args
	switch st.Verb {
	case "getjob":
		return nil
	case "setdisplayname":
		return h.SetDisplayName(a[1])
	case "setmaxdownloadtime":
		d, _ := ParseDuration(a[1])
		return h.SetMaximumDownloadTime(d)
	case "addfileranges":
		rs, _ := parseRanges(a[3])
		url, err := r.remoteURL(a[1])
		if err != nil {
			return err
		}
		return h.AddFileWithRanges(url, a[2], rs)
	case "requestranges", "setvalidation":
		n, _ := strconv.Atoi(a[1])
		f, err := fileOf(h, strconv.Itoa(n))
		if err != nil {
			return fmt.Errorf("%v: %w", err, model.E_INVALIDARG)
		}
		if st.Verb == "setvalidation" {
			v, _ := strconv.ParseBool(a[2])
			return f.SetValidationState(v)
		}
		rs, _ := parseRanges(a[2])
		return f.RequestFileRanges(rs)
	case "setproperty", "getproperty":
		id, _ := model.ParseJobPropertyID(a[1])
		if st.Verb == "getproperty" {
			_, err := h.GetProperty(id)
			return err
		}
		v, _ := parsePropertyValue(id, a[2], func(name string) (model.GUID, bool) { return r.clsidOf(name), true })
		return h.SetProperty(id, v)
	case "addfile":
		url, err := r.remoteURL(a[1])
		if err != nil {
			return err
		}
		return h.AddFile(url, a[2])
	case "setnotifyflags":
		f, _ := model.ParseNotifyFlags(a[1])
		return h.SetNotifyFlags(f)
	case "setnotifyinterface":
		b, _ := behaviorOf(st.opts)
		b.holder = st.Actor
		if b.iface == "none" {
			return h.SetNotifyInterface(&noCallback{})
		}
		obj := r.app(st.Actor).Callback(r.harnessBehavior(b, st.Actor))
		if _, ok := harness.RecorderOf(obj); !ok && obj != nil && reflect.TypeOf(obj).Comparable() {
			if r.objApps == nil {
				r.objApps = map[any]string{}
			}
			r.objApps[obj] = st.Actor
		}
		return h.SetNotifyInterface(obj)
	case "clearnotifyinterface":
		return h.SetNotifyInterface(nil)
	case "setnotifyclsid":
		return h.SetNotifyCLSID(r.clsidOf(a[1]))
	case "setnotifycmdline":
		prog, params := a[1], ""
		if strings.EqualFold(prog, "NULL") {
			prog = ""
		}
		if len(a) > 2 && !strings.EqualFold(a[2], "NULL") {
			params = a[2]
		}
		if _, missing := st.opts["missing"]; missing {
			// No such program: neither scripted nor made, so that BITS
			// cannot start it (CMD-LAUNCH-FAILURE).
			return h.SetNotifyCmdLine(prog, params)
		}
		if err := r.scriptProgram(prog, st.opts); err != nil {
			return err
		}
		prog, params, err := r.cmds.commandLine(prog, params, st.opts)
		if err != nil {
			return err
		}
		return h.SetNotifyCmdLine(prog, params)
	case "setminretrydelay":
		d, _ := ParseDuration(a[1])
		return h.SetMinimumRetryDelay(d)
	case "setnoprogresstimeout":
		d, _ := ParseDuration(a[1])
		return h.SetNoProgressTimeout(d)
	case "getnotifycmdline":
		_, _, err := h.GetNotifyCmdLine()
		return err
	case "setpriority":
		p, _ := parsePriority(a[1])
		return h.SetPriority(p)
	case "addfileset":
		set := make([]model.FileInfo, 0, (len(a)-1)/2)
		for i := 1; i+1 < len(a); i += 2 {
			url, err := r.remoteURL(a[i])
			if err != nil {
				return err
			}
			set = append(set, model.FileInfo{RemoteName: url, LocalName: a[i+1]})
		}
		return h.AddFileSet(set)
	case "setdescription":
		return h.SetDescription(a[1])
	case "resume":
		return h.Resume()
	case "suspend":
		return h.Suspend()
	case "cancel":
		return h.Cancel()
	case "complete":
		code, err := h.Complete()
		if code != model.S_OK {
			*hr = code
		}
		return err
	case "takeownership":
		return h.TakeOwnership()
	}
	return fmt.Errorf("scenario: verb %q not implemented: %w", st.Verb, model.E_NOTIMPL)
}

// enumFlags is the EnumJobs flags of "enumjobs [all]".
func enumFlags(args []string) model.EnumJobsFlags {
	if len(args) > 0 {
		return model.BG_JOB_ENUM_ALL_USERS
	}
	return 0
}

// scriptProgram makes the program of a command line runnable on the
// backend: as scripted (exit=, does=), or exiting 0. A program named
// before keeps its script unless the statement gives a new one.
func (r *runner) scriptProgram(prog string, opts map[string]string) error {
	if prog == "" || r.progs == nil {
		return nil
	}
	_, hasExit := opts["exit"]
	does, hasDoes := opts["does"]
	if !hasExit && !hasDoes {
		if r.programs[prog] {
			return nil
		}
	}
	var p harness.Program
	if hasExit {
		p.Exits, _ = parseExits(opts["exit"])
	}
	p.Does = does
	if r.programs == nil {
		r.programs = map[string]bool{}
	}
	r.programs[prog] = true
	return r.progs.ScriptProgram(prog, p)
}

// target names the participant a notification went to.
func (r *runner) target(e *model.Event) string {
	switch e.Target.Kind {
	case model.TargetObject:
		return e.Target.App
	case model.TargetCLSID:
		name := r.byCLSID[e.Target.CLSID]
		if name == "" {
			name = e.Target.CLSID.String()
		}
		if e.Target.Instance == 0 {
			return name // activation failed: no instance
		}
		return fmt.Sprintf("%s#%d", name, e.Target.Instance)
	}
	return "cmdline"
}

// collect logs the notifications the simulator made since the last call.
func (r *runner) collect() error {
	events := r.traceSince(r.traced)
	if len(events) > 0 && events[0].Seq > r.traced+1 {
		return fmt.Errorf("scenario: more than %d notifications after one statement: the run cannot follow them all", streamTraceLimit)
	}
	r.log(events)
	return nil
}

// log adds notifications to the run's steps.
func (r *runner) log(events []model.Event) {
	for i := range events {
		e := &events[i] // events is the runner's copy: a step may point into it
		r.traced = e.Seq
		if e.Kind == model.EventCommandLine {
			e.Target.Program, e.Target.Parameters = r.cmds.scriptNames(e.Target.Program, e.Target.Parameters)
		}
		to := r.target(e)
		name := r.names[e.Job]
		switch e.Target.Kind {
		case model.TargetObject:
			r.participant(to, "app", e.User)
		case model.TargetCLSID:
			r.participant(to, "clsid", e.User)
		case model.TargetCommandLine:
			r.participant(to, "cmdline", "")
		}
		key := failKey{e.Job, e.Kind}
		var ev *model.Event // a text line needs only a command line's
		if r.text == nil || e.Kind == model.EventCommandLine {
			ev = e
		}
		if r.indexed {
			if _, named := r.jobs[name]; named { // not let go of (releaseAfter)
				idx := r.byJob[e.Job]
				if idx == nil { // a job's first: its slice is carved from a chunk
					if len(r.idxChunk) == 0 {
						r.idxChunk = make([]int32, 1024)
					}
					idx, r.idxChunk = r.idxChunk[:0:1], r.idxChunk[1:]
				}
				r.byJob[e.Job] = append(idx, int32(r.events.len()))
			}
			r.events.add(r.noteOf(e))
		}
		label, hasTail := e.Kind.String(), true // and name
		if e.Kind == model.EventCommandLine {
			label, hasTail = fmt.Sprintf("run for %s (exit %d)", name, e.ExitCode), false
		}
		// A retry is an attempt after a failed one at an earlier time; a
		// fallback within one delivery is not.
		failedAt, failed := r.failed[key]
		retry := failed && e.Time.After(failedAt)
		at := r.offset(e.Time)
		if r.auto {
			at = 0 // the automatic clock follows the wall clock: no time is shown
		}
		r.addStep(Step{Kind: StepNotify, At: at, From: "BITS", To: to,
			Label: label, hasTail: hasTail, labelTail: name, Job: name, Result: e.Result, OK: e.Delivered(), Retry: retry, Event: ev})
		if e.Delivered() {
			if failed {
				delete(r.failed, key)
			}
		} else if !failed || retry {
			r.failed[key] = e.Time
		}
	}
}

// check evaluates an expectation now.
func (r *runner) check(st *Stmt) {
	e := st.Expect
	c := Check{Line: st.Line, Text: st.Text}
	want, got := r.evaluate(e)
	c.OK = want == got
	if !c.OK {
		c.Want, c.Got = want, got
	}
	r.addCheck(c)
}

// evaluate returns what the expectation wants and what the run shows, as
// comparable strings.
func (r *runner) evaluate(e *Expectation) (want, got string) {
	id := r.jobs[e.Job]
	switch e.Kind {
	case ExpectNotified:
		return r.countNotified(e, id)
	case ExpectOrder:
		return r.order(e)
	case ExpectEnum:
		return r.enumerated(e)
	case ExpectInFlight:
		if r.inFlight == nil {
			return fmt.Sprintf("%d callbacks running", e.Count), "the backend cannot count running callbacks"
		}
		return fmt.Sprintf("%d callbacks running", e.Count), fmt.Sprintf("%d callbacks running", r.inFlight(r.user(e.Value).Name))
	}
	h, err := r.observer(e.Job)
	if e.App != "" { // by APP: through that app's handle
		h, err = r.handle(e.App, e.Job)
	}
	if err != nil {
		if e.FailsWith != 0 && e.App != "" {
			return "a job to look at (GetJob by " + e.App + ")", err.Error()
		}
		return "a job to look at", err.Error()
	}
	if e.FailsWith != 0 {
		return getterFailure(e, r.getterErr(e, h))
	}
	switch e.Kind {
	case ExpectHeaders, ExpectClientCert:
		return r.readSecret(e, h)
	case ExpectState:
		w, _ := model.ParseJobState(e.Value)
		s, err := h.GetState()
		return w.String(), valueOr(s.String(), err)
	case ExpectFlags:
		w, _ := model.ParseNotifyFlags(e.Value)
		f, err := h.GetNotifyFlags()
		return w.String(), valueOr(f.String(), err)
	case ExpectOwner:
		o, err := h.GetOwner()
		return r.user(e.Value).Name, valueOr(o, err)
	case ExpectInterface:
		cb, err := h.GetNotifyInterface()
		if err != nil {
			return e.Value, err.Error()
		}
		if strings.EqualFold(e.Value, "none") {
			return "none", map[bool]string{true: "none", false: "an object"}[cb == nil]
		}
		if e.Parameters == "any" {
			return "an object", map[bool]string{true: "none", false: "an object"}[cb == nil]
		}
		if cb == nil {
			return "the object of " + e.Value, "none"
		}
		return "the object of " + e.Value, "the object of " + r.ownerOf(h, cb)
	case ExpectCLSID:
		g, err := h.GetNotifyCLSID()
		w := r.clsidOf(e.Value)
		if err != nil {
			return r.className(w), err.Error()
		}
		return r.className(w), r.className(g)
	case ExpectCmdLine:
		want = "none"
		if !strings.EqualFold(e.Value, "none") || e.Parameters != "" {
			want = fmt.Sprintf("%q %q", e.Value, e.Parameters)
		}
		p, a, err := h.GetNotifyCmdLine()
		if err != nil {
			return want, err.Error()
		}
		p, a = r.cmds.scriptNames(p, a)
		got = "none"
		if p != "" || a != "" {
			got = fmt.Sprintf("%q %q", p, a)
		}
		return want, got
	case ExpectBytes, ExpectFiles:
		if e.Kind == ExpectFiles && e.Value == filesInOrder {
			got, err := inOrder(h)
			if err != nil {
				return e.Value, err.Error()
			}
			return e.Value, got
		}
		p, err := h.GetProgress()
		if err != nil {
			return e.Value, err.Error()
		}
		if e.Kind == ExpectFiles {
			return e.Value, fmt.Sprintf("%d/%d", p.FilesTransferred, p.FilesTotal)
		}
		total := fmt.Sprint(p.BytesTotal)
		if p.BytesTotal == model.BG_SIZE_UNKNOWN {
			total = "unknown"
		}
		done, wantTotal, _ := strings.Cut(e.Value, "/")
		return done + "/" + strings.ToLower(wantTotal), fmt.Sprintf("%d/%s", p.BytesTransferred, total)
	case ExpectError:
		je, err := h.GetError()
		got := "none"
		switch {
		case errors.Is(err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE):
		case err != nil:
			got = err.Error()
		default:
			got = je.Code.String() + " in " + je.Context.String()
		}
		if strings.EqualFold(e.Value, "none") {
			return "none", got
		}
		code, _ := model.ParseHRESULT(e.Value)
		if e.Parameters == "" {
			want = code.String()
			if err == nil {
				got = je.Code.String()
			}
			return want, got
		}
		ctx, _ := model.ParseErrorContext(e.Parameters)
		return code.String() + " in " + ctx.String(), got
	case ExpectGet:
		get := jobGetters[e.Value]
		if get.at != nil {
			w, g, err := get.at(h, e.Parameters, r.start)
			return w, valueOr(g, err)
		}
		w, g, err := get.read(h, e.Parameters)
		return w, valueOr(g, err)
	case ExpectFileGet:
		v := e.Parameters
		if e.Value == "remote" && r.remotes == nil {
			if url, ok := r.urls[v]; ok { // the backend's own URL for the script's
				v = url
			}
		}
		w, g, err := fileGetters[e.Value].read(h, strconv.Itoa(e.FileN)+" "+v)
		if e.Value == "remote" && w == v {
			w = e.Parameters
			if g == v {
				g = e.Parameters
			}
		}
		if w == "" && err != nil {
			return e.Parameters, err.Error()
		}
		return w, valueOr(g, err)
	case ExpectProperty:
		id, _ := model.ParseJobPropertyID(e.Value)
		w, _ := parsePropertyValue(id, e.Parameters, func(name string) (model.GUID, bool) { return r.clsidOf(name), true })
		v, err := h.GetProperty(id)
		want = propertyString(id, w, r.className)
		if err != nil {
			return want, err.Error()
		}
		return want, propertyString(id, v, r.className)
	}
	return "", ""
}

// getterErr calls the getter an expectation names, for its error alone.
func (r *runner) getterErr(e *Expectation, h model.Job) error {
	switch e.Kind {
	case ExpectState:
		return errOnly(h.GetState())
	case ExpectFlags:
		return errOnly(h.GetNotifyFlags())
	case ExpectOwner:
		return errOnly(h.GetOwner())
	case ExpectInterface:
		return errOnly(h.GetNotifyInterface())
	case ExpectCLSID:
		return errOnly(h.GetNotifyCLSID())
	case ExpectCmdLine:
		_, _, err := h.GetNotifyCmdLine()
		return err
	case ExpectBytes, ExpectFiles:
		return errOnly(h.GetProgress())
	case ExpectError:
		return errOnly(h.GetError())
	case ExpectHeaders:
		o, err := httpOptions(h)
		if err != nil {
			return err
		}
		return errOnly(o.GetCustomHeaders())
	case ExpectClientCert:
		o, err := httpOptions(h)
		if err != nil {
			return err
		}
		return errOnly(o.GetClientCertificate())
	case ExpectProperty:
		id, _ := model.ParseJobPropertyID(e.Value)
		return errOnly(h.GetProperty(id))
	case ExpectGet:
		get := jobGetters[e.Value]
		if get.at != nil {
			_, _, err := get.at(h, "none", r.start)
			return err
		}
		_, _, err := get.read(h, "")
		return err
	case ExpectFileGet:
		_, _, err := fileGetters[e.Value].read(h, strconv.Itoa(e.FileN)+" ")
		return err
	}
	return fmt.Errorf("scenario: %s has no getter: %w", e, model.E_NOTIMPL)
}

func errOnly[T any](_ T, err error) error { return err }

// getterFailure compares the error of a getter with what "-> HRESULT"
// or "-> !HRESULT" expects.
func getterFailure(e *Expectation, err error) (want, got string) {
	got = "success"
	if err != nil {
		got = "fails with " + model.HRESULTOf(err).String()
	}
	if e.FailsNot {
		want = "anything but " + e.FailsWith.String()
		if !errors.Is(err, e.FailsWith) {
			return want, want
		}
		return want, got
	}
	return "fails with " + e.FailsWith.String(), got
}

// order checks that the first notification matching each event of the
// expectation came after the one before.
func (r *runner) order(e *Expectation) (want, got string) {
	var wantParts, gotParts []string
	last := uint64(0)
	inOrder := true
	for _, item := range e.Order {
		wantParts = append(wantParts, item.String())
		seq := uint64(0)
		r.eachEvent(item.Job, 0, func(ev model.Event) bool {
			if r.matchesEvent(item, ev) {
				seq = ev.Seq
				return false
			}
			return true
		})
		if seq == 0 {
			gotParts = append(gotParts, item.String()+" never")
			inOrder = false
			continue
		}
		gotParts = append(gotParts, fmt.Sprintf("%s at #%d", item.String(), seq))
		if seq <= last {
			inOrder = false
		}
		last = seq
	}
	want = strings.Join(wantParts, ", then ")
	if inOrder {
		return want, want
	}
	return want, strings.Join(gotParts, ", ")
}

// enumerated compares the jobs an app's EnumJobs lists with the expected.
func (r *runner) enumerated(e *Expectation) (want, got string) {
	w := append([]string(nil), e.Jobs...)
	sort.Strings(w)
	want = strings.Join(w, " ")
	if want == "" {
		want = "none"
	}
	flags := model.EnumJobsFlags(0)
	if e.All {
		flags = model.BG_JOB_ENUM_ALL_USERS
	}
	jobs, err := r.apps[e.App].EnumJobs(flags)
	if err != nil {
		return want, err.Error()
	}
	var g []string
	for _, j := range jobs {
		name, ok := r.names[j.GetId()]
		if !ok {
			name = j.GetId().String()
		}
		g = append(g, name)
	}
	sort.Strings(g)
	got = strings.Join(g, " ")
	if got == "" {
		got = "none"
	}
	return want, got
}

func valueOr(v string, err error) string {
	if err != nil {
		return err.Error()
	}
	return v
}

func (r *runner) className(g model.GUID) string {
	if g.IsNull() {
		return "NULL"
	}
	if n, ok := r.byCLSID[g]; ok {
		return n
	}
	return g.String()
}

// observer returns a handle to read a job with: the creator's while it may
// still call, otherwise an administrator's.
func (r *runner) observer(job string) (model.Job, error) {
	for _, ah := range r.jobHandles[job] { // the creator's first
		if _, err := ah.h.GetState(); err == nil {
			return ah.h, nil
		}
	}
	if r.obs == nil {
		obs, err := r.observe()
		if err != nil {
			return nil, err
		}
		r.obs = obs
	}
	return r.obs.GetJob(r.jobs[job])
}

// ownerOf names the app whose callback object cb, held by the job h, is.
func (r *runner) ownerOf(h model.Job, cb model.Callback) string {
	if rec, ok := harness.RecorderOf(cb); ok && rec.Target().Kind == model.TargetObject {
		return rec.Target().App
	}
	if reflect.TypeOf(cb).Comparable() {
		if app, ok := r.objApps[cb]; ok {
			return app
		}
	}
	if r.objectApp != nil {
		if app, ok := r.objectApp(h); ok {
			return app
		}
	}
	return "another app"
}

// matches reports whether ev went to target as an expectation names it:
// an app, "cmdline", a class (any of its instances) or "Class#n".
func (r *runner) matches(target string, ev model.Event) bool {
	got := r.target(&ev)
	switch {
	case got == target:
		return true
	case ev.Target.Kind == model.TargetCommandLine:
		return strings.EqualFold(target, "cmdline")
	case ev.Target.Kind == model.TargetCLSID:
		class, _, _ := strings.Cut(got, "#")
		return class == target
	}
	return false
}

// note is a notification as the runner keeps it for expectations: what
// they match on, in a third of the memory of a model.Event (apps, users
// and CLSIDs, which repeat, are numbers in the runner's tables).
type note struct {
	seq      uint64
	job      model.GUID
	file     string
	at       int64 // the event's time, in nanoseconds since 1970
	app      int32 // in r.strs
	user     int32 // in r.strs
	clsid    int32 // in r.guids
	instance int32
	ext      int32 // from 1, in r.exts: a command line's or ranges; 0: none
	result   model.HRESULT
	kind     uint8 // model.EventKind
	target   uint8 // model.TargetKind
}

// noteExt is what few notifications carry: a command line's program and
// parameters, a FileRangesTransferred's ranges.
type noteExt struct {
	program, parameters string
	ranges              []model.FileRange
}

// noteOf keeps e as a note.
func (r *runner) noteOf(e *model.Event) note {
	n := note{seq: e.Seq, job: e.Job, file: e.File, at: e.Time.UnixNano(), app: r.str(e.Target.App), user: r.str(e.User),
		clsid: r.guid(e.Target.CLSID), instance: int32(e.Target.Instance), result: e.Result,
		kind: uint8(e.Kind), target: uint8(e.Target.Kind)}
	if e.Kind == model.EventCommandLine || len(e.Ranges) > 0 {
		r.exts = append(r.exts, noteExt{program: e.Target.Program, parameters: e.Target.Parameters, ranges: e.Ranges})
		n.ext = int32(len(r.exts))
	}
	return n
}

// notesPerChunk is how many notes a chunk of notes holds.
const notesPerChunk = 4096

// notes is the runner's record of notifications, in chunks, so that it
// grows without copying what it has.
type notes struct {
	chunks [][]note
	n      int
}

func (ns *notes) len() int { return ns.n }

// add appends a note.
func (ns *notes) add(n note) {
	if ns.n%notesPerChunk == 0 {
		ns.chunks = append(ns.chunks, make([]note, 0, notesPerChunk))
	}
	c := &ns.chunks[len(ns.chunks)-1]
	*c = append(*c, n)
	ns.n++
}

// at returns the note numbered i (from 0).
func (ns *notes) at(i int) *note { return &ns.chunks[i/notesPerChunk][i%notesPerChunk] }

// str numbers a string in the runner's table.
func (r *runner) str(s string) int32 {
	for _, i := range r.strLast { // the app and user of the note before, most often
		if int(i) < len(r.strs) && r.strs[i] == s {
			return i
		}
	}
	i, ok := r.strIdx[s]
	if !ok {
		if r.strIdx == nil {
			r.strIdx = map[string]int32{}
		}
		i = int32(len(r.strs))
		r.strs = append(r.strs, s)
		r.strIdx[s] = i
	}
	r.strLast[1], r.strLast[0] = r.strLast[0], i
	return i
}

// guid numbers a GUID in the runner's table.
func (r *runner) guid(g model.GUID) int32 {
	if int(r.guidLast) < len(r.guids) && r.guids[r.guidLast] == g { // GUID_NULL, note after note, for objects
		return r.guidLast
	}
	i, ok := r.guidIdx[g]
	if !ok {
		if r.guidIdx == nil {
			r.guidIdx = map[model.GUID]int32{}
		}
		i = int32(len(r.guids))
		r.guids = append(r.guids, g)
		r.guidIdx[g] = i
	}
	r.guidLast = i
	return i
}

// event is the note as a model.Event.
func (r *runner) event(n *note) model.Event {
	ev := model.Event{Seq: n.seq, Job: n.job, Kind: model.EventKind(n.kind), User: r.strs[n.user], File: n.file, Result: n.result,
		Time:   time.Unix(0, n.at),
		Target: model.Target{Kind: model.TargetKind(n.target), App: r.strs[n.app], CLSID: r.guids[n.clsid], Instance: int(n.instance)}}
	if n.ext > 0 {
		x := &r.exts[n.ext-1]
		ev.Target.Program, ev.Target.Parameters, ev.Ranges = x.program, x.parameters, x.ranges
	}
	return ev
}

// eachEvent calls f with the notifications about job ("" for every job)
// after the event numbered since, in order, until f returns false.
func (r *runner) eachEvent(job string, since uint64, f func(model.Event) bool) {
	if !r.indexed {
		id, all := r.jobs[job], job == ""
		for _, e := range r.traceSince(since) {
			if (all || e.Job == id) && !f(e) {
				return
			}
		}
		return
	}
	if job == "" {
		i := sort.Search(r.events.len(), func(i int) bool { return r.events.at(i).seq > since })
		for k := i; k < r.events.len(); k++ {
			if !f(r.event(r.events.at(k))) {
				return
			}
		}
		return
	}
	idx := r.byJob[r.jobs[job]]
	i := sort.Search(len(idx), func(i int) bool { return r.events.at(int(idx[i])).seq > since })
	for _, k := range idx[i:] {
		if !f(r.event(r.events.at(int(k)))) {
			return
		}
	}
}

// matchesEvent reports whether ev is a notification e describes (its
// count, negation and mark aside).
func (r *runner) matchesEvent(e *Expectation, ev model.Event) bool {
	if ev.Kind != e.Event || ev.Delivered() == e.Failed {
		return false
	}
	if e.Job != "" && ev.Job != r.jobs[e.Job] {
		return false
	}
	if e.User != "" && !strings.EqualFold(ev.User, r.user(e.User).Name) {
		return false
	}
	if e.File != "" && ev.File != e.File {
		return false
	}
	if (e.HasProgram && ev.Target.Program != e.LaunchProgram) || (e.HasParameters && ev.Target.Parameters != e.LaunchParameters) {
		return false
	}
	if e.Ranges != "" && rangesString(sortedRanges(ev.Ranges)) != e.Ranges {
		return false
	}
	if e.HasAt && r.offset(ev.Time) != e.At {
		return false
	}
	return e.Target == "" || r.matches(e.Target, ev)
}

// countNotified counts matching notifications in the trace after the
// event r.since (a Checker's mark), and after the expectation's mark.
func (r *runner) countNotified(e *Expectation, _ model.GUID) (want, got string) {
	n := 0
	var times []time.Time          // with spaced
	var reported []model.FileRange // with reported
	r.eachEvent(e.Job, max(r.since, r.marks[e.Since]), func(ev model.Event) bool {
		if r.matchesEvent(e, ev) {
			n++
			if e.Spaced > 0 {
				times = append(times, ev.Time)
			}
			if e.Reported != "" {
				reported = append(reported, ev.Ranges...)
			}
		}
		return true
	})
	if (e.Negate && n == 0) || (e.Count >= 0 && n == e.Count) || (!e.Negate && e.Count < 0 && n > 0) {
		if e.Spaced > 0 {
			if w, g := r.spacing(e.Spaced, times); w != g {
				return w, g
			}
		}
		if e.Reported != "" {
			return e.Reported, reportedString(reported)
		}
		return "", "" // holds: no need to say what was wanted
	}
	what := "deliveries"
	if e.Failed {
		what = "failed attempts"
	}
	switch {
	case e.Negate:
		return "no " + what, plural(n, what)
	case e.Count >= 0:
		return plural(e.Count, what), plural(n, what)
	case n > 0:
		return "at least one of the " + what, "at least one of the " + what
	}
	return "at least one of the " + what, plural(0, what)
}

// spacing checks that the times, in order, are each at least d after the
// one before, and says where two are not.
func (r *runner) spacing(d time.Duration, times []time.Time) (want, got string) {
	want = "every two at least " + d.String() + " apart"
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < d {
			return want, fmt.Sprintf("the %s and %s %s apart (at %s and %s)", ordinal(i), ordinal(i+1), gap,
				r.offset(times[i-1]), r.offset(times[i]))
		}
	}
	return want, want
}

// ordinal is 1st, 2nd, 3rd, 4th ...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// reportedString is the ranges several calls reported together, merged,
// or where a byte was reported twice.
func reportedString(rs []model.FileRange) string {
	sorted := sortedRanges(rs)
	for i := 1; i < len(sorted); i++ {
		prev := sorted[i-1]
		if prev.Length != model.BG_LENGTH_TO_EOF && sorted[i].InitialOffset < prev.InitialOffset+prev.Length || prev.Length == model.BG_LENGTH_TO_EOF {
			return fmt.Sprintf("%s, byte %d reported twice (%s and %s)", rangesString(mergeRanges(rs)), sorted[i].InitialOffset, prev, sorted[i])
		}
	}
	return rangesString(mergeRanges(rs))
}

func plural(n int, what string) string {
	switch {
	case n == 0:
		return "no " + what
	case n == 1:
		what = map[string]string{"deliveries": "delivery", "failed attempts": "failed attempt"}[what]
	}
	return fmt.Sprintf("%d %s", n, what)
}
