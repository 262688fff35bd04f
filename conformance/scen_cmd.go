package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// cmdRetryDelay is the MinimumRetryDelay the CMD and DELIV scenarios give
// a job, so that "no retry before 30 s, one at 30 s" is concrete.
const cmdRetryDelay = 30 * time.Second

// cmdMissingProgram is a full path to a program that does not exist on
// any backend, so BITS cannot start it.
const cmdMissingProgram = `C:\bitssim\missing\no-such-program.exe`

// cmdGet reads the job's command line, or stops the scenario.
func cmdGet(c *C, job model.Job) (program, parameters string) {
	p, a, err := job.GetNotifyCmdLine()
	require.NoError(c, err, "GetNotifyCmdLine")
	return p, a
}

func init() {
	register(
		Scenario{
			Rule:  "CMD-LAUNCH-FAILURE",
			Why:   "it needs a program that cannot be started; a script's programs always start",
			Needs: harness.Capabilities{CommandLine: true, VirtualTime: true},
			// The program does not exist, so BITS cannot start it: the
			// notification stays undelivered and the whole notification is
			// tried again after MinimumRetryDelay (30 s), not before. The
			// failed launch itself is invisible to every backend's trace, so
			// a callback object whose first JobTransferred fails shows the
			// retry: had the failed launch counted as delivered, BITS would
			// not call the method again (CMD-METHOD-NOT-RECALLED).
			Run: func(c *C) {
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
			},
		},
		Scenario{
			Rule:  "CMD-NO-SHELL",
			Why:   "it checks the program and parameters a launch received, which no expectation reads",
			Needs: harness.Capabilities{CommandLine: true},
			// The program is started with exactly the two strings given: the
			// parameters arrive unchanged, with shell metacharacters and
			// %SystemRoot% neither interpreted nor expanded.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				prog, params := c.Program(0)
				params += ` %SystemRoot% %PATH% "two words" ^& echo x | more > out.txt`
				c.SetCmdLine(job, prog, params)
				c.Transfer(job)
				runs := c.Launches(job)
				if assert.Len(c, runs, 1) {
					assert.Equal(c, prog, runs[0].Target.Program, "program exactly as set")
					assert.Equal(c, params, runs[0].Target.Parameters, "parameters exactly as set, unexpanded")
				}
			},
		},
		Scenario{
			Rule:  "CMD-ONCE-BITS15",
			Why:   "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			Needs: harness.Capabilities{CommandLine: true, VirtualTime: true},
			// On BITS 1.5 a program that exits non-zero is not launched again
			// for the event, however long one waits. (From BITS 2.0 on it is
			// launched again after MinimumRetryDelay, CMD-RERUN-NONZERO-EXIT:
			// the contrast is checked on newer backends.)
			Run: func(c *C) {
				wait := cmdRetryDelay // the command line ran: MinimumRetryDelay, whatever DELIV-RETRY-INTERVAL says
				a := c.App(Alice)
				for _, tc := range []struct {
					remote harness.RemoteKind
					state  model.JobState
				}{
					{harness.RemoteOK, model.BG_JOB_STATE_TRANSFERRED},
					{harness.RemoteFatal, model.BG_JOB_STATE_ERROR},
				} {
					job := c.Job(a, tc.remote)
					c.SetRetryDelay(job, cmdRetryDelay)
					c.CmdLine(job, 1, 0)
					c.Transfer(job)
					require.Equal(c, tc.state, c.State(job))
					c.Advance(4 * wait)
					runs := c.Launches(job)
					if c.Version() == model.BITS1_5 {
						if assert.Len(c, runs, 1, "BITS 1.5 launches once per event (%v)", tc.state) {
							assert.Equal(c, 1, runs[0].ExitCode)
						}
					} else if assert.Len(c, runs, 2, "BITS 2.0+ launches again after a non-zero exit (%v)", tc.state) {
						assert.Equal(c, 1, runs[0].ExitCode)
						assert.Equal(c, 0, runs[1].ExitCode)
						assert.Equal(c, wait, runs[1].Time.Sub(runs[0].Time))
					}
				}
			},
		},
	)
}
