// Package simtest is the simulated BITS service bound to a test: one line
// of set-up, waiting that works on both clocks, assertions written in the
// scenario language, and a picture of the notifications when a test fails.
// It holds no simulation logic: everything happens in package sim.
//
//	func TestUpdate(t *testing.T) {
//		svc := simtest.New(t)                        // closed at the end of the test
//		app := svc.App("updater", "alice")
//		job := svc.Job(app, "job1", "https://updates.example/app.msi")
//		// ... the code under test registers its callback and resumes job ...
//		svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
//		svc.Expect("job1 JobTransferred -> updater x1")
//	}
//
// # Set-up
//
// New starts a service (the automatic clock unless Manual is given),
// closes it when the test ends and fails the test if Close fails. When the
// test has failed by then, the trace is written as text and as an SVG
// sequence diagram to $BITSSIM_ARTIFACTS (or the system's temporary
// directory) and the paths are logged. App, Admin, Class, Remote, Sequence
// and Job do the set-up and fail the test instead of returning errors.
//
// # Time and waiting
//
// Settle waits until no work is due now and no callback is running;
// Advance moves virtual time (on the automatic clock too, like miniredis's
// FastForward) and then settles; AwaitState waits until a job is in a state
// and the callback that caused the state has returned; AwaitEvent waits
// for a notification. Waits never move virtual time further than the wall
// clock does, so a retry 10 minutes away needs Advance on both clocks.
// On the manual clock a wait does the work due now on the test's goroutine
// and fails at once if what it waits for has not happened, because nothing
// more can happen until Advance; on the automatic clock it waits until the
// wait limit (WithTimeout, 10 s by default) and then fails.
//
// On the automatic clock the service's own work (scheduling, transfers,
// retries, timeouts) happens in order of virtual time on one goroutine;
// deliveries run on goroutines of their own, at most four at a time per
// user, and the notifications of one job are delivered in order, one at a
// time. Nothing orders the deliveries of different jobs.
//
// # Assertions
//
// Expect checks expectations written as after "expect" in a scenario
// (see package scenario), with jobs named by Job or NameJob, apps named as
// they were started, and classes named by Class:
//
//	svc.Expect("job1 JobTransferred -> updater x1", "job1 no JobError", "job1 state ACKNOWLEDGED")
//
// Mark and ExpectSince say "nothing new since here" without counting what
// came before. For people who prefer code, Events and AwaitEvent take
// typed matchers (Kind, ForJob, To, Delivered, Failed).
//
// # Pictures
//
// WriteTrace renders the trace as text with virtual times, JSON, Mermaid
// or SVG with the renderer of the bitssim command line.
//
// # What the documentation leaves open
//
// Some rules of BITS have more than one plausible reading (rules.Uncertain).
// ForEachVariant runs a test once per reading of every such rule and under
// rapid-drawn combinations of them; pass its selection to New with
// Variants. Code that passes under all of them works on whichever reading
// Windows implements.
package simtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// Service is a simulated BITS service bound to a test. It embeds the
// *sim.Service, so every method of the simulator is there too; Advance is
// replaced by one that fails the test instead of returning an error and
// settles afterwards.
type Service struct {
	*sim.Service
	t       TB
	cfg     config
	checker *scenario.Checker
}

// config is what the options set.
type config struct {
	opts      sim.Options
	timeout   time.Duration
	artifacts string
}

// TB is the part of testing.TB that simtest uses; *testing.T, *testing.B
// and *testing.F satisfy it.
type TB interface {
	Helper()
	Name() string
	Cleanup(func())
	Context() context.Context
	Failed() bool
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

var _ TB = testing.TB(nil)

// Option configures New.
type Option func(*config)

// Manual selects the manual clock: nothing happens until the test waits,
// settles or advances, and then everything happens on the test's goroutine
// in one deterministic order.
func Manual() Option { return func(c *config) { c.opts.Clock = sim.Manual } }

// Clock selects the clock mode.
func Clock(mode sim.ClockMode) Option { return func(c *config) { c.opts.Clock = mode } }

// WithOptions sets every option of the simulator (the clock included);
// options after it change single fields.
func WithOptions(o sim.Options) Option { return func(c *config) { c.opts = o } }

// WithTimeout sets how long, in real time, a wait may take on the
// automatic clock before the test fails (default 10 s).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithArtifacts sets the directory the trace of a failed test is written
// to (default $BITSSIM_ARTIFACTS, or the system's temporary directory).
func WithArtifacts(dir string) Option { return func(c *config) { c.artifacts = dir } }

// New starts a simulated BITS service for the test and closes it when the
// test ends. It fails the test at once if the service cannot start.
func New(t TB, opts ...Option) *Service {
	t.Helper()
	cfg := config{timeout: 10 * time.Second, artifacts: os.Getenv("BITSSIM_ARTIFACTS")}
	cfg.opts.Seed = 1
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := sim.New(cfg.opts)
	if err != nil {
		t.Fatalf("simtest: %v", err)
	}
	s := &Service{Service: svc, t: t, cfg: cfg, checker: scenario.NewChecker(svc)}
	t.Cleanup(func() {
		if t.Failed() {
			s.dumpTrace()
		}
		if err := svc.Close(); err != nil {
			t.Errorf("simtest: Close: %v", err)
		}
	})
	return s
}

// T returns the test the service is bound to.
func (s *Service) T() TB { return s.t }

// dumpTrace writes the trace as text and SVG next to each other and logs
// where.
func (s *Service) dumpTrace() {
	dir := s.cfg.artifacts
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "bitssim-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.t.Logf("simtest: cannot write the trace: %v", err)
		return
	}
	base := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_", "\\", "_", ":", "_").Replace(s.t.Name()))
	var written []string
	for _, format := range []string{"txt", "svg"} {
		path := base + "." + format
		f, err := os.Create(path)
		if err == nil {
			err = s.WriteTrace(f, format)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			s.t.Logf("simtest: cannot write the trace: %v", err)
			continue
		}
		written = append(written, path)
	}
	if len(written) > 0 {
		s.t.Logf("simtest: the notification trace (%d events, %v of virtual time) is in %s",
			len(s.Trace()), s.Elapsed(), strings.Join(written, " and "))
	}
}

// WriteTrace writes the whole trace in a format: "text" (or "txt"; one
// line per notification, with virtual times from the start), "json",
// "mermaid" or "svg" (a sequence diagram), as `bitssim run --format` does.
func (s *Service) WriteTrace(w io.Writer, format string) error {
	return s.WriteTraceSince(w, format, 0)
}

// WriteTraceSince writes the events after the mark, as WriteTrace does.
func (s *Service) WriteTraceSince(w io.Writer, format string, m Mark) error {
	res := s.checker.Result(uint64(m))
	switch format {
	case "text", "txt":
		return res.WriteText(w)
	case "json":
		return res.WriteJSON(w)
	case "mermaid":
		return res.WriteMermaid(w)
	case "svg":
		return res.WriteSVG(w)
	}
	return fmt.Errorf("simtest: unknown trace format %q (want text, json, mermaid or svg)", format)
}

// ctx is the context of a wait: the test's, with the wait limit.
func (s *Service) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.t.Context(), s.cfg.timeout)
}

// fail stops the test with a message and the trace so far.
func (s *Service) fail(format string, args ...any) {
	s.t.Helper()
	var b strings.Builder
	_ = s.WriteTrace(&b, "text")
	s.t.Fatalf("simtest: "+format+"\nthe trace at %v:\n%s", append(args, s.Elapsed(), b.String())...)
}

// App starts an application named name connected as the ordinary user
// user, and fails the test if it cannot.
func (s *Service) App(name, user string) *sim.App {
	s.t.Helper()
	return s.startApp(name, model.Account{Name: user, Kind: model.AccountUser})
}

// Admin starts an application connected as user, an administrator.
func (s *Service) Admin(name, user string) *sim.App {
	s.t.Helper()
	return s.startApp(name, model.Account{Name: user, Kind: model.AccountAdministrator})
}

func (s *Service) startApp(name string, user model.Account) *sim.App {
	s.t.Helper()
	a, err := s.StartApp(name, user)
	if err != nil {
		s.t.Fatalf("simtest: %v", err)
	}
	return a
}

// ClassID returns the CLSID Class gives the class name: a name-based
// (SHA-1) UUID, the same in every run.
func ClassID(name string) model.GUID {
	return model.GUID(uuid.NewSHA1(uuid.NameSpaceURL, []byte("bitssim:class:"+name)))
}

// Class registers a COM class for notification CLSIDs under the name
// (its CLSID is ClassID(name)), names it for expectations ("job1
// JobTransferred -> Notifier#1") and returns the CLSID. BITS calls factory
// in the server process it starts for each instance.
func (s *Service) Class(name string, factory sim.ClassFactory) model.GUID {
	s.t.Helper()
	clsid := ClassID(name)
	if err := s.RegisterClass(clsid, factory); err != nil {
		s.t.Fatalf("simtest: Class(%q): %v", name, err)
	}
	s.checker.NameClass(name, clsid)
	return clsid
}

// Remote scripts a remote URL (see sim.Remote) and fails the test on a
// bad script.
func (s *Service) Remote(url string, r sim.Remote) {
	s.t.Helper()
	if err := s.SetRemote(url, r); err != nil {
		s.t.Fatalf("simtest: %v", err)
	}
}

// Sequence scripts a remote URL of size bytes attempt by attempt with
// HTTP statuses (see sim.Sequence): Sequence(url, 4096, 503, 503, 404)
// fails transiently twice, then fatally, and then transfers.
func (s *Service) Sequence(url string, size uint64, statuses ...int) {
	s.t.Helper()
	r, err := sim.Sequence(size, statuses...)
	if err != nil {
		s.t.Fatalf("simtest: %v", err)
	}
	s.Remote(url, r)
}

// Job creates a download job through mgr with the display name name, adds
// a file per URL (saved as C:\Downloads\ and the URL's last element), names
// the job for expectations, and returns it SUSPENDED. It fails the test if
// BITS refuses.
func (s *Service) Job(mgr model.Manager, name string, urls ...string) model.Job {
	s.t.Helper()
	job, err := mgr.CreateJob(name, model.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		s.t.Fatalf("simtest: Job(%q): %v", name, err)
	}
	for _, u := range urls {
		local := `C:\Downloads\` + u[strings.LastIndexAny(u, `/\`)+1:]
		if err := job.AddFile(u, local); err != nil {
			s.t.Fatalf("simtest: Job(%q): %v", name, err)
		}
	}
	s.NameJob(name, job)
	return job
}

// NameJob names a job the code under test created, for expectations and
// the rendered trace.
func (s *Service) NameJob(name string, job model.Job) {
	s.checker.NameJob(name, job)
}

// Settle waits until no work is due at the current virtual time and no
// callback is running (sim.Service.WaitIdle), and fails the test if that
// takes longer than the wait limit.
func (s *Service) Settle() {
	s.t.Helper()
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		s.fail("Settle: %v", err)
	}
}

// Advance moves virtual time forward by d on either clock, doing the work
// that falls due on the way, then settles. It fails the test on an error.
func (s *Service) Advance(d time.Duration) {
	s.t.Helper()
	if err := s.Service.Advance(d); err != nil {
		s.fail("Advance(%v): %v", d, err)
	}
	s.Settle()
}

// AwaitState waits until the job is in one of the states and the
// callback that caused the state has returned, and returns the state. It
// fails the test when the wait ends otherwise (see the package
// documentation for the two clocks).
func (s *Service) AwaitState(job model.Job, states ...model.JobState) model.JobState {
	s.t.Helper()
	ctx, cancel := s.ctx()
	defer cancel()
	st, err := s.WaitState(ctx, job, states...)
	if err != nil {
		s.fail("AwaitState: %v", err)
	}
	return st
}

// Mark is a point in the trace: the events after it are new.
type Mark uint64

// Mark returns a mark at the last event so far.
func (s *Service) Mark() Mark { return Mark(s.LastSeq()) }

// Expect checks expectations written as after "expect" in a scenario, on
// the whole trace, and reports each failure with what was expected and
// seen (the test goes on). It returns whether all held. A malformed
// expectation fails the test at once.
func (s *Service) Expect(expectations ...string) bool {
	s.t.Helper()
	return s.ExpectSince(0, expectations...)
}

// ExpectSince is Expect with notification counts covering only the events
// after the mark: "job1 no JobTransferred" says nothing new was delivered.
func (s *Service) ExpectSince(m Mark, expectations ...string) bool {
	s.t.Helper()
	ok := true
	for _, e := range expectations {
		c, err := s.checker.CheckSince(uint64(m), e)
		var se *scenario.SyntaxError
		switch {
		case errors.As(err, &se):
			s.t.Fatalf("simtest: expectation %q: %s; %s", e, se.Msg, se.Hint)
		case err != nil:
			s.t.Fatalf("simtest: expectation %q: %v", e, err)
		case !c.OK:
			ok = false
			s.t.Errorf("simtest: %s\n    expected %s\n    seen     %s", c.Text, c.Want, c.Got)
		}
	}
	return ok
}
