package scenario

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// Checker checks expectations written in the scenario language against a
// simulator driven from Go, and lays out its trace as a Result that the
// Write methods render. Jobs and classes get their names from the Go
// test (NameJob, NameClass); apps are named as they were started.
//
//	c := scenario.NewChecker(svc)
//	c.NameJob("job1", job)
//	check, err := c.Check("job1 JobTransferred -> updater x1")
//
// A Checker is not safe for concurrent use.
type Checker struct {
	r   *runner
	svc *sim.Service
}

// NewChecker returns a checker over svc.
func NewChecker(svc *sim.Service) *Checker {
	start := svc.Now().Add(-svc.Elapsed())
	r := &runner{
		sc: &Script{File: "go"}, start: start,
		res:   &Result{File: "go", Version: svc.Version()},
		users: map[string]model.Account{}, apps: map[string]harness.App{}, jobs: map[string]model.GUID{},
		names: map[model.GUID]string{}, classes: map[string]model.GUID{},
		byCLSID: map[model.GUID]string{}, seen: map[string]bool{}, failed: map[failKey]time.Time{},
		jobHandles: map[string][]appHandle{},
		traceSince: svc.TraceSince, clockNow: svc.Now, inFlight: svc.InFlight, objectApp: svc.ObjectApp,
		observe: func() (model.Manager, error) {
			return svc.StartApp("\x00observer", model.Account{Name: "\x00observer", Kind: model.AccountAdministrator})
		},
	}
	c := &Checker{r: r, svc: svc}
	return c
}

// NameJob names a job for expectations ("job1 state TRANSFERRED") and for
// the rendered trace. The handle is also how the job's state, flags and
// registrations are read.
func (c *Checker) NameJob(name string, job model.Job) {
	id := job.GetId()
	c.r.jobs[name] = id
	c.r.names[id] = name
	c.r.addHandle("\x00go", name, job)
}

// NameClass names a notification CLSID: expectations and the rendered
// trace call its instances NAME#1, NAME#2 ….
func (c *Checker) NameClass(name string, clsid model.GUID) {
	c.r.classes[name] = clsid
	c.r.byCLSID[clsid] = name
}

// Check parses an expectation, written as after "expect" in a scenario
// ("job1 no JobTransferred -> A", "job1 state ACKNOWLEDGED"), and checks
// it against the service now. Notification counts cover the whole trace.
// The error is for an expectation that does not parse (a *SyntaxError),
// or that names an unknown job, app or class.
func (c *Checker) Check(expect string) (Check, error) { return c.CheckSince(0, expect) }

// CheckSince is Check with notification counts covering only the events
// after the event numbered mark (sim.Service.LastSeq gives a mark): "job1
// no JobTransferred" then says that nothing new was delivered since.
func (c *Checker) CheckSince(mark uint64, expect string) (Check, error) {
	e, err := c.Parse(expect)
	if err != nil {
		return Check{}, err
	}
	c.r.since = mark
	defer func() { c.r.since = 0 }()
	want, got := c.r.evaluate(e)
	ch := Check{Text: "expect " + strings.TrimSpace(expect), OK: want == got}
	if !ch.OK {
		ch.Want, ch.Got = want, got
	}
	return ch, nil
}

// Parse parses an expectation with the names known now: the named jobs and
// classes, and the apps of the service and of its trace.
func (c *Checker) Parse(expect string) (*Expectation, error) {
	toks, _, err := lexCode("expect", 1, expect)
	if err != nil {
		return nil, err
	}
	p := &parser{file: "expect", apps: map[string]bool{}, jobs: map[string]int{}, classes: map[string]bool{}, users: map[string]bool{}}
	for name := range c.r.jobs {
		p.jobs[name] = len(p.jobs)
	}
	for name := range c.r.classes {
		p.classes[name] = true
	}
	for _, a := range c.svc.Apps() {
		p.apps[a.Name()] = true
	}
	for _, e := range c.svc.Trace() {
		if e.Target.Kind == model.TargetObject {
			p.apps[e.Target.App] = true
		}
	}
	return p.expectation(1, token{text: "expect", col: 1}, toks)
}

// Result lays out the service's trace (its events after the event
// numbered mark; 0 for all) as the Result of a run: participants and
// steps, with times from the service's start. Render it with WriteText,
// WriteJSON, WriteMermaid or WriteSVG, as the command line does.
func (c *Checker) Result(mark uint64) *Result {
	res := FromTrace(c.svc.TraceSince(mark), c.r.start, c.r.names, c.r.byCLSID)
	res.Version = c.r.res.Version
	return res
}

// FromTrace lays out a notification trace, from any backend, as the Result
// of a run, with times from start. jobs and classes name job GUIDs and
// CLSIDs (either may be nil: GUIDs are printed).
func FromTrace(events []model.Event, start time.Time, jobs, classes map[model.GUID]string) *Result {
	r := &runner{start: start, res: &Result{File: "trace"}, names: map[model.GUID]string{},
		byCLSID: map[model.GUID]string{}, seen: map[string]bool{}, failed: map[failKey]time.Time{}}
	for id, n := range jobs {
		r.names[id] = n
	}
	for id, n := range classes {
		r.byCLSID[id] = n
	}
	for _, e := range events {
		if _, ok := r.names[e.Job]; !ok {
			r.names[e.Job] = e.Job.String()
		}
	}
	r.participant("BITS", "bits", "")
	r.log(events)
	sortParticipants(r.res.Participants)
	return r.res
}

// sortParticipants orders lifelines as Run does: apps, then the service,
// then CLSID instances and the command line, each in order of appearance.
func sortParticipants(ps []Participant) {
	rank := map[string]int{"app": 0, "bits": 1, "clsid": 2, "cmdline": 3}
	sort.SliceStable(ps, func(i, j int) bool { return rank[ps[i].Kind] < rank[ps[j].Kind] })
}

// sequenceOf reads the HTTP statuses of attempts=503,503,404.
func sequenceOf(size uint64, v string) (sim.Remote, error) {
	var statuses []int
	for _, f := range strings.Split(v, ",") {
		var n int
		if _, err := fmt.Sscanf(strings.TrimSpace(f), "%d", &n); err != nil {
			return sim.Remote{}, fmt.Errorf("attempts takes HTTP statuses such as 503,503,404, not %q", v)
		}
		statuses = append(statuses, n)
	}
	r, err := sim.Sequence(size, statuses...)
	if err != nil {
		return sim.Remote{}, fmt.Errorf("attempts=%s: %w", v, err)
	}
	return r, nil
}

// checkRemoteOpts rejects remote options that script the same attempts
// twice.
func checkRemoteOpts(opts map[string]string) error {
	v, ok := opts["attempts"]
	if !ok {
		return nil
	}
	for _, k := range []string{"status", "transient"} {
		if _, clash := opts[k]; clash {
			return fmt.Errorf("attempts and %s both script the attempts", k)
		}
	}
	_, err := sequenceOf(0, v)
	return err
}
