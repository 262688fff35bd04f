package sim_test

// A test of what sim's own documentation promises about the automatic
// clock (Options.Speed: "Default 1"; Automatic: "virtual time follows the
// wall clock (scaled by Options.Speed)"): behaviour no BITS rule states,
// found by mutation testing (README "Mutation testing").

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/sim"
)

// With the default speed the automatic clock follows the wall clock one
// for one: the virtual time elapsed since Start is at least the real time
// that has surely passed since New returned, and at most the real time
// since New was called. The bounds hold whatever the scheduler does, so
// the test cannot fail on a correct clock; it spins (rather than sleeps)
// until real time has moved well past the set-up, so that a clock at any
// other speed falls outside them.
func TestContractAutomaticClockDefaultSpeed(t *testing.T) {
	start := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	before := time.Now()
	s, err := sim.New(sim.Options{Start: start})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	after := time.Now()

	spin := max(50*time.Millisecond, 20*after.Sub(before))
	for time.Since(after) < spin {
	}
	atLeast := time.Since(after)
	elapsed := s.Now().Sub(start)
	atMost := time.Since(before)

	assert.GreaterOrEqual(t, elapsed, atLeast, "virtual time runs no slower than the wall clock")
	assert.LessOrEqual(t, elapsed, atMost, "virtual time runs no faster than the wall clock")
}
