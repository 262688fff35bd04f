package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/sim"
)

// Close's doc: "calls afterwards fail with ErrClosed". A second Close is
// such a call; whatever it returns, the service must still answer the
// calls after it (with ErrClosed), on either clock. Found by mutation
// testing: a second Close that kept the service's lock made every later
// call hang.
func TestCallsAfterASecondCloseFailWithErrClosed(t *testing.T) {
	for _, clock := range []sim.ClockMode{sim.Manual, sim.Automatic} {
		t.Run(clock.String(), func(t *testing.T) {
			s, err := sim.New(sim.Options{Clock: clock})
			require.NoError(t, err)
			require.NoError(t, s.Close())
			_ = s.Close()
			_, err = s.StartApp("after", smtAlice)
			assert.ErrorIs(t, err, sim.ErrClosed, "StartApp after a second Close")
			_ = s.Close()
			_, err = s.StartApp("after", smtAlice)
			assert.ErrorIs(t, err, sim.ErrClosed, "StartApp after a third Close")
		})
	}
}
