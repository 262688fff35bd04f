package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The checks of the expectations on what a notification carried, on a
// getter's failure and on a job's secrets, passed and failed, are JSON
// the schema accepts: strings, with no field of their own.
func TestRunJSONOfCarriedAndSecretsMatchesSchema(t *testing.T) {
	code, out, errOut := runCLI("run", "--format", "json", "../../examples/31-carried-and-secrets.bits")
	require.Equal(t, exitOK, code, errOut)
	requireValid(t, "runResults", out)
	var docs []struct {
		Checks []struct{ Text, Want, Got string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &docs))
	require.Len(t, docs, 1)
	var texts []string
	for _, c := range docs[0].Checks {
		texts = append(texts, c.Text)
	}
	assert.Contains(t, texts, "expect lost state -> !E_ACCESSDENIED by R")
	assert.Contains(t, texts, "expect od FileRangesTransferred reported 0+300 spaced 500ms")

	code, out, _ = runCLI("run", "--format", "jsonl", "../../examples/31-carried-and-secrets.bits", "--variant", "SEC-OWNER-ONLY=reads-allowed")
	require.Equal(t, exitFailed, code, "under reads-allowed bob's getters succeed")
	requireValid(t, "runResult", out)
	assert.Contains(t, out, `"want":"fails with E_ACCESSDENIED","got":"success"`)
}
