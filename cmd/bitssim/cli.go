package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes of every command.
const (
	exitOK      = 0 // success
	exitFailed  = 1 // a check or expectation failed
	exitUsage   = 2 // bad usage or bad input
	programName = "bitssim"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{
	"rules":   {"print the rulebook: every rule with its ID, statement, source and status", runRules},
	"run":     {"run scenarios on the simulator and print their trace (text, json, mermaid, svg)", runRun},
	"explain": {"say which target receives each notification for a registration, and why", runExplain},
	"conform": {"run the conformance suite against the simulator (text, json, junit, markdown)", runConform},
	"bench":   {"measure full job lifecycles per second on the simulator (and the ratio to another backend)", runBench},
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
	fmt.Fprintf(w, "\nRun '%s <command> --help' for a command's flags.\n", programName)
	fmt.Fprintf(w, "Exit codes: 0 success, 1 a check failed, 2 bad usage or input.\n")
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run([]string{"--help"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "%s: unknown command %q\n", programName, args[1])
			return exitUsage
		}
		usage(stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q\n\n", programName, name)
		usage(stderr)
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

// parseFlags parses a command's flags. done says the command must stop
// with code: 0 after --help, 2 after bad flags (the flag package has
// reported them).
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		return exitOK, true
	}
	return exitUsage, true
}

// noArgs reports whether the command got no positional arguments, and
// reports the first one otherwise.
func noArgs(fs *flag.FlagSet, stderr io.Writer) bool {
	if fs.NArg() == 0 {
		return true
	}
	fmt.Fprintf(stderr, "%s %s: unexpected argument %q\n", programName, fs.Name(), fs.Arg(0))
	return false
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
