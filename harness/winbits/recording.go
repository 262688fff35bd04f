package winbits

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// This file builds on every OS: recordings made against a real backend on
// Windows or under Wine are replayed and checked everywhere.

// Recording is what one scenario observed on a real backend: the rule, its
// outcome and detail in the conformance report, and the notification trace
// (every callback call and command line, in order). A run of the suite
// against a real backend writes one per rule to <report dir>/traces/; the
// ones committed under testdata/recorded/<backend>/ are checked on every
// CI run (CheckRecording).
type Recording struct {
	// Backend is "wine" or "windows".
	Backend string `json:"backend"`
	// Service describes the service: the Wine version, or the BITS version.
	Service string `json:"service,omitempty"`
	// Version is the BITS version the backend behaved as.
	Version model.Version `json:"version"`
	// Rule is the rule ID of the scenario.
	Rule string `json:"rule"`
	// Outcome is the conformance outcome: pass, fail, skip or diverged.
	Outcome string `json:"outcome"`
	// Detail is the report's detail for the rule.
	Detail string `json:"detail,omitempty"`
	// Matched lists, for an open rule, the readings (rules.Variant names)
	// whose expectations the backend met.
	Matched []string `json:"matched,omitempty"`
	// Events is the scenario's notification trace.
	Events []model.Event `json:"events"`
}

// WriteRecording writes r as dir/<rule>.json.
func WriteRecording(dir string, r Recording) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write recording: %w", err)
	}
	if r.Events == nil {
		r.Events = []model.Event{}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write recording %s: %w", r.Rule, err)
	}
	path := filepath.Join(dir, r.Rule+".json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write recording: %w", err)
	}
	return nil
}

// ReadRecordings reads every *.json recording in dir, sorted by rule.
func ReadRecordings(dir string) ([]Recording, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("read recordings: %w", err)
	}
	sort.Strings(paths)
	out := make([]Recording, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read recordings: %w", err)
		}
		var r Recording
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("read recording %s: %w", p, err)
		}
		if want := strings.TrimSuffix(filepath.Base(p), ".json"); r.Rule != want {
			return nil, fmt.Errorf("read recording %s: it records rule %q", p, r.Rule)
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadDivergences reads a divergence list: "RULE-ID<TAB>what the backend
// does" lines; blank lines and lines starting with # are skipped.
func ReadDivergences(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, what, ok := strings.Cut(line, "\t")
		id, what = strings.TrimSpace(id), strings.TrimSpace(what)
		if !ok || id == "" || what == "" {
			return nil, fmt.Errorf("%s:%d: want RULE-ID<TAB>what the backend does, got %q", path, n, line)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", path, n, id)
		}
		out[id] = what
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// traceRule is a rule of the rulebook that a notification trace alone can
// show broken, whatever the scenario did.
type traceRule struct {
	id    string
	check func(r Recording) []string
}

// traceRules are checked on every recording whose backend keeps the rule
// (it is not in the backend's divergence list). Each check is the rule's
// statement, read as a property of a trace.
var traceRules = []traceRule{
	{"DELIV-FILE-BEFORE-JOB", func(r Recording) []string {
		// "BITS delivers all FileTransferred calls of a job before that
		// job's JobTransferred or JobError call."
		var out []string
		ended := map[model.GUID]uint64{}
		for _, e := range r.Events {
			switch e.Kind {
			case model.EventJobTransferred, model.EventJobError:
				if _, ok := ended[e.Job]; !ok {
					ended[e.Job] = e.Seq
				}
			case model.EventFileTransferred:
				if seq, ok := ended[e.Job]; ok {
					out = append(out, fmt.Sprintf("FileTransferred #%d after JobTransferred/JobError #%d of job %v", e.Seq, seq, e.Job))
				}
			}
		}
		return out
	}},
	{"DELIV-FILE-SERIALIZED", func(r Recording) []string {
		// "Within one job BITS does not call FileTransferred for the next
		// file until the call for the current file has returned a success
		// HRESULT."
		var out []string
		pending := map[model.GUID]model.Event{} // the failed call whose file must come again
		for _, e := range r.Events {
			if e.Kind != model.EventFileTransferred {
				continue
			}
			if p, ok := pending[e.Job]; ok && e.File != p.File {
				out = append(out, fmt.Sprintf("FileTransferred #%d for %s while #%d for %s had failed (%v)", e.Seq, e.File, p.Seq, p.File, p.Result))
			}
			if e.Delivered() {
				delete(pending, e.Job)
			} else {
				pending[e.Job] = e
			}
		}
		return out
	}},
	{"DELIV-RANGES-ON-DEMAND", func(r Recording) []string {
		// "BITS calls FileRangesTransferred only on BITS 10.1 and later ..."
		var out []string
		for _, e := range r.Events {
			if e.Kind == model.EventFileRangesTransferred && r.Version < model.BITS10_1 {
				out = append(out, fmt.Sprintf("FileRangesTransferred #%d on BITS %v", e.Seq, r.Version))
			}
		}
		return out
	}},
}

// TraceRules lists the IDs of the rules CheckRecording checks on every
// trace.
func TraceRules() []string {
	out := make([]string, len(traceRules))
	for i, tr := range traceRules {
		out[i] = tr.id
	}
	return out
}

// CheckRecording checks a recording against the rulebook and the backend's
// divergence list, and returns what does not hold:
//   - the rule is in the catalogue;
//   - the outcome agrees with the list: "diverged" only for listed rules,
//     "pass" only for unlisted ones, never "fail";
//   - the readings it matched are readings of the open rule;
//   - the trace is whole: events numbered 1, 2, 3... in time order;
//   - the trace keeps every rule of TraceRules the backend is not listed
//     as breaking.
func CheckRecording(r Recording, divergences map[string]string) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	rule, ok := rules.Lookup(r.Rule)
	if !ok {
		add("%s is not in the rulebook", r.Rule)
	}
	for _, name := range r.Matched {
		if ok && !hasVariant(rule, name) {
			add("%s matched the reading %q, which the rule no longer has (readings: %s)", r.Rule, name, strings.Join(rule.VariantNames(), ", "))
		}
	}
	_, listed := divergences[r.Rule]
	switch r.Outcome {
	case "pass":
		if listed {
			add("%s passed on %s but is listed as a divergence", r.Rule, r.Backend)
		}
	case "diverged":
		if !listed {
			add("%s diverged on %s but is not in the divergence list", r.Rule, r.Backend)
		}
	case "skip", "machine", "untestable":
	case "fail":
		add("%s failed on %s: %s", r.Rule, r.Backend, r.Detail)
	default:
		add("%s: unknown outcome %q", r.Rule, r.Outcome)
	}
	for i, e := range r.Events {
		if e.Seq != uint64(i+1) {
			add("%s: event %d is numbered #%d", r.Rule, i+1, e.Seq)
		}
		if i > 0 && e.Time.Before(r.Events[i-1].Time) {
			add("%s: event #%d is earlier than #%d", r.Rule, e.Seq, r.Events[i-1].Seq)
		}
	}
	for _, tr := range traceRules {
		if _, broken := divergences[tr.id]; broken {
			continue
		}
		for _, v := range tr.check(r) {
			add("%s: trace breaks %s: %s", r.Rule, tr.id, v)
		}
	}
	return out
}

func hasVariant(r rules.Rule, name string) bool {
	for _, n := range r.VariantNames() {
		if n == name {
			return true
		}
	}
	return false
}
