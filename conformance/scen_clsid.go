package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// clsidUnregistered is a CLSID no backend registers: activating it fails
// with REGDB_E_CLASSNOTREG.
var clsidUnregistered = model.MustParseGUID("{B175C1A5-DEAD-4BAD-8BAD-0123456789AB}")

func init() {
	markUntestable("CLSID-OUT-OF-PROCESS",
		"harness.Backend.RegisterClass registers only out-of-process (local server) classes; no backend-neutral "+
			"call registers an in-process-only class, so the REGDB_E_CLASSNOTREG of such a registration cannot be provoked")

	register(
		Scenario{
			Rule: "CLSID-REQUIRES-JOB5",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// The CLSID lives on IBackgroundCopyJob5 (BITS 5.0); before 5.0
			// the interface is missing and the calls give E_NOINTERFACE.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				v := c.Version()
				if v < model.BITS5_0 {
					assert.ErrorIs(c, job.SetNotifyCLSID(clsidUnregistered), model.E_NOINTERFACE, "SetNotifyCLSID on BITS %v", v)
					_, err := job.GetNotifyCLSID()
					assert.ErrorIs(c, err, model.E_NOINTERFACE, "GetNotifyCLSID on BITS %v", v)
					assert.ErrorIs(c, job.SetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID,
						model.JobPropertyValue{ClsID: clsidUnregistered}), model.E_NOINTERFACE, "SetProperty on BITS %v", v)
					_, err = job.GetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID)
					assert.ErrorIs(c, err, model.E_NOINTERFACE, "GetProperty on BITS %v", v)
					return
				}
				_, err := job.GetNotifyCLSID()
				assert.NoError(c, err, "GetNotifyCLSID on BITS %v", v)
				_, err = job.GetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID)
				assert.NoError(c, err, "GetProperty(NOTIFICATION_CLSID) on BITS %v", v)
				assert.NotErrorIs(c, job.SetNotifyCLSID(clsidUnregistered), model.E_NOINTERFACE, "SetNotifyCLSID on BITS %v", v)
			},
		},
		Scenario{
			Rule:  "CLSID-ACTIVATION-FAILURE",
			Why:   "under CLSID-SET-UNCHECKED=checked-up-front it unregisters a class after setting it, which no statement does",
			Needs: harness.Capabilities{CLSID: true, CommandLine: true, Version: model.BITS5_0},
			// A failed activation (REGDB_E_CLASSNOTREG) is a failed delivery:
			// JobTransferred or JobError falls through to the command line,
			// and without one BITS retries after MinimumRetryDelay.
			Run: func(c *C) {
				a := c.App(Alice)
				// A CLSID whose activation fails: an unregistered one, or, where
				// BITS checks the registration when the CLSID is set
				// (CLSID-SET-UNCHECKED's checked-up-front reading), a class
				// unregistered after it was set.
				failing := clsidUnregistered
				setFailing := func(job model.Job) {
					if c.Is("CLSID-SET-UNCHECKED", rules.VarUnchecked) {
						c.Do(job.SetNotifyCLSID(failing), "SetNotifyCLSID(unregistered)")
						return
					}
					u, ok := c.B.(harness.ClassUnregisterer)
					if !ok {
						c.Skipf("the backend cannot unregister a class, and CLSID-SET-UNCHECKED=%s refuses an unregistered CLSID", c.Variant("CLSID-SET-UNCHECKED"))
					}
					clsid := c.Class(harness.Behavior{})
					c.Do(job.SetNotifyCLSID(clsid), "SetNotifyCLSID")
					c.Do(u.UnregisterClass(clsid), "UnregisterClass")
				}
				withCmd := func(remote harness.RemoteKind) model.Job {
					job := c.Job(a, remote)
					setFailing(job)
					c.CmdLine(job, 0)
					c.Transfer(job)
					return job
				}
				done := withCmd(harness.RemoteOK)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(done))
				assert.Len(c, c.Delivered(done, model.EventCommandLine), 1, "JobTransferred falls through to the command line")
				failed := withCmd(harness.RemoteFatal)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(failed))
				assert.Len(c, c.Delivered(failed, model.EventCommandLine), 1, "JobError falls through to the command line")

				// Without a command line the notification stays owed and is
				// tried again: once a class that can be activated is set, it
				// arrives by the end of MinimumRetryDelay.
				retried := c.Job(a, harness.RemoteOK)
				c.SetRetryDelay(retried, flagsRetryDelay)
				setFailing(retried)
				c.Transfer(retried)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(retried))
				require.Empty(c, c.Delivered(retried, model.EventJobTransferred))
				y := c.Class(harness.Behavior{})
				c.Do(retried.SetNotifyCLSID(y), "SetNotifyCLSID(registered)")
				c.Advance(max(flagsWait, c.RetryAfter(flagsRetryDelay)+time.Second))
				assert.Len(c, ToCLSID(c.Delivered(retried, model.EventJobTransferred), y), 1, "the failed notification is retried")
			},
		},
	)
}
