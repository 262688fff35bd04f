package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// Go scenarios that make calls, pass arguments or use controls no
// statement has: NUL characters, NULL strings, unknown job IDs,
// priorities out of range, AddFileSet, a program that cannot start, a
// class unregistered after it is set, the network, power loss, a locked
// local file, custom headers, certificates and credentials.

// cmdMissingProgram is a full path to a program that does not exist on
// any backend, so BITS cannot start it.
const cmdMissingProgram = `C:\bitssim\missing\no-such-program.exe`

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

var _ = goScenario(Scenario{Rule: "CMD-LAUNCH-FAILURE", Why: "it needs a program that cannot be started; a script's programs always start", Needs: harness.Capabilities{CommandLine: true, VirtualTime: true}, Run: checkCmdLaunchFailure})

// checkCmdLaunchFailure checks CMD-LAUNCH-FAILURE. The program does not
// exist, so BITS cannot start it: the notification stays undelivered and the
// whole notification is tried again after MinimumRetryDelay (30 s), not
// before. The failed launch itself is invisible to every backend's trace, so
// a callback object whose first JobTransferred fails shows the retry: had
// the failed launch counted as delivered, BITS would not call the method
// again (CMD-METHOD-NOT-RECALLED).
func checkCmdLaunchFailure(c *C) {
	wait := cmdRetryDelay // the command line was tried: MinimumRetryDelay, whatever DELIV-RETRY-INTERVAL says
	a := c.App(Alice)
	job := c.Job(a, harness.RemoteOK)
	c.SetRetryDelay(job, cmdRetryDelay)
	c.Register(a, job, harness.Behavior{FailFirst: 1})
	c.SetCmdLine(job, cmdMissingProgram, `no-such-program.exe /x`)
	c.Transfer(job)
	require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
	calls := c.Calls(job, model.EventJobTransferred)
	require.Len(c, calls, 1, "the first JobTransferred")
	assert.False(c, calls[0].Delivered())
	assert.Empty(c, c.Launches(job), "a program that does not exist never runs")
	c.Advance(wait - time.Second)
	assert.Len(c, c.Calls(job, model.EventJobTransferred), 1, "no retry before MinimumRetryDelay")
	c.Advance(time.Second)
	calls = c.Calls(job, model.EventJobTransferred)
	if assert.Len(c, calls, 2, "tried again once MinimumRetryDelay has passed") {
		assert.True(c, calls[1].Delivered())
		assert.Equal(c, wait, calls[1].Time.Sub(calls[0].Time))
	}
	c.Advance(3 * wait)
	assert.Len(c, c.Calls(job, model.EventJobTransferred), 2, "delivered: no further retries")
}

var _ = goScenario(Scenario{Rule: "DELIV-BOTH-FAIL-RETRY", Why: "it needs a program that cannot be started; a script's programs always start", Needs: harness.Capabilities{CommandLine: true, VirtualTime: true}, Run: checkDelivBothFailRetry})

// checkDelivBothFailRetry checks DELIV-BOTH-FAIL-RETRY. The callback fails
// and the command line (a program that does not exist) cannot be launched:
// after MinimumRetryDelay (30 s), not before, BITS repeats the notification
// starting with the callback, and again 30 s later, until the callback
// accepts it.
func checkDelivBothFailRetry(c *C) {
	wait := cmdRetryDelay // the command line ran: MinimumRetryDelay, whatever DELIV-RETRY-INTERVAL says
	a := c.App(Alice)
	for _, tc := range endings {
		job := c.retryJob(a, tc.remote)
		c.Register(a, job, harness.Behavior{FailFirst: 2})
		c.SetCmdLine(job, cmdMissingProgram, `no-such-program.exe`)
		c.Transfer(job)
		require.Len(c, c.Calls(job, tc.kind), 1)
		c.Advance(wait - time.Second)
		assert.Len(c, c.Calls(job, tc.kind), 1, "%v: nothing before MinimumRetryDelay", tc.kind)
		c.Advance(time.Second)
		assert.Len(c, c.Calls(job, tc.kind), 2, "%v: the callback first, at MinimumRetryDelay", tc.kind)
		c.Advance(wait)
		calls := c.Calls(job, tc.kind)
		if assert.Len(c, calls, 3, "%v: once more after another MinimumRetryDelay", tc.kind) {
			assert.False(c, calls[0].Delivered())
			assert.False(c, calls[1].Delivered())
			assert.True(c, calls[2].Delivered())
			assert.Equal(c, wait, calls[1].Time.Sub(calls[0].Time))
			assert.Equal(c, wait, calls[2].Time.Sub(calls[1].Time))
		}
		c.Advance(3 * wait)
		assert.Len(c, c.Calls(job, tc.kind), 3, "%v: accepted, no more retries", tc.kind)
		assert.Empty(c, c.Launches(job))
	}
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
