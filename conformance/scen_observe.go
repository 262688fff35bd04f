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

// Go scenarios that observe what no expectation reads: the spacing in
// time between calls, callbacks held in real time, a state seen before
// the work due after a statement is done, ranges, temporary names, times,
// file names across a restart, a launch's program and parameters, an
// object of no app.

// gateWait bounds how long a scenario waits, in real time, for callbacks
// to reach a gate on a backend whose callbacks run concurrently.
const gateWait = 10 * time.Second

// gateGrace is how long a scenario leaves a backend, in real time, to let
// one more callback in than a rule allows, before it concludes none came.
const gateGrace = 300 * time.Millisecond

// delivMods returns the JobModification calls of job.
func delivMods(c *C, job model.Job) []model.Event { return c.Calls(job, model.EventJobModification) }

// delivStd are the default flags plus JobModification.
const delivStd = model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR | model.BG_NOTIFY_JOB_MODIFICATION

var _ = goScenario(Scenario{Rule: "CMD-NO-SHELL", Why: "it checks the program and parameters a launch received, which no expectation reads", Needs: harness.Capabilities{CommandLine: true}, Run: checkCmdNoShell})

// checkCmdNoShell checks CMD-NO-SHELL. The program is started with exactly
// the two strings given: the parameters arrive unchanged, with shell
// metacharacters and %SystemRoot% neither interpreted nor expanded.
func checkCmdNoShell(c *C) {
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
}

var _ = goScenario(Scenario{Rule: "DELIV-FOUR-PER-USER", Why: "it blocks callbacks at a harness.Gate on any concurrent backend and waits in real time; a script's hold and await need the simulator's automatic clock", Needs: harness.Capabilities{Concurrent: true, Users: true}, Run: checkDelivFourPerUser})

// checkDelivFourPerUser checks DELIV-FOUR-PER-USER. Six jobs of alice
// transfer while her callbacks block: at most four of her callbacks run at
// once; the blocked ones do not hold up bob's; once released, all six are
// delivered.
func checkDelivFourPerUser(c *C) {
	alice, bob := c.App(Alice), c.App(Bob)
	gate := &harness.Gate{}
	defer gate.Open() // never leave a callback blocked
	var jobs []model.Job
	for range 6 {
		job := c.Job(alice, harness.RemoteOK)
		c.Register(alice, job, harness.Behavior{Block: gate})
		jobs = append(jobs, job)
	}
	for _, job := range jobs {
		c.Do(job.Resume(), "Resume")
	}
	require.True(c, gate.WaitInside(4, gateWait), "four of alice's callbacks run at once (%d did)", gate.Most())
	other := c.Job(bob, harness.RemoteOK)
	c.Register(bob, other, harness.Behavior{})
	c.Do(other.Resume(), "Resume")
	deadline := time.Now().Add(gateWait)
	for len(c.Delivered(other, model.EventJobTransferred)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.Len(c, c.Delivered(other, model.EventJobTransferred), 1, "bob's callback runs while alice's four are blocked")
	time.Sleep(gateGrace)
	assert.Equal(c, 4, gate.Most(), "no fifth callback of alice runs while four are blocked")
	gate.Open()
	c.Settle()
	for i, job := range jobs {
		assert.Len(c, c.Delivered(job, model.EventJobTransferred), 1, "job %d is delivered once released", i+1)
	}
	assert.Equal(c, 6, gate.Entered())
	assert.LessOrEqual(c, gate.Most(), 4)
}

var _ = goScenario(Scenario{Rule: "DELIV-MODIFICATION-RATE", Why: "it checks the spacing in time between calls, which no expectation reads", Needs: harness.Capabilities{VirtualTime: true, Version: model.BITS10_1}, Run: checkDelivModificationRate})

// checkDelivModificationRate checks DELIV-MODIFICATION-RATE. Modifications
// every 100 ms produce JobModification calls at least 500 ms apart (the
// default interval), and at least 2 s apart once
// MINIMUM_NOTIFICATION_INTERVAL_MS is 2000; the modifications in between are
// merged into the next call, so the last one is still reported.
func checkDelivModificationRate(c *C) {
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
			times := mustGet(c, job.GetTimes)
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
}

var _ = goScenario(Scenario{Rule: "DELIV-RANGES-INTERVAL", Why: "it checks the spacing in time between calls and the bytes they report, which no expectation reads", Needs: harness.Capabilities{Version: model.BITS10_1, VirtualTime: true}, Run: checkDelivRangesInterval})

// checkDelivRangesInterval checks DELIV-RANGES-INTERVAL. With
// BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS 3000,
// FileRangesTransferred comes at most once every 3 s while a slow download
// (1 KiB a second) runs for 10 s, and the calls together report every byte
// transferred.
func checkDelivRangesInterval(c *C) {
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
}

var _ = goScenario(Scenario{Rule: "DELIV-RANGES-REPORTED", Why: "it checks the ranges a FileRangesTransferred reports, which no expectation reads", Needs: harness.Capabilities{Version: model.BITS10_1}, Run: checkDelivRangesReported})

// checkDelivRangesReported checks DELIV-RANGES-REPORTED.
// FileRangesTransferred reports the ranges transferred since the last call:
// a request overlapping a range already downloaded (100-200 within 0-300) is
// reported without it, because BITS does not download the same bytes twice.
func checkDelivRangesReported(c *C) {
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
}

var _ = goScenario(Scenario{Rule: "PERSIST-ACTIVE-REQUEUED", Why: "a script does the work due after every statement, so it never sees the requeued job QUEUED after the restart", Needs: harness.Capabilities{Restart: true, VirtualTime: true}, Run: checkPersistActiveRequeued})

// checkPersistActiveRequeued checks PERSIST-ACTIVE-REQUEUED. A job that was
// TRANSFERRING when the service stopped is QUEUED after the restart; jobs in
// other states keep their state.
func checkPersistActiveRequeued(c *C) {
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
}
