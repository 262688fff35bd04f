package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Go scenarios whose steps or expectations follow the backend (its BITS
// version, or a capability it may lack) and that a scenario file cannot
// write for another reason, each given in its Why. (A file follows the
// backend in when blocks: when version >= 3.0, when has clsid.)

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

var _ = goScenario(Scenario{Rule: "PERSIST-REDELIVER", Why: "its expectations depend on the readings of two other open rules at once, and a file is named after one reading", Needs: harness.Capabilities{Restart: true, CommandLine: true}, Run: checkPersistRedeliver})

// checkPersistRedeliver checks PERSIST-REDELIVER. A JobTransferred or
// JobError not yet delivered before a restart is delivered after it (to the
// command line, or a newly registered object); one already delivered is sent
// again only to a newly registered object.
func checkPersistRedeliver(c *C) {
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
}

var _ = goScenario(Scenario{Rule: "SEC-OWNER-ONLY", Why: "it calls every method of another user's job, through a handle he got before losing it, and expects each to fail; most getters are no call statement, and expect ... by APP reads through his handle but cannot expect a getter to fail", Needs: harness.Capabilities{Users: true}, Run: checkSecOwnerOnly})

// checkSecOwnerOnly checks SEC-OWNER-ONLY. A caller who neither owns the job
// nor is an administrator gets E_ACCESSDENIED from every method, and the job
// is unchanged.
func checkSecOwnerOnly(c *C) {
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
	read(errOf(lost.GetType()), "GetType")
	denied(lost.AddFile(url, c.LocalName()), "AddFile")
	denied(lost.AddFileSet([]model.FileInfo{{RemoteName: url, LocalName: c.LocalName()}}), "AddFileSet")
	if v >= model.BITS2_0 {
		denied(lost.AddFileWithRanges(url, c.LocalName(), []model.FileRange{{InitialOffset: 0, Length: 10}}), "AddFileWithRanges")
	}
	read(errOf(lost.EnumFiles()), "EnumFiles")
	denied(lost.Resume(), "Resume")
	denied(lost.Suspend(), "Suspend")
	denied(errOf(lost.Complete()), "Complete")
	read(errOf(lost.GetProgress()), "GetProgress")
	read(errOf(lost.GetTimes()), "GetTimes")
	read(errOf(lost.GetState()), "GetState")
	read(errOf(lost.GetError()), "GetError")
	read(errOf(lost.GetErrorCount()), "GetErrorCount")
	read(errOf(lost.GetOwner()), "GetOwner")
	denied(lost.TakeOwnership(), "TakeOwnership")
	denied(lost.SetDisplayName("bob's"), "SetDisplayName")
	read(errOf(lost.GetDisplayName()), "GetDisplayName")
	denied(lost.SetDescription("bob's"), "SetDescription")
	read(errOf(lost.GetDescription()), "GetDescription")
	denied(lost.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND), "SetPriority")
	read(errOf(lost.GetPriority()), "GetPriority")
	denied(lost.SetNotifyFlags(model.BG_NOTIFY_JOB_ERROR), "SetNotifyFlags")
	read(errOf(lost.GetNotifyFlags()), "GetNotifyFlags")
	denied(lost.SetNotifyInterface(bob.Callback(harness.Behavior{})), "SetNotifyInterface")
	read(errOf(lost.GetNotifyInterface()), "GetNotifyInterface")
	denied(lost.SetNotifyCmdLine(`C:\bitssim\bob.exe`, ""), "SetNotifyCmdLine")
	_, _, err = lost.GetNotifyCmdLine()
	read(err, "GetNotifyCmdLine")
	denied(lost.SetMinimumRetryDelay(60*time.Second), "SetMinimumRetryDelay")
	read(errOf(lost.GetMinimumRetryDelay()), "GetMinimumRetryDelay")
	denied(lost.SetNoProgressTimeout(60*time.Second), "SetNoProgressTimeout")
	read(errOf(lost.GetNoProgressTimeout()), "GetNoProgressTimeout")
	if v >= model.BITS3_0 {
		denied(lost.SetMaximumDownloadTime(60*time.Second), "SetMaximumDownloadTime")
		read(errOf(lost.GetMaximumDownloadTime()), "GetMaximumDownloadTime")
	}
	if v >= model.BITS5_0 {
		denied(lost.SetNotifyCLSID(model.MustParseGUID("{B175C1A5-0000-4000-8000-0000000000FE}")), "SetNotifyCLSID")
		read(errOf(lost.GetNotifyCLSID()), "GetNotifyCLSID")
		denied(lost.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 7}), "SetProperty")
		read(errOf(lost.GetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS)), "GetProperty")
	}
	denied(lost.Cancel(), "Cancel")

	// The job is unchanged, as its owner sees it.
	assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(aj))
	assert.Equal(c, Admin.Name, mustGet(c, aj.GetOwner))
	files, err := aj.EnumFiles()
	require.NoError(c, err)
	assert.Len(c, files, 1)
	name := mustGet(c, aj.GetDisplayName)
	assert.Equal(c, "conformance", name)
	desc := mustGet(c, aj.GetDescription)
	assert.Equal(c, "before", desc)
	p := mustGet(c, aj.GetPriority)
	assert.Equal(c, model.BG_JOB_PRIORITY_NORMAL, p)
	f := mustGet(c, aj.GetNotifyFlags)
	assert.Equal(c, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR, f)
	cb := mustGet(c, aj.GetNotifyInterface)
	assert.Nil(c, cb)
	prog, _, err := aj.GetNotifyCmdLine()
	require.NoError(c, err)
	assert.Empty(c, prog)
	d := mustGet(c, aj.GetMinimumRetryDelay)
	assert.Equal(c, 600*time.Second, d)
	d, err = aj.GetNoProgressTimeout()
	require.NoError(c, err)
	assert.Equal(c, 1209600*time.Second, d)
}
