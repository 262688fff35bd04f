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
			Rule:  "PERSIST-ACTIVE-REQUEUED",
			Why:   "a script does the work due after every statement, so it never sees the requeued job QUEUED after the restart",
			Needs: harness.Capabilities{Restart: true, VirtualTime: true},
			// A job that was TRANSFERRING when the service stopped is QUEUED
			// after the restart; jobs in other states keep their state.
			Run: func(c *C) {
				a := c.App(Alice)
				// The others first: the active job may hold the only transfer
				// slot, and QUEUED last, so that nothing runs it before the
				// restart.
				kept := map[model.JobState]model.Job{}
				for _, st := range []model.JobState{model.BG_JOB_STATE_SUSPENDED, model.BG_JOB_STATE_TRANSIENT_ERROR,
					model.BG_JOB_STATE_ERROR, model.BG_JOB_STATE_TRANSFERRED} {
					kept[st] = c.Reach(a, st)
				}
				active := c.Reach(a, model.BG_JOB_STATE_TRANSFERRING)
				kept[model.BG_JOB_STATE_QUEUED] = c.Reach(a, model.BG_JOB_STATE_QUEUED)
				for st, j := range kept {
					require.Equal(c, st, c.State(j), "precondition")
				}
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(active), "precondition")
				c.Restart()
				switch c.Variant("PERSIST-ACTIVE-REQUEUED") {
				case rules.VarQueued: // "is QUEUED after the restart"
					assert.Equal(c, model.BG_JOB_STATE_QUEUED, c.State(c.JobIn(a, active)), "TRANSFERRING before the restart")
				case rules.VarTransientError: // "is TRANSIENT_ERROR after the restart"
					assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(c.JobIn(a, active)), "TRANSFERRING before the restart")
				}
				for st, j := range kept {
					assert.Equal(c, st, c.State(c.JobIn(a, j)), "%v before the restart", st)
				}
			},
		},
		Scenario{
			Rule:  "PERSIST-JOBS",
			Why:   "it compares every file's remote and local names before and after the restart, which no expectation reads",
			Needs: harness.Capabilities{Restart: true},
			// Every non-final job survives a restart with the same ID, type,
			// owner, files and progress.
			Run: func(c *C) {
				a := c.App(Alice)
				partial := c.SizedJob(a, slowSize, harness.RemoteOK, harness.RemoteSlow)
				c.Transfer(partial)
				c.Advance(3 * time.Second)
				c.Do(partial.Suspend(), "Suspend")
				done := c.Reach(a, model.BG_JOB_STATE_TRANSFERRED)
				up, err := a.CreateJob("upload", model.BG_JOB_TYPE_UPLOAD)
				require.NoError(c, err)
				url, err := c.B.Remote(harness.RemoteOK, 2048)
				require.NoError(c, err)
				require.NoError(c, up.AddFile(url, c.LocalName()))

				type fileSnap struct {
					remote, local string
					p             model.FileProgress
				}
				type jobSnap struct {
					typ   model.JobType
					owner string
					p     model.JobProgress
					files []fileSnap
				}
				snap := func(j model.Job) jobSnap {
					var s jobSnap
					var err error
					s.typ, err = j.GetType()
					require.NoError(c, err)
					s.owner, err = j.GetOwner()
					require.NoError(c, err)
					s.p, err = j.GetProgress()
					require.NoError(c, err)
					files, err := j.EnumFiles()
					require.NoError(c, err)
					for _, f := range files {
						var fs fileSnap
						fs.remote, err = f.GetRemoteName()
						require.NoError(c, err)
						fs.local, err = f.GetLocalName()
						require.NoError(c, err)
						fs.p, err = f.GetProgress()
						require.NoError(c, err)
						s.files = append(s.files, fs)
					}
					return s
				}
				jobs := []model.Job{partial, done, up}
				before := make([]jobSnap, len(jobs))
				for i, j := range jobs {
					before[i] = snap(j)
				}
				require.Greater(c, before[0].p.BytesTransferred, before[0].files[0].p.BytesTotal, "precondition: partial progress")
				assert.Equal(c, Alice.Name, before[0].owner)
				assert.Equal(c, model.BG_JOB_TYPE_UPLOAD, before[2].typ)

				c.Restart()
				for i, j := range jobs {
					got := c.JobIn(a, j)
					assert.Equal(c, j.GetId(), got.GetId())
					assert.Equal(c, before[i], snap(got), "job %d after the restart", i)
				}
			},
		},
		Scenario{
			Rule:  "PERSIST-REDELIVER",
			Why:   "it sets a CLSID only where the backend has them, and its expectations depend on two other open rules at once",
			Needs: harness.Capabilities{Restart: true, CommandLine: true},
			// A JobTransferred or JobError not yet delivered before a restart
			// is delivered after it (to the command line, or a newly registered
			// object); one already delivered is sent again only to a newly
			// registered object.
			Run: func(c *C) {
				a := c.App(Alice)
				prog, params := c.Program()

				// owed: TRANSFERRED while its flags asked for nothing.
				owed := c.SizedJob(a, 2048, harness.RemoteOK)
				c.SetCmdLine(owed, prog, params)
				c.SetFlags(owed, model.BG_NOTIFY_JOB_MODIFICATION) // neither TRANSFERRED nor ERROR
				c.Transfer(owed)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(owed))
				require.Empty(c, c.Calls(owed, model.EventCommandLine), "precondition: nothing launched")

				// failed: its object failed JobTransferred.
				failed := c.SizedJob(a, 2048, harness.RemoteOK)
				c.Register(a, failed, harness.Behavior{Fail: true})
				c.Transfer(failed)
				require.NotEmpty(c, c.Calls(failed, model.EventJobTransferred), "precondition: a failed call")
				require.Empty(c, c.Delivered(failed, model.EventJobTransferred), "precondition: not delivered")

				// owedErr: in ERROR while its flags asked for nothing.
				owedErr := c.SizedJob(a, 2048, harness.RemoteFatal)
				c.SetCmdLine(owedErr, prog, params)
				c.SetFlags(owedErr, model.BG_NOTIFY_JOB_MODIFICATION)
				c.Transfer(owedErr)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(owedErr))
				require.Empty(c, c.Calls(owedErr, model.EventCommandLine), "precondition: nothing launched")

				// done, doneErr: delivered by their command line.
				done := c.SizedJob(a, 2048, harness.RemoteOK)
				c.SetCmdLine(done, prog, params)
				c.Transfer(done)
				require.Len(c, c.Delivered(done, model.EventCommandLine), 1, "precondition: delivered once")
				doneErr := c.SizedJob(a, 2048, harness.RemoteFatal)
				c.SetCmdLine(doneErr, prog, params)
				c.Transfer(doneErr)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(doneErr))
				require.Len(c, c.Delivered(doneErr, model.EventCommandLine), 1, "precondition: delivered once")

				c.Restart()
				owed = c.JobIn(a, owed)
				owedErr = c.JobIn(a, owedErr)
				failed = c.JobIn(a, failed)
				done = c.JobIn(a, done)
				doneErr = c.JobIn(a, doneErr)
				c.Settle()
				// "while one already delivered successfully is sent again only if a
				// callback object is registered again", or under all-after-restart
				// "delivers JobTransferred or JobError again for every job still
				// TRANSFERRED or ERROR".
				again := c.Is("PERSIST-REDELIVER", rules.VarAllAfterRestart)
				launched := 1
				if again {
					launched = 2
				}
				for _, j := range []model.Job{done, doneErr} {
					assert.Len(c, c.Calls(j, model.EventCommandLine), launched, "launches of a notification delivered before the restart")
					assert.Empty(c, c.Calls(j, model.EventJobTransferred), "nor called on any object")
					assert.Empty(c, c.Calls(j, model.EventJobError), "nor called on any object")
				}
				if c.B.Capabilities().CLSID {
					clsid := c.Class(harness.Behavior{})
					c.Do(done.SetNotifyCLSID(clsid), "SetNotifyCLSID")
					c.Settle()
					assert.Empty(c, c.Calls(done, model.EventJobTransferred), "a CLSID set later gets no delivered notification")
				}

				for _, j := range []model.Job{owed, owedErr} {
					c.SetFlags(j, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR)
				}
				c.Settle()
				if c.Is("FLAGS-CHECKED-AT-DISPATCH", rules.VarAtEvent) && !again {
					// The events happened while their flags were clear: never notified.
					assert.Empty(c, c.Calls(owed, model.EventCommandLine), "the JobTransferred filtered at the event")
					assert.Empty(c, c.Calls(owedErr, model.EventCommandLine), "the JobError filtered at the event")
				} else {
					assert.Len(c, c.Delivered(owed, model.EventCommandLine), 1, "the owed JobTransferred launches the command line")
					assert.Len(c, c.Delivered(owedErr, model.EventCommandLine), 1, "the owed JobError launches the command line")
				}

				c.Register(a, failed, harness.Behavior{})
				c.Settle()
				got := c.Delivered(failed, model.EventJobTransferred)
				assert.Len(c, got, 1, "the owed JobTransferred reaches the new object")

				c.Register(a, done, harness.Behavior{})
				c.Settle()
				assert.Len(c, c.Delivered(done, model.EventJobTransferred), 1, "re-registration sends it again")
				assert.Len(c, c.Calls(done, model.EventCommandLine), launched, "and launches nothing more")
			},
		},
	)
}
