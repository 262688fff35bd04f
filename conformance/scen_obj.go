package conformance

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

func init() {
	register(
		Scenario{
			Rule: "OBJ-LAST-WRITER-WINS",
			// Two applications register objects on one job; only the
			// second receives notifications, the first none.
			Run: func(c *C) {
				a, b := c.App(Alice), c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.Register(a, job, harness.Behavior{})
				c.Register(b, c.JobIn(b, job), harness.Behavior{})
				c.Transfer(job)
				got := c.Delivered(job, model.EventJobTransferred)
				assert.Len(c, To(got, b), 1, "the last writer receives JobTransferred")
				assert.Empty(c, To(got, a), "the earlier writer receives nothing")
			},
		},
		Scenario{
			Rule: "OBJ-NULL-CLEARS",
			// SetNotifyInterface(NULL) removes the object: GetNotifyInterface
			// returns NULL and the object receives nothing.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.Register(a, job, harness.Behavior{})
				c.Do(job.SetNotifyInterface(nil), "SetNotifyInterface(nil)")
				cb, err := job.GetNotifyInterface()
				require.NoError(c, err)
				assert.Nil(c, cb)
				c.Transfer(job)
				assert.Empty(c, c.Calls(job, model.EventJobTransferred))
			},
		},
		Scenario{
			Rule: "OBJ-DEFAULT-NONE",
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				cb, err := job.GetNotifyInterface()
				assert.NoError(c, err)
				assert.Nil(c, cb)
			},
		},
		Scenario{
			Rule: "OBJ-FINAL-STATE",
			// On a CANCELLED or ACKNOWLEDGED job SetNotifyInterface fails with
			// BG_E_INVALID_STATE.
			Run: func(c *C) {
				a := c.App(Alice)
				cancelled := c.Job(a)
				c.Do(cancelled.Cancel(), "Cancel")
				assert.ErrorIs(c, cancelled.SetNotifyInterface(a.Callback(harness.Behavior{})), model.BG_E_INVALID_STATE)
				assert.ErrorIs(c, cancelled.SetNotifyInterface(nil), model.BG_E_INVALID_STATE)
				acked := c.Job(a, harness.RemoteOK)
				c.Transfer(acked)
				_, err := acked.Complete()
				c.Do(err, "Complete")
				assert.ErrorIs(c, acked.SetNotifyInterface(a.Callback(harness.Behavior{})), model.BG_E_INVALID_STATE)
			},
		},
		Scenario{
			Rule:  "OBJ-DISCOVER-DEAD",
			Needs: harness.Capabilities{Crash: true},
			// The app that holds the object dies; BITS learns it only when it
			// calls: afterwards GetNotifyInterface returns NULL.
			Run: func(c *C) {
				a, observer := c.App(Alice), c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.Register(a, job, harness.Behavior{})
				c.Do(a.Crash(), "Crash")
				jo := c.JobIn(observer, job)
				cb, err := jo.GetNotifyInterface()
				require.NoError(c, err)
				assert.NotNil(c, cb, "before any call BITS still holds the object")
				c.Transfer(jo)
				cb, err = jo.GetNotifyInterface()
				require.NoError(c, err)
				assert.Nil(c, cb, "after the failed call the object is gone")
				assert.Empty(c, c.Delivered(jo, model.EventJobTransferred))
			},
		},
	)
}

func init() {
	markUntestable("OBJ-GET-NULL-ARG",
		"the Go API returns the object as a value (GetNotifyInterface() (Callback, error)): there is no output pointer a caller could pass as NULL, on any backend")

	register(
		Scenario{
			Rule: "OBJ-CLEAR-BEFORE-EXIT",
			// An app that calls SetNotifyInterface(NULL) before it exits
			// receives nothing more for the job. (That BITS makes no failing
			// call is not visible: the trace holds what receivers observed.)
			Run: func(c *C) {
				owner, leaver := c.App(Alice), c.App(Alice)
				job := c.Job(owner, harness.RemoteOK)
				jl := c.JobIn(leaver, job)
				c.Register(leaver, jl, harness.Behavior{})
				c.Do(jl.SetNotifyInterface(nil), "SetNotifyInterface(nil)")
				c.Do(leaver.Exit(), "Exit")
				c.Transfer(job)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				cb, err := job.GetNotifyInterface()
				assert.NoError(c, err)
				assert.Nil(c, cb, "no object is registered")
				assert.Empty(c, To(c.B.Trace(), leaver), "the app that cleared its object and exited receives nothing")

				// App.Exit clears the app's registrations itself (a clean exit,
				// unlike a crash): at once, before BITS calls anything.
				exiter := c.App(Alice)
				other := c.Job(owner, harness.RemoteOK)
				c.Register(exiter, c.JobIn(exiter, other), harness.Behavior{})
				c.Do(exiter.Exit(), "Exit")
				cb, err = other.GetNotifyInterface()
				assert.NoError(c, err)
				assert.Nil(c, cb, "Exit cleared the object before the app ended")
				c.Transfer(other)
				assert.Empty(c, To(c.B.Trace(), exiter), "the app that exited receives nothing")
			},
		},
		Scenario{
			Rule: "OBJ-NO-CALLBACK-INTERFACE",
			// SetNotifyInterface with an object that implements no callback
			// interface fails with E_NOINTERFACE and keeps the previous object.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.Register(a, job, harness.Behavior{})
				notACallback := &struct{ Name string }{Name: "not a callback"}
				assert.ErrorIs(c, job.SetNotifyInterface(notACallback), model.E_NOINTERFACE)
				cb, err := job.GetNotifyInterface()
				assert.NoError(c, err)
				c.Transfer(job)
				switch c.Variant("OBJ-NO-CALLBACK-INTERFACE") {
				case rules.VarKeepsOld: // "keeps the previously registered object"
					assert.NotNil(c, cb, "the previous object stays registered")
					assert.Len(c, To(c.Delivered(job, model.EventJobTransferred), a), 1, "the previous object receives JobTransferred")
				case rules.VarClearsOld: // "removes the previously registered object"
					assert.Nil(c, cb, "the previous object is removed")
					assert.Empty(c, To(c.Calls(job, model.EventJobTransferred), a), "the previous object receives nothing")
				}
			},
		},
		Scenario{
			Rule:  "OBJ-NOT-PERSISTED",
			Needs: harness.Capabilities{Crash: true, Restart: true},
			// An object counts only while its process runs: after the process
			// ends nothing is delivered to it, and BITS does not store it with
			// the job (a restart loses it).
			Run: func(c *C) {
				owner, dying, living := c.App(Alice), c.App(Alice), c.App(Alice)

				afterExit := c.Job(owner, harness.RemoteOK)
				jd := c.JobIn(dying, afterExit)
				c.Register(dying, jd, harness.Behavior{})
				c.Do(dying.Crash(), "Crash")
				c.Transfer(afterExit)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(afterExit))
				assert.Empty(c, To(c.Delivered(afterExit, model.EventJobTransferred), dying), "nothing is delivered after the process ended")

				afterRestart := c.Job(owner, harness.RemoteOK)
				jl := c.JobIn(living, afterRestart)
				c.Register(living, jl, harness.Behavior{})
				id := afterRestart.GetId()
				c.Restart()
				j2 := c.JobByID(c.App(Alice), id)
				cb, err := j2.GetNotifyInterface()
				assert.NoError(c, err)
				assert.Nil(c, cb, "the object is not stored with the job")
				c.Transfer(j2)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j2))
				assert.Empty(c, To(c.TraceOf(j2), living), "the object registered before the restart is not called")
			},
		},
	)
}
