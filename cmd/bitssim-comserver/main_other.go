//go:build !windows

// Command bitssim-comserver serves the bitssim simulator behind BITS's COM
// interfaces. It is a Windows program (it also runs under Wine); on other
// systems it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bitssim-comserver: a Windows program (build with GOOS=windows; it runs under Wine too)")
	os.Exit(2)
}
