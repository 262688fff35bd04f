package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

func init() {
	register(
		Scenario{
			Rule:  "PREC-FAILURE-KEEPS-OBJECT",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CLSID: true, CommandLine: true, Version: model.BITS5_0},
			// When the object's method fails, BITS keeps the object and does
			// not offer the notification to the CLSID: JobTransferred goes to
			// the command line if set, and is otherwise retried on the object.
			Run: func(c *C) {
				a := c.App(Alice)
				x := c.Class(harness.Behavior{})

				retried := c.Job(a, harness.RemoteOK)
				c.SetRetryDelay(retried, flagsRetryDelay)
				c.Do(retried.SetNotifyCLSID(x), "SetNotifyCLSID")
				c.Register(a, retried, harness.Behavior{FailFirst: 1})
				c.Transfer(retried)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(retried))
				first := To(c.Calls(retried, model.EventJobTransferred), a)
				require.Len(c, first, 1, "the object is called once")
				require.ErrorIs(c, first[0].Result, model.E_FAIL, "and fails")
				cb, err := retried.GetNotifyInterface()
				assert.NoError(c, err)
				assert.NotNil(c, cb, "the failing object stays registered")
				c.Advance(max(flagsWait, c.RetryAfter(flagsRetryDelay)+time.Second))
				fallsBack := c.Is("PREC-FAILURE-KEEPS-OBJECT", rules.VarFallsBackToCLSID)
				if fallsBack {
					// "offers the same notification to the CLSID instance before the command line and before retrying"
					assert.Len(c, ToCLSID(c.Delivered(retried, model.EventJobTransferred), x), 1, "the CLSID instance takes the notification")
					assert.Empty(c, To(c.Delivered(retried, model.EventJobTransferred), a), "nothing is left to retry on the object")
				} else {
					assert.Len(c, To(c.Delivered(retried, model.EventJobTransferred), a), 1, "JobTransferred is retried on the object")
					assert.Empty(c, ToCLSID(c.TraceOf(retried), x), "the CLSID is not offered the notification")
				}

				withCmd := c.Job(a, harness.RemoteOK)
				c.Do(withCmd.SetNotifyCLSID(x), "SetNotifyCLSID")
				c.Register(a, withCmd, harness.Behavior{Fail: true})
				c.CmdLine(withCmd, 0)
				c.Transfer(withCmd)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(withCmd))
				assert.NotEmpty(c, To(c.Calls(withCmd, model.EventJobTransferred), a), "the object is called")
				if fallsBack {
					assert.Len(c, ToCLSID(c.Delivered(withCmd, model.EventJobTransferred), x), 1, "the CLSID instance takes the notification")
					assert.Empty(c, c.Calls(withCmd, model.EventCommandLine), "the command line is not needed")
				} else {
					assert.Len(c, c.Delivered(withCmd, model.EventCommandLine), 1, "the command line takes the notification")
					assert.Empty(c, ToCLSID(c.TraceOf(withCmd), x), "the CLSID is not offered the notification")
				}
				cb, err = withCmd.GetNotifyInterface()
				assert.NoError(c, err)
				assert.NotNil(c, cb, "the failing object stays registered")
			},
		},
		Scenario{
			Rule:  "PREC-CMDLINE-ON-FAILURE",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true, Crash: true},
			// When JobTransferred or JobError fails (E_FAIL) or the object is
			// gone, BITS launches the command line.
			Run: func(c *C) {
				owner := c.App(Alice)
				failing := func(remote harness.RemoteKind) model.Job {
					job := c.Job(owner, remote)
					c.Register(owner, job, harness.Behavior{Fail: true})
					c.CmdLine(job, 0)
					c.Transfer(job)
					return job
				}
				check := func(job model.Job, kind model.EventKind, what string) {
					calls := To(c.Calls(job, kind), owner)
					launches := c.Calls(job, model.EventCommandLine)
					if assert.NotEmpty(c, calls, "%s: the object is called", what) && assert.Len(c, launches, 1, "%s: the command line is launched", what) {
						assert.ErrorIs(c, calls[0].Result, model.E_FAIL, "%s: the call fails", what)
						assert.Greater(c, launches[0].Seq, calls[0].Seq, "%s: the command line follows the failed call", what)
					}
				}
				done := failing(harness.RemoteOK)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(done))
				check(done, model.EventJobTransferred, "JobTransferred fails")
				failed := failing(harness.RemoteFatal)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(failed))
				check(failed, model.EventJobError, "JobError fails")

				holder := c.App(Alice)
				gone := c.Job(owner, harness.RemoteOK)
				c.Register(holder, c.JobIn(holder, gone), harness.Behavior{})
				c.CmdLine(gone, 0)
				c.Do(holder.Crash(), "Crash")
				c.Transfer(gone)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(gone))
				assert.Empty(c, To(c.Delivered(gone, model.EventJobTransferred), holder), "the dead object receives nothing")
				assert.Len(c, c.Calls(gone, model.EventCommandLine), 1, "the command line replaces the dead object")
			},
		},
		Scenario{
			Rule:  "PREC-CMDLINE-LAST",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CLSID: true, CommandLine: true, Version: model.BITS5_0},
			// For JobTransferred and JobError BITS tries the object, then the
			// CLSID instance, and launches the command line only when both
			// are absent or have failed.
			Run: func(c *C) {
				a := c.App(Alice)
				ok, bad := c.Class(harness.Behavior{}), c.Class(harness.Behavior{Fail: true})

				objectJob := c.Job(a, harness.RemoteOK)
				c.Do(objectJob.SetNotifyCLSID(ok), "SetNotifyCLSID")
				c.Register(a, objectJob, harness.Behavior{})
				c.CmdLine(objectJob, 0)
				c.Transfer(objectJob)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(objectJob))
				assert.Len(c, To(c.Delivered(objectJob, model.EventJobTransferred), a), 1, "the object takes the notification")
				assert.Empty(c, c.Calls(objectJob, model.EventCommandLine), "no command line after the object accepted")

				if c.Is("PREC-CMDLINE-LAST", rules.VarCmdLineBeforeCLSID) {
					// "tries the callback object first, then the command line, and activates the CLSID only when both are absent or have failed"
					clsidJob := c.Job(a, harness.RemoteOK)
					c.Do(clsidJob.SetNotifyCLSID(ok), "SetNotifyCLSID")
					c.CmdLine(clsidJob, 0)
					c.Transfer(clsidJob)
					require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(clsidJob))
					assert.Len(c, c.Delivered(clsidJob, model.EventCommandLine), 1, "the command line takes the notification")
					assert.Empty(c, ToCLSID(c.TraceOf(clsidJob), ok), "the CLSID is not activated after the command line accepted")

					failingCmd := c.Job(a, harness.RemoteOK)
					c.Do(failingCmd.SetNotifyCLSID(ok), "SetNotifyCLSID")
					c.CmdLine(failingCmd, 1)
					c.Transfer(failingCmd)
					launches := c.Calls(failingCmd, model.EventCommandLine)
					calls := ToCLSID(c.Delivered(failingCmd, model.EventJobTransferred), ok)
					if assert.Len(c, launches, 1, "the command line runs first") && assert.Len(c, calls, 1, "then the CLSID instance takes the notification") {
						assert.Greater(c, calls[0].Seq, launches[0].Seq, "the CLSID comes after the command line failed")
					}
					return
				}
				clsidJob := c.Job(a, harness.RemoteOK)
				c.Do(clsidJob.SetNotifyCLSID(ok), "SetNotifyCLSID")
				c.CmdLine(clsidJob, 0)
				c.Transfer(clsidJob)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(clsidJob))
				assert.Len(c, ToCLSID(c.Delivered(clsidJob, model.EventJobTransferred), ok), 1, "the CLSID instance takes the notification")
				assert.Empty(c, c.Calls(clsidJob, model.EventCommandLine), "no command line after the instance accepted")

				last := func(job model.Job, kind model.EventKind, what string) {
					calls := ToCLSID(c.Calls(job, kind), bad)
					launches := c.Calls(job, model.EventCommandLine)
					if assert.NotEmpty(c, calls, "%s: the CLSID instance is tried", what) && assert.Len(c, launches, 1, "%s: the command line is launched", what) {
						assert.Greater(c, launches[0].Seq, calls[0].Seq, "%s: the command line comes after the instance failed", what)
					}
				}
				failingDone := c.Job(a, harness.RemoteOK)
				c.Do(failingDone.SetNotifyCLSID(bad), "SetNotifyCLSID")
				c.CmdLine(failingDone, 0)
				c.Transfer(failingDone)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(failingDone))
				last(failingDone, model.EventJobTransferred, "JobTransferred")

				failingErr := c.Job(a, harness.RemoteFatal)
				c.Do(failingErr.SetNotifyCLSID(bad), "SetNotifyCLSID")
				c.CmdLine(failingErr, 0)
				c.Transfer(failingErr)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(failingErr))
				last(failingErr, model.EventJobError, "JobError")

				onlyCmd := c.Job(a, harness.RemoteOK)
				c.CmdLine(onlyCmd, 0)
				c.Transfer(onlyCmd)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(onlyCmd))
				assert.Len(c, c.Calls(onlyCmd, model.EventCommandLine), 1, "with neither object nor CLSID the command line runs")
			},
		},
	)
}
