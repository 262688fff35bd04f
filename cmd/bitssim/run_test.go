package main

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
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

func TestRunFlagsAfterFiles(t *testing.T) {
	code, out, errOut := runCLI("run", "../../examples/02-clsid-only.bits", "--format", "json", "-q")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "[]\n", out, "-q after the file still counts: nothing passed prints nothing")
	code, out, _ = runCLI("run", "--", "../../examples/02-clsid-only.bits")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "setnotifyclsid job1")
}

func TestRunReadsStandardInput(t *testing.T) {
	code, out, errOut := runCLIIn("start A as alice\nA: create j\nexpect j state SUSPENDED\n", "run", "-")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "ok   -:3: expect j state SUSPENDED")
	code, _, errOut = runCLIIn("x", "run", "-", "-")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "standard input (-) can be read only once")
}

func TestRunEmptyScenarioSaysSo(t *testing.T) {
	code, out, errOut := runCLIIn("# nothing but a comment\n\n", "run", "-")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "-:2:1: empty scenario: it has no statements")
}

func TestRunOutputReplacedOnlyOnSuccess(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "trace.txt")
	require.NoError(t, os.WriteFile(dst, []byte("precious\n"), 0o644))
	bad := writeScenario(t, "start A as alice\nA: resme j\n")
	code, _, errOut := runCLI("run", "-o", dst, "../../examples/02-clsid-only.bits", bad)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "left as it was")
	data, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, "precious\n", string(data), "a malformed scenario does not truncate -o")
	code, _, _ = runCLI("run", "-o", dst, "../../examples/02-clsid-only.bits")
	require.Equal(t, exitOK, code)
	data, err = os.ReadFile(dst)
	require.NoError(t, err)
	assert.Contains(t, string(data), "setnotifyclsid job1")
	left, err := filepath.Glob(filepath.Join(dir, ".*tmp"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file left behind")
}

func TestRunPicturesIntoDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pics")
	code, out, errOut := runCLI("run", "--format", "svg", "-o", dir, "../../examples/01-object-only.bits", "../../examples/02-clsid-only.bits")
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, out)
	for _, name := range []string{"01-object-only.svg", "02-clsid-only.svg"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(data), "<svg "), name)
		assert.Equal(t, 1, strings.Count(string(data), "<svg "), "one picture per file")
	}
	code, _, _ = runCLI("run", "--format", "mermaid", "-o", dir+"/", "../../examples/01-object-only.bits")
	require.Equal(t, exitOK, code)
	data, err := os.ReadFile(filepath.Join(dir, "01-object-only.mmd"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "sequenceDiagram\n"))
	code, _, errOut = runCLI("run", "--format", "svg", "../../examples/01-object-only.bits", "../../examples/02-clsid-only.bits")
	assert.Equal(t, exitUsage, code, "several pictures back to back on standard output are no picture")
	assert.Contains(t, errOut, "-o DIR")
}

func TestRunIOErrorExitsTwo(t *testing.T) {
	code, _, errOut := runCLI("run", "-o", filepath.Join(t.TempDir(), "no", "such", "dir", "x.txt"), "../../examples/02-clsid-only.bits")
	assert.Equal(t, exitUsage, code)
	assert.NotEmpty(t, errOut)
	code, _, _ = runCLIIn("", "run", "../../examples/02-clsid-only.bits")
	assert.Equal(t, exitOK, code)
	var failing failWriter
	code = run([]string{"run", "../../examples/02-clsid-only.bits"}, nil, failing, io.Discard)
	assert.Equal(t, exitUsage, code, "an I/O error is 2, not 1 (a failed expectation)")
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrPermission }

func TestHelpHelp(t *testing.T) {
	for _, args := range [][]string{{"help", "--help"}, {"--help"}, {"help", "-h"}} {
		code, out, _ := runCLI(args...)
		assert.Equal(t, exitOK, code, "%v", args)
		assert.Contains(t, out, "Commands:", "%v", args)
	}
	code, out, _ := runCLI("help", "run")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "Usage: bitssim run")
	code, _, errOut := runCLI("help", "rnu")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `did you mean "run"?`)
}

// A reader that goes away after the first line (| head -1) ends the
// command quietly with status 0.
func TestClosedPipeEndsQuietly(t *testing.T) {
	if os.Getenv("BITSSIM_TEST_MAIN") == "1" {
		return
	}
	// Far more output than a pipe buffers, so that writes hit the closed pipe.
	var src strings.Builder
	src.WriteString("start A as alice\nA: create j\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&src, "A: setdescription j d%d\n", i)
	}
	path := writeScenario(t, src.String())
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	cmd.Env = append(os.Environ(), "BITSSIM_TEST_MAIN=1", "BITSSIM_ARGS=run -q=false "+path)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errb strings.Builder
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	assert.Contains(t, line, "start as alice")
	require.NoError(t, stdout.Close())
	err = cmd.Wait()
	assert.NoError(t, err, "status 0; stderr: %s", errb.String())
	assert.NotContains(t, errb.String(), "pipe")
	assert.NotContains(t, errb.String(), "bitssim")
}

// TestMainProcess is main, run by TestClosedPipeEndsQuietly in a child
// process.
func TestMainProcess(t *testing.T) {
	if os.Getenv("BITSSIM_TEST_MAIN") != "1" {
		t.Skip("runs as a child of TestClosedPipeEndsQuietly")
	}
	os.Args = append([]string{"bitssim"}, strings.Fields(os.Getenv("BITSSIM_ARGS"))...)
	main()
}

// -o on a device writes to it: it never renames a file over it.
func TestRunOutputToDevice(t *testing.T) {
	st, err := os.Stat(os.DevNull)
	if err != nil || st.Mode().IsRegular() {
		t.Skip("no null device")
	}
	code, _, errOut := runCLI("run", "-o", os.DevNull, "../../examples/01-object-only.bits")
	require.Equal(t, exitOK, code, errOut)
	st, err = os.Stat(os.DevNull)
	require.NoError(t, err)
	assert.False(t, st.Mode().IsRegular(), "the null device is still a device")
}
