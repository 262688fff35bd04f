package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExplainObjectDiesCLSIDTakesOver(t *testing.T) {
	code, out, errOut := runCLI("explain", "--object", "dead", "--clsid", "ok", "--event", "JobTransferred", "--json")
	require.Equal(t, exitOK, code, errOut)
	var got []explanation
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.Len(t, got, 1)
	assert.Equal(t, "JobTransferred", got[0].Event)
	assert.Equal(t, "delivered", got[0].Outcome)
	assert.Equal(t, "clsid", got[0].DeliveredTo)
	var ids []string
	for _, r := range got[0].Rules {
		ids = append(ids, r.ID)
		assert.NotEmpty(t, r.Statement)
	}
	assert.Equal(t, []string{"FLAGS-FILTER", "PREC-OBJECT-FIRST", "OBJ-DISCOVER-DEAD", "PREC-FALLBACK-DISCONNECTED"}, ids)
}

func TestExplainText(t *testing.T) {
	code, out, _ := runCLI("explain", "--cmdline", "ok", "--owner", "service")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "JobTransferred: nobody can receive it now")
	assert.Contains(t, out, "JobModification: not sent")
}

func TestExplainBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"explain", "--object", "maybe"},
		{"explain", "--flags", "NOPE"},
		{"explain", "--version", "9.9"},
		{"explain", "--instance", "ok"},
		{"explain", "--event", "CommandLine"},
		{"explain", "extra"},
	} {
		code, _, errOut := runCLI(args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.NotEmpty(t, errOut)
	}
}

func TestConformJUnitParses(t *testing.T) {
	code, out, errOut := runCLI("conform", "--format", "junit", "--checks", "5", "--seed", "3")
	require.Equal(t, exitOK, code, errOut)
	var suites struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &suites), "JUnit XML")
	require.Len(t, suites.Suites, 1)
	s := suites.Suites[0]
	assert.Equal(t, "bitssim conformance (sim)", s.Name)
	assert.Equal(t, 0, s.Failures)
	assert.Equal(t, len(s.Cases), s.Tests)
	assert.GreaterOrEqual(t, s.Tests, 61)
	assert.Contains(t, errOut, "state machine: pass")
}

func TestConformFormatsAndErrors(t *testing.T) {
	code, out, _ := runCLI("conform", "--format", "markdown", "--no-machine", "--rules", "OBJ")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "| OBJ-LAST-WRITER-WINS | pass |")
	code, out, _ = runCLI("conform", "--format", "json", "--no-machine", "--rules", "CLSID")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, `"rule": "CLSID-PERSISTED"`)
	code, _, _ = runCLI("conform", "--format", "yaml")
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI("conform", "--version", "7.0")
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI("conform", "--checks", "0")
	assert.Equal(t, exitUsage, code)
}

func TestBench(t *testing.T) {
	code, out, errOut := runCLI("bench", "--time", "50ms", "--compare", "60", "--json")
	require.Equal(t, exitOK, code, errOut)
	var r benchResult
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, "sim", r.Backend)
	assert.Positive(t, r.Lifecycles)
	assert.InDelta(t, r.PerSecond/60, r.Ratio, 1e-9)
	code, _, _ = runCLI("bench", "--time", "-1s")
	assert.Equal(t, exitUsage, code)
}

func TestUnknownRulesAndFamiliesSuggest(t *testing.T) {
	code, out, errOut := runCLI("conform", "--rules", "OBJ-LAST-WRITER-WIN", "--no-machine")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out, "no empty report")
	assert.Contains(t, errOut, `no rule or family "OBJ-LAST-WRITER-WIN"; did you mean "OBJ-LAST-WRITER-WINS"?`)
	code, _, errOut = runCLI("conform", "--rules", "NOPE")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `no rule or family "NOPE"`)
	code, _, errOut = runCLI("rules", "--family", "CLSD")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown family "CLSD"; did you mean "CLSID"?`)
	code, _, errOut = runCLI("rules", "OBJ-LAST-WRITER-WIN")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `did you mean "OBJ-LAST-WRITER-WINS"?`)
}

func TestConformProgressCountsAndRounds(t *testing.T) {
	code, _, errOut := runCLI("conform", "--progress", "--rules", "CLSID", "--checks", "3", "--rounds", "2", "--seed", "5")
	require.Equal(t, exitOK, code, errOut)
	n := countSelected([]string{"CLSID"})
	require.Greater(t, n, 1)
	assert.Contains(t, errOut, fmt.Sprintf("[1/%d] CLSID-", n))
	assert.Contains(t, errOut, fmt.Sprintf("[%d/%d] CLSID-", n, n))
	assert.Contains(t, errOut, "state machine: round 1/2 (3 sequences)")
	assert.Contains(t, errOut, "state machine: round 2/2 (3 sequences)")
}

func TestBenchProgress(t *testing.T) {
	code, _, errOut := runCLI("bench", "--progress", "--time", "300ms")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "bench: ")
	assert.Contains(t, errOut, "lifecycles, ")
}
