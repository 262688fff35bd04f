package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/scenario"
)

// bitssim run prints, for every example (those on the automatic clock
// aside: their order varies), the text log kept in the scenario package's
// golden files, byte for byte; several files print their logs one after
// the other; -q prints nothing for a scenario whose checks all pass.
func TestRunTextMatchesGoldenFiles(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.bits")
	require.NoError(t, err)
	var all []string
	var want strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		sc, err := scenario.Parse(f, data)
		require.NoError(t, err)
		if sc.Automatic {
			continue
		}
		golden, err := os.ReadFile(filepath.Join("../../scenario/testdata/golden", strings.TrimSuffix(filepath.Base(f), ".bits")+".txt"))
		require.NoError(t, err)
		// The golden files were written from the scenario package, one
		// directory nearer the examples.
		text := strings.ReplaceAll(string(golden), " ../examples/", " ../../examples/")
		code, out, errOut := runCLI("run", f)
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, text, out, f)
		code, out, _ = runCLI("run", "-q", f)
		require.Equal(t, exitOK, code)
		assert.Empty(t, out, f)
		all = append(all, f)
		want.WriteString(text)
	}
	require.NotEmpty(t, all)
	code, out, errOut := runCLI(append([]string{"run"}, all...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, want.String(), out)
}
