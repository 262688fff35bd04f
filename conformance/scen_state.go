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
			Rule:  "STATE-CANCEL",
			Needs: harness.Capabilities{VirtualTime: true},
			// Cancel on any non-final job returns S_OK (or
			// BG_S_UNABLE_TO_DELETE_FILES) and leaves it CANCELLED; a second
			// Cancel fails with BG_E_INVALID_STATE.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, st := range []model.JobState{model.BG_JOB_STATE_SUSPENDED, model.BG_JOB_STATE_QUEUED,
					model.BG_JOB_STATE_TRANSFERRING, model.BG_JOB_STATE_TRANSIENT_ERROR, model.BG_JOB_STATE_ERROR,
					model.BG_JOB_STATE_TRANSFERRED} {
					j := c.Reach(a, st)
					err := j.Cancel()
					if err != nil {
						assert.ErrorIs(c, err, model.BG_S_UNABLE_TO_DELETE_FILES, "Cancel from %v", st)
					}
					assert.Equal(c, model.BG_JOB_STATE_CANCELLED, c.State(j), "state after Cancel from %v", st)
					assert.ErrorIs(c, j.Cancel(), model.BG_E_INVALID_STATE, "second Cancel (from %v)", st)
					assert.Equal(c, model.BG_JOB_STATE_CANCELLED, c.State(j), "state after the second Cancel (from %v)", st)
				}
			},
		},
		Scenario{
			Rule: "STATE-COMPLETE-DOWNLOAD",
			// Complete on a download job whose files are all transferred
			// returns S_OK and moves it to ACKNOWLEDGED. (That the files then
			// exist under their local names is not observable through the API.)
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteOK, harness.RemoteOK)
				c.Transfer(j)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				hr, err := j.Complete()
				assert.NoError(c, err)
				assert.Equal(c, model.S_OK, hr)
				assert.Equal(c, model.BG_JOB_STATE_ACKNOWLEDGED, c.State(j))
				p, err := j.GetProgress()
				require.NoError(c, err)
				assert.Equal(c, uint32(2), p.FilesTotal)
				assert.Equal(c, uint32(2), p.FilesTransferred)
			},
		},
		Scenario{
			Rule: "STATE-COMPLETE-UPLOAD",
			// Complete on an UPLOAD or UPLOAD_REPLY job that is not TRANSFERRED
			// fails with BG_E_INVALID_STATE and the state stays.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, typ := range []model.JobType{model.BG_JOB_TYPE_UPLOAD, model.BG_JOB_TYPE_UPLOAD_REPLY} {
					empty, err := a.CreateJob("upload", typ)
					require.NoError(c, err)
					_, err = empty.Complete()
					assert.ErrorIs(c, err, model.BG_E_INVALID_STATE, "%v without files", typ)
					assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(empty), "%v without files", typ)

					j, err := a.CreateJob("upload", typ)
					require.NoError(c, err)
					url, err := c.B.Remote(harness.RemoteOK, 2048)
					require.NoError(c, err)
					require.NoError(c, j.AddFile(url, c.LocalName()))
					_, err = j.Complete()
					assert.ErrorIs(c, err, model.BG_E_INVALID_STATE, "%v SUSPENDED", typ)
					assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j), "%v SUSPENDED", typ)

					bad, err := a.CreateJob("upload", typ)
					require.NoError(c, err)
					url, err = c.B.Remote(harness.RemoteFatal, 2048)
					require.NoError(c, err)
					require.NoError(c, bad.AddFile(url, c.LocalName()))
					c.Transfer(bad)
					require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(bad), "precondition: %v in ERROR", typ)
					_, err = bad.Complete()
					assert.ErrorIs(c, err, model.BG_E_INVALID_STATE, "%v in ERROR", typ)
					assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(bad), "%v in ERROR", typ)
				}
			},
		},
		Scenario{
			Rule: "STATE-FATAL-ERROR",
			// An error BITS cannot recover from (the fatal remote: HTTP 404,
			// BG_E_HTTP_ERROR_404) moves the job straight to ERROR, not to
			// TRANSIENT_ERROR: it is in ERROR after one attempt.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteFatal)
				c.Transfer(j)
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j))
				assert.Equal(c, model.BG_E_HTTP_ERROR_404, c.ErrorCode(j))
			},
		},
		Scenario{
			Rule: "STATE-FINAL-IMMUTABLE",
			// On a CANCELLED or ACKNOWLEDGED job, Resume, Suspend, Cancel,
			// Complete and every Set method fail with BG_E_INVALID_STATE; the
			// Get methods still succeed and the state never changes.
			Run: func(c *C) {
				a := c.App(Alice)
				v := c.Version()
				for _, st := range []model.JobState{model.BG_JOB_STATE_CANCELLED, model.BG_JOB_STATE_ACKNOWLEDGED} {
					j := c.Reach(a, st)
					bad := func(err error, what string) {
						assert.ErrorIs(c, err, model.BG_E_INVALID_STATE, "%s on a %v job", what, st)
					}
					bad(j.Resume(), "Resume")
					bad(j.Suspend(), "Suspend")
					bad(j.Cancel(), "Cancel")
					_, err := j.Complete()
					bad(err, "Complete")
					bad(j.SetDisplayName("changed"), "SetDisplayName")
					bad(j.SetDescription("changed"), "SetDescription")
					bad(j.SetPriority(model.BG_JOB_PRIORITY_HIGH), "SetPriority")
					bad(j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED), "SetNotifyFlags")
					bad(j.SetNotifyInterface(a.Callback(harness.Behavior{})), "SetNotifyInterface")
					bad(j.SetNotifyCmdLine(`C:\bitssim\x.exe`, ""), "SetNotifyCmdLine")
					bad(j.SetMinimumRetryDelay(60*time.Second), "SetMinimumRetryDelay")
					bad(j.SetNoProgressTimeout(60*time.Second), "SetNoProgressTimeout")
					if v >= model.BITS3_0 { // IBackgroundCopyJob4
						bad(j.SetMaximumDownloadTime(60*time.Second), "SetMaximumDownloadTime")
					}
					if v >= model.BITS5_0 && c.Is("CLSID-FINAL-STATE", rules.VarInvalidState) { // IBackgroundCopyJob5
						bad(j.SetNotifyCLSID(model.MustParseGUID("{B175C1A5-0000-4000-8000-0000000000FF}")), "SetNotifyCLSID")
						bad(j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 1}), "SetProperty")
					}

					s, err := j.GetState()
					assert.NoError(c, err, "GetState")
					assert.Equal(c, st, s, "the state never changes")
					_, err = j.GetType()
					assert.NoError(c, err, "GetType")
					_, err = j.GetProgress()
					assert.NoError(c, err, "GetProgress")
					_, err = j.GetTimes()
					assert.NoError(c, err, "GetTimes")
					_, err = j.GetErrorCount()
					assert.NoError(c, err, "GetErrorCount")
					_, err = j.GetOwner()
					assert.NoError(c, err, "GetOwner")
					name, err := j.GetDisplayName()
					assert.NoError(c, err, "GetDisplayName")
					assert.Equal(c, "conformance", name)
					_, err = j.GetDescription()
					assert.NoError(c, err, "GetDescription")
					p, err := j.GetPriority()
					assert.NoError(c, err, "GetPriority")
					assert.Equal(c, model.BG_JOB_PRIORITY_NORMAL, p)
					_, err = j.GetNotifyFlags()
					assert.NoError(c, err, "GetNotifyFlags")
					_, err = j.GetNotifyInterface()
					assert.NoError(c, err, "GetNotifyInterface")
					_, _, err = j.GetNotifyCmdLine()
					assert.NoError(c, err, "GetNotifyCmdLine")
					_, err = j.GetMinimumRetryDelay()
					assert.NoError(c, err, "GetMinimumRetryDelay")
					_, err = j.GetNoProgressTimeout()
					assert.NoError(c, err, "GetNoProgressTimeout")
					_, err = j.EnumFiles()
					assert.NoError(c, err, "EnumFiles")
					if v >= model.BITS3_0 {
						_, err = j.GetMaximumDownloadTime()
						assert.NoError(c, err, "GetMaximumDownloadTime")
					}
					if v >= model.BITS5_0 {
						_, err = j.GetNotifyCLSID()
						assert.NoError(c, err, "GetNotifyCLSID")
					}
					c.Settle()
					assert.Equal(c, st, c.State(j), "the state never changes")
				}
			},
		},
		Scenario{
			Rule: "STATE-FINAL-NOT-ENUMERATED",
			// EnumJobs never lists a CANCELLED or ACKNOWLEDGED job.
			Run: func(c *C) {
				a := c.App(Alice)
				cancelled := c.Reach(a, model.BG_JOB_STATE_CANCELLED)
				acked := c.Reach(a, model.BG_JOB_STATE_ACKNOWLEDGED)
				live := c.Reach(a, model.BG_JOB_STATE_SUSPENDED)
				jobs, err := a.EnumJobs(0)
				require.NoError(c, err)
				ids := IDs(jobs)
				assert.NotContains(c, ids, cancelled.GetId(), "CANCELLED job listed")
				assert.NotContains(c, ids, acked.GetId(), "ACKNOWLEDGED job listed")
				assert.Contains(c, ids, live.GetId(), "the live job is listed")
			},
		},
		Scenario{
			Rule: "STATE-GET-ERROR-UNAVAILABLE",
			// GetError fails with BG_E_ERROR_INFORMATION_UNAVAILABLE on a job
			// that has met no error since it last entered TRANSFERRING (a new
			// job, one that reached TRANSFERRED cleanly), while after an error
			// it returns that error until the job next enters TRANSFERRING,
			// also after Suspend.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, st := range []model.JobState{model.BG_JOB_STATE_SUSPENDED, model.BG_JOB_STATE_TRANSFERRED} {
					j := c.Reach(a, st)
					_, err := j.GetError()
					assert.ErrorIs(c, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE, "GetError on a %v job without an error", st)
				}
				for _, st := range []model.JobState{model.BG_JOB_STATE_TRANSIENT_ERROR} {
					j := c.Reach(a, st)
					want := c.ErrorCode(j)
					c.Do(j.Suspend(), "Suspend")
					require.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j))
					e, err := j.GetError()
					if assert.NoError(c, err, "GetError on a job SUSPENDED from %v", st) {
						assert.Equal(c, want, e.Code, "the error of the job SUSPENDED from %v", st)
					}
				}
			},
		},
		Scenario{
			Rule: "STATE-GETJOB-FINAL",
			// GetJob of a CANCELLED or ACKNOWLEDGED job fails with
			// BG_E_NOT_FOUND.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, st := range []model.JobState{model.BG_JOB_STATE_CANCELLED, model.BG_JOB_STATE_ACKNOWLEDGED} {
					j := c.Reach(a, st)
					got, err := a.GetJob(j.GetId())
					switch c.Variant("STATE-GETJOB-FINAL") {
					case rules.VarNotFound: // "fails with BG_E_NOT_FOUND (0x80200001)"
						assert.ErrorIs(c, err, model.BG_E_NOT_FOUND, "GetJob of a %v job", st)
						assert.Nil(c, got)
					case rules.VarFound: // "returns S_OK and a job that reports its final state"
						if assert.NoError(c, err, "GetJob of a %v job", st) {
							assert.Equal(c, st, c.State(got))
						}
					}
				}
			},
		},
		Scenario{
			Rule: "STATE-GETJOB-UNKNOWN",
			// GetJob with an ID that names no job fails with BG_E_NOT_FOUND.
			Run: func(c *C) {
				a := c.App(Alice)
				c.Reach(a, model.BG_JOB_STATE_SUSPENDED)
				got, err := a.GetJob(model.MustParseGUID("{0BADF00D-DEAD-4BEE-8F00-0000C0FFEE00}"))
				assert.ErrorIs(c, err, model.BG_E_NOT_FOUND)
				assert.Nil(c, got)
				got, err = a.GetJob(model.GUID_NULL)
				assert.ErrorIs(c, err, model.BG_E_NOT_FOUND)
				assert.Nil(c, got)
			},
		},
		Scenario{
			Rule:  "STATE-INACTIVITY-CANCEL",
			Needs: harness.Capabilities{VirtualTime: true},
			// A job without transfer progress or property changes for 90 days
			// is CANCELLED; a property change starts the 90 days again.
			Run: func(c *C) {
				a := c.App(Alice)
				idle := c.Reach(a, model.BG_JOB_STATE_SUSPENDED)
				transferred := c.Reach(a, model.BG_JOB_STATE_TRANSFERRED)
				failed := c.Reach(a, model.BG_JOB_STATE_ERROR)
				touched := c.Reach(a, model.BG_JOB_STATE_SUSPENDED)
				day := 24 * time.Hour
				c.Advance(45 * day)
				c.Do(touched.SetDescription("still wanted"), "SetDescription")
				c.Advance(44 * day) // day 89
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(idle), "day 89: not yet cancelled")
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(transferred), "day 89: not yet cancelled")
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(failed), "day 89: not yet cancelled")
				c.Advance(2 * day) // day 91
				assert.Equal(c, model.BG_JOB_STATE_CANCELLED, c.State(idle), "day 91: 90 days without activity")
				assert.Equal(c, model.BG_JOB_STATE_CANCELLED, c.State(transferred), "day 91: TRANSFERRED 90 days ago")
				assert.Equal(c, model.BG_JOB_STATE_CANCELLED, c.State(failed), "day 91: in ERROR for 90 days")
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(touched), "46 days after its last change")
				c.Advance(43 * day) // day 134: 89 days after the change
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(touched), "89 days after its last change")
				c.Advance(2 * day) // day 136: 91 days after the change
				assert.Equal(c, model.BG_JOB_STATE_CANCELLED, c.State(touched), "91 days after its last change")
			},
		},
		Scenario{
			Rule: "STATE-INITIAL-SUSPENDED",
			// CreateJob makes a SUSPENDED job with no files and zero progress.
			Run: func(c *C) {
				a := c.App(Alice)
				j, err := a.CreateJob("fresh", model.BG_JOB_TYPE_DOWNLOAD)
				require.NoError(c, err)
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j))
				files, err := j.EnumFiles()
				assert.NoError(c, err)
				assert.Empty(c, files)
				p, err := j.GetProgress()
				assert.NoError(c, err)
				assert.Equal(c, model.JobProgress{BytesTotal: 0, BytesTransferred: 0, FilesTotal: 0, FilesTransferred: 0}, p)
			},
		},
		Scenario{
			Rule:  "STATE-MAX-DOWNLOAD-TIME",
			Needs: harness.Capabilities{VirtualTime: true, Version: model.BITS3_0},
			// The maximum download time defaults to 7,776,000 s; a job that
			// spends longer than it CONNECTING and TRANSFERRING goes to ERROR
			// with BG_E_MAXDOWNLOAD_TIMEOUT.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, slowSize, harness.RemoteSlow)
				d, err := j.GetMaximumDownloadTime()
				require.NoError(c, err)
				assert.Equal(c, 7776000*time.Second, d, "default maximum download time")
				c.Do(j.SetMaximumDownloadTime(20*time.Second), "SetMaximumDownloadTime")
				c.Transfer(j)
				c.Advance(15 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(j), "15 s of 20: still transferring")
				c.Advance(10 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j), "25 s of 20: ERROR")
				assert.Equal(c, model.BG_E_MAXDOWNLOAD_TIMEOUT, c.ErrorCode(j))

				// Time in TRANSIENT_ERROR does not count: attempts that fail at
				// once for 300 s stay transient.
				flaky := c.SizedJob(a, 2048, harness.RemoteTransient)
				c.Do(flaky.SetMaximumDownloadTime(20*time.Second), "SetMaximumDownloadTime")
				c.SetRetryDelay(flaky, 60*time.Second)
				c.Transfer(flaky)
				c.Advance(300 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(flaky), "300 s mostly in TRANSIENT_ERROR")
				c.Do(flaky.Cancel(), "Cancel")

				// Time in QUEUED does not count: a 10 s transfer with a 20 s
				// limit finishes however long it waited behind another job.
				blocker := c.SizedJob(a, slowSize, harness.RemoteSlow)
				c.Transfer(blocker)
				short := c.SizedJob(a, 10240, harness.RemoteSlow)
				c.Do(short.SetMaximumDownloadTime(20*time.Second), "SetMaximumDownloadTime")
				c.Transfer(short)
				c.Advance(400 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(short), "10 s of transfer within 20 s")
			},
		},
		Scenario{
			Rule: "STATE-NO-PROGRESS-DEFAULT",
			// A new job's NoProgressTimeout is 1,209,600 seconds.
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_SUSPENDED)
				d, err := j.GetNoProgressTimeout()
				assert.NoError(c, err)
				assert.Equal(c, 1209600*time.Second, d)
			},
		},
		Scenario{
			Rule:  "STATE-NO-PROGRESS-TIMEOUT",
			Needs: harness.Capabilities{VirtualTime: true},
			// NoProgressTimeout seconds without progress after the first
			// transient error move the job from TRANSIENT_ERROR to ERROR; with
			// NoProgressTimeout 0 the first error does.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteTransient)
				c.SetRetryDelay(j, 60*time.Second)
				c.Do(j.SetNoProgressTimeout(600*time.Second), "SetNoProgressTimeout")
				c.Transfer(j)
				require.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(j), "precondition: first transient error")
				c.Advance(590 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(j), "590 s after the first error")
				c.Advance(20 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j), "610 s after the first error")

				zero := c.SizedJob(a, 2048, harness.RemoteTransient)
				c.Do(zero.SetNoProgressTimeout(0), "SetNoProgressTimeout(0)")
				c.Transfer(zero)
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(zero), "NoProgressTimeout 0: straight to ERROR")
			},
		},
		Scenario{
			Rule: "STATE-PARTIAL-COMPLETE",
			// Complete on a download job with a file not fully transferred
			// returns BG_S_PARTIAL_COMPLETE and moves it to ACKNOWLEDGED,
			// keeping the transferred file.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteOK, harness.RemoteFatal)
				c.Transfer(j)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j))
				hr, err := j.Complete()
				assert.NoError(c, err)
				assert.Equal(c, model.BG_S_PARTIAL_COMPLETE, hr)
				assert.Equal(c, model.BG_JOB_STATE_ACKNOWLEDGED, c.State(j))
				files, err := j.EnumFiles()
				require.NoError(c, err)
				require.Len(c, files, 2)
				fp, err := files[0].GetProgress()
				require.NoError(c, err)
				assert.True(c, fp.Completed, "the fully transferred file is kept")
			},
		},
		Scenario{
			Rule: "STATE-PRIORITY-DEFAULT",
			// A new job has priority BG_JOB_PRIORITY_NORMAL (2).
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_SUSPENDED)
				p, err := j.GetPriority()
				assert.NoError(c, err)
				assert.Equal(c, model.BG_JOB_PRIORITY_NORMAL, p)
				assert.EqualValues(c, 2, p)
			},
		},
		Scenario{
			Rule: "STATE-PRIORITY-INVALID",
			// SetPriority outside FOREGROUND (0) to LOW (3) fails with
			// E_NOTIMPL and keeps the priority.
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_SUSPENDED)
				c.Do(j.SetPriority(model.BG_JOB_PRIORITY_HIGH), "SetPriority(HIGH)")
				for _, p := range []model.JobPriority{4, 5, 0xFFFFFFFF} {
					assert.ErrorIs(c, j.SetPriority(p), model.E_NOTIMPL, "SetPriority(%d)", uint32(p))
					got, err := j.GetPriority()
					assert.NoError(c, err)
					assert.Equal(c, model.BG_JOB_PRIORITY_HIGH, got, "priority after SetPriority(%d)", uint32(p))
				}
			},
		},
		Scenario{
			Rule:  "STATE-RESUME-ACTIVE-NOOP",
			Needs: harness.Capabilities{VirtualTime: true},
			// Resume on a QUEUED or TRANSFERRING job returns S_OK and changes
			// nothing. (CONNECTING cannot be held through the harness.)
			Run: func(c *C) {
				a := c.App(Alice)
				q := c.Reach(a, model.BG_JOB_STATE_QUEUED)
				assert.NoError(c, q.Resume(), "Resume on QUEUED")
				assert.Equal(c, model.BG_JOB_STATE_QUEUED, c.State(q))

				t := c.Reach(a, model.BG_JOB_STATE_TRANSFERRING)
				before, err := t.GetProgress()
				require.NoError(c, err)
				assert.NoError(c, t.Resume(), "Resume on TRANSFERRING")
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(t))
				after, err := t.GetProgress()
				require.NoError(c, err)
				assert.Equal(c, before, after, "Resume changes no progress")
				c.Advance(3 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(t))
				later, err := t.GetProgress()
				require.NoError(c, err)
				assert.Greater(c, later.BytesTransferred, after.BytesTransferred, "the transfer goes on")
			},
		},
		Scenario{
			Rule:  "STATE-RESUME-AFTER-ADDFILE",
			Needs: harness.Capabilities{VirtualTime: true},
			// A file added to a TRANSFERRED download job, then Resume: S_OK,
			// QUEUED, and the new file is transferred.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.Reach(a, model.BG_JOB_STATE_TRANSFERRED)
				c.AddFile(j, harness.RemoteOK, 2048)
				assert.NoError(c, j.Resume())
				assert.Equal(c, model.BG_JOB_STATE_QUEUED, c.State(j), "QUEUED after Resume")
				c.Settle()
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				p, err := j.GetProgress()
				require.NoError(c, err)
				assert.Equal(c, uint32(2), p.FilesTransferred, "the new file was transferred")
			},
		},
		Scenario{
			Rule: "STATE-RESUME-EMPTY",
			// Resume on a job without files fails with BG_E_EMPTY and the job
			// stays SUSPENDED.
			Run: func(c *C) {
				a := c.App(Alice)
				j, err := a.CreateJob("empty", model.BG_JOB_TYPE_DOWNLOAD)
				require.NoError(c, err)
				assert.ErrorIs(c, j.Resume(), model.BG_E_EMPTY)
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j))
				c.Settle()
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j))
			},
		},
		Scenario{
			Rule:  "STATE-RESUME-FROM-ERROR",
			Needs: harness.Capabilities{VirtualTime: true},
			// Resume on an ERROR or TRANSIENT_ERROR job returns S_OK and makes
			// it QUEUED at once, without waiting for MinimumRetryDelay.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, st := range []model.JobState{model.BG_JOB_STATE_ERROR, model.BG_JOB_STATE_TRANSIENT_ERROR} {
					j := c.Reach(a, st)
					assert.NoError(c, j.Resume(), "Resume from %v", st)
					assert.Equal(c, model.BG_JOB_STATE_QUEUED, c.State(j), "state right after Resume from %v", st)
				}
			},
		},
		Scenario{
			Rule:  "STATE-RESUME-QUEUED",
			Needs: harness.Capabilities{VirtualTime: true},
			// Resume on a SUSPENDED job with a file returns S_OK and makes it
			// QUEUED.
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_SUSPENDED)
				assert.NoError(c, j.Resume())
				assert.Equal(c, model.BG_JOB_STATE_QUEUED, c.State(j))
			},
		},
		Scenario{
			Rule: "STATE-RESUME-TRANSFERRED",
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteOK)
				c.Register(a, j, harness.Behavior{})
				c.Transfer(j)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				err := j.Resume()
				c.Settle()
				c.Advance(time.Second)
				switch c.Variant("STATE-RESUME-TRANSFERRED") {
				case rules.VarOKStays: // "returns S_OK and the job stays TRANSFERRED"
					assert.NoError(c, err)
					assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
					// Nothing re-entered TRANSFERRED: no second JobTransferred
					// (DELIV-ONCE-AFTER-SUCCESS); the first may still be on its
					// way on a real backend.
					assert.LessOrEqual(c, len(c.Delivered(j, model.EventJobTransferred)), 1)
				case rules.VarEmpty: // "fails with BG_E_EMPTY (0x80200003) and the job stays TRANSFERRED"
					assert.ErrorIs(c, err, model.BG_E_EMPTY)
					assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				case rules.VarRequeued: // "returns S_OK … reaches TRANSFERRED again with a new JobTransferred"
					assert.NoError(c, err)
					assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
					assert.Len(c, c.Delivered(j, model.EventJobTransferred), 2)
				}
			},
		},
		Scenario{
			Rule: "STATE-RETRY-DELAY-DEFAULT",
			// A new job's MinimumRetryDelay is 600 seconds.
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_SUSPENDED)
				d, err := j.GetMinimumRetryDelay()
				assert.NoError(c, err)
				assert.Equal(c, 600*time.Second, d)
			},
		},
		Scenario{
			Rule: "STATE-RETRY-DELAY-MIN",
			// SetMinimumRetryDelay below 5 s returns S_OK and stores 5 s.
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_SUSPENDED)
				for _, d := range []time.Duration{0, 1 * time.Second, 4 * time.Second} {
					assert.NoError(c, j.SetMinimumRetryDelay(d), "SetMinimumRetryDelay(%v)", d)
					got, err := j.GetMinimumRetryDelay()
					assert.NoError(c, err)
					assert.Equal(c, 5*time.Second, got, "after SetMinimumRetryDelay(%v)", d)
				}
			},
		},
		Scenario{
			Rule:  "STATE-SUSPEND",
			Needs: harness.Capabilities{VirtualTime: true},
			// Suspend on a QUEUED, TRANSFERRING, TRANSIENT_ERROR or SUSPENDED
			// job returns S_OK and leaves it SUSPENDED, not transferring,
			// until Resume. (CONNECTING cannot be held through the harness.)
			Run: func(c *C) {
				a := c.App(Alice)
				for _, st := range []model.JobState{model.BG_JOB_STATE_QUEUED, model.BG_JOB_STATE_TRANSIENT_ERROR,
					model.BG_JOB_STATE_SUSPENDED} {
					j := c.Reach(a, st)
					assert.NoError(c, j.Suspend(), "Suspend from %v", st)
					assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j), "after Suspend from %v", st)
					c.Advance(700 * time.Second) // past the 600 s retry delay
					assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j), "700 s after Suspend from %v", st)
					p, err := j.GetProgress()
					require.NoError(c, err)
					assert.Zero(c, p.BytesTransferred, "nothing transferred while SUSPENDED (from %v)", st)
				}

				t := c.Reach(a, model.BG_JOB_STATE_TRANSFERRING)
				assert.NoError(c, t.Suspend(), "Suspend from TRANSFERRING")
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(t))
				stopped, err := t.GetProgress()
				require.NoError(c, err)
				c.Advance(10 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(t))
				still, err := t.GetProgress()
				require.NoError(c, err)
				assert.Equal(c, stopped.BytesTransferred, still.BytesTransferred, "no bytes while SUSPENDED")
				c.Do(t.Resume(), "Resume")
				c.Advance(5 * time.Second)
				resumed, err := t.GetProgress()
				require.NoError(c, err)
				assert.Greater(c, resumed.BytesTransferred, still.BytesTransferred, "the transfer goes on after Resume")
			},
		},
		Scenario{
			Rule: "STATE-SUSPEND-ERROR",
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_ERROR)
				assert.NoError(c, j.Suspend())
				switch c.Variant("STATE-SUSPEND-ERROR") {
				case rules.VarStays: // "returns S_OK and the job stays in ERROR"
					assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j))
				case rules.VarSuspended: // "returns S_OK and moves it to SUSPENDED"
					assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j))
				}
			},
		},
		Scenario{
			Rule: "STATE-SUSPEND-TRANSFERRED",
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteOK)
				c.Register(a, j, harness.Behavior{})
				c.Transfer(j)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				assert.NoError(c, j.Suspend())
				switch c.Variant("STATE-SUSPEND-TRANSFERRED") {
				case rules.VarStays: // "returns S_OK and the job stays TRANSFERRED"
					assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				case rules.VarSuspended: // "moves it to SUSPENDED … Resume brings it back to TRANSFERRED with a new JobTransferred"
					assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j))
					c.Transfer(j)
					assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
					assert.Len(c, c.Delivered(j, model.EventJobTransferred), 2)
				}
			},
		},
		Scenario{
			Rule:  "STATE-TRANSFERRED-TIME",
			Needs: harness.Capabilities{VirtualTime: true},
			// GetTimes reports the moment the job entered TRANSFERRED as its
			// TransferCompletionTime.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 10240, harness.RemoteSlow) // 10 s at 1 KiB/s
				times, err := j.GetTimes()
				require.NoError(c, err)
				created := times.CreationTime
				assert.True(c, times.TransferCompletionTime.IsZero(), "no completion time before TRANSFERRED")
				c.Advance(100 * time.Second)
				c.Transfer(j) // starts at creation + 100 s
				c.Advance(9 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(j), "precondition: 9 s of 10")
				times, err = j.GetTimes()
				require.NoError(c, err)
				assert.True(c, times.TransferCompletionTime.IsZero(), "no completion time while TRANSFERRING")
				c.Advance(61 * time.Second) // creation + 170 s
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				times, err = j.GetTimes()
				require.NoError(c, err)
				assert.WithinDuration(c, created.Add(110*time.Second), times.TransferCompletionTime, 0,
					"TRANSFERRED 110 s after creation")

				// A second entry into TRANSFERRED reports the new moment: a
				// 5 s file, transferred from creation + 170 s.
				c.AddFile(j, harness.RemoteSlow, 5120)
				c.Transfer(j)
				c.Advance(30 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				times, err = j.GetTimes()
				require.NoError(c, err)
				assert.WithinDuration(c, created.Add(175*time.Second), times.TransferCompletionTime, 0,
					"TRANSFERRED again 175 s after creation")
			},
		},
		Scenario{
			Rule:  "STATE-TRANSIENT-RETRY",
			Needs: harness.Capabilities{VirtualTime: true},
			// A recoverable error puts the job in TRANSIENT_ERROR, and BITS
			// queues it again (a new attempt) once MinimumRetryDelay (600 s by
			// default) has elapsed, not before.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteTransient)
				c.Transfer(j)
				assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(j))
				n1, err := j.GetErrorCount()
				require.NoError(c, err)
				c.Advance(590 * time.Second)
				assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(j), "590 s: waiting")
				n2, err := j.GetErrorCount()
				require.NoError(c, err)
				assert.Equal(c, n1, n2, "no new attempt before 600 s")
				c.Advance(20 * time.Second)
				n3, err := j.GetErrorCount()
				require.NoError(c, err)
				assert.Greater(c, n3, n2, "a new attempt after 600 s")
				assert.Equal(c, model.BG_JOB_STATE_TRANSIENT_ERROR, c.State(j), "the new attempt failed again")
			},
		},
	)
}
