package conformance

import (
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
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
			Rule:  "CMD-AFTER-EVENT",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true},
			// A job reaches TRANSFERRED (or ERROR) with no command line and
			// no callback; a command line set afterwards is still launched,
			// once, for that state.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, tc := range []struct {
					remote harness.RemoteKind
					state  model.JobState
				}{
					{harness.RemoteOK, model.BG_JOB_STATE_TRANSFERRED},
					{harness.RemoteFatal, model.BG_JOB_STATE_ERROR},
				} {
					job := c.Job(a, tc.remote)
					c.Transfer(job)
					require.Equal(c, tc.state, c.State(job))
					require.Empty(c, c.Launches(job), "no command line is set yet")
					prog, params := c.CmdLine(job, 0)
					c.Settle()
					runs := c.Launches(job)
					if assert.Len(c, runs, 1, "the command line set in %v is launched for that state", tc.state) {
						assert.Equal(c, prog, runs[0].Target.Program)
						assert.Equal(c, params, runs[0].Target.Parameters)
					}
					assert.Equal(c, tc.state, c.State(job))
				}
			},
		},
		Scenario{
			Rule: "CMD-CLEAR-NULL",
			Why:  "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			// SetNotifyCmdLine(NULL, NULL) returns S_OK and removes the
			// command line: GetNotifyCmdLine returns two empty strings.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				c.SetCmdLine(job, `C:\Windows\System32\notepad.exe`, `notepad.exe C:\notes.txt`)
				assert.NoError(c, job.SetNotifyCmdLine("", ""), "SetNotifyCmdLine(NULL, NULL)")
				p, a := cmdGet(c, job)
				assert.Empty(c, p, "program after clearing")
				assert.Empty(c, a, "parameters after clearing")
			},
		},
		Scenario{
			Rule:  "CMD-EVENTS",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true},
			// The command line runs when the job enters TRANSFERRED with
			// JOB_TRANSFERRED set, or ERROR with JOB_ERROR set, and for
			// nothing else: not for modifications, file transfers, transient
			// errors, a cancel, or a state whose flag is clear.
			Run: func(c *C) {
				a := c.App(Alice)
				// TRANSFERRED with every other notification asked for too.
				flags := model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR | model.BG_NOTIFY_JOB_MODIFICATION
				if c.Version() >= model.BITS3_0 {
					flags |= model.BG_NOTIFY_FILE_TRANSFERRED
				}
				done := c.Job(a, harness.RemoteOK, harness.RemoteOK)
				c.SetFlags(done, flags)
				c.CmdLine(done, 0)
				c.Do(done.SetDescription("modified"), "SetDescription")
				c.Settle()
				assert.Empty(c, c.Launches(done), "a modification launches nothing")
				c.Transfer(done)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(done))
				assert.Len(c, c.Launches(done), 1, "entering TRANSFERRED with JOB_TRANSFERRED set launches it once")

				// ERROR with JOB_ERROR set (the default flags).
				failed := c.Job(a, harness.RemoteFatal)
				c.CmdLine(failed, 0)
				c.Transfer(failed)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(failed))
				assert.Len(c, c.Launches(failed), 1, "entering ERROR with JOB_ERROR set launches it once")

				// ERROR without JOB_ERROR.
				errNoFlag := c.Job(a, harness.RemoteFatal)
				c.SetFlags(errNoFlag, model.BG_NOTIFY_JOB_TRANSFERRED)
				c.CmdLine(errNoFlag, 0)
				c.Transfer(errNoFlag)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(errNoFlag))
				assert.Empty(c, c.Launches(errNoFlag), "ERROR without JOB_ERROR launches nothing")

				// TRANSFERRED without JOB_TRANSFERRED.
				doneNoFlag := c.Job(a, harness.RemoteOK)
				c.SetFlags(doneNoFlag, model.BG_NOTIFY_JOB_ERROR)
				c.CmdLine(doneNoFlag, 0)
				c.Transfer(doneNoFlag)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(doneNoFlag))
				assert.Empty(c, c.Launches(doneNoFlag), "TRANSFERRED without JOB_TRANSFERRED launches nothing")

				// TRANSIENT_ERROR is not ERROR.
				transient := c.Job(a, harness.RemoteTransient)
				c.CmdLine(transient, 0)
				c.Transfer(transient)
				require.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(transient))

				// Suspend, Resume and Cancel are not TRANSFERRED or ERROR.
				cancelled := c.Job(a, harness.RemoteSlow)
				c.CmdLine(cancelled, 0)
				c.Transfer(cancelled)
				c.Do(cancelled.Suspend(), "Suspend")
				c.Do(cancelled.Cancel(), "Cancel")
				c.Settle()

				c.Advance(3 * time.Second)
				assert.Empty(c, c.Launches(transient), "TRANSIENT_ERROR launches nothing")
				assert.Empty(c, c.Launches(cancelled), "suspending and cancelling launch nothing")
				assert.Empty(c, c.Launches(errNoFlag), "ERROR without JOB_ERROR launches nothing")
				assert.Empty(c, c.Launches(doneNoFlag), "TRANSFERRED without JOB_TRANSFERRED launches nothing")
			},
		},
		Scenario{
			Rule:  "CMD-EXIT-ZERO",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true},
			// A program that exits 0 is not launched again for the same
			// event, even though it neither completed nor cancelled the job
			// (which stays TRANSFERRED or ERROR).
			Run: func(c *C) {
				a := c.App(Alice)
				var jobs []model.Job
				for _, k := range []harness.RemoteKind{harness.RemoteOK, harness.RemoteFatal} {
					job := c.Job(a, k)
					c.SetRetryDelay(job, cmdRetryDelay)
					c.CmdLine(job, 0)
					c.Transfer(job)
					jobs = append(jobs, job)
				}
				c.Advance(4 * cmdRetryDelay)
				for i, want := range []model.JobState{model.BG_JOB_STATE_TRANSFERRED, model.BG_JOB_STATE_ERROR} {
					assert.Equal(c, want, c.State(jobs[i]), "the program did not complete or cancel the job")
					runs := c.Launches(jobs[i])
					if assert.Len(c, runs, 1, "launched once for %v", want) {
						assert.Equal(c, 0, runs[0].ExitCode)
					}
				}
			},
		},
		Scenario{
			Rule: "CMD-FINAL-STATE",
			Why:  "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			// SetNotifyCmdLine on a CANCELLED or ACKNOWLEDGED job fails with
			// BG_E_INVALID_STATE and the command line stays as it was.
			Run: func(c *C) {
				a := c.App(Alice)
				const prog, params = `C:\Windows\System32\notepad.exe`, `notepad.exe C:\before.txt`
				const prog2, params2 = `C:\Windows\System32\calc.exe`, `calc.exe`

				cancelled := c.Job(a)
				c.SetCmdLine(cancelled, prog, params)
				c.Do(cancelled.Cancel(), "Cancel")
				assert.ErrorIs(c, cancelled.SetNotifyCmdLine(prog2, params2), model.BG_E_INVALID_STATE)
				assert.ErrorIs(c, cancelled.SetNotifyCmdLine("", ""), model.BG_E_INVALID_STATE)
				p, ps := cmdGet(c, cancelled)
				assert.Equal(c, prog, p, "CANCELLED: program unchanged")
				assert.Equal(c, params, ps, "CANCELLED: parameters unchanged")

				acked := c.Job(a, harness.RemoteOK)
				c.SetFlags(acked, model.BG_NOTIFY_JOB_MODIFICATION) // nothing to launch on the way
				c.SetCmdLine(acked, prog, params)
				c.Transfer(acked)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(acked))
				_, err := acked.Complete()
				c.Do(err, "Complete")
				require.Equal(c, model.BG_JOB_STATE_ACKNOWLEDGED, c.State(acked))
				assert.ErrorIs(c, acked.SetNotifyCmdLine(prog2, params2), model.BG_E_INVALID_STATE)
				assert.ErrorIs(c, acked.SetNotifyCmdLine("", ""), model.BG_E_INVALID_STATE)
				p, ps = cmdGet(c, acked)
				assert.Equal(c, prog, p, "ACKNOWLEDGED: program unchanged")
				assert.Equal(c, params, ps, "ACKNOWLEDGED: parameters unchanged")
			},
		},
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
			Rule:  "CMD-METHOD-NOT-RECALLED",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true},
			// JobTransferred (or JobError) fails and BITS launches the command
			// line: BITS never calls that method again for the event, although
			// the object keeps failing and stays registered. This holds
			// whether the program exits 0 or exits 1 (and is then launched
			// again, CMD-RERUN-NONZERO-EXIT): either way it was launched.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, tc := range []struct {
					remote harness.RemoteKind
					kind   model.EventKind
					exits  []int
				}{
					{harness.RemoteOK, model.EventJobTransferred, []int{0}},
					{harness.RemoteFatal, model.EventJobError, []int{0}},
					{harness.RemoteOK, model.EventJobTransferred, []int{1, 0}},
					{harness.RemoteFatal, model.EventJobError, []int{1, 0}},
				} {
					job := c.Job(a, tc.remote)
					c.SetRetryDelay(job, cmdRetryDelay)
					c.Register(a, job, harness.Behavior{Fail: true})
					c.CmdLine(job, tc.exits...)
					c.Transfer(job)
					c.Advance(4 * cmdRetryDelay)
					calls := c.Calls(job, tc.kind)
					if assert.Len(c, calls, 1, "%v is called once (program exits %v)", tc.kind, tc.exits) {
						assert.False(c, calls[0].Delivered())
					}
					runs := c.Launches(job)
					if assert.NotEmpty(c, runs, "the command line took over") {
						assert.Greater(c, runs[0].Seq, calls[0].Seq, "the launch follows the failed call")
						assert.Equal(c, tc.exits[0], runs[0].ExitCode)
					}
				}
			},
		},
		Scenario{
			Rule:  "CMD-NEVER-SERVICE-ACCOUNT",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true, Users: true},
			// Jobs owned by LocalSystem, LocalService and NetworkService
			// never launch their command line, on TRANSFERRED or ERROR, even
			// with no callback to take the notification.
			Run: func(c *C) {
				var jobs []model.Job
				for _, acct := range []model.Account{model.LocalSystem, model.LocalService, model.NetworkService} {
					a := c.App(acct)
					for _, tc := range []struct {
						remote harness.RemoteKind
						state  model.JobState
					}{
						{harness.RemoteOK, model.BG_JOB_STATE_TRANSFERRED},
						{harness.RemoteFatal, model.BG_JOB_STATE_ERROR},
					} {
						job := c.Job(a, tc.remote)
						c.SetRetryDelay(job, cmdRetryDelay)
						c.CmdLine(job, 0)
						c.Transfer(job)
						require.Equal(c, tc.state, c.State(job), "%s's job", acct.Name)
						jobs = append(jobs, job)
					}
				}
				c.Advance(3 * cmdRetryDelay)
				for _, job := range jobs {
					owner, err := job.GetOwner()
					assert.NoError(c, err)
					assert.Empty(c, c.Launches(job), "no command line for a job of %s", owner)
				}
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
			Rule: "CMD-NULL-PARAMS",
			Why:  "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			// SetNotifyCmdLine(program, NULL) returns S_OK; GetNotifyCmdLine
			// returns the program and empty parameters.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				const prog = `C:\Windows\System32\notepad.exe`
				c.SetCmdLine(job, `C:\Windows\System32\calc.exe`, `calc.exe /old`)
				assert.NoError(c, job.SetNotifyCmdLine(prog, ""), "SetNotifyCmdLine(program, NULL)")
				p, a := cmdGet(c, job)
				assert.Equal(c, prog, p)
				assert.Empty(c, a, "NULL parameters read back empty")
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
		Scenario{
			Rule:  "CMD-ONLY-IF-NOT-DELIVERED",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true},
			// A callback object (or, where CLSIDs work, a CLSID instance) that
			// accepts JobTransferred or JobError with S_OK suppresses the
			// command line.
			Run: func(c *C) {
				a := c.App(Alice)
				type route struct {
					name  string
					setup func(job model.Job)
					kind  model.TargetKind
				}
				routes := []route{{"object", func(job model.Job) {
					c.Register(a, job, harness.Behavior{})
				}, model.TargetObject}}
				// Under PREC-CMDLINE-LAST's cmdline-before-clsid reading the
				// command line comes before the CLSID, so only the object can
				// suppress it.
				if c.B.Capabilities().CLSID && c.Is("PREC-CMDLINE-LAST", rules.VarCmdLineLast) {
					clsid := c.Class(harness.Behavior{})
					routes = append(routes, route{"CLSID", func(job model.Job) {
						c.Do(job.SetNotifyCLSID(clsid), "SetNotifyCLSID")
					}, model.TargetCLSID})
				}
				for _, r := range routes {
					for _, tc := range []struct {
						remote harness.RemoteKind
						kind   model.EventKind
					}{
						{harness.RemoteOK, model.EventJobTransferred},
						{harness.RemoteFatal, model.EventJobError},
					} {
						job := c.Job(a, tc.remote)
						c.SetRetryDelay(job, cmdRetryDelay)
						r.setup(job)
						c.CmdLine(job, 0)
						c.Transfer(job)
						c.Advance(3 * cmdRetryDelay)
						got := OfTarget(c.Delivered(job, tc.kind), r.kind)
						assert.Len(c, got, 1, "%s accepted %v", r.name, tc.kind)
						assert.Empty(c, c.Launches(job), "%s accepted %v: no command line", r.name, tc.kind)
					}
				}
			},
		},
		Scenario{
			Rule: "CMD-PARAMS-WITHOUT-PROGRAM",
			Why:  "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			// Parameters without a program fail with E_INVALIDARG and the
			// previous command line stays.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				const prog, params = `C:\Windows\System32\notepad.exe`, `notepad.exe C:\keep.txt`
				c.SetCmdLine(job, prog, params)
				err := job.SetNotifyCmdLine("", `notepad.exe C:\other.txt`)
				p, a := cmdGet(c, job)
				switch c.Variant("CMD-PARAMS-WITHOUT-PROGRAM") {
				case rules.VarInvalidArg: // "fails with E_INVALIDARG (0x80070057) and keeps the previous command line"
					assert.ErrorIs(c, err, model.E_INVALIDARG)
					assert.Equal(c, prog, p, "program kept")
					assert.Equal(c, params, a, "parameters kept")
				case rules.VarClears: // "returns S_OK and clears the command line"
					assert.NoError(c, err)
					assert.Empty(c, p, "program cleared")
					assert.Empty(c, a, "parameters cleared")
				}
			},
		},
		Scenario{
			Rule:  "CMD-REQUIRES-JOB2",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{Version: model.BITS1_5},
			// On BITS 1.5 and later the job has IBackgroundCopyJob2, so
			// SetNotifyCmdLine and GetNotifyCmdLine are there: neither fails
			// with E_NOINTERFACE.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				assert.NotErrorIs(c, job.SetNotifyCmdLine(`C:\Windows\System32\notepad.exe`, "notepad.exe"), model.E_NOINTERFACE)
				_, _, err := job.GetNotifyCmdLine()
				assert.NotErrorIs(c, err, model.E_NOINTERFACE)
			},
		},
		Scenario{
			Rule:  "CMD-RERUN-NONZERO-EXIT",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true, VirtualTime: true, Version: model.BITS2_0},
			// A program that exits non-zero is launched again once
			// MinimumRetryDelay has passed (30 s when set, 600 s by default),
			// not before; not when the job has meanwhile been cancelled or
			// acknowledged.
			Run: func(c *C) {
				wait := cmdRetryDelay // the command line ran: MinimumRetryDelay, whatever DELIV-RETRY-INTERVAL says
				a := c.App(Alice)
				for _, tc := range []struct {
					remote harness.RemoteKind
					delay  time.Duration // 0: leave the default
					wait   time.Duration
				}{
					{harness.RemoteOK, cmdRetryDelay, cmdRetryDelay},
					{harness.RemoteFatal, cmdRetryDelay, cmdRetryDelay},
					{harness.RemoteOK, 0, 600 * time.Second},
				} {
					job := c.Job(a, tc.remote)
					if tc.delay != 0 {
						c.SetRetryDelay(job, tc.delay)
					}
					c.CmdLine(job, 1, 0)
					c.Transfer(job)
					runs := c.Launches(job)
					require.Len(c, runs, 1)
					assert.Equal(c, 1, runs[0].ExitCode)
					c.Advance(tc.wait - time.Second)
					assert.Len(c, c.Launches(job), 1, "not again before %v", tc.wait)
					c.Advance(time.Second)
					runs = c.Launches(job)
					if assert.Len(c, runs, 2, "launched again after %v", tc.wait) {
						assert.Equal(c, tc.wait, runs[1].Time.Sub(runs[0].Time))
						assert.Equal(c, 0, runs[1].ExitCode)
					}
					c.Advance(3 * tc.wait)
					assert.Len(c, c.Launches(job), 2, "exit 0 ends the launches")
				}

				// Non-zero exit, then the job is cancelled or acknowledged.
				for _, leave := range []string{"Cancel", "Complete"} {
					job := c.Job(a, harness.RemoteOK)
					c.SetRetryDelay(job, cmdRetryDelay)
					c.CmdLine(job, 1)
					c.Transfer(job)
					require.Len(c, c.Launches(job), 1)
					if leave == "Cancel" {
						c.Do(job.Cancel(), "Cancel")
					} else {
						_, err := job.Complete()
						c.Do(err, "Complete")
					}
					c.Advance(3 * wait)
					assert.Len(c, c.Launches(job), 1, "no new launch after %s", leave)
				}
			},
		},
		Scenario{
			Rule: "CMD-STRING-TOO-LONG",
			Why:  "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			// A program of more than 260 characters or parameters of more
			// than 4000 fail with BG_E_STRING_TOO_LONG; the previous command
			// line stays.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				const prog, params = `C:\Windows\System32\notepad.exe`, `notepad.exe C:\keep.txt`
				c.SetCmdLine(job, prog, params)
				longProg := `C:\` + strings.Repeat("p", 261-len(`C:\`)-len(".exe")) + ".exe"
				require.Len(c, longProg, 261)
				assert.ErrorIs(c, job.SetNotifyCmdLine(longProg, "x"), model.BG_E_STRING_TOO_LONG, "261-character program")
				longParams := strings.Repeat("a", 4001)
				assert.ErrorIs(c, job.SetNotifyCmdLine(prog, longParams), model.BG_E_STRING_TOO_LONG, "4001-character parameters")
				p, a := cmdGet(c, job)
				assert.Equal(c, prog, p, "program kept")
				assert.Equal(c, params, a, "parameters kept")
			},
		},
		Scenario{
			Rule:  "CMD-USER-CONTEXT",
			Why:   "fallback where the scenario runner cannot play the rule's file: the file sets a command line, which needs harness.ProgramScripter (winbits and wrapping backends lack it)",
			Needs: harness.Capabilities{CommandLine: true, Users: true},
			// The program runs as the user who called SetNotifyCmdLine: the
			// owner when she set it, the administrator when he set it on her
			// job.
			Run: func(c *C) {
				alice, admin := c.App(Alice), c.App(Admin)
				own := c.Job(alice, harness.RemoteOK)
				prog, params := c.CmdLine(own, 0)
				c.Transfer(own)
				runs := c.Launches(own)
				if assert.Len(c, runs, 1) {
					assert.Equal(c, Alice.Name, runs[0].User, "set by alice: runs as alice")
				}

				theirs := c.Job(alice, harness.RemoteOK)
				prog, params = c.Program(0)
				c.SetCmdLine(c.JobIn(admin, theirs), prog, params)
				c.Transfer(theirs)
				runs = c.Launches(theirs)
				if assert.Len(c, runs, 1) {
					assert.Equal(c, Admin.Name, runs[0].User, "set by admin on alice's job: runs as admin")
				}
			},
		},
	)
}
