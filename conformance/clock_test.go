package conformance_test

import (
	"testing"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/sim"
)

// The whole suite on the simulator's automatic clock: work happens in the
// background and callbacks run concurrently, as on a real BITS. The
// scenarios that need exact virtual time skip (the state machine runs, with
// retry timing left to the clock); the ones that need
// concurrent callbacks (DELIV-FOUR-PER-USER) run only here.
func TestSimAutomaticClock(t *testing.T) {
	conformance.Run(t, harness.SimAutoFactory(sim.Options{Seed: 1}), conformance.WithMachineRounds(1))
}
