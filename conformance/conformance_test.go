package conformance_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/rules"
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

// Every rule in the catalogue is checked by a scenario or the state
// machine, or marked untestable with a reason.
func TestEveryRuleAccounted(t *testing.T) {
	acc := conformance.Accounting()
	for _, r := range rules.All() {
		how, ok := acc[r.ID]
		if assert.True(t, ok, "%s is neither a scenario, nor in the state machine, nor untestable", r.ID) {
			assert.NotEqual(t, "untestable: ", how, "%s: untestable needs a reason", r.ID)
		}
	}
	for _, id := range conformance.MachineRules() {
		_, ok := rules.Lookup(id)
		assert.True(t, ok, "the state machine claims unknown rule %s", id)
	}
	for _, id := range conformance.Scenarios() {
		_, ok := rules.Lookup(id)
		assert.True(t, ok, "a scenario checks unknown rule %s", id)
	}
}

func TestReportFormats(t *testing.T) {
	rep := conformance.Check(t, harness.SimFactory(sim.Options{Seed: 2}), conformance.WithoutStateMachine(), conformance.WithRules("OBJ"))
	var txt, js bytes.Buffer
	require.NoError(t, rep.WriteText(&txt))
	require.NoError(t, rep.WriteJSON(&js))
	assert.Contains(t, txt.String(), "OBJ-LAST-WRITER-WINS")
	assert.Contains(t, txt.String(), "sim: ")
	var decoded struct {
		Backend string
		Counts  map[string]int
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	assert.Equal(t, "sim", decoded.Backend)
	assert.Equal(t, len(rules.ByFamily(rules.FamilyObject)), decoded.Counts["pass"]+decoded.Counts["untestable"])
	dir := t.TempDir()
	require.NoError(t, rep.WriteFiles(dir))
	for _, name := range []string{"report.txt", "report.json"} {
		_, err := os.Stat(filepath.Join(dir, name))
		assert.NoError(t, err)
	}
}

// A listed divergence that does not happen fails the rule.
func TestDivergenceThatNoLongerHappensFails(t *testing.T) {
	rep := conformance.Check(t, harness.SimFactory(sim.Options{Seed: 2}), conformance.WithoutStateMachine(),
		conformance.WithRules("OBJ-LAST-WRITER-WINS"),
		conformance.WithDivergences(map[string]string{"OBJ-LAST-WRITER-WINS": "the first writer wins"}))
	require.Len(t, rep.Results, 1)
	assert.Equal(t, conformance.Fail, rep.Results[0].Outcome)
	assert.Contains(t, rep.Results[0].Detail, "but the backend now keeps the rule")
}
