package scenario_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// A backend without harness.ProgramScripter runs a script's command
// lines through Backend.CommandLine: the runs and exit codes are the
// script's (CMD-RERUN-NONZERO-EXIT: exit 1 is launched again after the
// MinimumRetryDelay, exit 0 ends the launches), and GetNotifyCmdLine and
// the trace give back the script's names.
func TestCommandLinesRunOnAPlainBackend(t *testing.T) {
	b := newSimBackend(t, sim.Options{})
	p := plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, VirtualTime: true, CommandLine: true}}
	sc := parse(t, `user alice
start A as alice
remote http://server/f.bin size=2048
A: create done
A: addfile done http://server/f.bin C:\bitssim\d.bin
A: setminretrydelay done 30s
A: setnotifycmdline done C:\bitssim\notify.exe "C:\bitssim\notify.exe done" exit=1,0
expect done cmdline C:\bitssim\notify.exe "C:\bitssim\notify.exe done"
A: resume done
expect done CommandLine -> cmdline x1 failed
advance 30s
expect done CommandLine -> cmdline x1
advance 2m
expect done CommandLine -> cmdline x1
A: create other
A: setnotifycmdline other C:\Windows\System32\notepad.exe
expect other cmdline C:\Windows\System32\notepad.exe
A: setnotifycmdline other NULL
expect other cmdline none
`)
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: p})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	for _, c := range res.Checks {
		assert.True(t, c.OK, "line %d: %s: expected %s, seen %s", c.Line, c.Text, c.Want, c.Got)
	}
	assert.Len(t, res.Checks, 6)
	runs := 0
	for _, s := range res.Steps {
		if s.Event != nil && s.Event.Kind == model.EventCommandLine {
			runs++
			assert.Equal(t, `C:\bitssim\notify.exe`, s.Event.Target.Program, "the trace shows the script's program")
			assert.Equal(t, `C:\bitssim\notify.exe done`, s.Event.Target.Parameters)
		}
	}
	assert.Equal(t, 2, runs, "exit 1, then exit 0")

	// The backend ran programs of its own, not the script's.
	var programs []string
	for _, e := range b.Trace() {
		if e.Kind == model.EventCommandLine {
			programs = append(programs, e.Target.Program)
		}
	}
	require.Len(t, programs, 2)
	assert.NotEqual(t, `C:\bitssim\notify.exe`, programs[0])
}

// A string longer than BITS takes reaches the backend as it is, so that
// the call fails as CMD-STRING-TOO-LONG says: BG_E_STRING_TOO_LONG.
func TestTooLongCommandLinePassesAsItIs(t *testing.T) {
	b := newSimBackend(t, sim.Options{})
	p := plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, VirtualTime: true, CommandLine: true}}
	long := `C:\`
	for len(long) < 300 {
		long += "p"
	}
	sc := parse(t, "start A as alice\nA: create job1\nA: setnotifycmdline job1 "+long+".exe x -> BG_E_STRING_TOO_LONG\nexpect job1 cmdline none\n")
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: p})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	assert.False(t, res.Failed(), "%+v", res.Checks)
}

// A program that acts on the job (does=) needs harness.ProgramScripter.
func TestProgramThatActsNeedsProgramScripter(t *testing.T) {
	b := newSimBackend(t, sim.Options{})
	p := plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, VirtualTime: true, CommandLine: true}}
	sc := parse(t, "start A as alice\nA: create job1\nA: setnotifycmdline job1 C:\\n.exe does=complete\n")
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: p})
	require.NoError(t, err)
	assert.Equal(t, "needs command-line programs that act on the job (does=, harness.ProgramScripter)", res.Skipped)
}

// An object with no callback interface is refused with E_NOINTERFACE on a
// backend whose callback objects are not in-process (OBJ-NO-CALLBACK-INTERFACE).
func TestObjectWithoutCallbackInterfaceOnAPlainBackend(t *testing.T) {
	b := newSimBackend(t, sim.Options{})
	p := plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, VirtualTime: true}}
	sc := parse(t, `start A as alice
start B as alice
A: create job1
A: setnotifyinterface job1
B: setnotifyinterface job1 iface=none -> E_NOINTERFACE
expect job1 interface A
`)
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: p})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	assert.Len(t, res.Checks, 2, "the call's result and the expectation")
	assert.False(t, res.Failed(), "%+v", res.Checks)
}

// Whatever program and parameters a script names, a plain backend runs a
// program of its own and `expect cmdline` reads back the script's names.
func TestCommandLineNamesRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		prog := `C:\bitssim\` + rapid.StringMatching(`[a-z][a-z0-9]{0,19}`).Draw(rt, "program") + ".exe"
		params := rapid.StringMatching(`[a-z0-9]{1,8}( [a-z0-9]{1,8}){0,3}`).Draw(rt, "parameters")
		b, err := harness.NewSim(sim.Options{})
		require.NoError(rt, err)
		defer b.Close()
		p := plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, VirtualTime: true, CommandLine: true}}
		src := "start A as alice\nA: create job1\nA: setnotifycmdline job1 " + prog + ` "` + params + `"` +
			"\nexpect job1 cmdline " + prog + ` "` + params + `"` + "\n"
		sc, err := scenario.Parse("prop.bits", []byte(src))
		require.NoError(rt, err)
		res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: p})
		require.NoError(rt, err)
		require.Empty(rt, res.Skipped)
		require.Len(rt, res.Checks, 1)
		assert.True(rt, res.Checks[0].OK, "expected %s, seen %s", res.Checks[0].Want, res.Checks[0].Got)
	})
}
