package conformance_test

import (
	"testing"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/sim"
)

func TestSim(t *testing.T) {
	conformance.Run(t, harness.SimFactory(sim.Options{Seed: 1}))
}
