package conformance

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Scenarios of the open questions made explicit rules (rules/gaps.go),
// each with its expectations written per reading.
func init() {
	markUntestable("LIMIT-NULL-STRING-COM",
		"the model API has no NULL string: an empty Go string is sent as an empty string, so no backend "+
			"can be handed a NULL through it (winbits' own tests cover what it sends)")

	register(
		Scenario{
			Rule:  "CLSID-NOT-NOTIFY-INTERFACE",
			Why:   "the reports-instance reading expects GetNotifyInterface to return an object of no app, which 'expect interface' cannot name",
			Needs: harness.Capabilities{CLSID: true, Version: model.BITS5_0},
			Run: func(c *C) {
				a := c.App(Alice)
				job := c.Job(a, harness.RemoteOK)
				c.Do(job.SetNotifyCLSID(c.Class(harness.Behavior{})), "SetNotifyCLSID")
				c.Transfer(job)
				require.Len(c, c.Delivered(job, model.EventJobTransferred), 1, "precondition: an instance was activated and notified")
				cb, err := job.GetNotifyInterface()
				c.Do(err, "GetNotifyInterface")
				switch c.Variant("CLSID-NOT-NOTIFY-INTERFACE") {
				case rules.VarNotReported: // "keeps returning what SetNotifyInterface last set (NULL if nothing)"
					assert.Nil(c, cb, "GetNotifyInterface after the CLSID instance was activated")
				case rules.VarReportsInstance: // "returns S_OK and a non-NULL pointer to it"
					assert.NotNil(c, cb, "GetNotifyInterface after the CLSID instance was activated")
				}
			},
		},
	)
}
