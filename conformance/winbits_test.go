//go:build windows && realbits

package conformance_test

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/harness/winbits"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// The test binary doubles as the backend's recorded command line and as
// the server of the classes it registers, whose arguments must be taken
// before the testing package parses the command line, and as its helper
// application, which must run after initialization (see
// winbits.MaybeRunHelper): the backend starts helpers, and class servers
// continue, with -test.run selecting TestWinBITSHelper.
func init() {
	winbits.HelperArgs = []string{"-test.run=^TestWinBITSHelper$"}
	winbits.MaybeRunNotify()
}

// TestWinBITSHelper is the helper application when the backend starts
// this binary as one; otherwise it does nothing.
func TestWinBITSHelper(t *testing.T) { winbits.MaybeRunHelper() }

// TestWinBITS runs the suite against the real BITS service: Windows's, or
// Wine's when the binary runs under Wine. The known divergences come from
// harness/winbits/testdata/wine-divergences.txt under Wine and
// windows-divergences.txt (if present) on Windows, or from the file named
// by BITSSIM_DIVERGENCES. A run that cannot reach BITS fails under Wine or
// with BITSSIM_REQUIRE_BITS=1, and is skipped otherwise.
//
// The report goes to BITSSIM_REPORT_DIR or a new temporary directory:
// report.txt, .json, .xml (JUnit) and .md; traces/<RULE>.json, what each
// scenario observed (winbits.Recording); observed-divergences.txt, the
// divergence list this run observed, ready to commit; variants.txt, the
// readings of each open rule the service matched; and
// timing-dependent.txt, the rules skipped because they need a longer real
// wait than BITSSIM_MAX_ADVANCE allows.
//
// BITSSIM_OBSERVE=1 is observation mode, for a first run against a new
// backend: the suite runs without failing the test on divergences, listed
// or not, and the files above are the evidence to commit.
//
// The state machine runs on Windows (set BITSSIM_MACHINE=0 to skip it)
// with -rapid.checks=5 unless told otherwise; under Wine it is off (Wine's
// Suspend alone breaks every sequence that uses it) unless
// BITSSIM_MACHINE=1.
func TestWinBITS(t *testing.T) {
	wineVersion, wine := winbits.WineVersion()
	if _, err := winbits.Connect(); err != nil {
		if wine || os.Getenv("BITSSIM_REQUIRE_BITS") == "1" {
			t.Fatalf("cannot reach BITS: %v", err)
		}
		t.Skipf("cannot reach BITS (set BITSSIM_REQUIRE_BITS=1 to fail instead): %v", err)
	}
	listFile := os.Getenv("BITSSIM_DIVERGENCES")
	if listFile == "" {
		name := "windows-divergences.txt"
		if wine {
			name = "wine-divergences.txt"
		}
		listFile = filepath.Join("..", "harness", "winbits", "testdata", name)
	}
	divergences, err := winbits.ReadDivergences(listFile)
	switch {
	case err == nil:
	case os.IsNotExist(err) && !wine:
		divergences = map[string]string{}
	default:
		t.Fatalf("divergence list: %v", err)
	}
	reportDir := os.Getenv("BITSSIM_REPORT_DIR")
	if reportDir == "" {
		if reportDir, err = os.MkdirTemp("", "bitssim-report-"); err != nil {
			t.Fatal(err)
		}
	}
	observe := os.Getenv("BITSSIM_OBSERVE") == "1"
	service := "Windows"
	if wine {
		service = "Wine " + wineVersion
		t.Logf("running under Wine %s", wineVersion)
	}
	if n := os.Getenv("BITSSIM_BACKEND_NAME"); n != "" {
		service = n
	}
	t.Logf("divergence list %s (%d rules); report in %s; observation mode: %v", listFile, len(divergences), reportDir, observe)

	rec := &recorder{dir: filepath.Join(reportDir, "traces"), service: service}
	opts := []conformance.Option{
		conformance.WithDivergences(divergences),
		conformance.WithReportDir(reportDir),
		conformance.WithProgress(func(r conformance.RuleResult) {
			fmt.Printf("bitssim: %-40s %-10s %v\n", r.Rule, r.Outcome, r.Duration.Round(1e6))
			if err := rec.save(r); err != nil {
				t.Errorf("trace of %s: %v", r.Rule, err)
			}
		}),
	}
	machine := os.Getenv("BITSSIM_MACHINE")
	if machine == "0" || (wine && machine != "1") {
		opts = append(opts, conformance.WithoutStateMachine())
	} else if !flagSet("rapid.checks") && os.Getenv("RAPID_CHECKS") == "" {
		if f := flag.Lookup("rapid.checks"); f != nil {
			_ = f.Value.Set("5")
		}
	}
	if only := os.Getenv("BITSSIM_RULES"); only != "" {
		opts = append(opts, conformance.WithRules(strings.Split(only, ",")...))
	}

	// BITSSIM_BACKEND_NAME and BITSSIM_LOCAL_FILES=0|1 describe a BITS
	// that is neither Windows's nor Wine's (scripts/wine-com-server.sh runs
	// the suite against bitssim's COM server under a Wine takeover: it
	// needs http:// sources, as Windows does).
	wopts := winbits.Options{Name: os.Getenv("BITSSIM_BACKEND_NAME")}
	if v := os.Getenv("BITSSIM_LOCAL_FILES"); v == "0" || v == "1" {
		local := v == "1"
		wopts.LocalFiles = &local
	}
	factory := rec.factory(winbits.Factory(wopts))
	var rep *conformance.Report
	if observe {
		rep = conformance.Check(t, factory, opts...)
	} else {
		rep = conformance.Run(t, factory, opts...)
	}
	t.Log(rep.Summary())
	if err := writeEvidence(reportDir, rep, divergences); err != nil {
		t.Errorf("report: %v", err)
	}
	if observe {
		t.Logf("observation mode: %d rules broke the rules as written; see %s",
			rep.Counts()[conformance.Fail]+rep.Counts()[conformance.Diverged], filepath.Join(reportDir, "observed-divergences.txt"))
	}
}

// recorder keeps the trace of the backend each rule's scenario used and
// writes it, with the rule's outcome, as traces/<RULE>.json. Rules run one
// at a time: the last backend closed is the rule's.
type recorder struct {
	dir     string
	service string

	mu      sync.Mutex
	last    []model.Event
	version model.Version
	name    string
}

// factory wraps f so that each backend's trace is kept when it closes.
func (r *recorder) factory(f harness.Factory) harness.Factory {
	return func(t harness.TB) harness.Backend {
		b := f(t)
		if b == nil {
			return nil
		}
		r.mu.Lock()
		r.last, r.name, r.version = nil, b.Name(), b.Capabilities().Version
		r.mu.Unlock()
		return &tracedBackend{Backend: b, r: r}
	}
}

// save writes the kept trace with the rule's result, and forgets it.
func (r *recorder) save(res conformance.RuleResult) error {
	r.mu.Lock()
	events, name, version := r.last, r.name, r.version
	r.last = nil
	r.mu.Unlock()
	if res.Backend == "" { // no backend was made: nothing was observed
		return nil
	}
	return winbits.WriteRecording(r.dir, winbits.Recording{Backend: name, Service: r.service, Version: version,
		Rule: res.Rule, Outcome: string(res.Outcome), Detail: oneLine(res.Detail), Matched: res.Matched, Events: events})
}

// tracedBackend hands its trace to the recorder when it is closed.
type tracedBackend struct {
	harness.Backend
	r    *recorder
	once sync.Once
}

func (b *tracedBackend) Close() error {
	b.once.Do(func() {
		tr := b.Backend.Trace()
		b.r.mu.Lock()
		b.r.last = tr
		b.r.mu.Unlock()
	})
	return b.Backend.Close()
}

// writeEvidence writes report.xml, report.md, observed-divergences.txt and
// timing-dependent.txt into dir.
func writeEvidence(dir string, rep *conformance.Report, listed map[string]string) error {
	files := map[string]func(io.Writer) error{
		"report.xml": rep.WriteJUnit,
		"report.md":  rep.WriteMarkdown,
		"observed-divergences.txt": func(w io.Writer) error {
			_, err := io.WriteString(w, observedList(rep, listed))
			return err
		},
		"timing-dependent.txt": func(w io.Writer) error {
			_, err := io.WriteString(w, timingDependent(rep))
			return err
		},
		"variants.txt": func(w io.Writer) error {
			_, err := io.WriteString(w, variantsMatched(rep))
			return err
		},
	}
	for name, write := range files {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		werr := write(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("%s: %w", name, werr)
		}
	}
	return nil
}

// observedList is the divergence list this run observed, in the list's
// format and ready to commit: every rule the backend broke, with the
// listed description for rules already listed and what was observed for
// new ones.
func observedList(rep *conformance.Report, listed map[string]string) string {
	var lines []string
	for _, r := range rep.Results {
		if r.Outcome != conformance.Diverged && r.Outcome != conformance.Fail {
			continue
		}
		if strings.HasPrefix(r.Detail, "listed as a divergence") {
			continue // a listed rule the backend now keeps: off the list
		}
		what := listed[r.Rule]
		if what == "" {
			what = oneLine(r.Detail)
		}
		lines = append(lines, r.Rule+"\t"+what)
	}
	sort.Strings(lines)
	head := fmt.Sprintf("# Rules %s breaks, as observed by TestWinBITS on %s: RULE-ID<TAB>what the backend does.\n",
		rep.Backend, time.Now().UTC().Format("2006-01-02"))
	return head + strings.Join(lines, "\n") + "\n"
}

// variantsMatched lists, for every open rule the run reached, the readings
// (rules.Variant names) whose expectations the backend met: "RULE<TAB>a, b",
// "RULE<TAB>none" when it met none, or "RULE<TAB>skipped: why".
func variantsMatched(rep *conformance.Report) string {
	lines := []string{fmt.Sprintf("# The readings of the open rules %s matched, as observed by TestWinBITS on %s: RULE-ID<TAB>readings.",
		rep.Backend, time.Now().UTC().Format("2006-01-02"))}
	for _, r := range rep.Results {
		rule, ok := rules.Lookup(r.Rule)
		if !ok || !rule.IsOpen() {
			continue
		}
		switch {
		case r.Outcome == conformance.Skip || r.Outcome == conformance.Untestable || r.Outcome == conformance.ByMachine:
			lines = append(lines, r.Rule+"\t"+string(r.Outcome)+": "+oneLine(r.Detail))
		case len(r.Matched) > 0:
			lines = append(lines, r.Rule+"\t"+strings.Join(r.Matched, ", "))
		case r.Variant != "":
			lines = append(lines, r.Rule+"\t"+r.Variant+" (declared by the backend)")
		default:
			lines = append(lines, r.Rule+"\tnone of "+strings.Join(rule.VariantNames(), ", "))
		}
	}
	sort.Strings(lines[1:])
	return strings.Join(lines, "\n") + "\n"
}

// timingDependent lists the rules skipped because their scenario needs a
// longer real wait than the backend makes.
func timingDependent(rep *conformance.Report) string {
	var lines []string
	for _, r := range rep.Results {
		if r.Outcome == conformance.Skip && strings.HasPrefix(r.Detail, conformance.TimingDependent) {
			lines = append(lines, r.Rule+"\t"+strings.TrimSpace(strings.TrimPrefix(r.Detail, conformance.TimingDependent)))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// oneLine joins the lines of s and drops testify's "Error Trace:" preambles.
func oneLine(s string) string {
	return strings.TrimSpace(errorTrace.ReplaceAllString(strings.Join(strings.Fields(s), " "), ""))
}

// errorTrace matches testify's "Error Trace: file:line ..." preamble.
var errorTrace = regexp.MustCompile(`Error Trace: (\S+:\d+ )+`)

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
