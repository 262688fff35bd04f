package conformance_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// The simulator passes the whole suite under every reading of every open
// rule: the scenarios and the oracle follow the selected reading. Nothing is
// skipped for a variant that is not skipped under the defaults.
func TestSuitePassesUnderEveryVariant(t *testing.T) {
	base := conformance.Check(t, harness.SimFactory(sim.Options{Seed: 3}), conformance.WithoutStateMachine())
	skippedByDefault := map[string]bool{}
	for _, res := range base.Results {
		if res.Outcome == conformance.Skip {
			skippedByDefault[res.Rule] = true
		}
	}
	for _, sel := range rules.EachVariant()[1:] {
		if why, no := sim.NotSimulated[sel.String()]; no {
			t.Run(sel.String(), func(t *testing.T) {
				// Refused, never simulated as the default in disguise.
				_, err := sim.New(sim.Options{Clock: sim.Manual, Variants: sel})
				assert.ErrorContains(t, err, "not simulated yet", why)
			})
			continue
		}
		t.Run(sel.String(), func(t *testing.T) {
			opts := []conformance.Option{conformance.WithMachineRounds(1)}
			if testing.Short() {
				opts = []conformance.Option{conformance.WithoutStateMachine()}
			}
			rep := conformance.Check(t, harness.SimFactory(sim.Options{Seed: 3, Variants: sel}), opts...)
			for _, res := range rep.Results {
				switch res.Outcome {
				case conformance.Fail:
					t.Errorf("%s: %s", res.Rule, res.Detail)
				case conformance.Skip:
					assert.True(t, skippedByDefault[res.Rule], "%s skipped under %v only: %s", res.Rule, sel, res.Detail)
				}
				for id := range sel {
					if res.Rule == id && res.Outcome == conformance.Pass {
						assert.Equal(t, sel[id], res.Variant, "the report names the reading the scenario expected")
					}
				}
			}
			if rep.Machine != nil {
				assert.NotEqual(t, conformance.Fail, rep.Machine.Outcome, "state machine: %s", rep.Machine.Detail)
			}
		})
	}
}

// A backend that does not declare its readings (a real BITS) gets each
// open rule's scenario run under every reading, and the report names the
// readings it matched: here a simulator under a non-default reading, hidden
// behind a wrapper that does not say so.
func TestReportNamesTheMatchedVariant(t *testing.T) {
	hidden := func(sel rules.Selection) harness.Factory {
		f := harness.SimFactory(sim.Options{Seed: 4, Variants: sel})
		return func(t harness.TB) harness.Backend { return opaque{f(t)} }
	}
	for _, tc := range []struct {
		rule, variant string
	}{
		{"STATE-SUSPEND-ERROR", rules.VarSuspended},
		{"STATE-SUSPEND-ERROR", rules.VarStays},
		{"SEC-TAKEOWNERSHIP-CLSID", rules.VarCleared},
		{"CLSID-SET-UNCHECKED", rules.VarCheckedUpFront},
		{"CLSID-NOT-NOTIFY-INTERFACE", rules.VarReportsInstance},
	} {
		rep := conformance.Check(t, hidden(rules.Selection{tc.rule: tc.variant}), conformance.WithoutStateMachine(), conformance.WithRules(tc.rule))
		require.Len(t, rep.Results, 1)
		res := rep.Results[0]
		assert.Equal(t, conformance.Pass, res.Outcome, "%s=%s: %s", tc.rule, tc.variant, res.Detail)
		assert.Equal(t, []string{tc.variant}, res.Matched, "%s", tc.rule)
		assert.Empty(t, res.Variant)
	}
}

// opaque hides the simulator's VariantBackend method.
type opaque struct{ harness.Backend }

func TestOpaqueHidesVariants(t *testing.T) {
	_, known := harness.BackendVariants(opaque{})
	assert.False(t, known)
}

// The answers of a run against a backend that hides its readings: a line
// per open rule, naming the reading matched and when it is not the default.
func TestReadingsAnswerTheOpenQuestions(t *testing.T) {
	f := harness.SimFactory(sim.Options{Seed: 5, Variants: rules.Selection{"STATE-SUSPEND-ERROR": rules.VarSuspended}})
	hidden := func(t harness.TB) harness.Backend { return opaque{f(t)} }
	rep := conformance.Check(t, hidden, conformance.WithoutStateMachine(),
		conformance.WithRules("STATE-SUSPEND-ERROR", "STATE-SUSPEND-TRANSFERRED", "FLAGS-FILTER"))
	got := map[string][]string{}
	for _, rd := range rep.Readings() {
		got[rd.Rule] = rd.Matched
	}
	assert.Equal(t, map[string][]string{
		"STATE-SUSPEND-ERROR":       {rules.VarSuspended},
		"STATE-SUSPEND-TRANSFERRED": {rules.VarStays},
	}, got, "FLAGS-FILTER is documented: no question to answer")
	var b strings.Builder
	require.NoError(t, rep.WriteReadings(&b))
	assert.Contains(t, b.String(), "STATE-SUSPEND-ERROR        matched: suspended  not the default (stays)")
	var txt strings.Builder
	require.NoError(t, rep.WriteText(&txt))
	assert.Contains(t, txt.String(), "matched readings: suspended")
}
