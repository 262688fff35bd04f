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
	markUntestable("SEC-OWNER-LOGOFF",
		"no backend can log the job's owner on or off: the harness control plane starts and stops applications, not logon sessions")
}

// secLostJob returns a handle of loser's on a job loser created and an
// administrator then took over, and the administrator's handle on it: the
// one way a non-administrator holds a job it does not own.
func secLostJob(c *C, loser, admin harness.App) (lost, adminJob model.Job) {
	lost = c.SizedJob(loser, 2048, harness.RemoteOK)
	c.Do(lost.SetDescription("before"), "SetDescription")
	adminJob, err := admin.GetJob(lost.GetId())
	require.NoError(c, err, "the administrator gets the job")
	c.Do(adminJob.TakeOwnership(), "TakeOwnership")
	return lost, adminJob
}

func init() {
	register(
		Scenario{
			Rule:  "SEC-ADMIN-MODIFY",
			Why:   "it calls every setter, AddFileSet among them, following the backend's version",
			Needs: harness.Capabilities{Users: true},
			// An administrator can call every method of another user's job,
			// setters included, without TakeOwnership; the owner stays. It
			// can read but not change a LocalSystem job (higher integrity).
			Run: func(c *C) {
				alice, admin := c.App(Alice), c.App(Admin)
				mine := c.SizedJob(alice, 2048, harness.RemoteOK)
				v := c.Version()
				j, err := admin.GetJob(mine.GetId())
				require.NoError(c, err, "GetJob by the administrator")
				ok := func(err error, what string) { assert.NoError(c, err, "%s by the administrator", what) }
				url, err := c.B.Remote(harness.RemoteOK, 2048)
				require.NoError(c, err)
				ok(j.AddFile(url, c.LocalName()), "AddFile")
				ok(j.AddFileSet([]model.FileInfo{{RemoteName: url, LocalName: c.LocalName()}}), "AddFileSet")
				ok(j.SetDisplayName("set by admin"), "SetDisplayName")
				ok(j.SetDescription("set by admin"), "SetDescription")
				ok(j.SetPriority(model.BG_JOB_PRIORITY_HIGH), "SetPriority")
				ok(j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED), "SetNotifyFlags")
				ok(j.SetNotifyInterface(admin.Callback(harness.Behavior{})), "SetNotifyInterface")
				ok(j.SetNotifyCmdLine(`C:\bitssim\admin.exe`, `"C:\bitssim\admin.exe" 1`), "SetNotifyCmdLine")
				ok(j.SetMinimumRetryDelay(60*time.Second), "SetMinimumRetryDelay")
				ok(j.SetNoProgressTimeout(3600*time.Second), "SetNoProgressTimeout")
				if v >= model.BITS3_0 {
					ok(j.SetMaximumDownloadTime(3600*time.Second), "SetMaximumDownloadTime")
				}
				if v >= model.BITS5_0 {
					ok(j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 1}), "SetProperty")
				}
				_, err = j.GetProgress()
				ok(err, "GetProgress")
				_, err = j.EnumFiles()
				ok(err, "EnumFiles")
				_, err = j.GetTimes()
				ok(err, "GetTimes")
				ok(j.Resume(), "Resume")
				ok(j.Suspend(), "Suspend")
				c.Do(j.SetNotifyCmdLine("", ""), "SetNotifyCmdLine(clear)")
				c.Transfer(j)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				owner, err := j.GetOwner()
				ok(err, "GetOwner")
				assert.Equal(c, Alice.Name, owner, "the owner stays the same")
				name, err := mine.GetDisplayName()
				require.NoError(c, err)
				assert.Equal(c, "set by admin", name, "the owner sees the change")
				_, err = j.Complete()
				ok(err, "Complete")
				assert.Equal(c, model.BG_JOB_STATE_ACKNOWLEDGED, c.State(mine))

				other := c.SizedJob(alice, 2048, harness.RemoteOK)
				oj, err := admin.GetJob(other.GetId())
				require.NoError(c, err)
				ok(oj.Cancel(), "Cancel")
				owner, err = other.GetOwner()
				require.NoError(c, err)
				assert.Equal(c, Alice.Name, owner)

				// A LocalSystem job has a higher integrity level: the
				// administrator reads it, and every change is E_ACCESSDENIED.
				system := c.App(model.LocalSystem)
				sj := c.SizedJob(system, 2048, harness.RemoteOK)
				c.Do(sj.SetDescription("by LocalSystem"), "SetDescription by LocalSystem")
				aj, err := admin.GetJob(sj.GetId())
				require.NoError(c, err, "GetJob of a LocalSystem job by the administrator")
				d, err := aj.GetDescription()
				ok(err, "GetDescription of a LocalSystem job")
				assert.Equal(c, "by LocalSystem", d)
				denied := func(err error, what string) {
					assert.ErrorIs(c, err, model.E_ACCESSDENIED, "%s of a LocalSystem job by the administrator", what)
				}
				denied(aj.SetDescription("by admin"), "SetDescription")
				denied(aj.SetPriority(model.BG_JOB_PRIORITY_LOW), "SetPriority")
				denied(aj.Suspend(), "Suspend")
				denied(aj.Cancel(), "Cancel")
				denied(aj.TakeOwnership(), "TakeOwnership")
				d, err = sj.GetDescription()
				require.NoError(c, err)
				assert.Equal(c, "by LocalSystem", d, "the LocalSystem job is unchanged")
				assert.NotEqual(c, model.BG_JOB_STATE_CANCELLED, c.State(sj), "the LocalSystem job is not cancelled")
			},
		},
		Scenario{
			Rule:  "SEC-OWNER-ONLY",
			Why:   "it calls every method of the job, following the backend's version; most getters are no statement",
			Needs: harness.Capabilities{Users: true},
			// A caller who neither owns the job nor is an administrator gets
			// E_ACCESSDENIED from every method, and the job is unchanged.
			Run: func(c *C) {
				bob, admin := c.App(Bob), c.App(Admin)
				v := c.Version()
				lost, aj := secLostJob(c, bob, admin)
				denied := func(err error, what string) {
					assert.ErrorIs(c, err, model.E_ACCESSDENIED, "%s by a non-owner", what)
				}
				// Reads are denied too, except under the reads-allowed reading:
				// "can read the job's state and properties".
				read := denied
				if c.Is("SEC-OWNER-ONLY", rules.VarReadsAllowed) {
					read = func(err error, what string) {
						assert.NotErrorIs(c, err, model.E_ACCESSDENIED, "%s by a non-owner", what)
					}
				}
				url, err := c.B.Remote(harness.RemoteOK, 2048)
				require.NoError(c, err)
				_, err = lost.GetType()
				read(err, "GetType")
				denied(lost.AddFile(url, c.LocalName()), "AddFile")
				denied(lost.AddFileSet([]model.FileInfo{{RemoteName: url, LocalName: c.LocalName()}}), "AddFileSet")
				if v >= model.BITS2_0 {
					denied(lost.AddFileWithRanges(url, c.LocalName(), []model.FileRange{{InitialOffset: 0, Length: 10}}), "AddFileWithRanges")
				}
				_, err = lost.EnumFiles()
				read(err, "EnumFiles")
				denied(lost.Resume(), "Resume")
				denied(lost.Suspend(), "Suspend")
				_, err = lost.Complete()
				denied(err, "Complete")
				_, err = lost.GetProgress()
				read(err, "GetProgress")
				_, err = lost.GetTimes()
				read(err, "GetTimes")
				_, err = lost.GetState()
				read(err, "GetState")
				_, err = lost.GetError()
				read(err, "GetError")
				_, err = lost.GetErrorCount()
				read(err, "GetErrorCount")
				_, err = lost.GetOwner()
				read(err, "GetOwner")
				denied(lost.TakeOwnership(), "TakeOwnership")
				denied(lost.SetDisplayName("bob's"), "SetDisplayName")
				_, err = lost.GetDisplayName()
				read(err, "GetDisplayName")
				denied(lost.SetDescription("bob's"), "SetDescription")
				_, err = lost.GetDescription()
				read(err, "GetDescription")
				denied(lost.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND), "SetPriority")
				_, err = lost.GetPriority()
				read(err, "GetPriority")
				denied(lost.SetNotifyFlags(model.BG_NOTIFY_JOB_ERROR), "SetNotifyFlags")
				_, err = lost.GetNotifyFlags()
				read(err, "GetNotifyFlags")
				denied(lost.SetNotifyInterface(bob.Callback(harness.Behavior{})), "SetNotifyInterface")
				_, err = lost.GetNotifyInterface()
				read(err, "GetNotifyInterface")
				denied(lost.SetNotifyCmdLine(`C:\bitssim\bob.exe`, ""), "SetNotifyCmdLine")
				_, _, err = lost.GetNotifyCmdLine()
				read(err, "GetNotifyCmdLine")
				denied(lost.SetMinimumRetryDelay(60*time.Second), "SetMinimumRetryDelay")
				_, err = lost.GetMinimumRetryDelay()
				read(err, "GetMinimumRetryDelay")
				denied(lost.SetNoProgressTimeout(60*time.Second), "SetNoProgressTimeout")
				_, err = lost.GetNoProgressTimeout()
				read(err, "GetNoProgressTimeout")
				if v >= model.BITS3_0 {
					denied(lost.SetMaximumDownloadTime(60*time.Second), "SetMaximumDownloadTime")
					_, err = lost.GetMaximumDownloadTime()
					read(err, "GetMaximumDownloadTime")
				}
				if v >= model.BITS5_0 {
					denied(lost.SetNotifyCLSID(model.MustParseGUID("{B175C1A5-0000-4000-8000-0000000000FE}")), "SetNotifyCLSID")
					_, err = lost.GetNotifyCLSID()
					read(err, "GetNotifyCLSID")
					denied(lost.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 7}), "SetProperty")
					_, err = lost.GetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS)
					read(err, "GetProperty")
				}
				denied(lost.Cancel(), "Cancel")

				// The job is unchanged, as its owner sees it.
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(aj))
				owner, err := aj.GetOwner()
				require.NoError(c, err)
				assert.Equal(c, Admin.Name, owner)
				files, err := aj.EnumFiles()
				require.NoError(c, err)
				assert.Len(c, files, 1)
				name, err := aj.GetDisplayName()
				require.NoError(c, err)
				assert.Equal(c, "conformance", name)
				desc, err := aj.GetDescription()
				require.NoError(c, err)
				assert.Equal(c, "before", desc)
				p, err := aj.GetPriority()
				require.NoError(c, err)
				assert.Equal(c, model.BG_JOB_PRIORITY_NORMAL, p)
				f, err := aj.GetNotifyFlags()
				require.NoError(c, err)
				assert.Equal(c, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR, f)
				cb, err := aj.GetNotifyInterface()
				require.NoError(c, err)
				assert.Nil(c, cb)
				prog, _, err := aj.GetNotifyCmdLine()
				require.NoError(c, err)
				assert.Empty(c, prog)
				d, err := aj.GetMinimumRetryDelay()
				require.NoError(c, err)
				assert.Equal(c, 600*time.Second, d)
				d, err = aj.GetNoProgressTimeout()
				require.NoError(c, err)
				assert.Equal(c, 1209600*time.Second, d)
			},
		},
	)
}
