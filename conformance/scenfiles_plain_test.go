package conformance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/scenario"
)

// plainBackend offers only harness.Backend, none of the optional control
// interfaces: what winbits and the mutant self-test's wrapping backends
// give the runner.
type plainBackend struct{ harness.Backend }

// Every scenario file that sets a command line, or registers an object
// with no callback interface, runs on a backend without
// harness.ProgramScripter and InProcessCallbacks, and passes there on the
// simulator: no rule needs a Go fallback for such backends. The exception
// is a file that reads what a launch received (program, parameters:
// CMD-NO-SHELL): there the backend must run the script's own programs,
// since one of Backend.CommandLine's has parameters of its own. Files
// skipped there for another reason are logged with it.
func TestScenarioFilesRunOnAPlainBackend(t *testing.T) {
	files := AllScenarioFiles()
	require.NotEmpty(t, files)
	ran := 0
	for _, f := range files {
		b, err := harness.NewSim(f.script.SimOptions())
		require.NoError(t, err)
		res, err := scenario.RunWith(f.script, scenario.RunOptions{Backend: plainBackend{b}, Variants: f.Variants})
		require.NoError(t, err, f.Path)
		require.NoError(t, b.Close())
		src := string(f.Source)
		readsLaunch := false
		for _, st := range f.script.Stmts {
			readsLaunch = readsLaunch || st.Expect != nil && (st.Expect.HasProgram || st.Expect.HasParameters)
		}
		if readsLaunch {
			assert.Contains(t, res.Skipped, "ProgramScripter", f.Path)
		}
		if (strings.Contains(src, "setnotifycmdline") || strings.Contains(src, "iface=none")) && !readsLaunch {
			assert.NotContains(t, res.Skipped, "ProgramScripter", f.Path)
			assert.NotContains(t, res.Skipped, "InProcessCallbacks", f.Path)
		}
		if res.Skipped != "" {
			t.Logf("%s: skipped: %s", f.Path, res.Skipped)
			continue
		}
		ran++
		for _, ch := range res.Failures() {
			t.Errorf("%s:%d: %s: expected %s, seen %s", f.Path, ch.Line, ch.Text, ch.Want, ch.Got)
		}
	}
	t.Logf("%d of %d files ran on a plain backend", ran, len(files))
}
