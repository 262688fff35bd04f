package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// Go scenarios that observe what no expectation reads: callbacks held in
// real time, a state seen before the work due after a statement is done,
// temporary names, times, file names across a restart, an object of no
// app.

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
