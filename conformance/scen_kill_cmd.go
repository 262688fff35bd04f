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
			Rule:  "CMD-ONLY-IF-NOT-DELIVERED",
			Needs: harness.Capabilities{CommandLine: true},
			// The command line runs for a TRANSFERRED event only if no
			// callback object accepted that notification: a job with only a
			// command line runs it once; an object registered afterwards is
			// called (DELIV-AFTER-REGISTRATION) and accepts, so the command
			// line does not run again.
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.SetRetryDelay(job, cmdRetryDelay)
				c.CmdLine(job, 0)
				c.Transfer(job)
				require.Len(c, c.Launches(job), 1, "with nothing else to call, the command line runs")
				c.Register(a, job, harness.Behavior{})
				c.Advance(3 * cmdRetryDelay)
				require.Len(c, To(c.Delivered(job, model.EventJobTransferred), a), 1,
					"the object registered on the TRANSFERRED job accepts JobTransferred")
				assert.Len(c, c.Launches(job), 1, "the object accepted: the command line does not run again")
			},
		},
	)
}
