// Command mutate is bitssim's mutation tester: it generates mutants of the
// simulator's source (package sim) with internal/mutate, runs the killing
// suites against each one, and reports the kill rate and the mutants that
// survived, by file:line.
//
// The killing suites run in order, each only on the mutants the ones before
// it left alive: by default the conformance suite against the simulator on
// both clocks and as every older BITS version (go test ./conformance/ -run
// '^TestSim(AutomaticClock|Versions)?$'),
// then the simulator's own unit tests (go test ./sim/). The report gives the
// kill rate of the first suite alone and of all of them; -min applies to all
// of them. Give -suite once or more to choose other suites, each as
// "packages:run-pattern" (packages comma-separated).
//
// A mutant that makes a suite hang is killed: each suite's per-mutant timeout
// is ten times the run of its unmutated test binaries (as go test reports
// it, without the build; at least 30 s) unless -timeout sets one.
//
// Each mutant is compiled through go test's -overlay, so the work tree is
// never modified and a run can be interrupted at any time. A mutant that
// does not compile is "stillborn" and not counted; a reviewed list of
// equivalent mutants (internal/mutate/equivalent.txt, one key and reason a
// line) is skipped and not counted. The kill rate is killed / (killed +
// survived); the command exits 1 when it is below -min.
//
//	go run ./internal/mutate/cmd/mutate                       # every mutant (long: see .github/workflows/mutation.yml)
//	go run ./internal/mutate/cmd/mutate -sample 20 -seed 1    # the .ci/run sample
//	go run ./internal/mutate/cmd/mutate -shard 3/8            # one of eight shards
//	go run ./internal/mutate/cmd/mutate -list                 # list the mutants, run nothing
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bitssim/bitssim/internal/mutate"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		var low errLowKillRate
		if errors.As(err, &low) {
			os.Exit(1)
		}
		os.Exit(2)
	}
}

type errLowKillRate struct{ rate, min float64 }

func (e errLowKillRate) Error() string {
	return fmt.Sprintf("kill rate %.1f%% is below the minimum %.1f%%", 100*e.rate, 100*e.min)
}

type options struct {
	dir, equivalents, shard string
	keys                    string
	suites                  []suite
	short, list, verbose    bool
	sample                  int
	seed                    uint64
	min                     float64
	jobs                    int
	timeout                 time.Duration
	ops                     string
}

func parse(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", "sim", "the package directory to mutate")
	var suites suiteFlag
	fs.Var(&suites, "suite", "a killing suite, \"packages:run-pattern\" (repeatable, run in order; default: "+strings.Join(defaultSuites, " then ")+")")
	fs.BoolVar(&o.short, "short", true, "run the tests with -short")
	fs.StringVar(&o.equivalents, "equivalents", "internal/mutate/equivalent.txt", "the reviewed list of equivalent mutants")
	fs.IntVar(&o.sample, "sample", 0, "run only this many mutants, drawn at random with -seed (0: all)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for -sample")
	fs.StringVar(&o.shard, "shard", "", "run only shard i of n (\"i/n\", 1-based): every n-th mutant")
	fs.Float64Var(&o.min, "min", 0.9, "fail when the kill rate is below this fraction")
	fs.IntVar(&o.jobs, "j", 1, "mutants tested at once")
	fs.DurationVar(&o.timeout, "timeout", 0, "per-mutant timeout of each suite; a mutant that hangs is killed (0: ten times the suite's unmutated test run, at least 30s)")
	fs.StringVar(&o.ops, "ops", "", "comma-separated operators to generate (default: all)")
	fs.StringVar(&o.keys, "keys", "", "a file of mutant keys, one a line (as printed after \"key:\"): run only those")
	fs.BoolVar(&o.list, "list", false, "list the selected mutants and exit")
	fs.BoolVar(&o.verbose, "v", false, "print every mutant's outcome")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if len(suites) == 0 {
		for _, d := range defaultSuites {
			if err := suites.Set(d); err != nil {
				return nil, err
			}
		}
	}
	o.suites = suites
	if o.jobs < 1 || o.sample < 0 || o.min < 0 || o.min > 1 || o.timeout < 0 {
		return nil, errors.New("-j, -sample, -min (0..1) and -timeout must be in range")
	}
	return o, nil
}

// defaultSuites are the killing suites when no -suite is given: the
// conformance suite against the simulator on both clocks, then the
// simulator's own unit tests.
var defaultSuites = []string{"./conformance/:^TestSim(AutomaticClock|Versions)?$", "./sim/:."}

// suite is one go test invocation that may kill a mutant.
type suite struct {
	pkgs    []string
	run     string
	timeout time.Duration // per mutant; set from the unmutated run unless -timeout
}

func (s suite) String() string {
	return fmt.Sprintf("go test %s -run '%s'", strings.Join(s.pkgs, " "), s.run)
}

// suiteFlag collects -suite values.
type suiteFlag []suite

func (f *suiteFlag) String() string { return fmt.Sprint([]suite(*f)) }

// Set parses "packages:run-pattern".
func (f *suiteFlag) Set(v string) error {
	pkgs, run, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(pkgs) == "" || strings.TrimSpace(run) == "" {
		return fmt.Errorf("-suite %q: want packages:run-pattern, as in ./sim/:.", v)
	}
	var s suite
	for _, p := range strings.Split(pkgs, ",") {
		if p = strings.TrimSpace(p); p != "" {
			s.pkgs = append(s.pkgs, p)
		}
	}
	s.run = strings.TrimSpace(run)
	*f = append(*f, s)
	return nil
}

// outcome of one mutant.
type outcome string

const (
	killed     outcome = "killed"
	survived   outcome = "survived"
	stillborn  outcome = "stillborn"
	equivalent outcome = "equivalent"
)

type result struct {
	m       mutate.Mutant
	out     outcome
	by      int // the index of the suite that killed it
	elapsed time.Duration
	ran     time.Duration // the test binaries' own time, as go test reports it (no build)
	detail  string
}

func run(args []string, w io.Writer) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	all, err := mutate.Dir(o.dir)
	if err != nil {
		return err
	}
	ms, err := selectMutants(all, o)
	if err != nil {
		return err
	}
	eq := mutate.Equivalents{}
	if data, err := os.ReadFile(o.equivalents); err == nil {
		if eq, err = mutate.ParseEquivalents(data); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read equivalents: %w", err)
	}
	fmt.Fprintf(w, "mutate: %d mutants of %s generated; %d selected (sample %d, seed %d, shard %q)\n",
		len(all), o.dir, len(ms), o.sample, o.seed, o.shard)
	if o.list {
		for _, m := range ms {
			fmt.Fprintf(w, "%s\n\tkey: %s\n", m, m.Key)
		}
		return nil
	}
	tmp, err := os.MkdirTemp("", "bitssim-mutate-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	for i := range o.suites {
		s := &o.suites[i]
		s.timeout = o.timeout
		base := testSuite(s, o.short, nil, "")
		if base.out != survived {
			return fmt.Errorf("%s fails on the unmutated code (%s):\n%s", s, base.out, base.detail)
		}
		if s.timeout == 0 {
			s.timeout = max(30*time.Second, 10*base.ran).Round(time.Second)
		}
		fmt.Fprintf(w, "mutate: suite %d, %s: the unmutated code passes (%v); per-mutant timeout %v\n",
			i+1, s, base.elapsed.Round(time.Millisecond), s.timeout)
	}

	results := make([]result, len(ms))
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range o.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(ms) {
					return
				}
				var r result
				if reason, ok := eq[ms[i].Key]; ok {
					r = result{m: ms[i], out: equivalent, detail: reason}
				} else {
					r = testOnce(o, filepath.Join(tmp, strconv.Itoa(i)), &ms[i])
				}
				results[i] = r
				if o.verbose || r.out == survived {
					mu.Lock()
					by := ""
					if r.out == killed {
						by = fmt.Sprintf(" by suite %d", r.by+1)
					}
					fmt.Fprintf(w, "%-10s %s (%v%s)\n", r.out, r.m, r.elapsed.Round(time.Millisecond), by)
					if o.verbose && r.out == stillborn {
						fmt.Fprintf(w, "\t%s\n", strings.ReplaceAll(tail(r.detail, 4), "\n", "\n\t"))
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return summarize(w, o, results, eq, all, time.Since(start))
}

func selectMutants(all []mutate.Mutant, o *options) ([]mutate.Mutant, error) {
	ms := all
	if o.ops != "" {
		want := map[mutate.Operator]bool{}
		for _, s := range strings.Split(o.ops, ",") {
			want[mutate.Operator(strings.TrimSpace(s))] = true
		}
		ms = nil
		for _, m := range all {
			if want[m.Op] {
				ms = append(ms, m)
			}
		}
	}
	if o.keys != "" {
		data, err := os.ReadFile(o.keys)
		if err != nil {
			return nil, fmt.Errorf("-keys: %w", err)
		}
		want := map[string]bool{}
		for _, line := range strings.Split(string(data), "\n") {
			if k := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "key:")); k != "" {
				want[k] = true
			}
		}
		var part []mutate.Mutant
		for _, m := range ms {
			if want[m.Key] {
				part = append(part, m)
			}
		}
		ms = part
	}
	if o.shard != "" {
		is, ns, ok := strings.Cut(o.shard, "/")
		i, err1 := strconv.Atoi(is)
		n, err2 := strconv.Atoi(ns)
		if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
			return nil, fmt.Errorf("-shard %q: want i/n with 1 <= i <= n", o.shard)
		}
		var part []mutate.Mutant
		for k := i - 1; k < len(ms); k += n {
			part = append(part, ms[k])
		}
		ms = part
	}
	if o.sample > 0 && o.sample < len(ms) {
		ms = sampleByKey(ms, o.sample, o.seed)
	}
	return ms, nil
}

// sampleByKey draws n mutants: those whose keys hash lowest under seed, kept
// in their original order. The draw depends only on the seed and on each
// mutant's line-independent Key, so an edit elsewhere in the package adds or
// removes only the mutants it touches; an index-based draw reshuffled the
// whole sample on any edit that changed the number of mutants before it.
func sampleByKey(ms []mutate.Mutant, n int, seed uint64) []mutate.Mutant {
	type ranked struct {
		rank uint64
		at   int
	}
	rs := make([]ranked, len(ms))
	for i, m := range ms {
		h := fnv.New64a()
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], seed)
		h.Write(b[:])
		h.Write([]byte(m.Key))
		rs[i] = ranked{h.Sum64(), i}
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].rank != rs[j].rank {
			return rs[i].rank < rs[j].rank
		}
		return rs[i].at < rs[j].at
	})
	picked := make([]bool, len(ms))
	for _, r := range rs[:n] {
		picked[r.at] = true
	}
	part := make([]mutate.Mutant, 0, n)
	for i, m := range ms {
		if picked[i] {
			part = append(part, m)
		}
	}
	return part
}

// testOnce runs the suites in order on m, through an overlay in dir, until
// one kills it.
func testOnce(o *options, dir string, m *mutate.Mutant) result {
	r := result{m: *m, out: stillborn}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.detail = err.Error()
		return r
	}
	defer os.RemoveAll(dir)
	src, err := os.ReadFile(m.File)
	if err != nil {
		r.detail = err.Error()
		return r
	}
	mutated, err := m.Apply(src)
	if err != nil {
		r.detail = err.Error()
		return r
	}
	abs, err := filepath.Abs(m.File)
	if err != nil {
		r.detail = err.Error()
		return r
	}
	file := filepath.Join(dir, filepath.Base(m.File))
	overlay := filepath.Join(dir, "overlay.json")
	ov, err := json.Marshal(map[string]map[string]string{"Replace": {abs: file}})
	if err != nil {
		r.detail = err.Error()
		return r
	}
	if err := os.WriteFile(file, mutated, 0o644); err != nil {
		r.detail = err.Error()
		return r
	}
	if err := os.WriteFile(overlay, ov, 0o644); err != nil {
		r.detail = err.Error()
		return r
	}
	var took time.Duration
	for i := range o.suites {
		r = testSuite(&o.suites[i], o.short, m, overlay)
		took += r.elapsed
		r.elapsed, r.by = took, i
		if r.out != survived {
			break
		}
	}
	return r
}

// testSuite runs one suite, with the overlay file when it is not "" (m nil:
// the unmutated code).
func testSuite(s *suite, short bool, m *mutate.Mutant, overlay string) result {
	r := result{out: stillborn}
	if m != nil {
		r.m = *m
	}
	timeout := s.timeout
	if timeout == 0 {
		timeout = 10 * time.Minute // the unmutated run, which sets the timeout
	}
	args := []string{"test", "-vet=off", "-count=1", "-failfast", "-run", s.run, "-timeout", timeout.String()}
	if short {
		args = append(args, "-short")
	}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	args = append(args, s.pkgs...)
	// The go command's own deadline, a little after the test binary's.
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	// A mutant's failing property tests must not leave rapid's fail files
	// in the work tree (testdata/rapid of the package under test).
	cmd.Env = append(os.Environ(), "RAPID_NOFAILFILE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r.elapsed = time.Since(start)
	text := out.String()
	r.ran = testTime(text)
	switch {
	case err == nil:
		r.out = survived
	case strings.Contains(text, "[build failed]") || strings.Contains(text, "[setup failed]"):
		r.out, r.detail = stillborn, tail(text, 20)
	default:
		r.out, r.detail = killed, tail(text, 20)
	}
	return r
}

// testTime returns the longest run time go test reports for a package
// ("ok  \tpkg\t1.810s"), or 0.
func testTime(out string) time.Duration {
	var most time.Duration
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || (f[0] != "ok" && f[0] != "FAIL") {
			continue
		}
		if d, err := time.ParseDuration(f[2]); err == nil && d > most {
			most = d
		}
	}
	return most
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func summarize(w io.Writer, o *options, rs []result, eq mutate.Equivalents, all []mutate.Mutant, took time.Duration) error {
	count := map[outcome]int{}
	for _, r := range rs {
		count[r.out]++
	}
	counted := count[killed] + count[survived]
	rate := 1.0
	if counted > 0 {
		rate = float64(count[killed]) / float64(counted)
	}
	fmt.Fprintf(w, "\nmutate: %d mutants in %v on %d CPUs: %d killed, %d survived, %d equivalent (reviewed), %d stillborn (do not compile)\n",
		len(rs), took.Round(time.Second), runtime.NumCPU(), count[killed], count[survived], count[equivalent], count[stillborn])
	if len(o.suites) > 1 {
		byFirst := 0
		for _, r := range rs {
			if r.out == killed && r.by == 0 {
				byFirst++
			}
		}
		firstRate := 1.0
		if counted > 0 {
			firstRate = float64(byFirst) / float64(counted)
		}
		fmt.Fprintf(w, "mutate: suite 1 alone (%s): kill rate %.1f%% (%d of %d)\n", o.suites[0], 100*firstRate, byFirst, counted)
	}
	fmt.Fprintf(w, "mutate: kill rate %.1f%% (%d of %d non-equivalent mutants that compile)\n", 100*rate, count[killed], counted)
	if (o.sample > 0 || o.shard != "") && counted > 0 {
		// A sample's rate estimates the full run's: its standard error is
		// sqrt(p(1-p)/n) for n mutants drawn.
		fmt.Fprintf(w, "mutate: standard error of the sample's rate: %.1f points\n", 100*math.Sqrt(rate*(1-rate)/float64(counted)))
	}
	if count[survived] > 0 {
		fmt.Fprintln(w, "\nsurvivors (file:line; add a reviewed line \"key # reason\" to the equivalents file only if the change cannot be observed):")
		for _, r := range rs {
			if r.out == survived {
				fmt.Fprintf(w, "  %s\n      key: %s\n", r.m, r.m.Key)
			}
		}
	}
	if o.sample == 0 && o.shard == "" && o.ops == "" && o.keys == "" {
		keys := map[string]bool{}
		for _, m := range all {
			keys[m.Key] = true
		}
		for k := range eq {
			if !keys[k] {
				fmt.Fprintf(w, "mutate: warning: equivalents entry no longer matches a mutant: %s\n", k)
			}
		}
	}
	if rate < o.min {
		return errLowKillRate{rate: rate, min: o.min}
	}
	return nil
}
