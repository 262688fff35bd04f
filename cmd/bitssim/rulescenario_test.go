package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// 'rules ID' shows the rule's scenario files and the command that runs
// each, and that command runs the file and passes.
func TestRulesShowsTheScenarioFileAndItRuns(t *testing.T) {
	code, out, errOut := runCLI("rules", "OBJ-LAST-WRITER-WINS")
	require.Equal(t, exitOK, code, errOut)
	const file = "conformance/scenarios/OBJ/OBJ-LAST-WRITER-WINS.bits"
	assert.Contains(t, out, "scenario: "+file)
	assert.Contains(t, out, "run: go run ./cmd/bitssim run "+file)

	code, out, errOut = runCLI("run", "-q", filepath.Join("..", "..", file))
	assert.Equal(t, exitOK, code, "%s%s", out, errOut)
	assert.Contains(t, errOut, "all passed")
}

// An open rule shows a file per reading, each named by its reading.
func TestRulesShowsAFilePerReading(t *testing.T) {
	code, out, errOut := runCLI("rules", "OBJ-NO-CALLBACK-INTERFACE")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "scenario (keeps-old): conformance/scenarios/OBJ/OBJ-NO-CALLBACK-INTERFACE.keeps-old.bits")
	assert.Contains(t, out, "scenario (clears-old): conformance/scenarios/OBJ/OBJ-NO-CALLBACK-INTERFACE.clears-old.bits")
}

// A rule without a file says how it is checked instead.
func TestRulesShowsHowARuleWithoutAFileIsChecked(t *testing.T) {
	code, out, errOut := runCLI("rules", "OBJ-GET-NULL-ARG")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "check: untestable: ")
}

// explain --scenarios prints the scenario under each rule it cites; plain
// explain does not.
func TestExplainPrintsTheScenarios(t *testing.T) {
	code, out, errOut := runCLI("explain", "--object", "dead", "--clsid", "ok", "--event", "JobTransferred", "--scenarios")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "scenario: conformance/scenarios/OBJ/OBJ-DISCOVER-DEAD.bits")
	_, plain, _ := runCLI("explain", "--object", "dead", "--clsid", "ok", "--event", "JobTransferred")
	assert.NotContains(t, plain, "conformance/scenarios/")
}

// The paths printed exist in the module.
func TestPrintedScenarioPathsExist(t *testing.T) {
	_, out, _ := runCLI("rules", "-v")
	n := 0
	for _, line := range strings.Split(out, "\n") {
		_, p, ok := strings.Cut(line, "run: go run ./cmd/bitssim run ")
		if !ok {
			continue
		}
		n++
		_, err := os.Stat(filepath.Join("..", "..", p))
		assert.NoError(t, err, p)
	}
	assert.Positive(t, n)
}
