package scenario_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// fiveHeld holds five of alice's calls on the manual clock (no clock
// statement): four run, the fifth waits for a slot (DELIV-FOUR-PER-USER).
const fiveHeld = `user alice
start A as alice
remote http://s/f.bin
repeat 5
  A: create j{i}
  A: addfile j{i} http://s/f.bin C:\dl\{i}.bin
  A: setnotifyinterface j{i} hold
end
repeat 5
  A: resume j{i}
end
await held A 4
expect inflight alice 4
expect JobTransferred -> A x0
release A 1
await held A 4
expect inflight alice 4
expect j1 JobTransferred -> A x1
expect j5 JobTransferred -> A x0
release A
expect inflight alice 0
expect JobTransferred -> A x5
`

// Held calls on the manual clock: the counts hold at every step, and two
// runs give the same log, step for step.
func TestHoldOnTheManualClock(t *testing.T) {
	sc := parse(t, fiveHeld)
	assert.False(t, sc.Automatic)
	assert.False(t, sc.Needs().Concurrent, "the simulator's manual clock holds calls itself")
	first := run(t, fiveHeld)
	assert.Empty(t, first.Failures())
	assert.Equal(t, 7, first.CheckCount())
	second := run(t, fiveHeld)
	assert.Equal(t, first.Steps, second.Steps, "the same order every run")
}

// On the manual clock the held calls are all there by the time await
// runs: a wrong count fails at once, with what was seen.
func TestAwaitOnTheManualClockDoesNotWait(t *testing.T) {
	start := time.Now()
	res := run(t, `user alice
start A as alice
A: create j
A: addfile j http://s/f.bin C:\dl\j.bin
A: setnotifyinterface j hold
A: resume j
await held A 2
release A
expect j JobTransferred -> A x1
`)
	require.Len(t, res.Failures(), 1)
	assert.Equal(t, 7, res.Failures()[0].Line)
	assert.Equal(t, "1 calls of A held after 0s, not 2", res.Failures()[0].Got)
	assert.Less(t, time.Since(start), 5*time.Second, "no wait for a count that cannot change")
}

// inProcessPlain calls objects in process but is neither the simulator
// nor concurrent: a held call would stop it.
type inProcessPlain struct{ plain }

func (inProcessPlain) InProcessCallbacks() bool { return true }

func TestHoldNeedsABackendThatCanHold(t *testing.T) {
	sc := parse(t, fiveHeld)
	b := newSimBackend(t, sim.Options{})
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: inProcessPlain{plain{Backend: b, caps: b.Capabilities()}}})
	require.NoError(t, err)
	assert.Contains(t, res.Skipped, "callbacks that can be held (harness.Capabilities.Concurrent, or the simulator's manual clock)")

	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: b})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.Empty(t, res.Failures(), "the simulator's own backend holds them")

	auto, err := harness.NewSimAuto(sim.Options{})
	require.NoError(t, err)
	defer auto.Close()
	// Which job's call waits varies there, and a count of returned calls
	// right after an await races with the call's record: the counts of
	// running calls only.
	counts := parse(t, strings.NewReplacer("expect j1 JobTransferred -> A x1\n", "", "expect j5 JobTransferred -> A x0\n", "").Replace(fiveHeld))
	res, err = scenario.RunWith(counts, scenario.RunOptions{Backend: auto})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped, "callbacks that run concurrently hold in the object")
	assert.Empty(t, res.Failures())
}
