package scenario_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// flagsByVersion sets BG_NOTIFY_FILE_TRANSFERRED (0x10), which
// FLAGS-VERSION-MASK gives from BITS 3.0: before it SetNotifyFlags fails
// with E_NOTIMPL and the flags stay the default.
const flagsByVersion = `user alice
start A as alice
A: create job1
when version >= 3.0
  A: setnotifyflags job1 0x10
  expect job1 flags FILE_TRANSFERRED
else
  A: setnotifyflags job1 0x10 -> E_NOTIMPL
  expect job1 flags JOB_TRANSFERRED|JOB_ERROR
end
`

func TestWhenFollowsTheBackendVersion(t *testing.T) {
	sc := parse(t, flagsByVersion)
	for _, tc := range []struct {
		v    model.Version
		when string
	}{
		{model.BITS2_0, "when version >= 3.0: no (BITS 2.0)"},
		{model.BITS3_0, "when version >= 3.0: yes (BITS 3.0)"},
		{model.BITS10_3, "when version >= 3.0: yes (BITS 10.3)"},
	} {
		b := newSimBackend(t, sim.Options{Version: tc.v})
		res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: b})
		require.NoError(t, err)
		require.Empty(t, res.Skipped, "a script without a version statement runs on every version")
		assert.False(t, res.Failed(), "BITS %v: %v", tc.v, res.Failures())
		var labels []string
		for _, s := range res.Steps {
			labels = append(labels, s.Label)
		}
		assert.Contains(t, labels, tc.when, "the log says which branch ran")
		lines := map[int]bool{}
		for _, c := range res.Checks {
			lines[c.Line] = true
		}
		if tc.v >= model.BITS3_0 {
			assert.Equal(t, map[int]bool{6: true}, lines, "BITS %v: only the when branch's check", tc.v)
		} else {
			assert.Equal(t, map[int]bool{8: true, 9: true}, lines, "BITS %v: only the else branch's checks", tc.v)
		}
	}
}

func TestWhenHasACapability(t *testing.T) {
	src := `user alice
start A as alice
A: create job1
when has clsid
  class Notifier
  A: setnotifyclsid job1 Notifier
  expect job1 clsid Notifier
else
  expect job1 clsid NULL
end
`
	sc := parse(t, src)
	assert.False(t, sc.Needs().CLSID, "a block for backends with CLSIDs needs none")
	b := newSimBackend(t, sim.Options{})
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: b})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	require.Len(t, res.Checks, 1)
	assert.Equal(t, 7, res.Checks[0].Line)
	assert.True(t, res.Checks[0].OK)

	without := plain{Backend: newSimBackend(t, sim.Options{}), caps: harness.Capabilities{Version: model.BITS10_3}}
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: without})
	require.NoError(t, err)
	require.Empty(t, res.Skipped, "the script runs without CLSIDs: its CLSID block does not")
	require.Len(t, res.Checks, 1)
	assert.Equal(t, 9, res.Checks[0].Line)
	assert.True(t, res.Checks[0].OK)
}

func TestNeedsOnLeavesOutTheBlocksThatDoNotRun(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
A: create job1
when version >= 5.0
  A: setproperty job1 DYNAMIC_CONTENT true
  when has restart
    restart
  end
end
when version < 5.0
  A: setnotifyclsid job1 {B175C1A5-0000-4000-8000-0000000000FF} -> E_NOINTERFACE
end
`)
	assert.Equal(t, harness.Capabilities{}, sc.Needs(), "runs on BITS 1.5, with nothing optional")
	assert.Equal(t, harness.Capabilities{Version: model.BITS5_0}, sc.NeedsOn(harness.Capabilities{Version: model.BITS10_3}))
	assert.Equal(t, harness.Capabilities{Version: model.BITS5_0, Restart: true}, sc.NeedsOn(harness.Capabilities{Version: model.BITS10_3, Restart: true}))
	assert.Equal(t, harness.Capabilities{}, sc.NeedsOn(harness.Capabilities{Version: model.BITS2_0, Restart: true}),
		"a call that expects E_NOINTERFACE needs no interface")
}

func TestNeedsOfAWhenScriptKeepsTheMachineAndClockNeeds(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
A: create job1
when version >= 3.0
  A: resume job1
end
network off
powerloss
lockfile C:\\bitssim\\x.bin
advance 1s
expect job1 created 0s
`)
	need := sc.Needs()
	assert.True(t, need.Network, "network off needs Network")
	assert.True(t, need.PowerLoss, "powerloss needs PowerLoss")
	assert.True(t, need.LocalFiles, "lockfile needs LocalFiles")
	assert.True(t, need.VirtualTime, "expect created needs virtual time")
}

func TestWhenErrorsAreLocated(t *testing.T) {
	head := "start A as alice\nA: create j\n"
	for _, tc := range []struct{ src, want string }{
		{head + "end\n", `test.bits:3:1: end without a when (at "end")`},
		{head + "else\n", `test.bits:3:1: else without a when (at "else")`},
		{head + "when version >= 3.0\nelse\nelse\nend\n", `test.bits:5:1: a second else for the when of line 3 (at "else")`},
		{head + "when version >= 3.0\nA: resume j\n", `test.bits:3:1: this when has no end (at "when"); close the block with end`},
		{head + "when version => 3.0\nend\n", `test.bits:3:14: unknown comparison "=>" (use >=, >, <=, <, == or !=) (at "=>")`},
		{head + "when version >= 3.3\nend\n", `test.bits:3:17: unknown BITS version "3.3"`},
		{head + "when has wings\nend\n", `test.bits:3:10: unknown capability "wings"`},
		{head + "when weather >= 3.0\nend\n", `test.bits:3:6: a when tests the BITS version (when version >= 3.0), a capability (when has clsid) or a reading (when variant RULE-ID is NAME)`},
		{head + "when has clsid\nclass C\nend\nA: setnotifyclsid j C\n", `test.bits:6:21: unknown class "C" (at "C")`},
		{head + "when has clsid\nA: create k\nelse\nA: resume k\nend\n", `test.bits:6:11: unknown job "k" (at "k")`},
		{head + "when has clsid\nA: create k\nend\nwhen has restart\nA: create k\nend\n", `test.bits:7:11: job "k" is created in a when block that may run too (at "k")`},
		{head + "when has clsid\nstart B as bob\nend\nstart B as bob\n", `test.bits:6:7: app "B" is declared in a when block that may run too (at "B")`},
		{"when has clsid\nversion 3.0\nend\n", `test.bits:2:1: version must come before every other statement (at "version")`},
	} {
		_, err := scenario.Parse("test.bits", []byte(tc.src))
		if assert.Error(t, err, tc.src) {
			assert.Contains(t, err.Error(), tc.want, tc.src)
		}
	}
}

// A later block under the same conditions has the names an earlier one
// declared: if it runs, the earlier one ran.
func TestABlockUnderTheSameConditionsHasItsNames(t *testing.T) {
	res := run(t, `user alice
start A as alice
A: create job1
when has clsid
  when version >= 5.0
    class Notifier
    A: create job2
  end
end
A: setdescription job1 between
when has clsid
  when version >= 5.0
    A: setnotifyclsid job2 Notifier
    expect job2 clsid Notifier
  end
end
`)
	assert.False(t, res.Failed(), "%v", res.Failures())
	assert.Equal(t, 1, res.CheckCount())
}

// The branch that runs is the one whose condition the backend's version
// meets, for every comparison, version and backend (the expectation is
// the comparison of the two version numbers, written here).
func TestWhenComparesVersions(t *testing.T) {
	versions := model.Versions()
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.SampledFrom(versions).Draw(t, "backend")
		x := rapid.SampledFrom(versions).Draw(t, "x")
		op := rapid.SampledFrom([]string{">=", ">", "<=", "<", "==", "!="}).Draw(t, "op")
		var a, b float64
		_, err := fmt.Sscan(v.String(), &a)
		require.NoError(t, err)
		_, err = fmt.Sscan(x.String(), &b)
		require.NoError(t, err)
		want := map[string]bool{">=": a >= b, ">": a > b, "<=": a <= b, "<": a < b, "==": a == b, "!=": a != b}[op]
		sc, err := scenario.Parse("test.bits", []byte(fmt.Sprintf(`user alice
start A as alice
A: create job1
when version %s %s
  A: setdescription job1 yes
else
  A: setdescription job1 no
end
expect job1 description %v
`, op, x, map[bool]string{true: "yes", false: "no"}[want])))
		require.NoError(t, err)
		b2, err := harness.NewSim(sim.Options{Version: v})
		require.NoError(t, err)
		defer b2.Close()
		res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: b2})
		require.NoError(t, err)
		assert.False(t, res.Failed(), "BITS %v, when version %s %v: %v", v, op, x, res.Failures())
	})
}
