package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	return runCLIIn("", args...)
}

// runCLIIn runs the command with stdin as its standard input.
func runCLIIn(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestRulesJSON(t *testing.T) {
	code, out, errOut := runCLI("rules", "--json")
	require.Equal(t, exitOK, code, errOut)
	var rs []struct {
		ID, Family, Statement, Source, Status, Decision string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rs))
	assert.GreaterOrEqual(t, len(rs), 60)
	seen := map[string]bool{}
	for _, r := range rs {
		assert.False(t, seen[r.ID], "duplicate ID %s", r.ID)
		seen[r.ID] = true
		assert.NotEmpty(t, r.Statement, r.ID)
		assert.NotEmpty(t, r.Source, r.ID)
		assert.Contains(t, []string{"documented", "observed", "assumed"}, r.Status, r.ID)
	}
}

func TestRulesFamilyFilter(t *testing.T) {
	code, out, _ := runCLI("rules", "--json", "--family", "clsid")
	require.Equal(t, exitOK, code)
	var rs []struct{ ID, Family string }
	require.NoError(t, json.Unmarshal([]byte(out), &rs))
	require.NotEmpty(t, rs)
	for _, r := range rs {
		assert.Equal(t, "CLSID", r.Family)
		assert.True(t, strings.HasPrefix(r.ID, "CLSID-"))
	}
}

func TestRulesStatusFilterAndText(t *testing.T) {
	code, out, _ := runCLI("rules", "--status", "assumed")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "assumed")
	assert.NotContains(t, out, " documented ")
	assert.Regexp(t, `\n\d+ rules\.\n$`, out)
}

func TestRulesByID(t *testing.T) {
	code, out, _ := runCLI("rules", "obj-last-writer-wins")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "OBJ-LAST-WRITER-WINS")
	assert.Contains(t, out, "source: MicrosoftDocs/")
	assert.Contains(t, out, "1 rules.")
}

func TestRulesBadInput(t *testing.T) {
	code, _, errOut := runCLI("rules", "--family", "nope")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown family "nope"`)
	code, _, errOut = runCLI("rules", "NO-SUCH-RULE")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `no rule "NO-SUCH-RULE"`)
	code, _, _ = runCLI("rules", "--bogus")
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI("rules", "--status", "maybe")
	assert.Equal(t, exitUsage, code)
}

func TestHelpAndUnknownCommand(t *testing.T) {
	code, out, _ := runCLI("help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "rules")
	code, _, errOut := runCLI("frobnicate")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)
	code, _, _ = runCLI()
	assert.Equal(t, exitUsage, code)
	code, _, errOut = runCLI("rules", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "Usage: bitssim rules")
}
