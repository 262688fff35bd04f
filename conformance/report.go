package conformance

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/bitssim/bitssim/rules"
)

// Outcome is how a rule fared.
type Outcome string

// The outcomes of a rule.
const (
	// Pass: the backend keeps the rule.
	Pass Outcome = "pass"
	// Fail: the backend breaks the rule (or a listed divergence no longer happens).
	Fail Outcome = "fail"
	// Skip: the backend lacks a capability the scenario needs.
	Skip Outcome = "skip"
	// Diverged: the backend breaks the rule, as its divergence list says.
	Diverged Outcome = "diverged"
	// ByMachine: the rule has no scenario of its own; the state machine checks it.
	ByMachine Outcome = "machine"
	// Untestable: no backend-neutral test can observe the rule.
	Untestable Outcome = "untestable"
)

// RuleResult is the outcome of one rule.
type RuleResult struct {
	Rule     string        `json:"rule"`
	Family   string        `json:"family,omitempty"`
	Status   string        `json:"status,omitempty"`
	Backend  string        `json:"backend,omitempty"`
	Outcome  Outcome       `json:"outcome"`
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"durationNs,omitempty"`
	// Variant is the reading of the rule the scenario expected, for an
	// open rule on a backend that declares its readings (the simulator).
	Variant string `json:"variant,omitempty"`
	// Matched lists, for an open rule on a backend that does not declare
	// its readings (a real BITS), every reading whose expectations the
	// backend met: the answer to the rule's open question. Empty when it
	// met none.
	Matched []string `json:"matched,omitempty"`
}

// Describe is the result's detail with the reading it was checked under:
// "reading: x" (the simulator), "matched readings: x, y" or "matched no
// reading" (a backend that does not declare its readings).
func (res RuleResult) Describe() string {
	var parts []string
	switch {
	case res.Variant != "":
		parts = append(parts, "reading: "+res.Variant)
	case len(res.Matched) > 0:
		parts = append(parts, "matched readings: "+strings.Join(res.Matched, ", "))
	}
	if res.Detail != "" {
		parts = append(parts, res.Detail)
	}
	return strings.Join(parts, "; ")
}

// Reading is the answer a run gives to one open question: the readings of
// the rule whose expectations the backend met.
type Reading struct {
	Rule    string   `json:"rule"`
	Default string   `json:"default"`
	Matched []string `json:"matched"`
}

// Readings returns, for each open rule whose scenario ran on a backend that
// does not declare its readings, the readings it matched (none: it broke
// every one), in rulebook order. This is what a run against a real BITS
// answers.
func (r *Report) Readings() []Reading {
	var out []Reading
	for _, res := range r.sorted() {
		rule, ok := rules.Lookup(res.Rule)
		if !ok || !rule.IsOpen() || res.Variant != "" {
			continue
		}
		if res.Outcome != Pass && res.Outcome != Fail && res.Outcome != Diverged {
			continue
		}
		out = append(out, Reading{Rule: res.Rule, Default: rule.DefaultVariant(), Matched: append([]string{}, res.Matched...)})
	}
	return out
}

// WriteReadings writes one line per open question the run answered:
// "RULE-ID  matched: a, b" (or "matched: none"), noting where the backend
// did not match the default.
func (r *Report) WriteReadings(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, rd := range r.Readings() {
		matched := strings.Join(rd.Matched, ", ")
		note := ""
		switch {
		case len(rd.Matched) == 0:
			matched, note = "none", "breaks every reading"
		case !slices.Contains(rd.Matched, rd.Default):
			note = "not the default (" + rd.Default + ")"
		}
		fmt.Fprintf(tw, "%s\tmatched: %s\t%s\n", rd.Rule, matched, note)
	}
	return tw.Flush()
}

// Report collects the outcomes of a run.
type Report struct {
	mu      sync.Mutex
	Backend string       `json:"backend"`
	Started time.Time    `json:"started"`
	Results []RuleResult `json:"results"`
	Machine *RuleResult  `json:"stateMachine,omitempty"`
}

func newReport() *Report { return &Report{Started: time.Now().UTC()} }

func (r *Report) add(res RuleResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Backend == "" && res.Backend != "" {
		r.Backend = res.Backend
	}
	r.Results = append(r.Results, res)
}

// Counts returns how many rules had each outcome.
func (r *Report) Counts() map[Outcome]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[Outcome]int{}
	for _, res := range r.Results {
		out[res.Outcome]++
	}
	return out
}

// Failed reports whether any rule (or the state machine) failed.
func (r *Report) Failed() bool {
	if r.Counts()[Fail] > 0 {
		return true
	}
	return r.Machine != nil && r.Machine.Outcome == Fail
}

// Summary is one line: "sim: 120 pass, 0 fail, 3 skip, 0 diverged, 20 machine, 14 untestable".
func (r *Report) Summary() string {
	c := r.Counts()
	s := fmt.Sprintf("%s: %d pass, %d fail, %d skip, %d diverged, %d machine, %d untestable",
		r.Backend, c[Pass], c[Fail], c[Skip], c[Diverged], c[ByMachine], c[Untestable])
	if r.Machine != nil {
		s += fmt.Sprintf("; state machine: %s", r.Machine.Outcome)
	}
	return s
}

// sorted returns the results in rulebook order.
func (r *Report) sorted() []RuleResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	order := map[string]int{}
	for i, rule := range rules.All() {
		order[rule.ID] = i
	}
	out := append([]RuleResult(nil), r.Results...)
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Rule] < order[out[j].Rule] })
	return out
}

// WriteText writes a table: rule, outcome, detail.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "RULE\tOUTCOME\tDETAIL\n")
	for _, res := range r.sorted() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", res.Rule, res.Outcome, res.Describe())
	}
	if r.Machine != nil {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", "STATE-MACHINE", r.Machine.Outcome, r.Machine.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

// WriteJSON writes the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	v := struct {
		Backend string          `json:"backend"`
		Started time.Time       `json:"started"`
		Counts  map[Outcome]int `json:"counts"`
		Results []RuleResult    `json:"results"`
		Machine *RuleResult     `json:"stateMachine,omitempty"`
	}{r.Backend, r.Started, r.Counts(), r.sorted(), r.Machine}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteFiles writes report.txt and report.json into dir.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	files := map[string]func(io.Writer) error{"report.txt": r.WriteText, "report.json": r.WriteJSON}
	if len(r.Readings()) > 0 {
		files["readings.txt"] = r.WriteReadings
	}
	for name, write := range files {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		werr := write(f)
		cerr := f.Close()
		if werr != nil || cerr != nil {
			return fmt.Errorf("write report %s: %v %v", path, werr, cerr)
		}
	}
	return nil
}

// junit types: the subset of the JUnit XML format CI systems read.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitMessage `xml:"failure,omitempty"`
	Skipped *junitMessage `xml:"skipped,omitempty"`
	Output  string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: a test case per rule (and one
// for the state machine); diverged, machine-checked and untestable rules
// are passing cases with their detail in system-out.
func (r *Report) WriteJUnit(w io.Writer) error {
	suite := junitSuite{Name: "bitssim conformance (" + r.Backend + ")"}
	var total time.Duration
	results := r.sorted()
	if r.Machine != nil {
		results = append(results, *r.Machine)
	}
	for _, res := range results {
		fam := res.Family
		if fam == "" {
			fam = "MACHINE"
		}
		c := junitCase{Class: "conformance." + fam, Name: res.Rule, Time: fmt.Sprintf("%.3f", res.Duration.Seconds())}
		total += res.Duration
		switch res.Outcome {
		case Fail:
			suite.Failures++
			c.Failure = &junitMessage{Message: "the backend breaks " + res.Rule, Body: res.Detail}
		case Skip:
			suite.Skipped++
			c.Skipped = &junitMessage{Message: res.Detail}
		default:
			if d := res.Describe(); d != "" {
				c.Output = string(res.Outcome) + ": " + d
			}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	suite.Time = fmt.Sprintf("%.3f", total.Seconds())
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{suite}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteMarkdown writes the report as a Markdown table with a summary line.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Conformance: %s\n\n%s\n\n| Rule | Outcome | Detail |\n|---|---|---|\n", r.Backend, r.Summary())
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
	}
	results := r.sorted()
	if r.Machine != nil {
		results = append(results, *r.Machine)
	}
	for _, res := range results {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", res.Rule, res.Outcome, cell(res.Describe()))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
