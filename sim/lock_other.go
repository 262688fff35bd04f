//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package sim

import (
	"fmt"
	"os"
	"runtime"
)

// lockFile fails: this system has no file lock the store knows how to take.
func lockFile(*os.File) error {
	return fmt.Errorf("sim: file store: no file lock on %s", runtime.GOOS)
}

// unlockFile does nothing.
func unlockFile(*os.File) error { return nil }
