package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// A skipped scenario's JSON, as --backend wine writes it, matches the
// schema: it names the backend and what the scenario needs.
func TestSkippedResultMatchesSchema(t *testing.T) {
	sc, err := scenario.Parse("restart.bits", []byte("start A as alice\nA: create j\nrestart\nexpect j state SUSPENDED\n"))
	require.NoError(t, err)
	b, err := harness.NewSim(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer b.Close()
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: noRestart{b}})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, writeJSONArray(&out, []scenario.JSONResult{res.JSON()}))
	requireValid(t, "runResults", out.String())
	assert.Contains(t, out.String(), `"skipped": "needs restart"`)
	assert.Contains(t, out.String(), `"backend": "sim"`)
}

// noRestart is a backend that cannot restart its service.
type noRestart struct{ harness.Backend }

func (b noRestart) Capabilities() harness.Capabilities {
	c := b.Backend.Capabilities()
	c.Restart = false
	return c
}
