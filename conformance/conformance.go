// Package conformance is one property-based suite that runs against any
// BITS backend (see package harness): the simulator in go test on any OS,
// Wine's BITS, and real BITS on Windows.
//
// It has two halves. Scenarios check one rule each, with the expected
// outcome written literally from the rule's statement. A rapid state
// machine draws random sequences of operations — several apps and users,
// registrations, flag changes, crashes, restarts, transfer faults — and
// checks every observation against an oracle built only from packages
// model and rules. A backend may declare known divergences by rule ID; the
// run fails when a divergence appears or when a listed one no longer
// happens, so the list stays true. Every run produces a Report.
//
// Use it from a test of your backend:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, myFactory, conformance.WithDivergences(known))
//	}
package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Option configures Run.
type Option func(*config)

type config struct {
	divergences map[string]string
	reportDir   string
	only        map[string]bool
	machine     bool
	rounds      int
	progress    func(RuleResult)
}

// WithDivergences declares the rules the backend is known to break, each
// with what it does instead. A listed rule whose scenario passes fails the
// run, so the list must be kept true.
func WithDivergences(d map[string]string) Option {
	return func(c *config) {
		for k, v := range d {
			c.divergences[k] = v
		}
	}
}

// WithReportDir writes the report as report.txt and report.json into dir
// (by default: the directory named by $BITSSIM_REPORT_DIR, if set).
func WithReportDir(dir string) Option { return func(c *config) { c.reportDir = dir } }

// WithRules limits the scenarios to the given rule IDs or families.
func WithRules(idsOrFamilies ...string) Option {
	return func(c *config) {
		if c.only == nil {
			c.only = map[string]bool{}
		}
		for _, s := range idsOrFamilies {
			c.only[strings.ToUpper(s)] = true
		}
	}
}

// WithoutStateMachine skips the rapid state machine.
func WithoutStateMachine() Option { return func(c *config) { c.machine = false } }

// WithMachineRounds runs the state machine n times (each with rapid's
// -rapid.checks sequences, 100 by default), for fast backends where more
// sequences find rarer bugs.
func WithMachineRounds(n int) Option { return func(c *config) { c.rounds = max(n, 1) } }

// WithProgress calls f after every rule's scenario.
func WithProgress(f func(RuleResult)) Option { return func(c *config) { c.progress = f } }

func newConfig(opts []Option) *config {
	c := &config{divergences: map[string]string{}, machine: true, rounds: 1, reportDir: reportDirFromEnv()}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *config) selected(r rules.Rule) bool {
	return c.only == nil || c.only[r.ID] || c.only[string(r.Family)]
}

// Run runs the suite against backends made by f, as subtests of t: one
// per rule family and rule, then the state machine. It returns the report
// (also written with WithReportDir).
func Run(t *testing.T, f harness.Factory, opts ...Option) *Report {
	t.Helper()
	cfg := newConfig(opts)
	rep := newReport()
	byRule := scenariosByRule()
	for _, fam := range rules.Families() {
		t.Run(string(fam), func(t *testing.T) {
			for _, r := range rules.ByFamily(fam) {
				if !cfg.selected(r) {
					continue
				}
				t.Run(r.ID, func(t *testing.T) {
					res := runRule(t, f, cfg, r, byRule[r.ID])
					rep.add(res)
					if cfg.progress != nil {
						cfg.progress(res)
					}
					switch res.Outcome {
					case Fail:
						t.Errorf("%s: %s", r.ID, res.Detail)
					case Skip:
						t.Skip(res.Detail)
					}
				})
			}
		})
	}
	if cfg.machine {
		t.Run("StateMachine", func(t *testing.T) {
			res := RuleResult{Rule: "STATE-MACHINE", Outcome: Pass}
			b := f(t)
			rep.Backend = b.Name()
			_ = b.Close()
			for i := 0; i < cfg.rounds && !t.Failed(); i++ {
				seed, given, restore := roundSeed(i)
				t.Logf("state machine round %d of %d: -rapid.seed=%d (replay: -run '%s' -rapid.seed=%d)", i+1, cfg.rounds, seed, t.Name(), seed)
				func() {
					defer restore() // also when a failure ends the goroutine
					rapid.Check(t, func(rt *rapid.T) { runMachine(rt, f, t) })
				}()
				if given {
					break // the same seed again would draw the same sequences
				}
			}
			if t.Failed() {
				res.Outcome, res.Detail = Fail, "the state machine found a counterexample (see the test log)"
			}
			rep.Machine = &res
		})
	}
	if cfg.reportDir != "" {
		if err := rep.WriteFiles(cfg.reportDir); err != nil {
			t.Errorf("conformance: %v", err)
		}
	}
	return rep
}

// Check runs the suite like Run but without failing t or making subtests:
// it returns the report, for tools and for testing the suite itself. t is
// used only to make backends (the factory's t.Skipf, t.Fatalf, t.Cleanup).
func Check(t harness.TB, f harness.Factory, opts ...Option) *Report {
	cfg := newConfig(opts)
	rep := newReport()
	byRule := scenariosByRule()
	for _, r := range rules.All() {
		if !cfg.selected(r) {
			continue
		}
		res := runRule(t, f, cfg, r, byRule[r.ID])
		rep.add(res)
		if cfg.progress != nil {
			cfg.progress(res)
		}
	}
	if cfg.machine {
		failed, msg := CheckMachine(t, f, cfg.rounds)
		res := RuleResult{Rule: "STATE-MACHINE", Outcome: Pass}
		if failed {
			res.Outcome, res.Detail = Fail, msg
		}
		rep.Machine = &res
	}
	if cfg.reportDir != "" {
		if err := rep.WriteFiles(cfg.reportDir); err != nil {
			rep.add(RuleResult{Rule: "REPORT", Outcome: Fail, Detail: err.Error()})
		}
	}
	return rep
}

// CheckMachine runs the state machine rounds times without failing t and
// reports whether it found a counterexample, with rapid's description of it.
func CheckMachine(t harness.TB, f harness.Factory, rounds int) (failed bool, detail string) {
	q := &quietTB{name: t.Name() + "/StateMachine"}
	done := make(chan struct{})
	go func() { // quietTB's FailNow ends this goroutine, not the caller
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				q.Errorf("panic: %v", r)
			}
		}()
		for i := 0; i < rounds && !q.Failed(); i++ {
			_, given, restore := roundSeed(i)
			func() {
				defer restore() // also when quietTB's FailNow ends the goroutine
				rapid.Check(q, func(rt *rapid.T) { runMachine(rt, f, t) })
			}()
			if given {
				break
			}
		}
	}()
	<-done
	return q.Failed(), q.log()
}

// quietTB is a rapid.TB that records failures instead of failing a test.
type quietTB struct {
	name   string
	mu     sync.Mutex
	failed bool
	lines  []string
}

func (q *quietTB) Helper()                         {}
func (q *quietTB) Name() string                    { return q.name }
func (q *quietTB) Logf(format string, args ...any) { q.add(fmt.Sprintf(format, args...)) }
func (q *quietTB) Log(args ...any)                 { q.add(fmt.Sprint(args...)) }
func (q *quietTB) Skipf(format string, args ...any) {
	q.add("skip: " + fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (q *quietTB) Skip(args ...any) { q.add("skip: " + fmt.Sprint(args...)); runtime.Goexit() }
func (q *quietTB) SkipNow()         { runtime.Goexit() }
func (q *quietTB) Errorf(format string, args ...any) {
	q.fail()
	q.add(fmt.Sprintf(format, args...))
}
func (q *quietTB) Error(args ...any) { q.fail(); q.add(fmt.Sprint(args...)) }
func (q *quietTB) Fatalf(format string, args ...any) {
	q.Errorf(format, args...)
	runtime.Goexit()
}
func (q *quietTB) Fatal(args ...any) { q.Error(args...); runtime.Goexit() }
func (q *quietTB) FailNow()          { q.fail(); runtime.Goexit() }
func (q *quietTB) Fail()             { q.fail() }
func (q *quietTB) Failed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.failed
}
func (q *quietTB) fail() { q.mu.Lock(); q.failed = true; q.mu.Unlock() }
func (q *quietTB) add(s string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lines = append(q.lines, s)
}
func (q *quietTB) log() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return strings.Join(q.lines, "\n")
}

// runRule runs the scenario of one rule and decides its outcome.
func runRule(t harness.TB, f harness.Factory, cfg *config, r rules.Rule, sc *Scenario) RuleResult {
	res := RuleResult{Rule: r.ID, Family: string(r.Family), Status: r.Status.String()}
	why, listed := cfg.divergences[r.ID]
	if sc == nil {
		if reason, ok := untestable[r.ID]; ok {
			res.Outcome, res.Detail = Untestable, reason
			return res
		}
		if machineRules[r.ID] {
			res.Outcome, res.Detail = ByMachine, "checked by the state machine"
			return res
		}
		res.Outcome, res.Detail = Fail, "no scenario, not in the state machine, not marked untestable"
		return res
	}
	b := f(t)
	defer b.Close()
	res.Backend = b.Name()
	if missing := b.Capabilities().Missing(sc.Needs); len(missing) > 0 {
		res.Outcome, res.Detail = Skip, "backend lacks "+strings.Join(missing, ", ")
		return res
	}
	start := time.Now()
	sel, known := harness.BackendVariants(b)
	var failures []string
	var skipped string
	switch {
	case known || !r.IsOpen():
		failures, skipped = runScenario(sc, b, sel)
		if r.IsOpen() {
			res.Variant = sel.Of(r.ID)
		}
	default:
		// A backend that does not say which reading it follows: try each,
		// on a fresh backend, and report the ones it matched.
		failures, skipped, res.Matched = runEachVariant(t, f, sc, b, r)
	}
	res.Duration = time.Since(start)
	switch {
	case skipped != "" && len(failures) == 0:
		res.Outcome, res.Detail = Skip, skipped
	case len(failures) == 0 && !listed:
		res.Outcome = Pass
	case len(failures) == 0 && listed:
		res.Outcome = Fail
		res.Detail = fmt.Sprintf("listed as a divergence (%s) but the backend now keeps the rule: remove it from the list", why)
	case listed:
		res.Outcome = Diverged
		res.Detail = why + " — observed: " + strings.Join(failures, "; ")
	default:
		res.Outcome = Fail
		res.Detail = strings.Join(failures, "; ")
	}
	return res
}

// runEachVariant runs the scenario of the open rule r once per reading,
// the first on b and the others on fresh backends from f. It returns the
// readings whose expectations b met; when it met none, the failures under
// the default reading, then the first failure under each other reading. A
// skip under the default reading skips the rule.
func runEachVariant(t harness.TB, f harness.Factory, sc *Scenario, b harness.Backend, r rules.Rule) (failures []string, skipped string, matched []string) {
	var others []string
	for i, v := range r.Variants {
		bb := b
		if i > 0 {
			bb = f(t)
		}
		fs, sk := runScenario(sc, bb, rules.Selection{r.ID: v.Name})
		if i > 0 {
			_ = bb.Close()
		}
		if i == 0 {
			if sk != "" && len(fs) == 0 {
				return nil, sk, nil
			}
			failures = fs
		}
		switch {
		case len(fs) == 0 && sk == "":
			matched = append(matched, v.Name)
		case i > 0 && len(fs) > 0:
			others = append(others, "under "+v.Name+": "+fs[0])
		case i > 0:
			others = append(others, "under "+v.Name+": skipped: "+sk)
		}
	}
	if len(matched) > 0 {
		return nil, "", matched
	}
	failures = append(failures, "matched none of the readings "+strings.Join(r.VariantNames(), ", "))
	return append(failures, others...), "", nil
}

// runScenario runs sc in its own goroutine, so that FailNow and Skipf can
// stop it, and returns the failures it reported and why it skipped. sel is
// the readings of the open rules the scenario expects.
func runScenario(sc *Scenario, b harness.Backend, sel rules.Selection) (failures []string, skipped string) {
	c := &C{B: b, rule: sc.Rule, variants: sel}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				c.mu.Lock()
				// The stack too: a panic is a bug of the backend or the
				// scenario, and its value alone does not say where.
				c.failures = append(c.failures, fmt.Sprintf("panic: %v\n%s", r, debug.Stack()))
				c.mu.Unlock()
			}
		}()
		sc.Run(c)
	}()
	<-done
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.failures...), c.skipped
}

// C is a scenario's handle on the backend. It implements testify's
// assert.TestingT and require.TestingT: a failed require stops the
// scenario.
type C struct {
	// B is the backend under test.
	B    harness.Backend
	rule string

	variants rules.Selection

	mu       sync.Mutex
	failures []string
	skipped  string
	apps     int
}

// Variant returns the reading of the open rule id that the scenario must
// expect: the backend's own for the simulator, or the one being tried on
// a backend that does not declare its readings. A scenario of an open rule
// writes its expectations literally per reading, switching on this.
func (c *C) Variant(id string) string { return c.variants.Of(id) }

// Is reports whether the reading of the open rule id to expect is name.
func (c *C) Is(id, name string) bool { return c.variants.Is(id, name) }

// Skipf stops the scenario and reports the rule as skipped: the backend
// cannot show it (for example a rule about older BITS versions).
func (c *C) Skipf(format string, args ...any) {
	c.mu.Lock()
	c.skipped = fmt.Sprintf(format, args...)
	c.mu.Unlock()
	runtime.Goexit()
}

// Errorf records a failure.
func (c *C) Errorf(format string, args ...any) {
	msg := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	c.mu.Lock()
	c.failures = append(c.failures, msg)
	c.mu.Unlock()
}

// FailNow stops the scenario.
func (c *C) FailNow() { runtime.Goexit() }

// Helper does nothing; it lets C stand where testify wants a helper.
func (c *C) Helper() {}

// Scenario checks one rule against a backend.
type Scenario struct {
	// Rule is the rule's ID.
	Rule string
	// Needs are the capabilities the scenario needs; without them it is skipped.
	Needs harness.Capabilities
	// Run performs the scenario; expected outcomes are written literally
	// from the rule's statement.
	Run func(c *C)
	// Why says why the scenario is Go and not a scenario file (see
	// ScenarioFiles): what the scenario language cannot say.
	Why string
}

var (
	registryMu sync.Mutex
	registry   = map[string]*Scenario{}
)

// register adds scenarios at package init.
func register(scs ...Scenario) {
	registryMu.Lock()
	defer registryMu.Unlock()
	for i := range scs {
		sc := scs[i]
		if _, dup := registry[sc.Rule]; dup {
			panic("conformance: two scenarios for " + sc.Rule)
		}
		registry[sc.Rule] = &sc
	}
}

// scenariosByRule returns every rule's scenario: the Go ones registered
// at init and those of the scenario files (see ScenarioFiles). Files that
// do not load are reported by the rules they would check.
func scenariosByRule() map[string]*Scenario {
	registryMu.Lock()
	out := make(map[string]*Scenario, len(registry))
	for k, v := range registry {
		out[k] = v
	}
	registryMu.Unlock()
	files, err := scenarioFiles()
	if err != nil {
		for id := range out {
			out[id] = &Scenario{Rule: id, Why: "the scenario files do not load", Run: func(c *C) { c.Errorf("%v", err) }}
		}
		return out
	}
	for id, fs := range files {
		out[id] = fileScenario(id, fs)
	}
	for id, sc := range out {
		out[id] = withMore(sc) // with the further checks of scen_kill_*.go
	}
	return out
}

// Scenarios lists the rule IDs that have a scenario, sorted.
func Scenarios() []string {
	var ids []string
	for id := range scenariosByRule() {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Accounting says how the suite checks each rule: "scenario", "machine"
// or "untestable: reason". Rules missing from the map are not checked.
func Accounting() map[string]string {
	out := map[string]string{}
	sc := scenariosByRule()
	for _, r := range rules.All() {
		switch {
		case sc[r.ID] != nil:
			out[r.ID] = "scenario"
		case machineRules[r.ID]:
			out[r.ID] = "machine"
		case untestable[r.ID] != "":
			out[r.ID] = "untestable: " + untestable[r.ID]
		}
	}
	return out
}

// Standard accounts of the scenarios.
var (
	Alice = model.Account{Name: "alice", Kind: model.AccountUser}
	Bob   = model.Account{Name: "bob", Kind: model.AccountUser}
	Admin = model.Account{Name: "admin", Kind: model.AccountAdministrator}
)

// App starts an application as user, or stops the scenario.
func (c *C) App(user model.Account) harness.App {
	c.mu.Lock()
	c.apps++
	name := fmt.Sprintf("app%d", c.apps)
	c.mu.Unlock()
	a, err := c.B.StartApp(name, user)
	if err != nil {
		c.Errorf("StartApp(%s, %s): %v", name, user.Name, err)
		c.FailNow()
	}
	return a
}

// Job creates a download job in app with one 2 KB file per remote kind,
// named after the rule and the file's index, or stops the scenario.
func (c *C) Job(app harness.App, remotes ...harness.RemoteKind) model.Job {
	return c.newJob(app, model.BG_JOB_TYPE_DOWNLOAD, 2048, remotes, func(i int) string {
		return fmt.Sprintf(`C:\bitssim\%s-%d.bin`, c.rule, i)
	})
}

// must stops the scenario on a setup error.
func (c *C) must(err error, what string) {
	if err != nil {
		c.Errorf("%s: %v", what, err)
		c.FailNow()
	}
}

// Do runs a call that must succeed, or stops the scenario.
func (c *C) Do(err error, what string) { c.must(err, what) }

// Settle lets the backend do the work due now.
func (c *C) Settle() { c.must(c.B.Settle(), "Settle") }

// Advance lets d pass.
//
// A backend whose waits are real and bounded (Capabilities.MaxWait) cannot
// show what happens after a longer wait: the scenario stops there and the
// rule is skipped as timing-dependent (TimingDependent), so that a capped
// wait is never a false divergence.
func (c *C) Advance(d time.Duration) {
	if limit := c.B.Capabilities().MaxWait; limit > 0 && d > limit {
		c.Skipf("%s needs a real wait of %v; the backend waits at most %v (BITSSIM_MAX_ADVANCE raises the cap)",
			TimingDependent, d, limit)
	}
	c.must(c.B.Advance(d), "Advance")
}

// TimingDependent starts the detail of a rule skipped because its scenario
// needs a longer real wait than the backend makes (Capabilities.MaxWait).
const TimingDependent = "timing-dependent:"

// Transfer resumes job and lets it run until the work due now is done.
func (c *C) Transfer(job model.Job) {
	c.must(job.Resume(), "Resume")
	c.Settle()
}

// State returns the job's state, or stops the scenario.
func (c *C) State(job model.Job) model.JobState {
	s, err := job.GetState()
	c.must(err, "GetState")
	return s
}

// Delivered returns the successful deliveries of kind for job.
func (c *C) Delivered(job model.Job, kind model.EventKind) []model.Event {
	id := job.GetId()
	return harness.Delivered(c.B.Trace(), func(e model.Event) bool { return e.Job == id && e.Kind == kind })
}

// Calls returns every call of kind for job, delivered or not.
func (c *C) Calls(job model.Job, kind model.EventKind) []model.Event {
	return harness.Calls(c.B.Trace(), job.GetId(), kind)
}

// To returns the events of evs whose target is the app.
func To(evs []model.Event, app harness.App) []model.Event {
	var out []model.Event
	for _, e := range evs {
		if e.Target.Kind == model.TargetObject && e.Target.App == app.Name() {
			out = append(out, e)
		}
	}
	return out
}

// OfTarget returns the events of evs with the given target kind.
func OfTarget(evs []model.Event, k model.TargetKind) []model.Event {
	var out []model.Event
	for _, e := range evs {
		if e.Target.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// SizedJob creates a download job in app with one file of size bytes per
// remote kind, each under a fresh LocalName, or stops the scenario.
func (c *C) SizedJob(app harness.App, size uint64, remotes ...harness.RemoteKind) model.Job {
	return c.TypedJob(app, model.BG_JOB_TYPE_DOWNLOAD, size, remotes...)
}

// TypedJob creates a job of type typ in app with one file of size bytes
// per remote kind, each under a fresh LocalName, or stops the scenario.
func (c *C) TypedJob(app harness.App, typ model.JobType, size uint64, remotes ...harness.RemoteKind) model.Job {
	return c.newJob(app, typ, size, remotes, func(int) string { return c.LocalName() })
}

// newJob creates a job named "conformance" of type typ in app and adds one
// file of size bytes per remote kind, the i-th under local(i), or stops
// the scenario.
func (c *C) newJob(app harness.App, typ model.JobType, size uint64, remotes []harness.RemoteKind, local func(i int) string) model.Job {
	j, err := app.CreateJob("conformance", typ)
	c.must(err, "CreateJob")
	for i, k := range remotes {
		c.addFile(j, k, size, local(i))
	}
	return j
}

// AddFile adds to job a file of size bytes from a remote of the given
// kind, under a fresh LocalName, or stops the scenario.
func (c *C) AddFile(job model.Job, kind harness.RemoteKind, size uint64) {
	c.addFile(job, kind, size, c.LocalName())
}

// addFile adds to job a file of size bytes from a remote of the given kind
// under the local name, or stops the scenario.
func (c *C) addFile(job model.Job, kind harness.RemoteKind, size uint64, local string) {
	url, err := c.B.Remote(kind, size)
	c.must(err, "Remote")
	c.must(job.AddFile(url, local), "AddFile")
}

// localNames numbers the local files of LocalName, so that no two share a
// name.
var localNames atomic.Uint64

// LocalName returns a fresh full local path for a file of the scenario.
func (c *C) LocalName() string {
	return fmt.Sprintf(`C:\bitssim\%s-%d.bin`, c.rule, localNames.Add(1))
}

// OnDemandJob creates a SUSPENDED on-demand download job (BITS 10.1) in
// app with one 2 KB file under a fresh LocalName, and returns the job and
// its file, or stops the scenario.
func (c *C) OnDemandJob(app harness.App) (model.Job, model.File) {
	j, err := app.CreateJob("conformance", model.BG_JOB_TYPE_DOWNLOAD)
	c.must(err, "CreateJob")
	c.must(j.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}), "SetProperty(ON_DEMAND_MODE)")
	c.AddFile(j, harness.RemoteOK, 2048)
	files := c.Files(j)
	require.Len(c, files, 1)
	return j, files[0]
}

// slowSize is the size of a RemoteSlow file that takes far longer than any
// scenario waits (1 KiB per virtual second: 1024 seconds).
const slowSize = 1 << 20

// Reach makes a download job of app in the given state, or stops the
// scenario. QUEUED needs virtual time (the job must not start before it is
// observed); TRANSFERRING uses a slow remote and lets two seconds pass.
func (c *C) Reach(app harness.App, state model.JobState) model.Job {
	var j model.Job
	switch state {
	case model.BG_JOB_STATE_SUSPENDED:
		j = c.SizedJob(app, 2048, harness.RemoteOK)
	case model.BG_JOB_STATE_QUEUED:
		j = c.SizedJob(app, 2048, harness.RemoteOK)
		c.Do(j.Resume(), "Resume")
	case model.BG_JOB_STATE_TRANSFERRING:
		j = c.SizedJob(app, slowSize, harness.RemoteSlow)
		c.Transfer(j)
		c.Advance(2 * time.Second)
	case model.BG_JOB_STATE_TRANSIENT_ERROR:
		j = c.SizedJob(app, 2048, harness.RemoteTransient)
		c.Transfer(j)
	case model.BG_JOB_STATE_ERROR:
		j = c.SizedJob(app, 2048, harness.RemoteFatal)
		c.Transfer(j)
	case model.BG_JOB_STATE_TRANSFERRED:
		j = c.SizedJob(app, 2048, harness.RemoteOK)
		c.Transfer(j)
	case model.BG_JOB_STATE_CANCELLED:
		j = c.SizedJob(app, 2048, harness.RemoteOK)
		c.Do(j.Cancel(), "Cancel")
	case model.BG_JOB_STATE_ACKNOWLEDGED:
		j = c.SizedJob(app, 2048, harness.RemoteOK)
		c.Transfer(j)
		_, err := j.Complete()
		c.Do(err, "Complete")
	default:
		c.Errorf("Reach: no recipe for %v", state)
		c.FailNow()
	}
	require.Equal(c, state, c.State(j), "precondition: the job reached %v", state)
	return j
}

// JobIn returns job as app sees it (GetJob of its ID), or stops the
// scenario: another app's handle on the job, or the owner's after a
// restart.
func (c *C) JobIn(app harness.App, job model.Job) model.Job { return c.JobByID(app, job.GetId()) }

// JobByID returns app's handle on the job with the given ID, or stops the
// scenario.
func (c *C) JobByID(app harness.App, id model.GUID) model.Job {
	j, err := app.GetJob(id)
	c.must(err, fmt.Sprintf("GetJob(%v) from %s", id, app.Name()))
	return j
}

// Files returns the job's files, or stops the scenario.
func (c *C) Files(job model.Job) []model.File {
	files, err := job.EnumFiles()
	c.must(err, "EnumFiles")
	return files
}

// ErrorCode returns the HRESULT GetError reports for job, or stops the
// scenario.
func (c *C) ErrorCode(job model.Job) model.HRESULT {
	e, err := job.GetError()
	c.must(err, "GetError")
	return e.Code
}

// IDs returns the IDs of jobs.
func IDs(jobs []model.Job) []model.GUID {
	out := make([]model.GUID, len(jobs))
	for i, j := range jobs {
		out[i] = j.GetId()
	}
	return out
}

// Version is the BITS version of the backend.
func (c *C) Version() model.Version { return c.B.Capabilities().Version }

// Restart restarts the service, or stops the scenario.
func (c *C) Restart() { c.must(c.B.Restart(), "Restart") }

// SetFlags sets the job's notify flags, or stops the scenario.
func (c *C) SetFlags(job model.Job, f model.NotifyFlags) {
	c.Do(job.SetNotifyFlags(f), fmt.Sprintf("SetNotifyFlags(%v)", f))
}

// Register registers a new callback object of app, behaving as b, on job
// (SetNotifyInterface), or stops the scenario.
func (c *C) Register(app harness.App, job model.Job, b harness.Behavior) {
	c.Do(job.SetNotifyInterface(app.Callback(b)), "SetNotifyInterface")
}

// Class registers a recording callback class behaving as b and returns
// its CLSID, or stops the scenario.
func (c *C) Class(b harness.Behavior) model.GUID {
	clsid, err := c.B.RegisterClass(b)
	c.must(err, "RegisterClass")
	return clsid
}

// RetryAfter is how long after a failed JobTransferred, JobError or
// FileTransferred BITS calls again, for a job whose MinimumRetryDelay is d:
// d (DELIV-RETRY-INTERVAL), or the default 600 seconds whatever d under
// its default-retry-delay reading.
func (c *C) RetryAfter(d time.Duration) time.Duration {
	if c.Is("DELIV-RETRY-INTERVAL", rules.VarDefaultRetryDelay) {
		return 600 * time.Second
	}
	return d
}

// SetRetryDelay sets the job's MinimumRetryDelay, or stops the scenario.
func (c *C) SetRetryDelay(job model.Job, d time.Duration) {
	c.Do(job.SetMinimumRetryDelay(d), "SetMinimumRetryDelay")
}

// Program makes a recorded program whose runs exit with exits, or stops
// the scenario.
func (c *C) Program(exits ...int) (program, parameters string) {
	p, a, err := c.B.CommandLine(exits...)
	c.must(err, "CommandLine")
	return p, a
}

// SetCmdLine sets the job's notification command line, or stops the
// scenario.
func (c *C) SetCmdLine(job model.Job, program, parameters string) {
	c.Do(job.SetNotifyCmdLine(program, parameters), "SetNotifyCmdLine")
}

// CmdLine makes a recorded program whose runs exit with exits and sets it
// as the job's command line, or stops the scenario.
func (c *C) CmdLine(job model.Job, exits ...int) (program, parameters string) {
	program, parameters = c.Program(exits...)
	c.SetCmdLine(job, program, parameters)
	return program, parameters
}

// Launches returns the command-line launches recorded for job.
func (c *C) Launches(job model.Job) []model.Event { return c.Calls(job, model.EventCommandLine) }

// TraceOf returns every event of the trace about job: callback calls of
// any kind to any target, delivered or not, and command-line launches.
func (c *C) TraceOf(job model.Job) []model.Event {
	id := job.GetId()
	var out []model.Event
	for _, e := range c.B.Trace() {
		if e.Job == id {
			out = append(out, e)
		}
	}
	return out
}

// ToCLSID returns the events of evs sent to an instance of clsid.
func ToCLSID(evs []model.Event, clsid model.GUID) []model.Event {
	var out []model.Event
	for _, e := range OfTarget(evs, model.TargetCLSID) {
		if e.Target.CLSID == clsid {
			out = append(out, e)
		}
	}
	return out
}

// reportDirFromEnv is where `go test` writes reports when
// BITSSIM_REPORT_DIR is set.
func reportDirFromEnv() string {
	if d := os.Getenv("BITSSIM_REPORT_DIR"); d != "" {
		return filepath.Clean(d)
	}
	return ""
}
