package conformance

import (
	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

func init() {
	register()
}

func init() {
	markUntestable("OBJ-GET-NULL-ARG",
		"the Go API returns the object as a value (GetNotifyInterface() (Callback, error)): there is no output pointer a caller could pass as NULL, on any backend")

	register(
		Scenario{
			Rule: "OBJ-NO-CALLBACK-INTERFACE",
			Why:  "fallback where the scenario runner cannot play the rule's file: an object without a callback interface needs harness.InProcessCallbacks (winbits and wrapping backends lack it)",
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
	)
}
