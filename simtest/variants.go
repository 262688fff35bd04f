package simtest

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// Variants selects the readings of the open rules the service follows
// (see rules.Uncertain and sim.Options.Variants).
func Variants(v rules.Selection) Option { return func(c *config) { c.opts.Variants = v } }

// Combinations is how many rapid-drawn combinations of readings
// ForEachVariant runs after the single readings.
var Combinations = 8

// ForEachVariant runs test as a subtest once per reading of every open
// rule of the rulebook (the defaults first, then each other reading of
// each rule alone, as rules.EachVariant lists them), and then under
// Combinations selections that give every open rule a reading at once,
// drawn with rapid from fixed seeds, so every run draws the same ones.
// Each subtest is named after its selection ("defaults",
// "PREC-CMDLINE-LAST=cmdline-before-clsid", …) so it can be run alone
// with -run; pass the selection to New with Variants. A reading the
// simulator does not follow (sim.NotSimulated) is skipped with the
// reason.
//
// Code that is correct under every reading does not depend on what the
// documentation leaves open: it keeps working on whichever one Windows
// implements.
func ForEachVariant(t *testing.T, test func(t *testing.T, v rules.Selection)) {
	t.Helper()
	run := func(name string, v rules.Selection) {
		t.Run(name, func(t *testing.T) {
			for id, variant := range v {
				if why, ok := sim.NotSimulated[id+"="+variant]; ok {
					t.Skipf("%s=%s is not simulated: %s", id, variant, why)
				}
			}
			test(t, v)
		})
	}
	for _, v := range rules.EachVariant() {
		run(v.String(), v)
	}
	gen := Selections()
	for i := 0; i < Combinations; i++ {
		v := gen.Example(i)
		run(fmt.Sprintf("combination-%d", i), v)
	}
}

// Selections generates selections that give every open rule one of its
// readings the simulator follows, for property-based tests with rapid.
func Selections() *rapid.Generator[rules.Selection] {
	return rapid.Custom(func(t *rapid.T) rules.Selection {
		v := rules.Selection{}
		for _, r := range rules.Uncertain() {
			var names []string
			for _, n := range r.VariantNames() {
				if _, no := sim.NotSimulated[r.ID+"="+n]; !no {
					names = append(names, n)
				}
			}
			v[r.ID] = rapid.SampledFrom(names).Draw(t, r.ID)
		}
		return v
	})
}
