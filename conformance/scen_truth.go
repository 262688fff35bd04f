package conformance

// Scenarios of the rules corrected and added when the rulebook was read
// again against Microsoft's pages (issue 11, part B).

import (
	"fmt"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

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

func init() {
	markUntestable("DELIV-STA-REENTRY",
		"the page says BITS can call an STA callback again during its COM calls, not that it must, so no run "+
			"can show a backend breaks it; the harness's applications are all in the multithreaded apartment "+
			"(the simulator keeps the rule: sim TestTruthSTACallbackReenteredDuringCOMCalls)")
	register(
		Scenario{
			Rule:  "STATE-NETWORK-LOSS",
			Why:   "it disconnects the network, which no statement does",
			Needs: harness.Capabilities{VirtualTime: true, Network: true},
			// When the network connection is lost, every QUEUED or
			// TRANSFERRING job moves to TRANSIENT_ERROR with
			// BG_E_NETWORK_DISCONNECTED; when a connection is established,
			// every TRANSIENT_ERROR job, whatever its error code, moves to
			// QUEUED. (STATE-TRANSIENT-RETRY: no retry in between.)
			Run: func(c *C) {
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
			},
		},
		Scenario{
			Rule:  "PERSIST-HIGH-PERFORMANCE",
			Why:   "it makes the machine lose power, which no statement does",
			Needs: harness.Capabilities{VirtualTime: true, PowerLoss: true, Version: model.BITS5_0},
			// A BITS_JOB_PROPERTY_HIGH_PERFORMANCE job transferring when the
			// power fails loses its progress and transfers from the
			// beginning; a job without the property keeps its progress.
			Run: func(c *C) {
				a := c.App(Alice)
				fast := c.propertyJob(a, model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE)
				normal := c.propertyJob(a, 0)
				for _, j := range []model.Job{fast, normal} {
					c.Do(j.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND), "SetPriority")
					c.Transfer(j)
				}
				c.Advance(3 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(fast), "precondition: transferring")
				before := c.progress(normal)
				require.NotZero(c, c.progress(fast), "precondition: progress")
				pc, ok := c.B.(harness.PowerControl)
				require.True(c, ok, "the backend declares Capabilities.PowerLoss but does not implement harness.PowerControl")
				c.Do(pc.PowerLoss(), "PowerLoss")
				assert.Zero(c, c.progress(c.JobIn(a, fast)), "HIGH_PERFORMANCE: progress lost")
				assert.Equal(c, before, c.progress(c.JobIn(a, normal)), "the other keeps its progress")
			},
		},
		Scenario{
			Rule:  "STATE-COMPLETE-RENAME-FAILS",
			Why:   "it makes a local file impossible to rename to, which no statement does",
			Needs: harness.Capabilities{LocalFiles: true},
			// While a transferred file's local name cannot be renamed to
			// (another program holds it: ERROR_SHARING_VIOLATION), Complete
			// fails with that error and the job stays TRANSFERRED in the
			// queue; once the name is free, Complete again succeeds.
			Run: func(c *C) {
				sharingViolation := model.HRESULTFromWin32(32)
				a := c.App(Alice)
				j, err := a.CreateJob("conformance", model.BG_JOB_TYPE_DOWNLOAD)
				c.must(err, "CreateJob")
				local := c.LocalName()
				url, err := c.B.Remote(harness.RemoteOK, 2048)
				c.must(err, "Remote")
				c.Do(j.AddFile(url, local), "AddFile")
				c.Transfer(j)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j), "precondition")
				lc, ok := c.B.(harness.LocalFileControl)
				require.True(c, ok, "the backend declares Capabilities.LocalFiles but does not implement harness.LocalFileControl")
				c.Do(lc.SetLocalFileError(local, sharingViolation), "SetLocalFileError")
				defer func() { _ = lc.SetLocalFileError(local, model.S_OK) }()

				_, err = j.Complete()
				assert.ErrorIs(c, err, sharingViolation, "Complete fails with the rename error")
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j), "the job stays TRANSFERRED")
				jobs, err := a.EnumJobs(0)
				require.NoError(c, err)
				assert.Contains(c, IDs(jobs), j.GetId(), "the job stays in the queue")

				c.Do(lc.SetLocalFileError(local, model.S_OK), "SetLocalFileError(S_OK)")
				_, err = j.Complete()
				assert.NoError(c, err, "Complete again")
				assert.Equal(c, model.BG_JOB_STATE_ACKNOWLEDGED, c.State(j))
			},
		},
		Scenario{
			Rule:  "SEC-TAKEOWNERSHIP-REMOVES-SECRETS",
			Why:   "it sets custom headers, a client certificate and credentials, which no statement does",
			Needs: harness.Capabilities{Users: true},
			// After an administrator's TakeOwnership, the custom headers, the
			// client certificate and the credentials the owner set are gone.
			// (Needs a backend whose jobs implement model.JobHTTPOptions and
			// model.JobCredentials.)
			Run: func(c *C) {
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
			},
		},
	)
}

// propertyJob creates a download job in app with the Enable property prop
// set (0: none) and one slow file, or stops the scenario.
func (c *C) propertyJob(app harness.App, prop model.JobPropertyID) model.Job {
	j, err := app.CreateJob("conformance", model.BG_JOB_TYPE_DOWNLOAD)
	c.must(err, "CreateJob")
	if prop != 0 {
		c.must(j.SetProperty(prop, model.JobPropertyValue{Enable: true}), fmt.Sprintf("SetProperty(%v)", prop))
	}
	c.AddFile(j, harness.RemoteSlow, slowSize)
	return j
}

// progress returns the bytes job has transferred, or stops the scenario.
func (c *C) progress(job model.Job) uint64 {
	p, err := job.GetProgress()
	c.must(err, "GetProgress")
	return p.BytesTransferred
}
