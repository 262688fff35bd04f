//go:build windows

// Command bitshelper is the helper application of the winbits backend as
// a program of its own: it speaks the line protocol of winbits.HelperMain
// on stdin and stdout (connect to BITS, register callback objects on jobs
// when told, report every call they receive, clear its registrations on
// "exit"). The backend re-executes its own binary instead (see
// winbits.HelperArgs), so this program is for running a helper by hand.
package main

import (
	"os"

	"github.com/bitssim/bitssim/harness/winbits"
)

func main() {
	winbits.MaybeRunNotify() // a recorded command line, or a class server
	winbits.MaybeRunHelper() // runs the class server
	os.Exit(winbits.HelperMain(os.Stdin, os.Stdout))
}
