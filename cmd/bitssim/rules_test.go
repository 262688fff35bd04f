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
	assert.Contains(t, out, "1 rule.")
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

func TestRulesVariants(t *testing.T) {
	code, out, errOut := runCLI("rules", "--uncertain", "--json")
	require.Equal(t, exitOK, code, errOut)
	requireValid(t, "rules", out)
	var rs []struct {
		ID       string
		Variants []struct {
			Name, Statement, Reasoning string
			Default                    bool
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rs))
	require.NotEmpty(t, rs)
	for _, r := range rs {
		require.GreaterOrEqual(t, len(r.Variants), 2, "%s is open: it has readings", r.ID)
		assert.True(t, r.Variants[0].Default, "%s: the default comes first", r.ID)
		for _, v := range r.Variants[1:] {
			assert.False(t, v.Default)
			assert.NotEmpty(t, v.Statement)
			assert.NotEmpty(t, v.Reasoning)
		}
	}
	code, out, _ = runCLI("rules", "--uncertain", "--family", "PREC")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "PREC-FAILURE-KEEPS-OBJECT")
	assert.Contains(t, out, "variants: keeps-object (default), falls-back-to-clsid")
	assert.NotContains(t, out, "PREC-OBJECT-FIRST ", "a settled rule is not uncertain")
	code, out, _ = runCLI("rules", "PREC-FAILURE-KEEPS-OBJECT")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "variant falls-back-to-clsid:")
	assert.Contains(t, out, "variant keeps-object (default):")
}

func TestExplainShowsOtherReadings(t *testing.T) {
	code, out, errOut := runCLI("explain", "--object", "fails", "--clsid", "ok", "--event", "JobTransferred", "--json")
	require.Equal(t, exitOK, code, errOut)
	requireValid(t, "explanations", out)
	var got []explanation
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got, 1)
	// PREC-FAILURE-KEEPS-OBJECT, as written: by default the failing object
	// keeps the notification and the CLSID is not offered it; under
	// falls-back-to-clsid the CLSID instance gets it.
	assert.Equal(t, "retry", got[0].Outcome)
	var alt *alternative
	for i, a := range got[0].Alternatives {
		if a.Rule == "PREC-FAILURE-KEEPS-OBJECT" {
			alt = &got[0].Alternatives[i]
		}
	}
	require.NotNil(t, alt, "%+v", got[0].Alternatives)
	assert.Equal(t, "falls-back-to-clsid", alt.Variant)
	assert.Equal(t, "delivered", alt.Outcome)
	assert.Equal(t, "clsid", alt.DeliveredTo)

	code, out, _ = runCLI("explain", "--object", "fails", "--clsid", "ok", "--event", "JobTransferred", "--variant", "PREC-FAILURE-KEEPS-OBJECT=falls-back-to-clsid", "--json")
	require.Equal(t, exitOK, code)
	got = nil
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, "delivered", got[0].Outcome)
	assert.Equal(t, map[string]string{"PREC-FAILURE-KEEPS-OBJECT": "falls-back-to-clsid"}, got[0].Variants)
	code, out, _ = runCLI("explain", "--object", "fails", "--clsid", "ok", "--event", "JobTransferred")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "Under another reading of an open rule:\n    PREC-FAILURE-KEEPS-OBJECT=falls-back-to-clsid: delivered to the CLSID instance")

	code, _, errOut = runCLI("explain", "--variant", "PREC-FAILURE-KEEPS-OBJECT=nope")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `no variant "nope" (want one of keeps-object, falls-back-to-clsid)`)
}

func TestRunVariantFlag(t *testing.T) {
	ex := "../../examples/23-variants.bits"
	code, _, errOut := runCLI("run", ex)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "(variants: PREC-FAILURE-KEEPS-OBJECT=falls-back-to-clsid)")
	code, out, errOut := runCLI("run", "--format", "json", ex, "--variant", "PREC-FAILURE-KEEPS-OBJECT=keeps-object")
	assert.Equal(t, exitFailed, code, "the flag overrides the scenario's variant statement")
	assert.Contains(t, errOut, "expect job1 JobTransferred -> Notifier#1 x1")
	requireValid(t, "runResults", out)
	assert.NotContains(t, out, `"variants"`, "a run at the defaults names no variants")
	code, out, _ = runCLI("run", "--format", "json", "--variant", "PREC-FAILURE-KEEPS-OBJECT=falls-back-to-clsid", "../../examples/01-object-only.bits")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, `"variants": {`)
	code, _, errOut = runCLI("run", "--variant", "NOPE=x", ex)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "unknown rule")
}
