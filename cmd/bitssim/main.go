// Command bitssim explores the notification semantics of Windows BITS on a
// simulator.
//
// Usage:
//
//	bitssim <command> [flags] [arguments]
//
// Commands:
//
//	run       run scenarios on the simulator and print their trace (text, json, mermaid, svg)
//	explain   say which target receives each notification for a registration, and why
//	rules     print the rulebook
//	conform   run the conformance suite against the simulator (text, json, junit, markdown)
//	bench     measure full job lifecycles per second on the simulator
//	help      print the help, or a command's
//
// Every command takes --help. Data goes to standard output, diagnostics to
// standard error. Exit codes: 0 success, 1 a check failed, 2 bad usage or
// input (a malformed scenario is reported as file:line:col).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
