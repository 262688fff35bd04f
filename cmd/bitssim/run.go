package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bitssim/bitssim/scenario"
)

// formats maps --format to the writer of one result and the extension of
// its file in -o DIR.
var formats = map[string]struct {
	write func(*scenario.Result, io.Writer) error
	ext   string
}{
	"text":    {(*scenario.Result).WriteText, ".txt"},
	"json":    {nil, ".json"}, // an array of results: see writeJSONArray
	"jsonl":   {(*scenario.Result).WriteJSONLine, ".jsonl"},
	"mermaid": {(*scenario.Result).WriteMermaid, ".mmd"},
	"svg":     {(*scenario.Result).WriteSVG, ".svg"},
}

func runRun(args []string, s streams) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(s.err)
	format := fs.String("format", "text", "how to print the trace: text, json (one array), jsonl (one object per line), mermaid or svg")
	out := fs.String("o", "", "write to this file (replaced only when every scenario parses), or one file per scenario into this directory")
	quiet := fs.Bool("q", false, "print nothing but failures")
	var backend backendFlag
	fs.Var(&backend, "backend", "the BITS to run on: sim (default), wine or windows (the real ones in the Windows build; wine also from Linux, through BITSSIM_WINE_EXE)")
	var variants variantFlag
	fs.Var(&variants, "variant", "`ID=NAME`: follow this reading of an open rule (repeatable; overrides the scenario's variant statement; see bitssim rules --uncertain)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s run [--backend sim|wine|windows] [--format text|json|jsonl|mermaid|svg] [-o FILE|DIR] [-q] [--variant ID=NAME]... SCENARIO...\n\n", programName)
		fmt.Fprintf(fs.Output(), "Runs scenarios on the simulator with a manual clock (or on a real BITS: --backend)\n")
		fmt.Fprintf(fs.Output(), "and prints their trace. A scenario that needs what the backend cannot do is\n")
		fmt.Fprintf(fs.Output(), "skipped, saying what it needs.\n")
		fmt.Fprintf(fs.Output(), "SCENARIO '-' reads standard input. -o DIR (an existing directory, a name ending\n")
		fmt.Fprintf(fs.Output(), "in '/', or any -o with several svg or mermaid scenarios) writes NAME.txt, .json,\n")
		fmt.Fprintf(fs.Output(), ".jsonl, .mmd or .svg per scenario.\n")
		fmt.Fprintf(fs.Output(), "Exit codes: 0 every expectation holds, 1 one failed, 2 a scenario is malformed,\nempty or unreadable, or the output cannot be written.\n\n")
		fmt.Fprintf(fs.Output(), "Statements:\n")
		for _, v := range scenario.Verbs() {
			fmt.Fprintf(fs.Output(), "  %s\n", v)
		}
		fmt.Fprintf(fs.Output(), "\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, code, done := parseFlags(fs, args)
	if done {
		return code
	}
	if code, ran := delegate(args, backend.name, s); ran {
		return code
	}
	f, ok := formats[*format]
	if !ok {
		fmt.Fprintf(s.err, "%s run: unknown format %q (want text, json, jsonl, mermaid or svg)%s\n", programName, *format, didYouMean(*format, []string{"text", "json", "jsonl", "mermaid", "svg"}))
		return exitUsage
	}
	if len(paths) == 0 {
		fmt.Fprintf(s.err, "%s run: name a scenario file (see examples/), or - for standard input\n", programName)
		return exitUsage
	}
	picture := *format == "svg" || *format == "mermaid"
	dirMode := false
	if *out != "" {
		st, err := os.Stat(*out)
		dirMode = (err == nil && st.IsDir()) || strings.HasSuffix(*out, "/") || strings.HasSuffix(*out, string(os.PathSeparator)) ||
			(picture && len(paths) > 1)
	} else if picture && len(paths) > 1 {
		fmt.Fprintf(s.err, "%s run: --format %s draws one picture per scenario: with several scenarios, write them with -o DIR\n", programName, *format)
		return exitUsage
	}
	var names map[string]string // output file → scenario, in dirMode
	if dirMode {
		names = map[string]string{}
		for _, p := range paths {
			name := outName(p, f.ext)
			if other, dup := names[name]; dup {
				fmt.Fprintf(s.err, "%s run: %s and %s would both write %s in %s\n", programName, other, p, name, *out)
				return exitUsage
			}
			names[name] = p
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fmt.Fprintf(s.err, "%s run: %v\n", programName, err)
			return exitUsage
		}
	}
	// Where the output goes: standard output as each scenario finishes, or
	// a buffer that replaces the -o file at the end.
	var buf bytes.Buffer
	dst := s.out
	if *out != "" && !dirMode {
		dst = &buf
	}
	code = exitOK
	var all []scenario.JSONResult
	stdinUsed := false
	for _, path := range paths {
		if path == "-" {
			if stdinUsed {
				fmt.Fprintf(s.err, "%s run: standard input (-) can be read only once\n", programName)
				code = exitUsage
				continue
			}
			stdinUsed = true
		}
		opts := scenario.RunOptions{Variants: variants.sel}
		be, err := backend.newBackend()
		if err != nil {
			fmt.Fprintf(s.err, "%s run: %s\n", programName, safeText(err.Error()))
			code = exitUsage
			continue
		}
		opts.Backend = be
		var res *scenario.Result
		streamed := false
		if *format == "text" && !dirMode {
			// Text is written as the run goes: a long scenario never sits
			// in memory. It is checked whole first, so that a malformed
			// one prints nothing.
			if *quiet {
				res, err = runScenarioText(path, s.in, io.Discard, opts)
			} else {
				bw := bufio.NewWriterSize(dst, 64<<10)
				res, err = runScenarioText(path, s.in, bw, opts)
				if ferr := bw.Flush(); ferr != nil && err == nil {
					err = fmt.Errorf("%s run: write: %w", programName, ferr)
				}
			}
			streamed = true
		} else {
			res, err = runScenarioFile(path, s.in, opts)
		}
		if be != nil {
			if cerr := be.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("%s run: close the %s backend: %w", programName, backend.name, cerr)
			}
		}
		if err != nil {
			fmt.Fprintf(s.err, "%s\n", safeText(err.Error()))
			code = exitUsage
			continue
		}
		if res.Failed() {
			for _, c := range res.Failures() {
				fmt.Fprintf(s.err, "%s:%d: expectation failed: %s\n    expected %s\n    seen     %s\n", safeText(res.File), c.Line, safeText(c.Text), safeText(c.Want), safeText(c.Got))
			}
			if code == exitOK {
				code = exitFailed
			}
		}
		fmt.Fprintln(s.err, safeText(res.Summary()))
		if *quiet && !res.Failed() {
			continue
		}
		var err2 error
		switch {
		case streamed && *quiet: // the failed checks only
			err2 = (&scenario.Result{File: res.File, Checks: res.Failures()}).WriteText(dst)
		case streamed:
		case dirMode:
			err2 = writeAtomic(filepath.Join(*out, outName(path, f.ext)), func(w io.Writer) error {
				if f.write == nil {
					return writeJSONArray(w, []scenario.JSONResult{res.JSON()})
				}
				return f.write(res, w)
			})
		case f.write == nil:
			all = append(all, res.JSON())
		default:
			err2 = buffered(func(w io.Writer) error { return f.write(res, w) })(dst)
		}
		if err2 != nil {
			fmt.Fprintf(s.err, "%s run: write: %v\n", programName, err2)
			return exitUsage
		}
	}
	if f.write == nil && !dirMode {
		if err := writeJSONArray(dst, all); err != nil {
			fmt.Fprintf(s.err, "%s run: write: %v\n", programName, err)
			return exitUsage
		}
	}
	if *out != "" && !dirMode {
		if code == exitUsage {
			fmt.Fprintf(s.err, "%s run: %s left as it was: a scenario could not run\n", programName, *out)
			return code
		}
		if err := writeAtomic(*out, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
			fmt.Fprintf(s.err, "%s run: %v\n", programName, err)
			return exitUsage
		}
	}
	return code
}

// writeJSONArray writes results as one indented JSON array.
func writeJSONArray(w io.Writer, results []scenario.JSONResult) error {
	if results == nil {
		results = []scenario.JSONResult{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(results)
}

// outName is the file a scenario's output gets in -o DIR: its base name
// with ext instead of .bits ("stdin" for -).
func outName(path, ext string) string {
	if path == "-" {
		return "stdin" + ext
	}
	return strings.TrimSuffix(filepath.Base(path), ".bits") + ext
}

// writeAtomic writes a file through a temporary file in the same
// directory, renamed over it only when write succeeds: a failed run never
// leaves a truncated or half-written file. A path that is not a regular
// file (a device, a pipe) is written directly.
func writeAtomic(path string, write func(io.Writer) error) error {
	write = buffered(write)
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		// A device or a pipe (/dev/stdout, a FIFO): write to it, never
		// rename over it.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}

// buffered makes write write through a buffer, flushed when it returns
// without an error: a text log is written a line at a time.
func buffered(write func(io.Writer) error) func(io.Writer) error {
	return func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
}

// runScenarioText checks a scenario ("-": stdin), then runs it writing
// its text log to w as it goes.
func runScenarioText(path string, stdin io.Reader, w io.Writer, opts scenario.RunOptions) (*scenario.Result, error) {
	if path == "-" { // read once: keep it to read twice
		if stdin == nil {
			return nil, fmt.Errorf("%s run: no standard input", programName)
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("%s run: %w", programName, err)
		}
		plan, err := scenario.Prepare(path, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		opts.Plan = plan
		return scenario.RunText(path, bytes.NewReader(data), w, opts)
	}
	// A file is read twice rather than held: once to check it, once to run.
	for pass := 0; ; pass++ {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s run: %w", programName, err)
		}
		if pass == 0 {
			opts.Plan, err = scenario.Prepare(path, f)
			f.Close()
			if err != nil {
				return nil, err
			}
			continue
		}
		defer f.Close()
		return scenario.RunText(path, f, w, opts)
	}
}

// runScenarioFile parses and runs one scenario file ("-": stdin); the
// error is a located syntax error or an unreadable file.
func runScenarioFile(path string, stdin io.Reader, opts scenario.RunOptions) (*scenario.Result, error) {
	var sc *scenario.Script
	var err error
	if path == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("%s run: no standard input", programName)
		}
		sc, err = scenario.ParseFile("-", stdin)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s run: %w", programName, err)
		}
		defer f.Close()
		sc, err = scenario.ParseFile(path, f)
		if err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	return scenario.RunWith(sc, opts)
}

// safeText makes text safe for a terminal: control characters (escape
// sequences among them) are shown as \xHH.
func safeText(s string) string { return scenario.SafeText(s) }
