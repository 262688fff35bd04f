package conformance_test

import (
	"testing"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/sim"
)

func TestSim(t *testing.T) {
	conformance.Run(t, harness.SimFactory(sim.Options{Seed: 1}), conformance.WithMachineRounds(machineRounds()))
}

// machineRounds runs the state machine 20×100 sequences, or 2×100 with -short.
func machineRounds() int {
	if testing.Short() {
		return 2
	}
	return 20
}
