package conformance

import (
	"strings"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// FILE-ERROR-PROTOCOL: a job whose file fails fatally reports an error
// about that file whose protocol is "http" for an http:// remote name and
// "file" for an SMB one. The expectation comes from the remote name the
// error reports, read as the statement reads it, so the scenario holds on
// any backend whatever form its remotes take.
var _ = goScenario(Scenario{
	Rule: "FILE-ERROR-PROTOCOL",
	Why:  "the expected protocol depends on the form of the remote name the backend made, which a scenario file cannot read",
	Run: func(c *C) {
		a := c.App(Alice)
		job := c.Job(a, harness.RemoteFatal)
		c.Transfer(job)
		require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(job), "the file's remote fails fatally")
		e, err := job.GetError()
		c.Do(err, "GetError")
		remote := strings.ToLower(e.File.RemoteName)
		var want string
		switch {
		case strings.HasPrefix(remote, "http://"):
			want = "http"
		case strings.HasPrefix(remote, `\\`), strings.HasPrefix(remote, "file://"),
			len(remote) >= 3 && remote[1] == ':' && remote[2] == '\\':
			want = "file"
		default:
			c.Skipf("the backend's failing remote %q is neither http:// nor SMB: the statement names no protocol for it", e.File.RemoteName)
		}
		assert.Equal(c, want, e.Protocol, "GetProtocol of the error about %s", e.File.RemoteName)
	},
})
