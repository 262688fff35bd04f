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
			Rule: "STATE-FINAL-IMMUTABLE",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
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
			Rule: "STATE-GETJOB-UNKNOWN",
			Why:  "it calls GetJob with an ID that names no job, which a script cannot write",
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
			Rule: "STATE-PRIORITY-INVALID",
			Why:  "it passes priorities outside FOREGROUND to LOW, which the language does not parse",
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
			Rule:  "STATE-TRANSFERRED-TIME",
			Why:   "it reads GetTimes, which no expectation reads",
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
	)
}
