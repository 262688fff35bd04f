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

// clsidReadBack checks that both GetNotifyCLSID and
// GetProperty(NOTIFICATION_CLSID) return S_OK and want.
func clsidReadBack(c *C, job model.Job, want model.GUID, msg string) {
	got, err := job.GetNotifyCLSID()
	if assert.NoError(c, err, "GetNotifyCLSID: %s", msg) {
		assert.Equal(c, want, got, "GetNotifyCLSID: %s", msg)
	}
	v, err := job.GetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID)
	if assert.NoError(c, err, "GetProperty(NOTIFICATION_CLSID): %s", msg) {
		assert.Equal(c, want, v.ClsID, "GetProperty(NOTIFICATION_CLSID): %s", msg)
	}
}

// clsidNeeds is what a scenario needs to set a notification CLSID and have
// BITS activate it.
var clsidNeeds = harness.Capabilities{CLSID: true, Version: model.BITS5_0}

func init() {
	markUntestable("CLSID-OUT-OF-PROCESS",
		"harness.Backend.RegisterClass registers only out-of-process (local server) classes; no backend-neutral "+
			"call registers an in-process-only class, so the REGDB_E_CLASSNOTREG of such a registration cannot be provoked")

	register(
		Scenario{
			Rule: "CLSID-REQUIRES-JOB5",
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
			Rule:  "CLSID-DEFAULT-NULL",
			Needs: clsidNeeds,
			// A new job's NOTIFICATION_CLSID reads back as GUID_NULL.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				clsidReadBack(c, job, model.GUID_NULL, "new job")
			},
		},
		Scenario{
			Rule:  "CLSID-GET-ROUND-TRIP",
			Needs: clsidNeeds,
			// GetProperty(NOTIFICATION_CLSID) returns S_OK and the CLSID set
			// last, or GUID_NULL after it was cleared.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				x, y := c.Class(harness.Behavior{}), c.Class(harness.Behavior{})
				c.Do(job.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				clsidReadBack(c, job, x, "after setting x")
				c.Do(job.SetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID, model.JobPropertyValue{ClsID: y}), "SetProperty(y)")
				clsidReadBack(c, job, y, "after setting y")
				if c.Is("CLSID-SET-UNCHECKED", rules.VarUnchecked) {
					c.Do(job.SetNotifyCLSID(clsidUnregistered), "SetNotifyCLSID(unregistered)")
					clsidReadBack(c, job, clsidUnregistered, "after setting an unregistered CLSID")
				}
				c.Do(job.SetNotifyCLSID(model.GUID_NULL), "SetNotifyCLSID(GUID_NULL)")
				clsidReadBack(c, job, model.GUID_NULL, "after clearing")
				c.Do(job.SetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID, model.JobPropertyValue{ClsID: x}), "SetProperty(x)")
				clsidReadBack(c, job, x, "after setting x again")
			},
		},
		Scenario{
			Rule:  "CLSID-NULL-CLEARS",
			Needs: clsidNeeds,
			// Setting the CLSID to GUID_NULL returns S_OK and removes it:
			// BITS activates no class for later notifications.
			Run: func(c *C) {
				a := c.App(Alice)
				x := c.Class(harness.Behavior{})
				viaHelper := c.Job(a, harness.RemoteOK)
				c.Do(viaHelper.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				assert.NoError(c, viaHelper.SetNotifyCLSID(model.GUID_NULL), "SetNotifyCLSID(GUID_NULL)")
				viaProperty := c.Job(a, harness.RemoteOK)
				c.Do(viaProperty.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				assert.NoError(c, viaProperty.SetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID,
					model.JobPropertyValue{ClsID: model.GUID_NULL}), "SetProperty(GUID_NULL)")
				for _, job := range []model.Job{viaHelper, viaProperty} {
					clsidReadBack(c, job, model.GUID_NULL, "after clearing")
					c.Transfer(job)
					require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				}
				c.Advance(flagsWait)
				assert.Empty(c, OfTarget(c.B.Trace(), model.TargetCLSID), "no class is activated once the CLSID is cleared")
			},
		},
		Scenario{
			Rule:  "CLSID-FINAL-STATE",
			Needs: clsidNeeds,
			// Setting the CLSID on a CANCELLED or ACKNOWLEDGED job fails with
			// BG_E_INVALID_STATE and leaves it unchanged.
			Run: func(c *C) {
				a := c.App(Alice)
				x, y := c.Class(harness.Behavior{}), c.Class(harness.Behavior{})
				cancelled := c.Job(a, harness.RemoteOK)
				c.Do(cancelled.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				c.Do(cancelled.Cancel(), "Cancel")
				acked := c.Job(a, harness.RemoteOK)
				c.Do(acked.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				c.Transfer(acked)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(acked))
				_, err := acked.Complete()
				c.Do(err, "Complete")
				for name, job := range map[string]model.Job{"CANCELLED": cancelled, "ACKNOWLEDGED": acked} {
					if c.Is("CLSID-FINAL-STATE", rules.VarAccepted) {
						// "returns S_OK and the CLSID reads back changed"
						assert.NoError(c, job.SetNotifyCLSID(y), "SetNotifyCLSID(y) on a %s job", name)
						clsidReadBack(c, job, y, "the "+name+" job's CLSID changed")
						continue
					}
					assert.ErrorIs(c, job.SetNotifyCLSID(y), model.BG_E_INVALID_STATE, "SetNotifyCLSID(y) on a %s job", name)
					assert.ErrorIs(c, job.SetNotifyCLSID(model.GUID_NULL), model.BG_E_INVALID_STATE, "SetNotifyCLSID(GUID_NULL) on a %s job", name)
					assert.ErrorIs(c, job.SetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID, model.JobPropertyValue{ClsID: y}),
						model.BG_E_INVALID_STATE, "SetProperty(y) on a %s job", name)
					clsidReadBack(c, job, x, "the "+name+" job keeps its CLSID")
				}
			},
		},
		Scenario{
			Rule:  "CLSID-PERSISTED",
			Needs: harness.Capabilities{CLSID: true, Restart: true, Version: model.BITS5_0},
			// The CLSID is stored with the job and reads back unchanged
			// after a service restart.
			Run: func(c *C) {
				a := c.App(Alice)
				x := c.Class(harness.Behavior{})
				job := c.Job(a, harness.RemoteOK)
				c.Do(job.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				id := job.GetId()
				c.Restart()
				clsidReadBack(c, c.JobByID(c.App(Alice), id), x, "after the restart")
			},
		},
		Scenario{
			Rule:  "CLSID-LAZY-ACTIVATION",
			Needs: clsidNeeds,
			// Setting the CLSID activates nothing; BITS instantiates the class
			// only when it has a notification to deliver and no callable
			// object.
			Run: func(c *C) {
				a := c.App(Alice)
				x := c.Class(harness.Behavior{})
				idle := c.Job(a, harness.RemoteOK) // set, never transferred
				c.Do(idle.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				c.Settle()
				c.Advance(flagsWait)
				assert.Empty(c, ToCLSID(c.B.Trace(), x), "setting the CLSID calls no instance")

				withObject := c.Job(a, harness.RemoteOK) // a callable object takes the notification
				c.Do(withObject.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				c.Register(a, withObject, harness.Behavior{})
				c.Transfer(withObject)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(withObject))
				assert.Empty(c, ToCLSID(c.B.Trace(), x), "no activation while a callable object takes the notification")

				needed := c.Job(a, harness.RemoteOK)
				c.Do(needed.SetNotifyCLSID(x), "SetNotifyCLSID(x)")
				c.Transfer(needed)
				got := ToCLSID(c.Delivered(needed, model.EventJobTransferred), x)
				if assert.Len(c, got, 1, "the notification activates the class") {
					assert.Equal(c, 1, got[0].Target.Instance,
						"the first instance of the class serves the first notification: nothing was activated before")
				}
				assert.Empty(c, c.TraceOf(idle), "nothing for the job that was never transferred")
			},
		},
		Scenario{
			Rule:  "CLSID-LAST-WRITER-WINS",
			Needs: clsidNeeds,
			// When several applications set the CLSID, BITS activates only
			// the one set last and never instantiates the others.
			Run: func(c *C) {
				a, b := c.App(Alice), c.App(Alice)
				x, y := c.Class(harness.Behavior{}), c.Class(harness.Behavior{})
				job := c.Job(a, harness.RemoteOK, harness.RemoteOK)
				c.SetFlags(job, 0x13)
				c.Do(job.SetNotifyCLSID(x), "SetNotifyCLSID(x) by a")
				c.Do(c.JobIn(b, job).SetNotifyCLSID(y), "SetNotifyCLSID(y) by b")
				c.Transfer(job)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				c.Advance(flagsWait)
				assert.Empty(c, ToCLSID(c.B.Trace(), x), "the CLSID set first is never instantiated")
				assert.Len(c, ToCLSID(c.Delivered(job, model.EventJobTransferred), y), 1, "the CLSID set last receives JobTransferred")
			},
		},
		Scenario{
			Rule:  "CLSID-FLAGS-APPLY",
			Needs: clsidNeeds,
			// The job's notify flags decide which methods BITS calls on the
			// CLSID instance, exactly as for a registered object.
			Run: func(c *C) {
				a := c.App(Alice)
				x := c.Class(harness.Behavior{})
				setup := func(flags model.NotifyFlags, remotes ...harness.RemoteKind) model.Job {
					job := c.Job(a, remotes...)
					c.SetFlags(job, flags)
					c.Do(job.SetNotifyCLSID(x), "SetNotifyCLSID")
					c.Transfer(job)
					return job
				}
				count := func(job model.Job, k model.EventKind) int { return len(ToCLSID(c.Calls(job, k), x)) }

				files := setup(0x11, harness.RemoteOK, harness.RemoteOK)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(files))
				assert.Len(c, ToCLSID(c.Delivered(files, model.EventFileTransferred), x), 2, "FileTransferred with 0x11, one per file")
				assert.Len(c, ToCLSID(c.Delivered(files, model.EventJobTransferred), x), 1, "JobTransferred with 0x11")
				assert.Zero(c, count(files, model.EventJobModification), "no JobModification without 0x08")

				errorOnly := setup(0x02, harness.RemoteOK)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(errorOnly))
				assert.Empty(c, c.TraceOf(errorOnly), "nothing with 0x02 for a transferred job")

				transferredOnly := setup(0x01, harness.RemoteFatal)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(transferredOnly))
				assert.Empty(c, c.TraceOf(transferredOnly), "no JobError without 0x02")

				errored := setup(0x02, harness.RemoteFatal)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(errored))
				assert.Len(c, ToCLSID(c.Delivered(errored, model.EventJobError), x), 1, "JobError with 0x02")

				mod := setup(0x08, harness.RemoteOK)
				assert.NotEmpty(c, ToCLSID(c.Delivered(mod, model.EventJobModification), x), "JobModification with 0x08")
				assert.Zero(c, count(mod, model.EventJobTransferred), "no JobTransferred without 0x01")

				disabled := setup(0x1F, harness.RemoteOK)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(disabled))
				c.Advance(flagsWait)
				assert.Empty(c, c.TraceOf(disabled), "nothing while DISABLE is set")
			},
		},
		Scenario{
			Rule: "CLSID-INSTANCE-REUSED",
			// Exact time: the second file must still be transferring when
			// the first one's notification has arrived.
			Needs: harness.Capabilities{CLSID: true, VirtualTime: true, Version: model.BITS5_0},
			// Once activated, the instance receives every further
			// notification of the job.
			Run: func(c *C) {
				a := c.App(Alice)
				x := c.Class(harness.Behavior{})
				job := c.Job(a, harness.RemoteOK, harness.RemoteSlow)
				c.SetFlags(job, 0x13)
				c.Do(job.SetNotifyCLSID(x), "SetNotifyCLSID")
				c.Transfer(job)
				first := ToCLSID(c.Delivered(job, model.EventFileTransferred), x)
				require.Len(c, first, 1, "FileTransferred of the first file activates an instance")
				c.Advance(flagsWait)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				evs := ToCLSID(c.TraceOf(job), x)
				assert.Len(c, ToCLSID(c.Delivered(job, model.EventFileTransferred), x), 2)
				assert.Len(c, ToCLSID(c.Delivered(job, model.EventJobTransferred), x), 1)
				for _, e := range evs {
					assert.Equal(c, first[0].Target.Instance, e.Target.Instance, "%v goes to the instance activated first", e.Kind)
				}
			},
		},
		Scenario{
			Rule: "CLSID-INSTANCE-REPLACED",
			// Exact time: the second file must still be transferring when
			// the first one's notification has arrived.
			Needs: harness.Capabilities{CLSID: true, VirtualTime: true, Version: model.BITS5_0},
			// A successful SetNotifyInterface with an object replaces the
			// instance: later notifications go to the object and the instance
			// is not called again.
			Run: func(c *C) {
				a := c.App(Alice)
				x := c.Class(harness.Behavior{})
				job := c.Job(a, harness.RemoteOK, harness.RemoteSlow)
				c.SetFlags(job, 0x13)
				c.Do(job.SetNotifyCLSID(x), "SetNotifyCLSID")
				c.Transfer(job)
				require.Len(c, ToCLSID(c.Delivered(job, model.EventFileTransferred), x), 1,
					"FileTransferred of the first file activates an instance")
				require.NotEqual(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job), "the second file is still transferring")
				c.Register(a, job, harness.Behavior{})
				c.Advance(flagsWait)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				assert.Len(c, ToCLSID(c.TraceOf(job), x), 1, "the instance is not called again")
				assert.Len(c, To(c.Delivered(job, model.EventFileTransferred), a), 1, "FileTransferred of the second file goes to the object")
				assert.Len(c, To(c.Delivered(job, model.EventJobTransferred), a), 1, "JobTransferred goes to the object")
			},
		},
		Scenario{
			Rule:  "CLSID-ACTIVATION-FAILURE",
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
		Scenario{
			Rule:  "CLSID-OWNER-CONTEXT",
			Needs: harness.Capabilities{CLSID: true, Users: true, Version: model.BITS5_0},
			// BITS activates the CLSID instance as the job's owner.
			Run: func(c *C) {
				owner, admin := c.App(Alice), c.App(Admin)
				x := c.Class(harness.Behavior{})
				job := c.Job(owner, harness.RemoteOK)
				ja, err := admin.GetJob(job.GetId())
				require.NoError(c, err, "an administrator gets alice's job")
				c.Do(ja.SetNotifyCLSID(x), "SetNotifyCLSID by the administrator")
				c.Transfer(job)
				got := ToCLSID(c.Delivered(job, model.EventJobTransferred), x)
				if !assert.Len(c, got, 1) {
					return
				}
				switch c.Variant("CLSID-OWNER-CONTEXT") {
				case rules.VarJobOwner:
					assert.Equal(c, Alice.Name, got[0].User, "the instance runs as the job's owner, not as the administrator who set the CLSID")
				case rules.VarSetter: // "the user who last set BITS_JOB_PROPERTY_NOTIFICATION_CLSID"
					assert.Equal(c, Admin.Name, got[0].User, "the instance runs as the administrator who set the CLSID")
				case rules.VarAppIDRunAs: // "as the job owner when the class names no RunAs" (the harness's classes name none)
					assert.Equal(c, Alice.Name, got[0].User, "the instance runs as the job's owner: the class names no RunAs")
				}
			},
		},
	)
}
