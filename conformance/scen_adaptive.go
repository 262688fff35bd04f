package conformance

import (
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
