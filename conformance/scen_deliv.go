package conformance

import (
	"fmt"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// delivMods returns the JobModification calls of job.
func delivMods(c *C, job model.Job) []model.Event { return c.Calls(job, model.EventJobModification) }

// delivStd are the default flags plus JobModification.
const delivStd = model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR | model.BG_NOTIFY_JOB_MODIFICATION

func init() {
	markUntestable("DELIV-MODIFICATION-LOSSY",
		"permits BITS to drop JobModification calls without requiring it: any number of calls from none to one per modification keeps the rule, so no observation can fail it")
	markUntestable("DELIV-MODIFICATION-MAY-TRAIL",
		"permits a JobModification after JobTransferred without requiring one: every order of the two keeps the rule, so no observation can fail it")
	markUntestable("DELIV-NO-CROSS-JOB-ORDER",
		"promises no order between jobs: every interleaving of two jobs' notifications keeps the rule, so no observation can fail it")

	register(
		Scenario{
			Rule: "DELIV-AT-LEAST-ONCE",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// Every event whose flag is set is delivered at least once (also
			// when the first call fails), and a handler may receive the same
			// JobTransferred twice: here after registering again.
			Run: func(c *C) {
				wait := c.RetryAfter(cmdRetryDelay) // DELIV-RETRY-INTERVAL
				a := c.App(Alice)
				flags := model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR
				fileEvents := c.Version() >= model.BITS3_0
				if fileEvents {
					flags |= model.BG_NOTIFY_FILE_TRANSFERRED
				}
				done := c.Job(a, harness.RemoteOK, harness.RemoteOK)
				c.SetRetryDelay(done, cmdRetryDelay)
				c.SetFlags(done, flags)
				obj := a.Callback(harness.Behavior{FailFirst: 1})
				c.Do(done.SetNotifyInterface(obj), "SetNotifyInterface")
				c.Transfer(done)
				failed := c.Job(a, harness.RemoteFatal)
				c.SetRetryDelay(failed, cmdRetryDelay)
				c.Register(a, failed, harness.Behavior{FailFirst: 1})
				c.Transfer(failed)
				c.Advance(4 * wait)

				assert.GreaterOrEqual(c, len(c.Delivered(done, model.EventJobTransferred)), 1, "JobTransferred at least once")
				assert.GreaterOrEqual(c, len(c.Delivered(failed, model.EventJobError)), 1, "JobError at least once")
				if fileEvents {
					files, err := done.EnumFiles()
					require.NoError(c, err)
					for _, f := range files {
						name, err := f.GetLocalName()
						require.NoError(c, err)
						n := 0
						for _, e := range c.Delivered(done, model.EventFileTransferred) {
							if e.File == name {
								n++
							}
						}
						assert.GreaterOrEqual(c, n, 1, "FileTransferred for %s at least once", name)
					}
				}

				c.Do(done.SetNotifyInterface(obj), "SetNotifyInterface again")
				c.Settle()
				assert.GreaterOrEqual(c, len(To(c.Delivered(done, model.EventJobTransferred), a)), 2,
					"the same handler receives the same JobTransferred again")
			},
		},
		Scenario{
			Rule:  "DELIV-BOTH-FAIL-RETRY",
			Why:   "it needs a program that cannot be started; a script's programs always start",
			Needs: harness.Capabilities{CommandLine: true, VirtualTime: true},
			// The callback fails and the command line (a program that does
			// not exist) cannot be launched: after MinimumRetryDelay (30 s),
			// not before, BITS repeats the notification starting with the
			// callback, and again 30 s later, until the callback accepts it.
			Run: func(c *C) {
				wait := cmdRetryDelay // the command line ran: MinimumRetryDelay, whatever DELIV-RETRY-INTERVAL says
				a := c.App(Alice)
				for _, tc := range []struct {
					remote harness.RemoteKind
					kind   model.EventKind
				}{
					{harness.RemoteOK, model.EventJobTransferred},
					{harness.RemoteFatal, model.EventJobError},
				} {
					job := c.Job(a, tc.remote)
					c.SetRetryDelay(job, cmdRetryDelay)
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
			},
		},
		Scenario{
			Rule: "DELIV-MODIFICATION-FAILURE-IGNORED",
			Why:  "its steps follow the backend's version and capabilities (ranges from 10.1, CLSID and command line where the backend has them)",
			// A JobModification (and, on BITS 10.1, a FileRangesTransferred)
			// that fails is called once: no retry, no CLSID instance, no
			// command line.
			Run: func(c *C) {
				a := c.App(Alice)
				caps := c.B.Capabilities()
				var clsid model.GUID
				if caps.CLSID {
					clsid = c.Class(harness.Behavior{})
				}
				// prepare registers every route on job, the flags last, and
				// returns how many calls of kind the set-up itself caused.
				prepare := func(job model.Job, flags model.NotifyFlags, kind model.EventKind) int {
					c.SetRetryDelay(job, cmdRetryDelay)
					c.Register(a, job, harness.Behavior{Fail: true})
					if caps.CLSID {
						c.Do(job.SetNotifyCLSID(clsid), "SetNotifyCLSID")
					}
					if caps.CommandLine {
						c.CmdLine(job, 0)
					}
					c.SetFlags(job, flags)
					c.Advance(4 * cmdRetryDelay)
					return len(c.Calls(job, kind))
				}
				check := func(job model.Job, kind model.EventKind, before int) {
					c.Advance(4 * cmdRetryDelay)
					calls := c.Calls(job, kind)[before:]
					if assert.Len(c, calls, 1, "%v is called once, not retried", kind) {
						assert.False(c, calls[0].Delivered())
						assert.Equal(c, model.TargetObject, calls[0].Target.Kind)
					}
					evs := c.TraceOf(job)
					assert.Empty(c, OfTarget(evs, model.TargetCLSID), "no CLSID instance")
					assert.Empty(c, OfTarget(evs, model.TargetCommandLine), "no command line")
				}

				job := c.Job(a, harness.RemoteOK)
				c.Transfer(job) // TRANSFERRED: a change is reported whatever DELIV-MODIFICATION-SUSPENDED says
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				n := prepare(job, model.BG_NOTIFY_JOB_MODIFICATION, model.EventJobModification)
				c.Do(job.SetDescription("changed"), "SetDescription")
				c.Settle()
				check(job, model.EventJobModification, n)

				if caps.Version >= model.BITS10_1 {
					od, f := c.OnDemandJob(a)
					n := prepare(od, model.BG_NOTIFY_FILE_RANGES_TRANSFERRED, model.EventFileRangesTransferred)
					require.Zero(c, n)
					c.Do(f.RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 1024}}), "RequestFileRanges")
					c.Settle()
					check(od, model.EventFileRangesTransferred, n)
				}
			},
		},
		Scenario{
			Rule:  "DELIV-MODIFICATION-RATE",
			Why:   "it checks the spacing in time between calls, which no expectation reads",
			Needs: harness.Capabilities{VirtualTime: true, Version: model.BITS10_1},
			// Modifications every 100 ms produce JobModification calls at
			// least 500 ms apart (the default interval), and at least 2 s
			// apart once MINIMUM_NOTIFICATION_INTERVAL_MS is 2000; the
			// modifications in between are merged into the next call, so the
			// last one is still reported.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.Transfer(job) // TRANSFERRED: changes are reported whatever DELIV-MODIFICATION-SUSPENDED says
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				c.SetFlags(job, delivStd)
				c.Register(a, job, harness.Behavior{})
				c.Advance(5 * time.Second)
				burst := func(interval time.Duration, steps int, every time.Duration) {
					before := len(delivMods(c, job))
					var lastChange time.Time
					for i := 0; i < steps; i++ {
						c.Do(job.SetDescription(fmt.Sprintf("change %d", i)), "SetDescription")
						times, err := job.GetTimes()
						require.NoError(c, err)
						lastChange = times.ModificationTime
						c.Advance(every)
					}
					c.Advance(2 * interval)
					calls := delivMods(c, job)[before:]
					require.NotEmpty(c, calls)
					for i := 1; i < len(calls); i++ {
						assert.GreaterOrEqual(c, calls[i].Time.Sub(calls[i-1].Time), interval,
							"calls %d and %d at most one per %v", i-1, i, interval)
					}
					span := time.Duration(steps) * every
					assert.LessOrEqual(c, len(calls), int(span/interval)+1, "%d modifications over %v", steps, span)
					assert.False(c, calls[len(calls)-1].Time.Before(lastChange),
						"the last modification (%v) is merged into a later call (last call %v)", lastChange, calls[len(calls)-1].Time)
				}
				burst(500*time.Millisecond, 20, 100*time.Millisecond)
				c.Do(job.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 2000}),
					"SetProperty(MINIMUM_NOTIFICATION_INTERVAL_MS)")
				c.Advance(5 * time.Second)
				burst(2*time.Second, 40, 250*time.Millisecond)
			},
		},
		Scenario{
			Rule: "DELIV-NO-JOBERROR-TRANSIENT",
			Why:  "it checks the command line only where the backend runs one, and the rest everywhere; a script's needs are all or nothing",
			// A job that keeps failing transiently gets no JobError and
			// launches no command line, through several retries; a job that
			// enters ERROR gets one JobError.
			Run: func(c *C) {
				a := c.App(Alice)
				withCmd := c.B.Capabilities().CommandLine
				transient := c.Job(a, harness.RemoteTransient)
				c.SetRetryDelay(transient, cmdRetryDelay)
				c.Register(a, transient, harness.Behavior{})
				var cmdOnly model.Job
				if withCmd {
					cmdOnly = c.Job(a, harness.RemoteTransient)
					c.SetRetryDelay(cmdOnly, cmdRetryDelay)
					c.CmdLine(cmdOnly, 0)
					c.Transfer(cmdOnly)
					require.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(cmdOnly))
				}
				c.Transfer(transient)
				require.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(transient))
				c.Advance(4 * cmdRetryDelay)
				count, err := transient.GetErrorCount()
				require.NoError(c, err)
				require.Greater(c, count, uint32(1), "the job was retried and failed again")
				assert.Empty(c, c.Calls(transient, model.EventJobError), "no JobError for TRANSIENT_ERROR")
				if withCmd {
					assert.Empty(c, c.Launches(cmdOnly), "no command line for TRANSIENT_ERROR")
				}

				fatal := c.Job(a, harness.RemoteFatal)
				c.Register(a, fatal, harness.Behavior{})
				c.Transfer(fatal)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(fatal))
				assert.Len(c, c.Delivered(fatal, model.EventJobError), 1, "entering ERROR gives JobError")
			},
		},
		Scenario{
			Rule: "DELIV-ONCE-AFTER-SUCCESS",
			Why:  "it sets a CLSID only where the backend has them, and checks the rest everywhere; a script's needs are all or nothing",
			// A JobTransferred or JobError that returned S_OK is not
			// delivered again, whatever time passes and whatever else
			// changes, until an object is registered again; then exactly once
			// more.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, tc := range []struct {
					remote harness.RemoteKind
					kind   model.EventKind
				}{
					{harness.RemoteOK, model.EventJobTransferred},
					{harness.RemoteFatal, model.EventJobError},
				} {
					job := c.Job(a, tc.remote)
					c.SetRetryDelay(job, cmdRetryDelay)
					obj := a.Callback(harness.Behavior{})
					c.Do(job.SetNotifyInterface(obj), "SetNotifyInterface")
					c.Transfer(job)
					require.Len(c, c.Delivered(job, tc.kind), 1)
					c.Advance(4 * cmdRetryDelay)
					c.Do(job.SetDescription("changed"), "SetDescription")
					c.SetFlags(job, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR)
					if c.B.Capabilities().CLSID {
						c.Do(job.SetNotifyCLSID(c.Class(harness.Behavior{})), "SetNotifyCLSID")
					}
					c.Advance(4 * cmdRetryDelay)
					assert.Len(c, c.Calls(job, tc.kind), 1, "%v: no second delivery", tc.kind)
					c.Do(job.SetNotifyInterface(obj), "SetNotifyInterface again")
					c.Advance(4 * cmdRetryDelay)
					assert.Len(c, c.Calls(job, tc.kind), 2, "%v: once more after registering again", tc.kind)
				}
			},
		},
		Scenario{
			Rule:  "DELIV-RANGES-REPORTED",
			Why:   "it checks the ranges a FileRangesTransferred reports, which no expectation reads",
			Needs: harness.Capabilities{Version: model.BITS10_1},
			// FileRangesTransferred reports the ranges transferred since the
			// last call: a request overlapping a range already downloaded
			// (100-200 within 0-300) is reported without it, because BITS
			// does not download the same bytes twice.
			Run: func(c *C) {
				a := c.App(Alice)
				od, f := c.OnDemandJob(a)
				c.SetFlags(od, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED)
				c.Register(a, od, harness.Behavior{})
				c.Do(f.RequestFileRanges([]model.FileRange{{InitialOffset: 100, Length: 100}}), "RequestFileRanges")
				c.Advance(time.Second) // past the 500 ms MinimumNotificationInterval (DELIV-RANGES-INTERVAL)
				c.Do(f.RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 300}}), "RequestFileRanges")
				c.Advance(time.Second)
				calls := c.Delivered(od, model.EventFileRangesTransferred)
				var got []model.FileRange
				for _, e := range calls {
					got = append(got, e.Ranges...)
				}
				assert.ElementsMatch(c, []model.FileRange{{InitialOffset: 100, Length: 100}, {InitialOffset: 0, Length: 100},
					{InitialOffset: 200, Length: 100}}, got, "each byte reported once")
			},
		},
		Scenario{
			Rule:  "DELIV-RANGES-INTERVAL",
			Why:   "it checks the spacing in time between calls and the bytes they report, which no expectation reads",
			Needs: harness.Capabilities{Version: model.BITS10_1, VirtualTime: true},
			// With BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS 3000,
			// FileRangesTransferred comes at most once every 3 s while a slow
			// download (1 KiB a second) runs for 10 s, and the calls together
			// report every byte transferred.
			Run: func(c *C) {
				a := c.App(Alice)
				j, err := a.CreateJob("conformance", model.BG_JOB_TYPE_DOWNLOAD)
				c.must(err, "CreateJob")
				c.Do(j.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 3000}),
					"SetProperty(MINIMUM_NOTIFICATION_INTERVAL_MS)")
				c.AddFile(j, harness.RemoteSlow, slowSize)
				c.SetFlags(j, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED)
				c.Register(a, j, harness.Behavior{})
				c.Transfer(j)
				c.Advance(10 * time.Second)
				calls := c.Delivered(j, model.EventFileRangesTransferred)
				require.NotEmpty(c, calls, "ranges were transferred")
				for i := 1; i < len(calls) && !c.Is("DELIV-RANGES-INTERVAL", rules.VarNotPaced); i++ {
					assert.GreaterOrEqual(c, calls[i].Time.Sub(calls[i-1].Time), 3*time.Second, "calls %d and %d", i-1, i)
				}
				var reported uint64
				for _, e := range calls {
					for _, r := range e.Ranges {
						reported += r.Length
					}
				}
				assert.Equal(c, c.progress(j), reported, "the calls report every byte transferred")
			},
		},
		Scenario{
			Rule:  "DELIV-RETRY-INTERVAL",
			Why:   "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			Needs: harness.Capabilities{VirtualTime: true},
			// A failed JobTransferred, JobError or FileTransferred is called
			// again exactly MinimumRetryDelay after the failed call: 30 s when
			// set, 600 s by default; not before. Under the default-retry-delay
			// reading: 600 s whatever the job's MinimumRetryDelay.
			Run: func(c *C) {
				wait := c.RetryAfter(cmdRetryDelay)
				a := c.App(Alice)
				type tc struct {
					remote harness.RemoteKind
					kind   model.EventKind
					flags  model.NotifyFlags
					delay  time.Duration // 0: the default
					wait   time.Duration
				}
				cases := []tc{
					{harness.RemoteOK, model.EventJobTransferred, 0, cmdRetryDelay, wait},
					{harness.RemoteFatal, model.EventJobError, 0, cmdRetryDelay, wait},
					{harness.RemoteOK, model.EventJobTransferred, 0, 0, 600 * time.Second},
				}
				if c.Version() >= model.BITS3_0 {
					cases = append(cases, tc{harness.RemoteOK, model.EventFileTransferred, model.BG_NOTIFY_FILE_TRANSFERRED, cmdRetryDelay, wait})
				}
				for _, tc := range cases {
					job := c.Job(a, tc.remote)
					if tc.delay != 0 {
						c.SetRetryDelay(job, tc.delay)
					}
					if tc.flags != 0 {
						c.SetFlags(job, tc.flags)
					}
					c.Register(a, job, harness.Behavior{FailFirst: 1})
					c.Transfer(job)
					require.Len(c, c.Calls(job, tc.kind), 1, "%v", tc.kind)
					c.Advance(tc.wait - time.Second)
					assert.Len(c, c.Calls(job, tc.kind), 1, "%v: no retry before %v", tc.kind, tc.wait)
					c.Advance(time.Second)
					calls := c.Calls(job, tc.kind)
					if assert.Len(c, calls, 2, "%v: retried at %v", tc.kind, tc.wait) {
						assert.Equal(c, tc.wait, calls[1].Time.Sub(calls[0].Time))
						assert.True(c, calls[1].Delivered())
					}
				}
			},
		},
		Scenario{
			Rule: "DELIV-RETRY-UNTIL-OK",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// A JobTransferred, JobError or FileTransferred that fails, with no
			// command line, is called again for the same event until a call
			// returns S_OK, and then no more: n failures, one success.
			Run: func(c *C) {
				wait := c.RetryAfter(cmdRetryDelay) // DELIV-RETRY-INTERVAL
				a := c.App(Alice)
				type tc struct {
					remote harness.RemoteKind
					kind   model.EventKind
					flags  model.NotifyFlags
					fails  int
				}
				cases := []tc{
					{harness.RemoteOK, model.EventJobTransferred, 0, 3},
					{harness.RemoteFatal, model.EventJobError, 0, 2},
				}
				if c.Version() >= model.BITS3_0 {
					cases = append(cases, tc{harness.RemoteOK, model.EventFileTransferred, model.BG_NOTIFY_FILE_TRANSFERRED, 2})
				}
				for _, tc := range cases {
					job := c.Job(a, tc.remote)
					c.SetRetryDelay(job, cmdRetryDelay)
					if tc.flags != 0 {
						c.SetFlags(job, tc.flags)
					}
					c.Register(a, job, harness.Behavior{FailFirst: tc.fails})
					c.Transfer(job)
					for i := 0; i < 20 && len(c.Delivered(job, tc.kind)) == 0; i++ {
						c.Advance(wait)
					}
					c.Advance(4 * wait)
					calls := c.Calls(job, tc.kind)
					if assert.Len(c, calls, tc.fails+1, "%v: %d failures, then one success", tc.kind, tc.fails) {
						for i, e := range calls {
							assert.Equal(c, i == tc.fails, e.Delivered(), "%v call %d", tc.kind, i)
							assert.Equal(c, calls[0].File, e.File, "the same event")
						}
					}
				}
			},
		},
	)
}
