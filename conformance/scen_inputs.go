package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// Go scenarios that use what no statement has: custom headers,
// certificates and credentials, and a job seen QUEUED the moment the
// network returns.

// network returns the backend's network control; the scenario needs
// Capabilities.Network, so every backend that runs it has one. The network
// is connected again when the scenario ends.
func (c *C) network() harness.NetworkControl {
	nc, ok := c.B.(harness.NetworkControl)
	if !ok {
		c.Errorf("the backend declares Capabilities.Network but does not implement harness.NetworkControl")
		c.FailNow()
	}
	return nc
}

var _ = goScenario(Scenario{Rule: "STATE-NETWORK-LOSS", Why: "a script does the work due after every statement, so it never sees a job QUEUED: behind another job, or the moment the network is back (network off and on are statements)", Needs: harness.Capabilities{VirtualTime: true, Network: true}, Run: checkStateNetworkLoss})

// checkStateNetworkLoss checks STATE-NETWORK-LOSS. When the network
// connection is lost, every QUEUED or TRANSFERRING job moves to
// TRANSIENT_ERROR with BG_E_NETWORK_DISCONNECTED; when a connection is
// established, every TRANSIENT_ERROR job, whatever its error code, moves to
// QUEUED. (STATE-TRANSIENT-RETRY: no retry in between.)
func checkStateNetworkLoss(c *C) {
	a := c.App(Alice)
	nc := c.network()
	defer func() { _ = nc.SetNetwork(true) }()
	failing := c.Reach(a, model.BG_JOB_STATE_TRANSIENT_ERROR)
	require.NotEqual(c, model.BG_E_NETWORK_DISCONNECTED, c.ErrorCode(failing), "precondition: another error code")
	transferring := c.Reach(a, model.BG_JOB_STATE_TRANSFERRING)
	queued := c.SizedJob(a, 2048, harness.RemoteOK)
	c.Do(queued.Resume(), "Resume")
	require.Equal(c, model.BG_JOB_STATE_QUEUED, c.State(queued), "precondition: QUEUED")
	for _, j := range []model.Job{transferring, queued, failing} {
		c.Register(a, j, harness.Behavior{})
	}

	c.Do(nc.SetNetwork(false), "SetNetwork(false)")
	for name, j := range map[string]model.Job{"TRANSFERRING": transferring, "QUEUED": queued} {
		assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(j), "the %s job after the loss", name)
		assert.Equal(c, model.BG_E_NETWORK_DISCONNECTED, c.ErrorCode(j), "the %s job's error", name)
	}
	counts := map[string]uint32{}
	for name, j := range map[string]model.Job{"TRANSFERRING": transferring, "QUEUED": queued} {
		n, err := j.GetErrorCount()
		require.NoError(c, err)
		counts[name] = n
	}
	c.Advance(time.Hour) // longer than the 600 s MinimumRetryDelay
	for name, j := range map[string]model.Job{"TRANSFERRING": transferring, "QUEUED": queued} {
		assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(j), "the %s job an hour later", name)
		n, err := j.GetErrorCount()
		require.NoError(c, err)
		assert.Equal(c, counts[name], n, "the %s job was not retried", name)
	}

	c.Do(nc.SetNetwork(true), "SetNetwork(true)")
	for name, j := range map[string]model.Job{"TRANSFERRING": transferring, "QUEUED": queued, "503": failing} {
		assert.Equal(c, model.BG_JOB_STATE_QUEUED, c.State(j), "the %s job once the network is back", name)
	}
	for _, j := range []model.Job{transferring, queued, failing} {
		assert.Empty(c, c.Calls(j, model.EventJobError), "TRANSIENT_ERROR calls no JobError")
	}
}
