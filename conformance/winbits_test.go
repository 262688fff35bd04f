//go:build windows && realbits

package conformance_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness/winbits"
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
// by BITSSIM_DIVERGENCES; the report goes to BITSSIM_REPORT_DIR or a new
// temporary directory, with observed-divergences.txt listing every rule
// the backend broke (to update the list from).
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
		t.Skipf("cannot reach BITS: %v", err)
	}
	listFile := os.Getenv("BITSSIM_DIVERGENCES")
	if listFile == "" {
		name := "windows-divergences.txt"
		if wine {
			name = "wine-divergences.txt"
		}
		listFile = filepath.Join("..", "harness", "winbits", "testdata", name)
	}
	divergences, err := readDivergences(listFile)
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
	if wine {
		t.Logf("running under Wine %s", wineVersion)
	}
	t.Logf("divergence list %s (%d rules); report in %s", listFile, len(divergences), reportDir)

	opts := []conformance.Option{
		conformance.WithDivergences(divergences),
		conformance.WithReportDir(reportDir),
		conformance.WithProgress(func(r conformance.RuleResult) {
			fmt.Printf("bitssim: %-40s %-10s %v\n", r.Rule, r.Outcome, r.Duration.Round(1e6))
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

	rep := conformance.Run(t, winbits.Factory(winbits.Options{}), opts...)
	t.Log(rep.Summary())
	if err := writeObserved(filepath.Join(reportDir, "observed-divergences.txt"), rep); err != nil {
		t.Errorf("observed divergences: %v", err)
	}
}

// readDivergences reads "RULE-ID<TAB>what the backend does" lines; blank
// lines and lines starting with # are skipped.
func readDivergences(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
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
	return out, sc.Err()
}

// writeObserved writes the rules the backend broke, listed or not, with
// what was observed, in the divergence list's format.
func writeObserved(path string, rep *conformance.Report) error {
	var lines []string
	for _, r := range rep.Results {
		if r.Outcome != conformance.Diverged && r.Outcome != conformance.Fail {
			continue
		}
		detail := r.Detail
		if _, observed, ok := strings.Cut(detail, " — observed: "); ok && r.Outcome == conformance.Diverged {
			detail = observed
		}
		detail = errorTrace.ReplaceAllString(strings.Join(strings.Fields(detail), " "), "")
		lines = append(lines, fmt.Sprintf("%s\t[%s] %s", r.Rule, r.Outcome, detail))
	}
	sort.Strings(lines)
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// errorTrace matches testify's "Error Trace: file:line ..." preamble.
var errorTrace = regexp.MustCompile(`Error Trace: (\S+:\d+ )+`)

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
