package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

func runConform(args []string, s streams) int {
	stdout, stderr := s.out, s.err
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	checks := fs.Int("checks", 100, "sequences per round of the rapid state machine")
	rounds := fs.Int("rounds", 1, "rounds of the state machine")
	seed := fs.Uint64("seed", 0, "rapid's seed (0: random) and the simulator's")
	format := fs.String("format", "text", "report format: text, json, junit or markdown")
	version := fs.String("version", "10.3", "the simulated BITS version")
	only := fs.String("rules", "", "comma-separated rule IDs or families to check (default: all)")
	noMachine := fs.Bool("no-machine", false, "skip the state machine")
	progress := fs.Bool("progress", isTerminal(stderr), "print progress on standard error (default: when it is a terminal)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s conform [flags]\n\n", programName)
		fmt.Fprintf(fs.Output(), "Runs the conformance suite against the simulator and prints the report.\n")
		fmt.Fprintf(fs.Output(), "Exit codes: 0 the simulator keeps every rule, 1 a rule failed, 2 bad usage.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, code, done := parseFlags(fs, args)
	if done {
		return code
	}
	if !noArgs(fs, pos, stderr) {
		return exitUsage
	}
	v, err := model.ParseVersion(*version)
	if err != nil {
		fmt.Fprintf(stderr, "%s conform: %v\n", programName, err)
		return exitUsage
	}
	write, ok := map[string]func(*conformance.Report, io.Writer) error{
		"text": (*conformance.Report).WriteText, "json": (*conformance.Report).WriteJSON,
		"junit": (*conformance.Report).WriteJUnit, "markdown": (*conformance.Report).WriteMarkdown,
	}[*format]
	if !ok {
		fmt.Fprintf(stderr, "%s conform: unknown format %q (want text, json, junit or markdown)\n", programName, *format)
		return exitUsage
	}
	if *checks < 1 || *rounds < 1 {
		fmt.Fprintf(stderr, "%s conform: --checks and --rounds must be at least 1\n", programName)
		return exitUsage
	}
	// rapid's state machine asks testing.Short, which needs the testing
	// flags registered; and it reads its settings from its own flags.
	testing.Init()
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
	for name, val := range map[string]string{"rapid.checks": strconv.Itoa(*checks), "rapid.seed": strconv.FormatUint(*seed, 10), "rapid.nofailfile": "true"} {
		if err := flag.CommandLine.Set(name, val); err != nil {
			fmt.Fprintf(stderr, "%s conform: %v\n", programName, err)
			return exitFailed
		}
	}
	// The state machine runs here, round by round, so that progress can
	// show each round.
	opts := []conformance.Option{conformance.WithoutStateMachine()}
	total := len(rules.All())
	if *only != "" {
		ids, err := ruleSelection(*only)
		if err != nil {
			fmt.Fprintf(stderr, "%s conform: %v\n", programName, err)
			return exitUsage
		}
		opts = append(opts, conformance.WithRules(ids...))
		total = countSelected(ids)
	}
	if *progress {
		n := 0
		opts = append(opts, conformance.WithProgress(func(r conformance.RuleResult) {
			n++
			fmt.Fprintf(stderr, "\r\033[K[%d/%d] %-36s %s", n, total, r.Rule, r.Outcome)
		}))
	}
	tb := harness.NewStandalone("conform")
	defer tb.Close()
	factory := harness.SimFactory(sim.Options{Version: v, Seed: int64(*seed)})
	rep := conformance.Check(tb, factory, opts...)
	if !*noMachine {
		res := conformance.RuleResult{Rule: "STATE-MACHINE", Outcome: conformance.Pass}
		for i := 1; i <= *rounds; i++ {
			if *progress {
				fmt.Fprintf(stderr, "\r\033[Kstate machine: round %d/%d (%d sequences)", i, *rounds, *checks)
			}
			if *seed != 0 { // each round its own sequences, reproducibly
				if err := flag.CommandLine.Set("rapid.seed", strconv.FormatUint(*seed+uint64(i-1), 10)); err != nil {
					fmt.Fprintf(stderr, "%s conform: %v\n", programName, err)
					return exitUsage
				}
			}
			if failed, msg := conformance.CheckMachine(tb, factory, 1); failed {
				res.Outcome, res.Detail = conformance.Fail, msg
				break
			}
		}
		rep.Machine = &res
	}
	if *progress {
		fmt.Fprintf(stderr, "\r\033[K")
	}
	if err := write(rep, stdout); err != nil {
		fmt.Fprintf(stderr, "%s conform: write: %v\n", programName, err)
		return exitUsage
	}
	fmt.Fprintln(stderr, rep.Summary())
	if err := tb.Err(); err != nil {
		fmt.Fprintf(stderr, "%s conform: %v\n", programName, err)
		return exitFailed
	}
	if rep.Failed() {
		return exitFailed
	}
	return exitOK
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ruleSelection checks a comma-separated list of rule IDs and families:
// each must name one (in any case), or the error suggests the closest.
func ruleSelection(list string) ([]string, error) {
	var known []string
	for _, f := range rules.Families() {
		known = append(known, string(f))
	}
	for _, r := range rules.All() {
		known = append(known, r.ID)
	}
	var out []string
	for _, item := range strings.Split(list, ",") {
		id := strings.ToUpper(strings.TrimSpace(item))
		if id == "" {
			continue
		}
		if _, err := rules.ParseFamily(id); err != nil {
			if _, ok := rules.Lookup(id); !ok {
				return nil, fmt.Errorf("--rules: no rule or family %q%s", item, didYouMean(id, known))
			}
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--rules: name at least one rule ID or family")
	}
	return out, nil
}

// countSelected counts the rules that ids (rule IDs and families) select.
func countSelected(ids []string) int {
	sel := map[string]bool{}
	for _, id := range ids {
		sel[id] = true
	}
	n := 0
	for _, r := range rules.All() {
		if sel[r.ID] || sel[string(r.Family)] {
			n++
		}
	}
	return n
}
