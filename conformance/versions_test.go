package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// The suite's scenarios pass on the simulator as every BITS version it
// models, not only the newest: a scenario that needs a newer version skips,
// and what a rule says of an older one is checked there (the notify flags
// valid per version, the limits from 3.0, the JobModification rate from
// 10.1, the CLSID from 5.0).
func TestSimVersions(t *testing.T) {
	for _, v := range model.Versions() {
		if v == model.BITS10_3 {
			continue // TestSim
		}
		t.Run(v.String(), func(t *testing.T) {
			rep := conformance.Check(t, harness.SimFactory(sim.Options{Seed: 1, Version: v}), conformance.WithoutStateMachine())
			for _, r := range rep.Results {
				assert.NotEqual(t, conformance.Fail, r.Outcome, "BITS %v: %s: %s", v, r.Rule, r.Detail)
			}
		})
	}
}
