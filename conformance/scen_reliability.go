package conformance

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Scenarios of the rules the reliability issue added: NUL characters and
// the all-or-nothing AddFileSet.
func init() {
	register(
		Scenario{
			Rule: "LIMIT-STRING-NUL",
			Why:  "it passes strings with a NUL character, which a script cannot write",
			// A display name, description or command line with a NUL
			// character fails with E_INVALIDARG and changes nothing.
			Run: func(c *C) {
				a := c.App(Alice)
				_, err := a.CreateJob("a\x00b", model.BG_JOB_TYPE_DOWNLOAD)
				assert.ErrorIs(c, err, model.E_INVALIDARG, "CreateJob with a NUL in the display name")
				j := c.SizedJob(a, 2048, harness.RemoteOK)
				c.Do(j.SetDisplayName("name"), "SetDisplayName")
				c.Do(j.SetDescription("description"), "SetDescription")
				assert.ErrorIs(c, j.SetDisplayName("x\x00y"), model.E_INVALIDARG, "SetDisplayName")
				assert.ErrorIs(c, j.SetDescription("x\x00y"), model.E_INVALIDARG, "SetDescription")
				assert.ErrorIs(c, j.SetNotifyCmdLine("C:\\bitssim\\a\x00.exe", ""), model.E_INVALIDARG, "SetNotifyCmdLine program")
				assert.ErrorIs(c, j.SetNotifyCmdLine(`C:\bitssim\a.exe`, "a.exe\x001"), model.E_INVALIDARG, "SetNotifyCmdLine parameters")
				name, err := j.GetDisplayName()
				require.NoError(c, err)
				assert.Equal(c, "name", name)
				d, err := j.GetDescription()
				require.NoError(c, err)
				assert.Equal(c, "description", d)
				p, args, err := j.GetNotifyCmdLine()
				require.NoError(c, err)
				assert.Empty(c, p+args, "no command line was set")
			},
		},
		Scenario{
			Rule: "FILE-ADDFILESET-ATOMIC",
			Why:  "it calls AddFileSet, which is no verb of the language",
			// A failed AddFileSet adds none of the files in the array
			// (none-added), or keeps those before the bad one (keeps-prefix).
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteOK)
				url, err := c.B.Remote(harness.RemoteOK, 2048)
				require.NoError(c, err)
				err = j.AddFileSet([]model.FileInfo{
					{RemoteName: url, LocalName: c.LocalName()},
					{RemoteName: url, LocalName: c.LocalName()},
					{RemoteName: url, LocalName: "relative.bin"},
				})
				assert.ErrorIs(c, err, model.E_INVALIDARG, "a relative local name")
				switch c.Variant("FILE-ADDFILESET-ATOMIC") {
				case rules.VarKeepsPrefix:
					assert.Len(c, c.Files(j), 3, "the two files before the bad one are kept")
				default:
					assert.Len(c, c.Files(j), 1, "the job keeps exactly the file it had")
				}
			},
		},
	)
}
