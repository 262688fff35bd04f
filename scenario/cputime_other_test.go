//go:build !unix

package scenario_test

import "time"

// processCPU returns -1: the CPU time is measured on Unix only.
func processCPU() time.Duration { return -1 }
