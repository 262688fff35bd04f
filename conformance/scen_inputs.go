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

var _ = goScenario(Scenario{Rule: "SEC-TAKEOWNERSHIP-REMOVES-SECRETS", Why: "it sets custom headers, a client certificate and credentials, which no statement does", Needs: harness.Capabilities{Users: true, Version: model.BITS2_5}, Run: checkSecTakeownershipRemovesSecrets})

// checkSecTakeownershipRemovesSecrets checks SEC-TAKEOWNERSHIP-REMOVES-
// SECRETS. After an administrator's TakeOwnership, the custom headers, the
// client certificate and the credentials the owner set are gone. (Needs a
// backend whose jobs implement model.JobHTTPOptions and
// model.JobCredentials.)
func checkSecTakeownershipRemovesSecrets(c *C) {
	alice := c.App(Alice)
	j := c.SizedJob(alice, 2048, harness.RemoteOK)
	opts, ok1 := j.(model.JobHTTPOptions)
	creds, ok2 := j.(model.JobCredentials)
	if !ok1 || !ok2 {
		c.Skipf("the backend's jobs do not implement model.JobHTTPOptions and model.JobCredentials")
	}
	c.Do(opts.SetCustomHeaders("X-Conformance: 1\r\n"), "SetCustomHeaders")
	c.Do(opts.SetClientCertificateByName(model.BG_CERT_STORE_LOCATION_CURRENT_USER, "MY", "conformance"),
		"SetClientCertificateByName")
	c.Do(creds.SetCredentials(model.Credentials{Target: model.BG_AUTH_TARGET_SERVER, Scheme: model.BG_AUTH_SCHEME_BASIC,
		UserName: "alice", Password: "secret"}), "SetCredentials")

	aj := c.JobIn(c.App(Admin), j)
	c.Do(aj.TakeOwnership(), "TakeOwnership")
	aopts, acreds := aj.(model.JobHTTPOptions), aj.(model.JobCredentials)
	headers, err := aopts.GetCustomHeaders()
	if assert.NoError(c, err, "GetCustomHeaders") {
		assert.Empty(c, headers, "the custom headers are removed")
	}
	_, err = aopts.GetClientCertificate()
	assert.ErrorIs(c, err, model.RPC_X_BAD_STUB_DATA, "the client certificate is removed")
	hr, err := acreds.RemoveCredentials(model.BG_AUTH_TARGET_SERVER, model.BG_AUTH_SCHEME_BASIC)
	if assert.NoError(c, err, "RemoveCredentials") {
		assert.Equal(c, model.S_FALSE, hr, "the credentials are removed")
	}
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
