package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/bitssim/bitssim/scenario"
)

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "how to print the trace: text, json, mermaid or svg")
	out := fs.String("o", "", "write the trace to this file instead of standard output")
	quiet := fs.Bool("q", false, "print nothing but failures")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s run [--format text|json|mermaid|svg] [-o FILE] [-q] SCENARIO...\n\n", programName)
		fmt.Fprintf(fs.Output(), "Runs scenarios on the simulator with a manual clock and prints their trace.\n")
		fmt.Fprintf(fs.Output(), "Exit codes: 0 every expectation holds, 1 one failed, 2 a scenario is malformed.\n\n")
		fmt.Fprintf(fs.Output(), "Statements:\n")
		for _, v := range scenario.Verbs() {
			fmt.Fprintf(fs.Output(), "  %s\n", v)
		}
		fmt.Fprintf(fs.Output(), "\nFlags:\n")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	write, ok := map[string]func(*scenario.Result, io.Writer) error{
		"text": (*scenario.Result).WriteText, "json": (*scenario.Result).WriteJSON,
		"mermaid": (*scenario.Result).WriteMermaid, "svg": (*scenario.Result).WriteSVG,
	}[*format]
	if !ok {
		fmt.Fprintf(stderr, "%s run: unknown format %q (want text, json, mermaid or svg)\n", programName, *format)
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "%s run: name a scenario file (see examples/)\n", programName)
		fs.Usage()
		return exitUsage
	}
	if *out != "" && fs.NArg() > 1 && (*format == "svg" || *format == "json") {
		fmt.Fprintf(stderr, "%s run: -o with --format %s takes one scenario\n", programName, *format)
		return exitUsage
	}
	dst := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "%s run: %v\n", programName, err)
			return exitUsage
		}
		defer f.Close()
		dst = f
	}
	code := exitOK
	for _, path := range fs.Args() {
		res, err := runScenarioFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			code = exitUsage
			continue
		}
		if !*quiet || res.Failed() {
			if err := write(res, dst); err != nil {
				fmt.Fprintf(stderr, "%s run: write: %v\n", programName, err)
				return exitFailed
			}
		}
		if res.Failed() {
			for _, c := range res.Failures() {
				fmt.Fprintf(stderr, "%s:%d: expectation failed: %s\n    expected %s\n    seen     %s\n", path, c.Line, c.Text, c.Want, c.Got)
			}
			if code == exitOK {
				code = exitFailed
			}
		}
		fmt.Fprintln(stderr, res.Summary())
	}
	return code
}

// runScenarioFile parses and runs one scenario file; the error is a
// located syntax error or an unreadable file.
func runScenarioFile(path string) (*scenario.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s run: %w", programName, err)
	}
	defer f.Close()
	sc, err := scenario.ParseFile(path, f)
	if err != nil {
		return nil, err
	}
	return scenario.Run(sc)
}
