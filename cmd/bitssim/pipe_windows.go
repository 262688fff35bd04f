//go:build windows

package main

import (
	"errors"

	"golang.org/x/sys/windows"
)

// isBrokenPipeOS: Windows reports a closed pipe as ERROR_NO_DATA or
// ERROR_BROKEN_PIPE.
func isBrokenPipeOS(err error) bool {
	return errors.Is(err, windows.ERROR_NO_DATA) || errors.Is(err, windows.ERROR_BROKEN_PIPE)
}
