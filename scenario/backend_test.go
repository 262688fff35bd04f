package scenario_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

func parse(t *testing.T, src string) *scenario.Script {
	t.Helper()
	sc, err := scenario.Parse("test.bits", []byte(src))
	require.NoError(t, err)
	return sc
}

func TestNeedsNamesWhatTheScriptUses(t *testing.T) {
	sc := parse(t, `user alice
user bob
class C
start A as alice
start B as bob
A: create job1
A: setnotifyclsid job1 C
A: setnotifycmdline job1 C:\n.exe
expect job1 no CommandLine
crash A
restart
`)
	assert.Equal(t, harness.Capabilities{Version: model.BITS5_0, Restart: true, Crash: true, CLSID: true, CommandLine: true, Users: true}, sc.Needs(),
		"a notification CLSID is set through IBackgroundCopyJob5, BITS 5.0")

	setter := parse(t, "start A as alice\nA: create job1\nA: setnotifycmdline job1 C:\\n.exe\nexpect job1 cmdline C:\\n.exe\n")
	assert.False(t, setter.Needs().CommandLine, "setting and reading a command line needs no backend that launches it")

	plain := parse(t, "start A as alice\nA: create job1\nadvance 10m\n")
	assert.Equal(t, harness.Capabilities{}, plain.Needs(), "one ordinary user and an advance need nothing")

	admin := parse(t, "user root admin\nstart A as root\n")
	assert.True(t, admin.Needs().Users, "an administrator is another kind of account")
	system := parse(t, "start A as LocalSystem\n")
	assert.True(t, system.Needs().Users, "a service account")

	old := parse(t, "version 3.0\nstart A as alice\nA: create job1\nA: setnotifyclsid job1 {00000000-0000-0000-0000-000000000001} -> E_NOTIMPL\n")
	assert.Equal(t, harness.Capabilities{Version: model.BITS3_0}, old.Needs(), "on BITS 3.0 the script checks CLSIDs are refused")

	// Without a version statement a script runs at the backend's version,
	// so it needs the version of each interface its statements call.
	for src, want := range map[string]model.Version{
		"A: setnotifyflags job1 JOB_TRANSFERRED|FILE_TRANSFERRED": model.BITS3_0, // IBackgroundCopyCallback2
		"A: setnotifyinterface job1 fails on=FileTransferred:2":   model.BITS3_0,
		"expect job1 FileTransferred -> A x1":                     model.BITS3_0,
		"A: setmaxdownloadtime job1 1h":                           model.BITS3_0, // IBackgroundCopyJob4
		"expect job1 file 1 validation true":                      model.BITS3_0, // IBackgroundCopyFile3
		"A: addfileranges job1 http://s/f C:\\f 0+10":             model.BITS2_0, // IBackgroundCopyJob3
		"A: setproperty job1 DYNAMIC_CONTENT true":                model.BITS5_0, // IBackgroundCopyJob5
		"expect job1 property DYNAMIC_CONTENT true":               model.BITS5_0,
		"expect job1 clsid NULL":                                  model.BITS5_0,
		"A: setproperty job1 ON_DEMAND_MODE true":                 model.BITS10_1,
		"A: requestranges job1 1 0+10":                            model.BITS10_1, // IBackgroundCopyFile6
		"expect job1 file 1 ranges none":                          model.BITS10_1,
		"expect job1 FileRangesTransferred -> A x1":               model.BITS10_1,
		"A: setnotifyflags job1 JOB_TRANSFERRED":                  0,
		"A: addfile job1 http://s/f C:\\f":                        0,
	} {
		sc := parse(t, "remote http://s/f\nstart A as alice\nA: create job1\n"+src+"\n")
		assert.Equal(t, want, sc.Needs().Version, src)
	}

	auto := parse(t, "clock automatic\nstart A as alice\n")
	assert.True(t, auto.Needs().Concurrent)
}

func TestVariantsAreTheVariantStatements(t *testing.T) {
	sc := parse(t, "variant PREC-FAILURE-KEEPS-OBJECT falls-back-to-clsid\nstart A as alice\n")
	v := sc.Variants()
	assert.Equal(t, rules.Selection{"PREC-FAILURE-KEEPS-OBJECT": "falls-back-to-clsid"}, v)
	v["PREC-FAILURE-KEEPS-OBJECT"] = "changed"
	assert.Equal(t, "falls-back-to-clsid", sc.Variants()["PREC-FAILURE-KEEPS-OBJECT"], "Variants returns a copy")
	assert.Nil(t, parse(t, "start A as alice\n").Variants())
}

// plain is a backend that offers only the Backend interface (none of the
// optional control interfaces), with the capabilities caps.
type plain struct {
	harness.Backend
	caps harness.Capabilities
}

func (p plain) Capabilities() harness.Capabilities { return p.caps }

func newSimBackend(t *testing.T, opts sim.Options) *harness.SimBackend {
	t.Helper()
	b, err := harness.NewSim(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestRunSkipsWhatTheBackendCannotDo(t *testing.T) {
	b := newSimBackend(t, sim.Options{})
	limited := plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, CommandLine: true}}
	sc := parse(t, `start A as alice
remote http://s/f transient=2
A: create job1
A: setnotifycmdline job1 C:\n.exe does=complete
restart
expect job1 state SUSPENDED
`)
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: limited})
	require.NoError(t, err)
	assert.Equal(t, "needs restart, scripted remotes (harness.RemoteScripter), command-line programs that act on the job (does=, harness.ProgramScripter)", res.Skipped)
	assert.Empty(t, res.Steps)
	assert.Empty(t, res.Checks)
	assert.False(t, res.Failed(), "a skipped script fails nothing")
	assert.Empty(t, b.Trace(), "nothing ran")

	variant := parse(t, "variant PREC-FAILURE-KEEPS-OBJECT falls-back-to-clsid\nstart A as alice\n")
	res, err = scenario.RunWith(variant, scenario.RunOptions{Backend: b})
	require.NoError(t, err)
	assert.Equal(t, "needs variant falls-back-to-clsid of PREC-FAILURE-KEEPS-OBJECT (the backend follows keeps-object)", res.Skipped)

	old := parse(t, "version 3.0\nstart A as alice\n")
	res, err = scenario.RunWith(old, scenario.RunOptions{Backend: b})
	require.NoError(t, err)
	assert.Equal(t, "needs BITS 3.0 (the backend is BITS 10.3)", res.Skipped, "a script for an older BITS checks what it lacks")

	bounded := plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, MaxWait: 10e9}}
	res, err = scenario.RunWith(parse(t, "start A as alice\nadvance 1m\n"), scenario.RunOptions{Backend: bounded})
	require.NoError(t, err)
	assert.Equal(t, "needs waits of 1m0s (the backend waits at most 10s)", res.Skipped)
}

func TestRunUsesTheBackendAndLeavesItOpen(t *testing.T) {
	b := newSimBackend(t, sim.Options{Clock: sim.Manual})
	data, err := os.ReadFile("../examples/01-object-only.bits")
	require.NoError(t, err)
	sc, err := scenario.Parse("01-object-only.bits", data)
	require.NoError(t, err)
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: b})
	require.NoError(t, err)
	assert.Equal(t, "sim", res.Backend)
	assert.Empty(t, res.Skipped)
	assert.False(t, res.Failed(), "%v", res.Failures())
	// The receiver's trace of the backend saw the delivery, and the
	// backend still works.
	got := harness.Delivered(b.Trace(), func(e model.Event) bool { return e.Kind == model.EventJobTransferred })
	require.Len(t, got, 1)
	assert.Equal(t, "A", got[0].Target.App)
	_, err = b.StartApp("after", model.Account{Name: "alice", Kind: model.AccountUser})
	assert.NoError(t, err, "the runner does not close a backend it was given")
}

// TestExamplesOnAPlainBackend runs every example on a backend that offers
// nothing but the Backend interface: each either is skipped, saying what
// it needs, or holds as on the simulator, its remotes and classes being
// the backend's own.
func TestExamplesOnAPlainBackend(t *testing.T) {
	ran := 0
	eachExample(t, func(t *testing.T, path string, _ []byte, sc *scenario.Script) {
		if sc.Needs().Concurrent {
			t.Skip("the automatic clock is not a plain manual backend")
		}
		b := newSimBackend(t, sc.SimOptions())
		caps := b.Capabilities()
		res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: plain{Backend: b, caps: caps}})
		require.NoError(t, err)
		if res.Skipped != "" {
			assert.True(t, strings.HasPrefix(res.Skipped, "needs "), res.Skipped)
			return
		}
		ran++
		assert.NotEmpty(t, res.Checks)
		assertHolds(t, path, res)
	})
	assert.GreaterOrEqual(t, ran, 5, "most examples need no more than the Backend interface")
}

// TestPlanChangesNothingButMemory runs every example with RunText with and
// without its Plan: the text and the checks are the same (the Plan only
// lets go of jobs the script no longer names).
func TestPlanChangesNothingButMemory(t *testing.T) {
	eachExample(t, func(t *testing.T, path string, data []byte, sc *scenario.Script) {
		if sc.Needs().Concurrent {
			t.Skip("the automatic clock's order of concurrent calls varies from run to run")
		}
		plan, err := scenario.Prepare(path, bytes.NewReader(data))
		require.NoError(t, err)
		var with, without bytes.Buffer
		r1, err := scenario.RunText(path, bytes.NewReader(data), &with, scenario.RunOptions{Plan: plan})
		require.NoError(t, err)
		r2, err := scenario.RunText(path, bytes.NewReader(data), &without, scenario.RunOptions{})
		require.NoError(t, err)
		assert.Equal(t, without.String(), with.String())
		assert.Equal(t, r2.CheckCount(), r1.CheckCount())
		assert.False(t, r1.Failed())
	})
}

func TestPrepareChecksAsValidateDoes(t *testing.T) {
	_, err := scenario.Prepare("bad.bits", strings.NewReader("start A as alice\nA: resume job1\n"))
	var se *scenario.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, se.Line)
	assert.Contains(t, se.Msg, `unknown job "job1"`)
}

// TestPlanLetsGoOfJobsNoLongerNamed: after its last mention, a job that
// was completed is no longer held by the run, so a later expectation
// about every job still counts its notification (the notifications stay).
func TestPlanLetsGoOfJobsNoLongerNamed(t *testing.T) {
	src := `start A as alice
remote http://s/f
mark m
A: create j1
A: addfile j1 http://s/f C:\f1
A: setnotifyinterface j1 complete
A: resume j1
A: create j2
A: addfile j2 http://s/f C:\f2
A: setnotifyinterface j2 complete
A: resume j2
expect j2 state ACKNOWLEDGED
expect since m JobTransferred -> A x2
`
	plan, err := scenario.Prepare("p.bits", strings.NewReader(src))
	require.NoError(t, err)
	var out bytes.Buffer
	res, err := scenario.RunText("p.bits", strings.NewReader(src), &out, scenario.RunOptions{Plan: plan})
	require.NoError(t, err)
	assert.False(t, res.Failed(), "%v", res.Failures())
	assert.Equal(t, 2, res.CheckCount())
}

// remoteApps is a backend whose callback objects are tokens (as a backend
// whose objects live in helper processes hands out), not Recorders.
type remoteApps struct{ plain }

type tokenApp struct{ harness.App }

// token stands for an object in another process.
type token struct{ model.Callback }

func (b remoteApps) StartApp(name string, user model.Account) (harness.App, error) {
	a, err := b.plain.StartApp(name, user)
	if err != nil {
		return nil, err
	}
	return tokenApp{a}, nil
}

func (a tokenApp) Callback(bh harness.Behavior) model.Callback {
	return &token{a.App.Callback(bh)}
}

func TestInterfaceOwnerOfAnObjectInAnotherProcess(t *testing.T) {
	b := newSimBackend(t, sim.Options{Clock: sim.Manual})
	data, err := os.ReadFile("../examples/04-last-writer-wins-object.bits")
	require.NoError(t, err)
	sc, err := scenario.Parse("04.bits", data)
	require.NoError(t, err)
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: remoteApps{plain{Backend: b, caps: b.Capabilities()}}})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	assert.False(t, res.Failed(), "%v", res.Failures())
}

func TestSimOptionsAreTheHeader(t *testing.T) {
	sc := parse(t, "version 5.0\nseed 7\nvariant PREC-FAILURE-KEEPS-OBJECT falls-back-to-clsid\nstart A as alice\n")
	assert.Equal(t, sim.Options{Version: model.BITS5_0, Seed: 7, Clock: sim.Manual,
		Variants: rules.Selection{"PREC-FAILURE-KEEPS-OBJECT": "falls-back-to-clsid"}}, sc.SimOptions())
	assert.Equal(t, sim.Automatic, parse(t, "clock automatic\nstart A as alice\n").SimOptions().Clock)
}

// failingStart is a backend whose apps never start.
type failingStart struct{ plain }

func (failingStart) StartApp(string, model.Account) (harness.App, error) {
	return nil, fmt.Errorf("helper: activation: %w", model.CO_E_SERVER_EXEC_FAILURE)
}

// A start that fails is a failed check and ends the run: the statements
// of the app that did not start call nothing (they used to call a nil
// app and panic).
func TestFailedStartEndsTheRun(t *testing.T) {
	sc := parse(t, "user alice\nstart A as alice\nA: create j\nA: cancel j\nexpect j state CANCELLED\n")
	b := newSimBackend(t, sim.Options{})
	var res *scenario.Result
	require.NotPanics(t, func() {
		var err error
		res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: failingStart{plain{Backend: b, caps: b.Capabilities()}}})
		require.NoError(t, err)
	})
	require.True(t, res.Failed())
	f := res.Failures()
	require.Len(t, f, 1)
	assert.Equal(t, 2, f[0].Line)
	assert.Contains(t, f[0].Got, "CO_E_SERVER_EXEC_FAILURE")
	assert.Equal(t, 1, res.CheckCount(), "nothing after the start ran")
}
