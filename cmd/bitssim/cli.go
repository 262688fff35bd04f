package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/bitssim/bitssim/internal/textdist"
	"github.com/bitssim/bitssim/rules"
)

// Exit codes of every command.
const (
	exitOK      = 0 // success
	exitFailed  = 1 // a check or expectation failed
	exitUsage   = 2 // bad usage, bad input, or an I/O error
	programName = "bitssim"
)

// streams are a command's standard input, output and error.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, s streams) int
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"rules":   {"print the rulebook: every rule with its ID, statement, variants, source and status", runRules},
		"run":     {"run scenarios on the simulator and print their trace (text, json, jsonl, mermaid, svg)", runRun},
		"explain": {"say which target receives each notification for a registration, and why", runExplain},
		"conform": {"run the conformance suite against the simulator (text, json, junit, markdown)", runConform},
		"bench":   {"measure full job lifecycles per second on the simulator (and the ratio to another backend)", runBench},
		"schema":  {"print the JSON schema of every JSON output", runSchema},
		"ctl":     {ctlSummary, runCtl},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "%s simulates the notification semantics of Windows BITS.\n\n", programName)
	fmt.Fprintf(w, "Usage:\n  %s <command> [flags] [arguments]\n\nCommands:\n", programName)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-9s %s\n", "help", "print this help, or a command's: help <command>")
	fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags; flags may come before or after arguments.\n", programName)
	fmt.Fprintf(w, "Exit codes: 0 success, 1 a check failed, 2 bad usage, bad input or an I/O error.\n")
}

// run is main without the process: it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := streams{in: stdin, out: stdout, err: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		rest := args[1:]
		if len(rest) > 0 && !isHelpFlag(rest[0]) {
			if c, ok := commands[rest[0]]; ok {
				return c.run([]string{"--help"}, streams{in: stdin, out: stdout, err: stdout})
			}
			fmt.Fprintf(stderr, "%s: unknown command %q%s\n", programName, rest[0], didYouMean(rest[0], commandNames()))
			return exitUsage
		}
		usage(stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q%s\n\n", programName, name, didYouMean(name, commandNames()))
		usage(stderr)
		return exitUsage
	}
	return c.run(args[1:], s)
}

func isHelpFlag(s string) bool {
	return s == "-h" || s == "-help" || s == "--help"
}

func commandNames() []string {
	names := []string{"help"}
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// parseFlags parses a command's flags, which may come before, between or
// after its positional arguments ("--" ends the flags). It returns the
// positional arguments; done says the command must stop with code: 0
// after --help, 2 after bad flags (the flag package has reported them).
func parseFlags(fs *flag.FlagSet, args []string) (pos []string, code int, done bool) {
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			return nil, exitOK, true
		case err != nil:
			return nil, exitUsage, true
		}
		rest := fs.Args()
		// fs.Parse stops at the first non-flag, or after "--".
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), 0, false
		}
		if len(rest) == 0 {
			return pos, 0, false
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noArgs reports whether the command got no positional arguments, and
// reports the first one otherwise.
func noArgs(fs *flag.FlagSet, pos []string, stderr io.Writer) bool {
	if len(pos) == 0 {
		return true
	}
	fmt.Fprintf(stderr, "%s %s: unexpected argument %q\n", programName, fs.Name(), pos[0])
	return false
}

// didYouMean returns "; did you mean "X"?" for the closest of known
// within a small edit distance (case-insensitively), or "; want one of …".
func didYouMean(got string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		if d := textdist.Distance(strings.ToLower(got), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && bestD <= max(2, len(got)/3) {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	if len(known) > 12 {
		return ""
	}
	return "; want one of " + strings.Join(known, ", ")
}

// wrap breaks s into lines of at most width runes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(s) {
		if cur.Len() > 0 && len([]rune(cur.String()))+1+len([]rune(w)) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// variantFlag is a repeatable --variant ID=NAME: a reading of an open rule.
type variantFlag struct{ sel rules.Selection }

func (v *variantFlag) String() string {
	if v == nil {
		return ""
	}
	return v.sel.String()
}

func (v *variantFlag) Set(s string) error {
	id, name, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want RULE-ID=NAME (bitssim rules --uncertain lists them), not %q", s)
	}
	id = strings.ToUpper(strings.TrimSpace(id))
	name = strings.TrimSpace(name)
	sel := rules.Selection{id: name}
	if err := sel.Validate(); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "rules: "))
	}
	if _, dup := v.sel[id]; dup {
		return fmt.Errorf("a second --variant for %s", id)
	}
	if v.sel == nil {
		v.sel = rules.Selection{}
	}
	v.sel[id] = name
	return nil
}
