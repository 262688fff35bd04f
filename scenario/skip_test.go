package scenario_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// onlyBefore3 is a script for BITS before 3.0: a later BITS skips it.
const onlyBefore3 = `user alice
start A as alice
A: create j
when version >= 3.0
  skip the rule is about BITS before 3.0
end
expect j state SUSPENDED
`

// A backend that reaches a skip statement skips the script, with its
// reason, before it runs; one that does not runs all of it.
func TestSkipSkipsTheScriptOnABackendThatReachesIt(t *testing.T) {
	sc := parse(t, onlyBefore3)
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: newSimBackend(t, sim.Options{Version: model.BITS10_3})})
	require.NoError(t, err)
	assert.Equal(t, "the rule is about BITS before 3.0 (skip at line 5)", res.Skipped)
	assert.Empty(t, res.Steps, "nothing ran")
	assert.Equal(t, 0, res.CheckCount())

	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: newSimBackend(t, sim.Options{Version: model.BITS2_5})})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.Equal(t, 1, res.CheckCount())
	assert.False(t, res.Failed(), "%v", res.Failures())
}

// On its own simulator, Run stops at a skip statement: what came before
// it is in the log, nothing after it runs, and Skipped says why.
func TestSkipEndsARunOnItsOwnSimulator(t *testing.T) {
	res, err := scenario.Run(parse(t, onlyBefore3))
	require.NoError(t, err)
	assert.Equal(t, "the rule is about BITS before 3.0 (skip at line 5)", res.Skipped)
	assert.Equal(t, 0, res.CheckCount(), "the expect after the skip did not run")
	var labels []string
	for _, s := range res.Steps {
		labels = append(labels, s.Label)
	}
	assert.Contains(t, labels, "skip the rule is about BITS before 3.0")
}

// when has com follows harness.Capabilities.COM.
func TestWhenHasCOM(t *testing.T) {
	sc := parse(t, "user alice\nstart A as alice\nwhen has com\n  skip not through COM\nend\nA: create j\nexpect j state SUSPENDED\n")
	b := newSimBackend(t, sim.Options{})
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3, COM: true}}})
	require.NoError(t, err)
	assert.Equal(t, "not through COM (skip at line 4)", res.Skipped)
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: newSimBackend(t, sim.Options{})})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.Equal(t, 1, res.CheckCount())
}

// "expect JOB ... by APP" reads through APP's handle: bob's GetJob of
// alice's job is E_ACCESSDENIED (SEC-OWNER-ONLY), so his expectation
// fails where alice's holds.
func TestExpectByAppReadsThroughItsHandle(t *testing.T) {
	res, err := scenario.Run(parse(t, "user alice\nuser bob\nstart A as alice\nstart B as bob\nA: create j\n"+
		"expect j state SUSPENDED by B\nexpect j state SUSPENDED by A\nexpect j displayname \"by\"\n"))
	require.NoError(t, err)
	require.Len(t, res.Checks, 3)
	assert.False(t, res.Checks[0].OK)
	assert.Contains(t, res.Checks[0].Got, "E_ACCESSDENIED")
	assert.True(t, res.Checks[1].OK)
	assert.False(t, res.Checks[2].OK, "a quoted by is a value")
	_, err = scenario.Parse("by.bits", []byte("start A as alice\nA: create j\nexpect j state SUSPENDED by Z\n"))
	assert.ErrorContains(t, err, `by.bits:3:29: unknown app "Z"`)
}

// unregister CLASS makes its activation fail from then on: the
// JobTransferred falls through to nothing and stays owed; a backend that
// cannot unregister a class skips the script; an unknown class is an error.
func TestUnregisterMakesActivationFail(t *testing.T) {
	sc := parse(t, "user alice\nstart A as alice\nremote http://s/f size=10\nclass C\n"+
		"A: create j\nA: addfile j http://s/f C:\\x\nA: setnotifyclsid j C\nunregister C\nA: resume j\n"+
		"expect j state TRANSFERRED\nexpect j no JobTransferred -> C\n")
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: newSimBackend(t, sim.Options{})})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.Equal(t, 2, res.CheckCount())
	assert.False(t, res.Failed(), "%v", res.Failures())

	b := newSimBackend(t, sim.Options{})
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: plain{Backend: b, caps: b.Capabilities()}})
	require.NoError(t, err)
	assert.Contains(t, res.Skipped, "unregistering a class (harness.ClassUnregisterer)")

	_, err = scenario.Parse("u.bits", []byte("unregister Nope\n"))
	assert.ErrorContains(t, err, `u.bits:1:12: unknown class "Nope"`)
}

// setnotifycmdline ... missing names a program that cannot start: the
// notification is not delivered, nothing runs, and BITS tries again
// after MinimumRetryDelay (CMD-LAUNCH-FAILURE).
func TestMissingProgramNeverRuns(t *testing.T) {
	res, err := scenario.Run(parse(t, "user alice\nstart A as alice\nremote http://s/f size=10\nA: create j\n"+
		"A: addfile j http://s/f C:\\x\nA: setminretrydelay j 30s\nA: setnotifycmdline j C:\\gone.exe missing\nA: resume j\n"+
		"expect j state TRANSFERRED\nexpect j no CommandLine\n"))
	require.NoError(t, err)
	assert.Equal(t, 2, res.CheckCount())
	assert.False(t, res.Failed(), "%v", res.Failures())
	for _, bad := range []string{"C:\\gone.exe missing exit=1", "C:\\gone.exe missing does=complete", "NULL missing", "C:\\gone.exe missing=yes"} {
		_, err := scenario.Parse("m.bits", []byte("start A as alice\nA: create j\nA: setnotifycmdline j "+bad+"\n"))
		assert.ErrorContains(t, err, "a missing program is a program name alone", bad)
	}
}
