//go:build !windows

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunBackendRealOnlyInTheWindowsBuild(t *testing.T) {
	code, _, errOut := runCLI("run", "--backend", "windows", "../../examples/01-object-only.bits")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--backend windows runs in the Windows build of bitssim only")

	t.Setenv(wineExeEnv, "")
	code, _, errOut = runCLI("run", "../../examples/01-object-only.bits", "--backend", "wine")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "set BITSSIM_WINE_EXE to it")

	code, _, errOut = runCLI("run", "--backend", "wnie", "../../examples/01-object-only.bits")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown backend "wnie" (want sim, wine, windows); did you mean "wine"?`)
}

// TestRunBackendWineDelegates: --backend wine runs the Windows build
// under wine with the same arguments, and exits as it does. A stand-in
// for wine records its arguments and exits 1.
func TestRunBackendWineDelegates(t *testing.T) {
	dir := t.TempDir()
	args := filepath.Join(dir, "args")
	wine := filepath.Join(dir, "wine")
	require.NoError(t, os.WriteFile(wine, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > "+args+"\necho from-wine\nexit 1\n"), 0o700))
	t.Setenv("WINE", wine)
	t.Setenv(wineExeEnv, `C:\bitssim.exe`)
	code, out, _ := runCLI("run", "--backend", "wine", "-q", "a.bits")
	assert.Equal(t, exitFailed, code, "the exit status of the Windows build")
	assert.Equal(t, "from-wine\n", out)
	got, err := os.ReadFile(args)
	require.NoError(t, err)
	assert.Equal(t, "C:\\bitssim.exe\nrun\n--backend\nwine\n-q\na.bits\n", string(got))
}

func TestRunBackendSimIsTheDefault(t *testing.T) {
	code, out, errOut := runCLI("run", "--backend", "sim", "--format", "json", "../../examples/01-object-only.bits")
	require.Equal(t, exitOK, code, errOut)
	var res []struct{ Backend, Skipped string }
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Len(t, res, 1)
	assert.Equal(t, "sim", res[0].Backend)
	assert.Empty(t, res[0].Skipped)
}
