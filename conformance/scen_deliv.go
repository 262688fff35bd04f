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
			Rule: "DELIV-AFTER-REGISTRATION",
			// An object registered on a job that is already TRANSFERRED or
			// ERROR receives JobTransferred or JobError, although an earlier
			// object received it already; not when the state's flag is clear.
			Run: func(c *C) {
				first, second := c.App(Alice), c.App(Alice)
				for _, tc := range []struct {
					remote harness.RemoteKind
					state  model.JobState
					kind   model.EventKind
				}{
					{harness.RemoteOK, model.BG_JOB_STATE_TRANSFERRED, model.EventJobTransferred},
					{harness.RemoteFatal, model.BG_JOB_STATE_ERROR, model.EventJobError},
				} {
					job := c.Job(first, tc.remote)
					c.Register(first, job, harness.Behavior{})
					c.Transfer(job)
					require.Equal(c, tc.state, c.State(job))
					require.Len(c, To(c.Delivered(job, tc.kind), first), 1, "the first object received %v", tc.kind)
					late := c.JobIn(second, job)
					c.Register(second, late, harness.Behavior{})
					c.Settle()
					got := c.Delivered(job, tc.kind)
					assert.Len(c, To(got, second), 1, "the object registered in %v receives %v", tc.state, tc.kind)
					assert.Len(c, To(got, first), 1, "the first object is not called again")
				}

				// The flag of the state is clear: registering calls nothing.
				job := c.Job(first, harness.RemoteOK)
				c.SetFlags(job, model.BG_NOTIFY_JOB_ERROR)
				c.Transfer(job)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				c.Register(second, c.JobIn(second, job), harness.Behavior{})
				c.Settle()
				assert.Empty(c, c.Calls(job, model.EventJobTransferred), "JOB_TRANSFERRED is clear")
			},
		},
		Scenario{
			Rule: "DELIV-AT-LEAST-ONCE",
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
			Rule:  "DELIV-FILE-BEFORE-JOB",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// Every FileTransferred of a job comes before its JobTransferred,
			// and before its JobError when a later file fails.
			Run: func(c *C) {
				a := c.App(Alice)
				flags := model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR | model.BG_NOTIFY_FILE_TRANSFERRED
				for _, tc := range []struct {
					remotes []harness.RemoteKind
					files   int
					kind    model.EventKind
				}{
					{[]harness.RemoteKind{harness.RemoteOK, harness.RemoteOK, harness.RemoteOK}, 3, model.EventJobTransferred},
					{[]harness.RemoteKind{harness.RemoteOK, harness.RemoteOK, harness.RemoteFatal}, 2, model.EventJobError},
				} {
					job := c.Job(a, tc.remotes...)
					c.SetFlags(job, flags)
					c.Register(a, job, harness.Behavior{})
					c.Transfer(job)
					fts := c.Delivered(job, model.EventFileTransferred)
					last := c.Delivered(job, tc.kind)
					assert.Len(c, fts, tc.files, "FileTransferred for each transferred file")
					if assert.Len(c, last, 1, "%v", tc.kind) {
						for _, ft := range c.Calls(job, model.EventFileTransferred) {
							assert.Less(c, ft.Seq, last[0].Seq, "FileTransferred %s before %v", ft.File, tc.kind)
						}
					}
				}
			},
		},
		Scenario{
			Rule:  "DELIV-FILE-DOWNLOAD-ONLY",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// FileTransferred comes for each file of a DOWNLOAD job and for
			// the reply of an UPLOAD_REPLY job (one call), never for the file
			// an UPLOAD job sends.
			Run: func(c *C) {
				a := c.App(Alice)
				flags := model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR | model.BG_NOTIFY_FILE_TRANSFERRED
				run := func(typ model.JobType, files int) model.Job {
					remotes := make([]harness.RemoteKind, files)
					for i := range remotes {
						remotes[i] = harness.RemoteOK
					}
					job := c.TypedJob(a, typ, 2048, remotes...)
					c.SetFlags(job, flags)
					c.Register(a, job, harness.Behavior{})
					c.Transfer(job)
					require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job), "%v job", typ)
					return job
				}

				down := run(model.BG_JOB_TYPE_DOWNLOAD, 2)
				files, err := down.EnumFiles()
				require.NoError(c, err)
				var want []string
				for _, f := range files {
					n, err := f.GetLocalName()
					require.NoError(c, err)
					want = append(want, n)
				}
				var got []string
				for _, e := range c.Delivered(down, model.EventFileTransferred) {
					got = append(got, e.File)
				}
				assert.ElementsMatch(c, want, got, "DOWNLOAD: one FileTransferred per file")

				up := run(model.BG_JOB_TYPE_UPLOAD, 1)
				require.Len(c, c.Delivered(up, model.EventJobTransferred), 1, "UPLOAD: the object is notified")
				assert.Empty(c, c.Calls(up, model.EventFileTransferred), "UPLOAD: none for the file it sends")

				reply := run(model.BG_JOB_TYPE_UPLOAD_REPLY, 1)
				assert.Len(c, c.Calls(reply, model.EventFileTransferred), 1, "UPLOAD_REPLY: one, for the reply")
			},
		},
		Scenario{
			Rule:  "DELIV-FILE-SERIALIZED",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// The first FileTransferred fails: BITS calls FileTransferred for
			// the second file only after the first file's call has returned
			// S_OK on a retry, and JobTransferred last.
			Run: func(c *C) {
				wait := c.RetryAfter(cmdRetryDelay) // DELIV-RETRY-INTERVAL
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK, harness.RemoteOK)
				c.SetRetryDelay(job, cmdRetryDelay)
				c.SetFlags(job, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_TRANSFERRED)
				c.Register(a, job, harness.Behavior{FailFirst: 1})
				c.Transfer(job)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				fts := c.Calls(job, model.EventFileTransferred)
				require.Len(c, fts, 1, "only the first file's call, which failed")
				require.False(c, fts[0].Delivered())
				first := fts[0].File
				assert.Empty(c, c.Calls(job, model.EventJobTransferred), "no JobTransferred while a FileTransferred is owed")
				for i := 0; i < 10 && len(c.Delivered(job, model.EventJobTransferred)) == 0; i++ {
					c.Advance(wait)
				}
				fts = c.Calls(job, model.EventFileTransferred)
				if assert.Len(c, fts, 3, "first file twice, second once") {
					assert.Equal(c, first, fts[1].File, "the retry is for the first file")
					assert.True(c, fts[1].Delivered())
					assert.NotEqual(c, first, fts[2].File, "then the second file")
					assert.True(c, fts[2].Delivered())
					jt := c.Delivered(job, model.EventJobTransferred)
					if assert.Len(c, jt, 1) {
						assert.Greater(c, jt[0].Seq, fts[2].Seq)
					}
				}
			},
		},
		Scenario{
			Rule:  "DELIV-MODIFICATION-EVENTS",
			Needs: harness.Capabilities{VirtualTime: true},
			// With JOB_MODIFICATION set, JobModification comes after a file is
			// added, after a property changes, after the job changes state,
			// and while bytes are being transferred.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a)
				c.SetFlags(job, delivStd)
				c.Register(a, job, harness.Behavior{})
				c.Advance(time.Second)
				n := len(delivMods(c, job))
				step := func(what string, do func()) {
					do()
					c.Advance(time.Second)
					got := len(delivMods(c, job))
					assert.Greater(c, got, n, "JobModification after %s", what)
					n = got
				}
				// The first two changes happen while the job is SUSPENDED.
				suspendedStep := step
				if c.Is("DELIV-MODIFICATION-SUSPENDED", rules.VarNotSent) {
					suspendedStep = func(what string, do func()) {
						do()
						c.Advance(time.Second)
						assert.Len(c, delivMods(c, job), n, "no JobModification after %s while SUSPENDED", what)
					}
				}
				suspendedStep("a file is added", func() { c.AddFile(job, harness.RemoteSlow, 8192) })
				suspendedStep("a property changes", func() { c.Do(job.SetDescription("changed"), "SetDescription") })
				require.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(job))

				// A change of state with no bytes yet.
				c.Do(job.Resume(), "Resume")
				c.Settle()
				p, err := job.GetProgress()
				require.NoError(c, err)
				require.Zero(c, p.BytesTransferred, "no bytes yet")
				require.NotEqual(c, model.BG_JOB_STATE_SUSPENDED, c.State(job))
				got := len(delivMods(c, job))
				assert.Greater(c, got, n, "JobModification after the job left SUSPENDED")
				n = got

				// Bytes within one state.
				c.Advance(2 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(job))
				n = len(delivMods(c, job))
				before, err := job.GetProgress()
				require.NoError(c, err)
				step("bytes are transferred", func() {})
				after, err := job.GetProgress()
				require.NoError(c, err)
				require.Greater(c, after.BytesTransferred, before.BytesTransferred)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(job), "the state did not change")
			},
		},
		Scenario{
			Rule: "DELIV-MODIFICATION-FAILURE-IGNORED",
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
			Rule: "DELIV-MODIFICATION-SUSPENDED",
			// With JOB_MODIFICATION set, SetDescription on a SUSPENDED job
			// produces one JobModification call.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.SetFlags(job, delivStd)
				c.Register(a, job, harness.Behavior{})
				c.Advance(2 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(job))
				n := len(delivMods(c, job))
				c.Do(job.SetDescription("changed while suspended"), "SetDescription")
				c.Advance(2 * time.Second)
				mods := delivMods(c, job)[n:]
				switch c.Variant("DELIV-MODIFICATION-SUSPENDED") {
				case rules.VarSent: // "produces a JobModification call"
					assert.Len(c, mods, 1, "one JobModification for the property change")
				case rules.VarNotSent: // "produces no JobModification call"
					assert.Empty(c, mods, "no JobModification for the property change")
				}
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(job))
			},
		},
		Scenario{
			Rule: "DELIV-NO-JOBERROR-TRANSIENT",
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
			Rule:  "DELIV-NO-MODIFICATION-ERROR-TRANSFERRED",
			Needs: harness.Capabilities{VirtualTime: true},
			// A job moves from TRANSIENT_ERROR to ERROR when its
			// NoProgressTimeout (90 s) runs out, between two retries (60 s
			// apart), so nothing else changes at that moment: it receives
			// JobError and no JobModification. (Entering TRANSFERRED always
			// coincides with the last bytes of the last file, which are a
			// modification of their own, so it cannot be isolated.)
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteTransient)
				c.SetFlags(job, delivStd)
				c.Register(a, job, harness.Behavior{})
				c.SetRetryDelay(job, 60*time.Second)
				c.Do(job.SetNoProgressTimeout(90*time.Second), "SetNoProgressTimeout")
				c.Transfer(job)
				require.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(job))
				c.Advance(60 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(job), "after the first retry")
				require.Empty(c, c.Calls(job, model.EventJobError))
				c.Advance(30 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(job), "after NoProgressTimeout")
				c.Advance(10 * time.Second)
				je := c.Delivered(job, model.EventJobError)
				require.Len(c, je, 1, "JobError for entering ERROR")
				for _, m := range delivMods(c, job) {
					assert.True(c, m.Time.Before(je[0].Time), "JobModification at %v, when the job entered ERROR at %v",
						m.Time, je[0].Time)
				}
			},
		},
		Scenario{
			Rule: "DELIV-ONCE-AFTER-SUCCESS",
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
			Rule:  "DELIV-RANGES-ON-DEMAND",
			Needs: harness.Capabilities{Version: model.BITS10_1},
			// With FILE_RANGES_TRANSFERRED set, FileRangesTransferred comes
			// for an on-demand job and for a job that only meets the
			// requirements of one (a plain HTTP download); not for a
			// DYNAMIC_CONTENT job, which does not meet them but accepts the
			// flag; and not without the flag.
			Run: func(c *C) {
				a := c.App(Alice)
				ranges := []model.FileRange{{InitialOffset: 0, Length: 1024}}
				withFlag := model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR | model.BG_NOTIFY_FILE_RANGES_TRANSFERRED

				od, f := c.OnDemandJob(a)
				c.SetFlags(od, withFlag)
				c.Register(a, od, harness.Behavior{})
				c.Do(f.RequestFileRanges(ranges), "RequestFileRanges")
				c.Settle()
				assert.Len(c, c.Delivered(od, model.EventFileRangesTransferred), 1, "on demand, flag set")

				odNoFlag, f2 := c.OnDemandJob(a)
				c.SetFlags(odNoFlag, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR)
				c.Register(a, odNoFlag, harness.Behavior{})
				c.Do(f2.RequestFileRanges(ranges), "RequestFileRanges")
				c.Settle()
				filled, err := f2.GetFilledFileRanges()
				require.NoError(c, err)
				require.NotEmpty(c, filled, "the ranges were downloaded")
				assert.Empty(c, c.Calls(odNoFlag, model.EventFileRangesTransferred), "on demand, flag clear")

				plain := c.Job(a, harness.RemoteOK)
				c.SetFlags(plain, withFlag)
				c.Register(a, plain, harness.Behavior{})
				c.Transfer(plain)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(plain))
				assert.NotEmpty(c, c.Delivered(plain, model.EventFileRangesTransferred),
					"a plain HTTP download meets the requirements of an on-demand job")

				dynamic, err := a.CreateJob("conformance", model.BG_JOB_TYPE_DOWNLOAD)
				c.must(err, "CreateJob")
				c.Do(dynamic.SetProperty(model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, model.JobPropertyValue{Enable: true}),
					"SetProperty(DYNAMIC_CONTENT)")
				c.AddFile(dynamic, harness.RemoteOK, 2048)
				assert.NoError(c, dynamic.SetNotifyFlags(withFlag), "the flag is accepted on a job that does not meet the requirements")
				c.Register(a, dynamic, harness.Behavior{})
				c.Transfer(dynamic)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(dynamic))
				assert.Empty(c, c.Calls(dynamic, model.EventFileRangesTransferred), "DYNAMIC_CONTENT does not meet the requirements")
			},
		},
		Scenario{
			Rule:  "DELIV-RANGES-REPORTED",
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
			Rule: "DELIV-REENTRANT",
			// JobTransferred calls Complete on the job it is told about, as
			// the documentation's sample does: Complete succeeds as it would
			// outside the callback and the job is ACKNOWLEDGED.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.Register(a, job, harness.Behavior{Complete: true})
				c.Transfer(job)
				jt := c.Calls(job, model.EventJobTransferred)
				if assert.Len(c, jt, 1) {
					assert.Equal(c, model.S_OK, jt[0].Result, "Complete inside JobTransferred succeeded")
				}
				assert.Equal(c, model.BG_JOB_STATE_ACKNOWLEDGED, c.State(job))
				_, err := job.Complete()
				assert.ErrorIs(c, err, model.BG_E_INVALID_STATE, "a second Complete, outside, fails as usual")
			},
		},
		Scenario{
			Rule:  "DELIV-REGISTRANT-CONTEXT",
			Needs: harness.Capabilities{Users: true},
			// Callbacks run as the user who called SetNotifyInterface: the
			// owner for her object, the administrator for the object he
			// registered on her job.
			Run: func(c *C) {
				alice, admin := c.App(Alice), c.App(Admin)
				own := c.Job(alice, harness.RemoteOK)
				c.Register(alice, own, harness.Behavior{})
				c.Transfer(own)
				got := c.Delivered(own, model.EventJobTransferred)
				if assert.Len(c, got, 1) {
					assert.Equal(c, Alice.Name, got[0].User)
				}

				theirs := c.Job(alice, harness.RemoteOK)
				c.Register(admin, c.JobIn(admin, theirs), harness.Behavior{})
				c.Transfer(theirs)
				got = To(c.Delivered(theirs, model.EventJobTransferred), admin)
				if assert.Len(c, got, 1) {
					assert.Equal(c, Admin.Name, got[0].User, "registered by admin on alice's job: runs as admin")
				}
			},
		},
		Scenario{
			Rule:  "DELIV-RETRY-INTERVAL",
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
			Rule: "DELIV-RETRY-STOPS-ON-LEAVE",
			// A JobTransferred or JobError that keeps failing is not called
			// again once the job has left the state: after Complete or
			// Cancel of a TRANSFERRED job, after Suspend or Cancel of an
			// ERROR job.
			Run: func(c *C) {
				a := c.App(Alice)
				type leaving struct {
					remote harness.RemoteKind
					kind   model.EventKind
					leave  string
				}
				cases := []leaving{
					{harness.RemoteOK, model.EventJobTransferred, "Complete"},
					{harness.RemoteOK, model.EventJobTransferred, "Cancel"},
					{harness.RemoteFatal, model.EventJobError, "Cancel"},
				}
				if c.Is("STATE-SUSPEND-ERROR", rules.VarSuspended) {
					// Suspend leaves ERROR only under this reading.
					cases = append(cases, leaving{harness.RemoteFatal, model.EventJobError, "Suspend"})
				}
				if c.B.Capabilities().VirtualTime {
					// A file added to the TRANSFERRED job keeps it TRANSFERRING
					// for 1024 s: a state that is not final.
					cases = append(cases, leaving{harness.RemoteOK, model.EventJobTransferred, "AddFile"})
				}
				for _, tc := range cases {
					job := c.Job(a, tc.remote)
					c.SetRetryDelay(job, cmdRetryDelay)
					c.Register(a, job, harness.Behavior{Fail: true})
					c.Transfer(job)
					require.Len(c, c.Calls(job, tc.kind), 1)
					switch tc.leave {
					case "Complete":
						_, err := job.Complete()
						c.Do(err, "Complete")
					case "Cancel":
						c.Do(job.Cancel(), "Cancel")
					case "Suspend":
						c.Do(job.Suspend(), "Suspend")
						require.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(job))
					case "AddFile":
						c.AddFile(job, harness.RemoteSlow, slowSize)
						c.Transfer(job)
					}
					c.Advance(4 * cmdRetryDelay)
					if tc.leave == "AddFile" {
						require.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(job), "precondition: still transferring the added file")
						if c.Is("DELIV-RETRY-STOPS-ON-LEAVE", rules.VarContinues) {
							// "keeps retrying … after the job has left TRANSFERRED … for a state that is not final"
							assert.Greater(c, len(c.Calls(job, tc.kind)), 1, "%v retried while TRANSFERRING after %s", tc.kind, tc.leave)
							continue
						}
					}
					assert.Len(c, c.Calls(job, tc.kind), 1, "%v not retried after %s", tc.kind, tc.leave)
				}
			},
		},
		Scenario{
			Rule: "DELIV-RETRY-UNTIL-OK",
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
