package conformance

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
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
				c.Do(job.SetNotifyInterface(a.Callback(harness.Behavior{})), "SetNotifyInterface(a)")
				jb, err := b.GetJob(job.GetId())
				require.NoError(c, err)
				c.Do(jb.SetNotifyInterface(b.Callback(harness.Behavior{})), "SetNotifyInterface(b)")
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
				c.Do(job.SetNotifyInterface(a.Callback(harness.Behavior{})), "SetNotifyInterface")
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
				c.Do(job.SetNotifyInterface(a.Callback(harness.Behavior{})), "SetNotifyInterface")
				c.Do(a.Crash(), "Crash")
				jo, err := observer.GetJob(job.GetId())
				require.NoError(c, err)
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
