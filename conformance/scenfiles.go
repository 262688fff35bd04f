package conformance

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/scenario"
)

// scenarioFS holds the per-rule scenario files:
// scenarios/<FAMILY>/<RULE-ID>.bits, or <RULE-ID>.<variant>.bits, one per
// reading, for an open rule whose readings the file can tell apart (an
// open rule's single <RULE-ID>.bits holds under each of its readings), or
// for a rule whose expectations depend on another open rule's reading
// (the name then gives that reading, and the file's variant statement the
// rule).
//
//go:embed scenarios
var scenarioFS embed.FS

// ScenarioDir is where the scenario files live, relative to the module's
// root.
const ScenarioDir = "conformance/scenarios"

// ScenarioFile is a rule's check written in the scenario language (see
// package scenario): the suite runs it on the backend under test, and
// `bitssim run` runs it on the simulator.
type ScenarioFile struct {
	// Rule is the ID of the rule the file checks.
	Rule string
	// Path is the file's path relative to the module's root:
	// conformance/scenarios/<FAMILY>/<RULE-ID>[.<variant>].bits.
	Path string
	// Variants are the readings of open rules the file's expectations are
	// written for (its variant statements); nil when they hold under every
	// reading.
	Variants rules.Selection
	// Version is the oldest BITS version the file is written for (its
	// version statement), or 0 when it runs on any.
	Version model.Version
	// Needs are the capabilities the file needs beyond what its script
	// says (scenario.Script.Needs): exact virtual time, declared by a
	// comment line "# needs: virtual-time" (the script's expectations hold
	// only when the clock moves exactly as it says), and the oldest BITS
	// version the rule speaks of, "# needs: bits-2.0", where no statement
	// of the file shows it (a statement's interface is its own need).
	Needs harness.Capabilities
	// Source is the file's text.
	Source []byte

	script *scenario.Script
}

// Command returns the command line that runs the file on the simulator,
// from the module's root.
func (f ScenarioFile) Command() string { return "go run ./cmd/bitssim run " + f.Path }

// matches reports whether the file is written for the readings sel: every
// reading it names is sel's (a rule sel leaves out has its default).
func (f ScenarioFile) matches(sel rules.Selection) bool {
	for id, name := range f.Variants {
		if !sel.Is(id, name) {
			return false
		}
	}
	return true
}

var (
	filesOnce sync.Once
	filesBy   map[string][]ScenarioFile
	filesErr  error
)

// scenarioFiles parses the embedded files once and indexes them by rule.
func scenarioFiles() (map[string][]ScenarioFile, error) {
	filesOnce.Do(func() { filesBy, filesErr = loadScenarioFiles(scenarioFS, "scenarios") })
	return filesBy, filesErr
}

// loadScenarioFiles reads every .bits file under root of fsys, checks its
// name against the rulebook and its variant statements, and returns the
// files by rule, each rule's in path order.
func loadScenarioFiles(fsys fs.FS, root string) (map[string][]ScenarioFile, error) {
	out := map[string][]ScenarioFile{}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".bits") {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		f, err := parseScenarioFile(path.Join(path.Dir(ScenarioDir), p), src)
		if err != nil {
			return err
		}
		out[f.Rule] = append(out[f.Rule], f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("conformance: scenario files: %w", err)
	}
	for id, fs := range out {
		if err := checkReadings(id, fs); err != nil {
			return nil, fmt.Errorf("conformance: scenario files: %w", err)
		}
	}
	return out, nil
}

// parseScenarioFile parses one file and checks that its name fits it:
// the rule exists, lives in the file's family directory, and a reading in
// the name is one of the file's variant statements.
func parseScenarioFile(p string, src []byte) (ScenarioFile, error) {
	base := strings.TrimSuffix(path.Base(p), ".bits")
	id, reading, _ := strings.Cut(base, ".")
	r, ok := rules.Lookup(id)
	if !ok {
		return ScenarioFile{}, fmt.Errorf("%s: no rule %s in the rulebook", p, id)
	}
	if fam := path.Base(path.Dir(p)); fam != string(r.Family) {
		return ScenarioFile{}, fmt.Errorf("%s: rule %s belongs in %s/, not %s/", p, id, r.Family, fam)
	}
	sc, err := scenario.Parse(p, src)
	if err != nil {
		return ScenarioFile{}, err
	}
	f := ScenarioFile{Rule: id, Path: p, Source: src, Version: sc.Needs().Version, Variants: sc.Variants(), script: sc}
	if err := f.readNeeds(); err != nil {
		return ScenarioFile{}, err
	}
	switch {
	case reading != "" && !f.namesReading(id, reading):
		return ScenarioFile{}, fmt.Errorf("%s: the name says reading %q, but the file has no 'variant %s %s' (nor of another rule)", p, reading, id, reading)
	case reading == "" && len(f.Variants) > 0:
		// A file of a settled rule may depend on another rule's reading;
		// then its name says which: RULE.<other-reading>.bits.
		return ScenarioFile{}, fmt.Errorf("%s: the file follows %v: name it %s.<variant>.bits", p, f.Variants, id)
	}
	return f, nil
}

// namesReading reports whether the file's variant statements select the
// reading of its own rule id, or else of another rule, the one the file's
// expectations depend on.
func (f ScenarioFile) namesReading(id, reading string) bool {
	if v, own := f.Variants[id]; own && v == reading {
		return true
	}
	for _, v := range f.Variants {
		if v == reading {
			return true
		}
	}
	return false
}

// readNeeds reads the file's "# needs: ..." comment lines.
func (f *ScenarioFile) readNeeds() error {
	for i, line := range strings.Split(string(f.Source), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# needs:")
		if !ok {
			continue
		}
		for _, w := range strings.Fields(rest) {
			switch w {
			case "virtual-time":
				f.Needs.VirtualTime = true
			default:
				// "bits-2.0": the rule itself speaks of this version and
				// later, which no statement of the file shows.
				if vs, ok := strings.CutPrefix(w, "bits-"); ok {
					v, err := model.ParseVersion(vs)
					if err != nil {
						return fmt.Errorf("%s:%d: need %q: %w", f.Path, i+1, w, err)
					}
					f.Needs.Version = max(f.Needs.Version, v)
					continue
				}
				return fmt.Errorf("%s:%d: unknown need %q (known: virtual-time, bits-X.Y)", f.Path, i+1, w)
			}
		}
	}
	return nil
}

// checkReadings checks that under every reading of every open rule that
// rules.EachVariant draws, exactly one of a rule's files is the most
// specific that applies.
func checkReadings(id string, files []ScenarioFile) error {
	for _, sel := range rules.EachVariant() {
		if _, err := pickFile(files, sel); err != nil {
			return fmt.Errorf("%s under %v: %w", id, sel, err)
		}
	}
	return nil
}

// pickFile returns the file written for the readings sel: of those whose
// variant statements agree with sel, the one that names the most readings.
func pickFile(files []ScenarioFile, sel rules.Selection) (ScenarioFile, error) {
	best, n, tie := -1, -1, false
	for i, f := range files {
		if !f.matches(sel) {
			continue
		}
		switch k := len(f.Variants); {
		case k > n:
			best, n, tie = i, k, false
		case k == n:
			tie = true
		}
	}
	switch {
	case best < 0:
		return ScenarioFile{}, fmt.Errorf("no scenario file is written for these readings")
	case tie:
		return ScenarioFile{}, fmt.Errorf("two scenario files are written for these readings")
	}
	return files[best], nil
}

// ScenarioFiles returns the scenario files that check the rule id, in
// path order: one, or one per reading of an open rule. It returns nil for
// a rule checked otherwise (ScenarioAccounting says how).
func ScenarioFiles(id string) []ScenarioFile {
	by, err := scenarioFiles()
	if err != nil {
		return nil
	}
	return append([]ScenarioFile(nil), by[strings.ToUpper(id)]...)
}

// ScenarioFilesErr reports whether the embedded scenario files are well
// formed: each parses, is named after a rule of its family directory, and
// exactly one applies under every reading of the open rules.
func ScenarioFilesErr() error {
	_, err := scenarioFiles()
	return err
}

// AllScenarioFiles returns every scenario file, by rule ID and path.
func AllScenarioFiles() []ScenarioFile {
	by, err := scenarioFiles()
	if err != nil {
		return nil
	}
	var out []ScenarioFile
	for _, fs := range by {
		out = append(out, fs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// fileScenario makes the conformance Scenario of a rule checked by files:
// it runs the file written for the readings the scenario expects on the
// backend under test, through the scenario runner, and reports each failed
// check of the file as a failure, and a file the backend cannot run (see
// scenario.RunOptions.Backend) as a skip with the runner's reason.
func fileScenario(id string, files []ScenarioFile) *Scenario {
	sc := &Scenario{Rule: id}
	for _, f := range files {
		sc.Needs.VirtualTime = sc.Needs.VirtualTime || f.Needs.VirtualTime
		sc.Needs.Version = max(sc.Needs.Version, f.Needs.Version)
	}
	sc.Run = func(c *C) {
		f, err := pickFile(files, c.variants)
		if err != nil {
			c.Errorf("%s: %v", id, err)
			return
		}
		if skipped := runFile(c, f); skipped != "" {
			c.Skipf("%s", skipped)
		}
	}
	return sc
}

// runFile plays f on the backend under the readings c expects and reports
// its failed checks; it returns why the runner skipped it, if it did.
func runFile(c *C, f ScenarioFile) (skipped string) {
	res, err := scenario.RunWith(f.script, scenario.RunOptions{Backend: c.B, Variants: c.variants})
	if err != nil {
		c.Errorf("%s: %v", f.Path, err)
		return ""
	}
	if res.Skipped != "" {
		return f.Path + ": " + res.Skipped
	}
	if res.CheckCount() == 0 {
		c.Errorf("%s: the file checks nothing", f.Path)
	}
	for _, ch := range res.Failures() {
		msg := fmt.Sprintf("%s:%d: %s", f.Path, ch.Line, ch.Text)
		if ch.Want != "" || ch.Got != "" {
			msg += fmt.Sprintf(": expected %s, seen %s", ch.Want, ch.Got)
		}
		c.Errorf("%s", msg)
	}
	return ""
}

// HowChecked says in one line how the suite checks the rule id: by its
// scenario files, by a Go scenario (and why it is Go), by the state
// machine, or not at all (untestable, with the reason).
func HowChecked(id string) string {
	id = strings.ToUpper(id)
	if fs := ScenarioFiles(id); len(fs) > 0 {
		if len(fs) == 1 {
			return "scenario file " + fs[0].Path
		}
		return fmt.Sprintf("%d scenario files, one per reading", len(fs))
	}
	registryMu.Lock()
	sc := registry[id]
	registryMu.Unlock()
	switch {
	case sc != nil && sc.Why != "":
		return "a Go scenario: " + sc.Why
	case sc != nil:
		return "a Go scenario"
	case machineRules[id]:
		return "the state machine: a property of every random sequence, not of one scenario"
	case untestable[id] != "":
		return "untestable: " + untestable[id]
	}
	return "not checked"
}
