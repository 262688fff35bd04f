//go:build !windows

package main

import (
	"fmt"
	"os"
)

// main explains that the updater needs Windows: BITS is a Windows
// service. Its tests run anywhere: go test ./examples/updater/
func main() {
	fmt.Fprintln(os.Stderr, "updater: BITS is a Windows service; on this system run the tests: go test ./examples/updater/")
	os.Exit(2)
}
