package conformance

import (
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

func init() {
	markUntestable("FILE-CANCEL-DELETES",
		"whether files exist on disk under their local or temporary names is outside the API: no method reports it, and the harness has no file-system view")
	markUntestable("FILE-NOT-AVAILABLE-UNTIL-COMPLETE",
		"whether a file exists under its local name before Complete is outside the API: no method reports it, and the harness has no file-system view")
	markUntestable("FILE-VALIDATION-FALSE-PEER",
		"no backend can make a peer serve a file: harness.Remote only makes origin servers (ok, transient, fatal, slow), so IsDownloadedFromPeer is never true")
}

// fiProgress returns the progress of every file of j, or stops the scenario.
func fiProgress(c *C, j model.Job) []model.FileProgress {
	var out []model.FileProgress
	for _, f := range c.Files(j) {
		p, err := f.GetProgress()
		require.NoError(c, err)
		out = append(out, p)
	}
	return out
}

func init() {
	register(
		Scenario{
			Rule: "FILE-ADD-FINAL-STATE",
			Why:  "it calls AddFileSet, which is no verb of the language, and follows the backend's version",
			// AddFile, AddFileSet and AddFileWithRanges on a CANCELLED or
			// ACKNOWLEDGED job fail with BG_E_INVALID_STATE and add nothing.
			Run: func(c *C) {
				a := c.App(Alice)
				url, err := c.B.Remote(harness.RemoteOK, 2048)
				require.NoError(c, err)
				for _, st := range []model.JobState{model.BG_JOB_STATE_CANCELLED, model.BG_JOB_STATE_ACKNOWLEDGED} {
					j := c.Reach(a, st)
					assert.ErrorIs(c, j.AddFile(url, c.LocalName()), model.BG_E_INVALID_STATE, "AddFile on a %v job", st)
					assert.ErrorIs(c, j.AddFileSet([]model.FileInfo{{RemoteName: url, LocalName: c.LocalName()}}),
						model.BG_E_INVALID_STATE, "AddFileSet on a %v job", st)
					if c.Version() >= model.BITS2_0 { // IBackgroundCopyJob3
						assert.ErrorIs(c, j.AddFileWithRanges(url, c.LocalName(), []model.FileRange{{InitialOffset: 0, Length: 100}}),
							model.BG_E_INVALID_STATE, "AddFileWithRanges on a %v job", st)
					}
					assert.Len(c, c.Files(j), 1, "nothing added to the %v job", st)
				}
			},
		},
		Scenario{
			Rule: "FILE-FIFO",
			Why:  "it checks an invariant of every file's progress at every second of the transfer, a loop a script cannot write",
			// Exact time: each file must be caught part-way, second by second.
			Needs: harness.Capabilities{VirtualTime: true},
			// BITS transfers the files of a job one at a time, in the order
			// they were added: at any moment the files transferred so far are
			// a prefix, at most one file is partly transferred, and no later
			// file has a byte.
			Run: func(c *C) {
				a := c.App(Alice)
				const n = 3
				j := c.SizedJob(a, 4096, harness.RemoteSlow, harness.RemoteSlow, harness.RemoteSlow) // 4 s each
				var locals []string
				for _, f := range c.Files(j) {
					l, err := f.GetLocalName()
					require.NoError(c, err)
					locals = append(locals, l)
				}
				fileFlags := c.Version() >= model.BITS3_0
				if fileFlags {
					c.SetFlags(j, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_TRANSFERRED)
					c.Register(a, j, harness.Behavior{})
				}
				c.Transfer(j)
				partial := map[int]bool{}
				for step := 0; step < 20 && c.State(j) != model.BG_JOB_STATE_TRANSFERRED; step++ {
					c.Advance(time.Second)
					ps := fiProgress(c, j)
					require.Len(c, ps, n)
					started := false // a file before this one is not complete
					for i, p := range ps {
						if started {
							assert.Zero(c, p.BytesTransferred, "second %d: file %d has bytes before an earlier file is done", step+1, i)
						}
						if !p.Completed {
							if p.BytesTransferred > 0 {
								partial[i] = true
							}
							started = true
						}
					}
				}
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
				assert.Len(c, partial, n, "each file was seen partly transferred on its own")
				if fileFlags {
					var order []string
					for _, e := range To(c.Delivered(j, model.EventFileTransferred), a) {
						order = append(order, e.File)
					}
					assert.Equal(c, locals, order, "FileTransferred in the order the files were added")
				}
			},
		},
		Scenario{
			Rule:  "FILE-TEMPORARY-NAME",
			Why:   "it reads GetTemporaryName, which no expectation reads",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// GetTemporaryName returns the file BITS writes during the
			// transfer, in the destination directory. (The rename at Complete
			// happens on disk and is not observable.)
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, slowSize, harness.RemoteSlow)
				c.Transfer(j)
				c.Advance(2 * time.Second)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(j))
				f := c.Files(j)[0]
				local, err := f.GetLocalName()
				require.NoError(c, err)
				tmp, err := f.GetTemporaryName()
				require.NoError(c, err)
				assert.NotEmpty(c, tmp)
				assert.NotEqual(c, local, tmp, "a temporary name, not the local name")
				dir := local[:strings.LastIndexAny(local, `\/`)+1]
				require.True(c, strings.HasPrefix(tmp, dir), "temporary file %q in the destination directory %q", tmp, dir)
				assert.NotContains(c, tmp[len(dir):], `\`, "temporary file %q directly in %q", tmp, dir)
			},
		},
	)
}
