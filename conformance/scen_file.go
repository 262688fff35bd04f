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
			Rule: "FILE-ERROR-STOPS-JOB",
			// A non-recoverable error on one file puts the whole job in ERROR
			// and BITS transfers none of the later files.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.SizedJob(a, 2048, harness.RemoteOK, harness.RemoteFatal, harness.RemoteOK)
				c.Transfer(j)
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j))
				c.Settle()
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j))
				ps := fiProgress(c, j)
				require.Len(c, ps, 3)
				assert.True(c, ps[0].Completed, "the file before the error is transferred")
				assert.False(c, ps[1].Completed, "the failed file")
				assert.False(c, ps[2].Completed, "the later file is not transferred")
				assert.Zero(c, ps[2].BytesTransferred, "no byte of the later file")
				jp, err := j.GetProgress()
				require.NoError(c, err)
				assert.Equal(c, uint32(1), jp.FilesTransferred)
			},
		},
		Scenario{
			Rule: "FILE-FIFO",
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
			Rule:  "FILE-RANGES-SUSPEND",
			Needs: harness.Capabilities{Version: model.BITS10_1},
			// When every range requested with RequestFileRanges is downloaded,
			// an on-demand job is SUSPENDED if the file is not whole, and
			// TRANSFERRED once it is.
			Run: func(c *C) {
				a := c.App(Alice)
				j, err := a.CreateJob("on demand", model.BG_JOB_TYPE_DOWNLOAD)
				require.NoError(c, err)
				c.Do(j.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}), "SetProperty(ON_DEMAND_MODE)")
				c.AddFile(j, harness.RemoteOK, 8192)
				files := c.Files(j)
				require.Len(c, files, 1)
				f := files[0]

				c.Do(f.RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 1024}}), "RequestFileRanges(0+1024)")
				c.Transfer(j)
				assert.Equal(c, model.BG_JOB_STATE_SUSPENDED, c.State(j), "part of the file: SUSPENDED")
				filled, err := f.GetFilledFileRanges()
				assert.NoError(c, err)
				assert.Equal(c, []model.FileRange{{InitialOffset: 0, Length: 1024}}, filled)

				c.Do(f.RequestFileRanges([]model.FileRange{{InitialOffset: 1024, Length: model.BG_LENGTH_TO_EOF}}), "RequestFileRanges(1024+EOF)")
				c.Transfer(j)
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j), "the whole file: TRANSFERRED")
			},
		},
		Scenario{
			Rule:  "FILE-TEMPORARY-NAME",
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
		Scenario{
			Rule:  "FILE-VALIDATION-FALSE-ORIGIN",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// SetValidationState(FALSE) on a file from the origin server moves
			// the job to ERROR with BG_E_VALIDATION_FAILED and resets the
			// file's transferred bytes to 0.
			Run: func(c *C) {
				a := c.App(Alice)
				j := c.Reach(a, model.BG_JOB_STATE_TRANSFERRED)
				f := c.Files(j)[0]
				peer, err := f.IsDownloadedFromPeer()
				require.NoError(c, err)
				require.False(c, peer, "precondition: the origin served the file")
				p, err := f.GetProgress()
				require.NoError(c, err)
				require.Equal(c, uint64(2048), p.BytesTransferred, "precondition: transferred")
				assert.NoError(c, f.SetValidationState(false))
				assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j))
				assert.Equal(c, model.BG_E_VALIDATION_FAILED, c.ErrorCode(j))
				p, err = f.GetProgress()
				assert.NoError(c, err)
				assert.Zero(c, p.BytesTransferred, "transferred bytes reset to 0")
			},
		},
		Scenario{
			Rule:  "FILE-VALIDATION-PENDING",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// SetValidationState on a file that has not finished transferring
			// fails with E_PENDING.
			Run: func(c *C) {
				a := c.App(Alice)
				idle := c.Reach(a, model.BG_JOB_STATE_SUSPENDED)
				f := c.Files(idle)[0]
				assert.ErrorIs(c, f.SetValidationState(true), model.E_PENDING, "SUSPENDED, nothing transferred")
				assert.ErrorIs(c, f.SetValidationState(false), model.E_PENDING, "SUSPENDED, nothing transferred")

				busy := c.Reach(a, model.BG_JOB_STATE_TRANSFERRING)
				g := c.Files(busy)[0]
				assert.ErrorIs(c, g.SetValidationState(true), model.E_PENDING, "TRANSFERRING")
				assert.ErrorIs(c, g.SetValidationState(false), model.E_PENDING, "TRANSFERRING")
				assert.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(busy))
			},
		},
	)
}
