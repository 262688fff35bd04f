package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// holdGate is what a test's held callbacks wait on: open is read by the
// ready function Hold calls with the service's lock held, and written by
// the test only between RunUntilIdle calls, so no lock is needed.
type holdGate struct {
	permits int      // calls that may go on
	entered []string // the jobs whose calls entered, in order
	errs    []error  // what Hold returned, per call
}

// holding returns a callback object whose JobTransferred records that it
// entered and holds until the gate gives it a permit.
func holding(svc *sim.Service, g *holdGate, name string) *model.CallbackFuncs {
	return &model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		g.entered = append(g.entered, name)
		err := svc.Hold(func() bool { return g.permits > 0 })
		if err == nil {
			g.permits--
		}
		g.errs = append(g.errs, err)
		return nil
	}}
}

// holdJobs starts a manual service with holds, and n jobs of alice whose
// callbacks hold, resumed in order.
func holdJobs(t *testing.T, n int) (*sim.Service, *holdGate, []model.Job) {
	t.Helper()
	svc := ntManual(t, 0)
	require.NoError(t, svc.EnableHolds())
	g := &holdGate{}
	app := ntApp(t, svc, "aliceApp", ntAlice)
	var jobs []model.Job
	for i := range n {
		name := fmt.Sprintf("alice%d", i+1)
		job := ntJob(t, app, name, 1)
		require.NoError(t, job.SetNotifyInterface(holding(svc, g, name)))
		jobs = append(jobs, job)
	}
	for _, job := range jobs {
		require.NoError(t, job.Resume())
	}
	return svc, g, jobs
}

// DELIV-FOUR-PER-USER on the manual clock: five of alice's calls held,
// four in progress and the fifth waiting for a slot; another user's call
// is not held up; when one returns the fifth starts; all five are
// delivered once let go. The order is the same every run.
//
// Rules: DELIV-FOUR-PER-USER
func TestHoldFourPerUserOnTheManualClock(t *testing.T) {
	run := func() []string {
		svc, g, jobs := holdJobs(t, 5)
		defer svc.Close()
		ntRun(t, svc)
		assert.Equal(t, []string{"alice1", "alice2", "alice3", "alice4"}, g.entered, "four calls of alice run at once, a fifth waits")
		assert.Equal(t, 4, svc.InFlight("alice"))
		for _, job := range jobs {
			assert.Empty(t, ntEvents(svc, job, ntJT), "no call of alice has returned")
		}

		bob := ntApp(t, svc, "bobApp", ntBob)
		bobJob := ntJob(t, bob, "bob1", 1)
		bobCalls := &ntCounts{}
		require.NoError(t, bobJob.SetNotifyInterface(ntCounting(bobCalls)))
		require.NoError(t, bobJob.Resume())
		ntRun(t, svc)
		assert.Equal(t, int32(1), bobCalls.jt.Load(), "bob's call runs while alice's four are held")
		assert.Equal(t, 4, svc.InFlight("alice"))
		assert.Len(t, g.entered, 4, "still no fifth call of alice")

		g.permits = 1 // one returns: the fifth starts
		ntRun(t, svc)
		assert.Equal(t, []string{"alice1", "alice2", "alice3", "alice4", "alice5"}, g.entered)
		assert.Equal(t, 4, svc.InFlight("alice"))
		ntCheck(t, ntEvents(svc, jobs[0], ntJT), ntWant{Kind: ntJT, Target: ntObj, Result: model.S_OK})

		g.permits = 4
		ntRun(t, svc)
		assert.Equal(t, 0, svc.InFlight("alice"))
		var order []string
		for _, e := range svc.Trace() {
			if e.Kind == ntJT {
				assert.True(t, e.Delivered())
				order = append(order, e.User)
			}
		}
		assert.Len(t, order, 6, "five of alice's and one of bob's")
		for _, err := range g.errs {
			assert.NoError(t, err)
		}
		return order
	}
	first := run()
	assert.Equal(t, first, run(), "the same order every run")
}

// A held call stays held across Advance until it is let go, and its
// job's other notifications wait behind it (one delivery per job at a
// time).
//
// Rules: DELIV-FOUR-PER-USER, DELIV-FILE-SERIALIZED
func TestHoldSurvivesAdvance(t *testing.T) {
	svc, g, jobs := holdJobs(t, 1)
	defer svc.Close()
	ntRun(t, svc)
	require.Equal(t, []string{"alice1"}, g.entered)
	ntAdvance(t, svc, time.Hour)
	assert.Equal(t, 1, svc.InFlight("alice"), "held for an hour")
	assert.Empty(t, ntEvents(svc, jobs[0], ntJT))
	g.permits = 1
	ntAdvance(t, svc, time.Second)
	ntCheck(t, ntEvents(svc, jobs[0], ntJT), ntWant{Kind: ntJT, Target: ntObj, Result: model.S_OK})
	assert.Equal(t, 0, svc.InFlight("alice"))
}

// Close lets every held call go: Hold returns ErrClosed, and Close
// returns.
func TestHoldCloseLetsHeldCallsGo(t *testing.T) {
	svc, g, _ := holdJobs(t, 5)
	ntRun(t, svc)
	require.Len(t, g.entered, 4)
	require.NoError(t, svc.Close())
	require.Len(t, g.errs, 4, "the four held calls returned")
	for _, err := range g.errs {
		assert.ErrorIs(t, err, sim.ErrClosed)
	}
	assert.Len(t, g.entered, 4, "the call that waited for a slot never started")
}

func TestHoldErrors(t *testing.T) {
	auto, err := sim.New(sim.Options{Clock: sim.Automatic})
	require.NoError(t, err)
	defer auto.Close()
	assert.ErrorIs(t, auto.EnableHolds(), sim.ErrNotManual)
	assert.ErrorIs(t, auto.Hold(func() bool { return true }), sim.ErrNoHold)

	svc := ntManual(t, 0)
	assert.ErrorIs(t, svc.Hold(func() bool { return true }), sim.ErrNoHold, "before EnableHolds")
	require.NoError(t, svc.EnableHolds())
	require.NoError(t, svc.EnableHolds(), "twice")
	assert.ErrorIs(t, svc.Hold(func() bool { return true }), sim.ErrNoHold, "outside a callback")
	require.NoError(t, svc.Close())
	assert.ErrorIs(t, svc.EnableHolds(), sim.ErrClosed)
}

// With holds enabled and no callback holding, the manual clock delivers
// as it does without them: the same trace.
//
// Rules: DELIV-AT-LEAST-ONCE
func TestHoldEnabledChangesNothingElse(t *testing.T) {
	trace := func(holds bool) []string {
		svc := ntManual(t, 0)
		defer svc.Close()
		if holds {
			require.NoError(t, svc.EnableHolds())
		}
		app := ntApp(t, svc, "appA", ntAlice)
		for i := range 6 {
			job := ntJob(t, app, fmt.Sprintf("j%d", i), 2)
			require.NoError(t, job.SetNotifyInterface(ntCounting(&ntCounts{})))
			require.NoError(t, job.Resume())
		}
		ntAdvance(t, svc, time.Minute)
		var out []string
		for _, e := range svc.Trace() {
			out = append(out, fmt.Sprintf("%v %v %v", e.Kind, e.Target.App, e.Result))
		}
		return out
	}
	without := trace(false)
	require.NotEmpty(t, without)
	assert.Equal(t, without, trace(true))
}
