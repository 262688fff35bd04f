// Command bitssim explores the notification semantics of Windows BITS on a
// simulator: it prints the rulebook, and (as later subcommands land) runs
// scenarios, explains routing decisions and runs the conformance suite.
//
// Usage:
//
//	bitssim <command> [flags] [arguments]
//
// Commands:
//
//	rules     print the rulebook (bitssim rules --help)
//	help      print this help
//
// Exit codes: 0 success, 1 a check failed, 2 bad usage or input.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
