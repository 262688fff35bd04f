// Command bitssim explores the notification semantics of Windows BITS on a
// simulator.
//
// Usage:
//
//	bitssim <command> [flags] [arguments]
//
// Commands:
//
//	run       run scenarios on the simulator and print their trace (text, json, jsonl, mermaid, svg)
//	explain   say which target receives each notification for a registration, and why
//	rules     print the rulebook, with each open rule's variants
//	conform   run the conformance suite against the simulator (text, json, junit, markdown)
//	bench     measure full job lifecycles per second on the simulator
//	schema    print the JSON schema of the JSON outputs
//	help      print the help, or a command's
//
// Every command takes --help; flags may come before or after arguments.
// Data goes to standard output, diagnostics to standard error. Exit codes:
// 0 success, 1 a check failed, 2 bad usage, bad input (a malformed
// scenario is reported as file:line:col) or an I/O error. A closed pipe on
// standard output ends the command quietly with status 0.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

func main() {
	platformMain() // the Windows build's helper processes start here
	// Without this, a write to a closed pipe kills the process with
	// SIGPIPE; with it, the write returns EPIPE, which outWriter handles.
	signal.Ignore(syscall.SIGPIPE)
	out := &outWriter{w: os.Stdout}
	code := run(os.Args[1:], os.Stdin, out, os.Stderr)
	switch err := out.failure(); {
	case err == nil:
	case isBrokenPipe(err):
		code = exitOK // the reader has all it wanted (| head -1)
	default:
		if code != exitUsage { // not reported by the command already
			fmt.Fprintf(os.Stderr, "%s: write standard output: %v\n", programName, err)
		}
		code = exitUsage
	}
	os.Exit(code)
}

// outWriter is standard output: it remembers the first write error and
// discards everything after it, so a command can finish its work (and
// main decide the exit code) when the reader has gone.
type outWriter struct {
	w   io.Writer
	mu  sync.Mutex
	err error
}

func (o *outWriter) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return len(p), nil
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
		if isBrokenPipe(err) {
			return len(p), nil
		}
	}
	return n, err
}

func (o *outWriter) failure() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// isBrokenPipe reports whether err is a write to a pipe whose reader has
// gone.
func isBrokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) || isBrokenPipeOS(err)
}
