package conformance

import (
	"errors"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

func init() {
	registerMore(
		Scenario{
			Rule: "DELIV-MODIFICATION-SUSPENDED",
			// "Changing a property of a SUSPENDED job (for example with
			// SetDescription) produces a JobModification call": so does every
			// other property setter, each on a job of its own.
			Run: func(c *C) {
				a := c.App(Alice)
				v := c.Version()
				changes := []struct {
					what string
					do   func(j model.Job) error
				}{
					{"SetDisplayName", func(j model.Job) error { return j.SetDisplayName("renamed while suspended") }},
					{"SetPriority", func(j model.Job) error { return j.SetPriority(model.BG_JOB_PRIORITY_HIGH) }},
					{"SetMinimumRetryDelay", func(j model.Job) error { return j.SetMinimumRetryDelay(90 * time.Second) }},
					{"SetNoProgressTimeout", func(j model.Job) error { return j.SetNoProgressTimeout(7200 * time.Second) }},
				}
				if v >= model.BITS3_0 {
					changes = append(changes, struct {
						what string
						do   func(j model.Job) error
					}{"SetMaximumDownloadTime", func(j model.Job) error { return j.SetMaximumDownloadTime(3600 * time.Second) }})
				}
				if v >= model.BITS5_0 {
					changes = append(changes, struct {
						what string
						do   func(j model.Job) error
					}{"SetProperty(COST_FLAGS)", func(j model.Job) error {
						return j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 0x3})
					}})
				}
				for _, ch := range changes {
					job := c.Job(a, harness.RemoteOK)
					c.SetFlags(job, delivStd)
					c.Register(a, job, harness.Behavior{})
					c.Advance(2 * time.Second)
					require.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(job))
					n := len(delivMods(c, job))
					err := ch.do(job)
					if errors.Is(err, model.E_NOTIMPL) {
						// A backend without the setter (Wine's
						// SetDisplayName) changes nothing: the rule speaks of
						// the setters it has.
						continue
					}
					c.Do(err, ch.what)
					c.Advance(2 * time.Second)
					mods := delivMods(c, job)[n:]
					switch c.Variant("DELIV-MODIFICATION-SUSPENDED") {
					case rules.VarSent: // "produces a JobModification call"
						assert.Len(c, mods, 1, "one JobModification for %s", ch.what)
					case rules.VarNotSent: // "produces no JobModification call"
						assert.Empty(c, mods, "no JobModification for %s", ch.what)
					}
					assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(job))
				}
			},
		},
	)
}
