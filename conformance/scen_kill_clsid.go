package conformance

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

func init() {
	registerMore(
		Scenario{
			Rule: "CLSID-INSTANCE-REUSED",
			// Exact time: the second file must still be transferring when
			// the first one's notification has arrived.
			Needs: harness.Capabilities{CLSID: true, VirtualTime: true, Version: model.BITS5_0},
			// The instance receives every further notification "until the
			// instance disconnects or SetNotifyInterface registers an
			// object": another application of the owner that exits cleanly
			// is neither, so the instance is still the one called.
			Run: func(c *C) {
				a := c.App(Alice)
				other := c.App(Alice)
				x := c.Class(harness.Behavior{})
				job := c.Job(a, harness.RemoteOK, harness.RemoteSlow)
				c.SetFlags(job, 0x13)
				c.Do(job.SetNotifyCLSID(x), "SetNotifyCLSID")
				c.Transfer(job)
				first := ToCLSID(c.Delivered(job, model.EventFileTransferred), x)
				require.Len(c, first, 1, "FileTransferred of the first file activates an instance")
				require.NotEqual(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job), "the second file is still transferring")
				c.Do(other.Exit(), "Exit of another application of the owner")
				c.Advance(flagsWait)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(job))
				evs := ToCLSID(c.TraceOf(job), x)
				assert.Len(c, evs, 3, "FileTransferred twice and JobTransferred, all to the class")
				for _, e := range evs {
					assert.Equal(c, first[0].Target.Instance, e.Target.Instance, "%v goes to the instance activated first", e.Kind)
				}
			},
		},
	)
}
