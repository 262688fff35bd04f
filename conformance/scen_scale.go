package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// Go scenarios that loop over hundreds of jobs, files or ranges, or over
// every second of a transfer: loops a script cannot write.

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

var _ = goScenario(Scenario{Rule: "FILE-FIFO", Why: "it checks an invariant of every file's progress at every second of the transfer, a loop a script cannot write", Needs: harness.Capabilities{VirtualTime: true}, Run: checkFileFifo})

// checkFileFifo checks FILE-FIFO. Exact time: each file must be caught part-
// way, second by second. BITS transfers the files of a job one at a time, in
// the order they were added: at any moment the files transferred so far are
// a prefix, at most one file is partly transferred, and no later file has a
// byte.
func checkFileFifo(c *C) {
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
}
