package main

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeScenario(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.bits")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	return path
}

func TestRunExampleExitsZero(t *testing.T) {
	code, out, errOut := runCLI("run", "../../examples/06-object-dies-clsid-takes-over.bits")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "BITS         -x A            JobTransferred job1                          RPC_S_SERVER_UNAVAILABLE")
	assert.Contains(t, out, "ok   ../../examples/06-object-dies-clsid-takes-over.bits:19: expect job1 JobTransferred -> Notifier x1")
	assert.Contains(t, errOut, "3 checks, all passed")
}

func TestRunFailedExpectationExitsOne(t *testing.T) {
	path := writeScenario(t, "start A as alice\nA: create j\nexpect j state TRANSFERRED\n")
	code, out, errOut := runCLI("run", path)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, "FAIL "+path+":3: expect j state TRANSFERRED")
	assert.Contains(t, errOut, path+":3: expectation failed: expect j state TRANSFERRED\n    expected TRANSFERRED\n    seen     SUSPENDED")
}

func TestRunBadScenarioExitsTwoWithLocation(t *testing.T) {
	path := writeScenario(t, "start A as alice\nA: create j\nA: resme j\n")
	code, out, errOut := runCLI("run", path)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, path+`:3:4: unknown verb (at "resme"); did you mean "resume"?`)
}

func TestRunFormats(t *testing.T) {
	ex := "../../examples/02-clsid-only.bits"
	code, out, _ := runCLI("run", "--format", "mermaid", ex)
	require.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(out, "sequenceDiagram\n"))
	code, out, _ = runCLI("run", "--format", "json", ex)
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, `"ok": true`)
	svg := filepath.Join(t.TempDir(), "d.svg")
	code, _, _ = runCLI("run", "--format", "svg", "-o", svg, ex)
	require.Equal(t, exitOK, code)
	f, err := os.Open(svg)
	require.NoError(t, err)
	defer f.Close()
	dec := xml.NewDecoder(f)
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	code, _, errOut := runCLI("run", "--format", "png", ex)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown format "png"`)
	code, _, _ = runCLI("run")
	assert.Equal(t, exitUsage, code)
	code, _, errOut = runCLI("run", "/no/such/file.bits")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "no such file")
}
