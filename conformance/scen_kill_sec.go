package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

func init() {
	registerMore(
		Scenario{
			Rule:  "SEC-ADMIN-MODIFY",
			Needs: harness.Capabilities{Users: true},
			// "An elevated administrator can call every method of another
			// user's job, setters included": a setter the administrator
			// calls sets the value, and the owner reads back exactly what
			// the administrator set.
			Run: func(c *C) {
				alice, admin := c.App(Alice), c.App(Admin)
				mine := c.Job(alice, harness.RemoteOK)
				j, err := admin.GetJob(mine.GetId())
				require.NoError(c, err, "GetJob by the administrator")
				v := c.Version()
				c.Do(j.SetDisplayName("named by admin"), "SetDisplayName by the administrator")
				c.Do(j.SetDescription("described by admin"), "SetDescription by the administrator")
				c.Do(j.SetPriority(model.BG_JOB_PRIORITY_LOW), "SetPriority by the administrator")
				c.Do(j.SetNotifyFlags(model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_JOB_MODIFICATION), "SetNotifyFlags by the administrator")
				c.Do(j.SetMinimumRetryDelay(120*time.Second), "SetMinimumRetryDelay by the administrator")
				c.Do(j.SetNoProgressTimeout(7200*time.Second), "SetNoProgressTimeout by the administrator")
				if v >= model.BITS3_0 {
					c.Do(j.SetMaximumDownloadTime(5400*time.Second), "SetMaximumDownloadTime by the administrator")
				}
				if v >= model.BITS5_0 {
					c.Do(j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 0x5}), "SetProperty(COST_FLAGS) by the administrator")
				}
				// The owner reads the values back through its own handle.
				name, err := mine.GetDisplayName()
				assert.NoError(c, err)
				assert.Equal(c, "named by admin", name, "display name")
				desc, err := mine.GetDescription()
				assert.NoError(c, err)
				assert.Equal(c, "described by admin", desc, "description")
				prio, err := mine.GetPriority()
				assert.NoError(c, err)
				assert.Equal(c, model.BG_JOB_PRIORITY_LOW, prio, "priority")
				flags, err := mine.GetNotifyFlags()
				assert.NoError(c, err)
				assert.Equal(c, model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_JOB_MODIFICATION, flags, "notify flags")
				d, err := mine.GetMinimumRetryDelay()
				assert.NoError(c, err)
				assert.Equal(c, 120*time.Second, d, "minimum retry delay")
				d, err = mine.GetNoProgressTimeout()
				assert.NoError(c, err)
				assert.Equal(c, 7200*time.Second, d, "no-progress timeout")
				if v >= model.BITS3_0 {
					d, err = mine.GetMaximumDownloadTime()
					assert.NoError(c, err)
					assert.Equal(c, 5400*time.Second, d, "maximum download time")
				}
				if v >= model.BITS5_0 {
					pv, err := mine.GetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS)
					assert.NoError(c, err)
					assert.Equal(c, uint32(0x5), pv.DWORD, "cost flags")
				}
				owner, err := mine.GetOwner()
				assert.NoError(c, err)
				assert.Equal(c, Alice.Name, owner, "the owner stays the same")
			},
		},
	)
}
