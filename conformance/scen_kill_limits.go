package conformance

import (
	"strings"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// Scenarios of rules added where mutation testing found a documented
// behaviour that no rule stated (issue 16). Each expectation is written
// from its rule's statement.

var _ = goScenario(Scenario{
	Rule:  "LIMIT-CUSTOM-HEADERS",
	Why:   "it sets custom HTTP headers, which no statement does",
	Needs: harness.Capabilities{Version: model.BITS2_5},
	Run:   checkLimitCustomHeaders,
})

// checkLimitCustomHeaders checks LIMIT-CUSTOM-HEADERS: headers of 16,383
// characters are accepted and read back; 16,384 characters fail with
// BG_E_STRING_TOO_LONG and the previous headers are kept. The long headers
// are characters that take two bytes in UTF-8 and one UTF-16 code unit
// each, so a backend that counts bytes fails the first step.
func checkLimitCustomHeaders(c *C) {
	j := c.Job(c.App(Alice), harness.RemoteOK)
	opts, ok := j.(model.JobHTTPOptions)
	if !ok {
		c.Skipf("the backend's jobs do not implement model.JobHTTPOptions")
	}
	// "X-A: " and the final CR LF are 7 characters.
	longest := "X-A: " + strings.Repeat("é", 16383-7) + "\r\n"
	if assert.NoError(c, opts.SetCustomHeaders(longest), "SetCustomHeaders with 16,383 characters is accepted") {
		got, err := opts.GetCustomHeaders()
		if assert.NoError(c, err, "GetCustomHeaders") {
			assert.Equal(c, longest, got, "the 16,383 characters are kept")
		}
	}
	previous := "X-Previous: 1\r\n"
	c.Do(opts.SetCustomHeaders(previous), "SetCustomHeaders")
	tooLong := "X-A: " + strings.Repeat("a", 16384-7) + "\r\n"
	assert.ErrorIs(c, opts.SetCustomHeaders(tooLong), model.BG_E_STRING_TOO_LONG, "SetCustomHeaders with 16,384 characters")
	got, err := opts.GetCustomHeaders()
	if assert.NoError(c, err, "GetCustomHeaders") {
		assert.Equal(c, previous, got, "the previous headers are kept")
	}
}

var _ = goScenario(Scenario{
	Rule: "STATE-MAX-DOWNLOAD-TIME-RESUME",
	Why:  "written in Go with the other checks mutation testing asked for (the scenario language could say it: suspend, resume, setmaxdownloadtime, advance)",
	// Exact time: a limit of 20 s is checked at 15 s and 25 s.
	Needs: harness.Capabilities{VirtualTime: true, Version: model.BITS3_0},
	Run:   checkStateMaxDownloadTimeResume,
})

// checkStateMaxDownloadTimeResume checks STATE-MAX-DOWNLOAD-TIME-RESUME. A
// slow transfer (1 KB a second, 1 MB) with a 20 s limit transfers for 15 s,
// is suspended and resumed, and transfers 15 s more: 30 s in all but 15 s
// since the Resume, so it is still TRANSFERRING; 10 s later (25 s since
// the Resume) it is in ERROR with BG_E_MAXDOWNLOAD_TIMEOUT.
func checkStateMaxDownloadTimeResume(c *C) {
	j := c.SizedJob(c.App(Alice), 1<<20, harness.RemoteSlow)
	c.Do(j.SetMaximumDownloadTime(20*time.Second), "SetMaximumDownloadTime")
	c.Do(j.Resume(), "Resume")
	c.Advance(15 * time.Second)
	if !assert.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(j), "15 s of 20: transferring") {
		return
	}
	c.Do(j.Suspend(), "Suspend")
	c.Do(j.Resume(), "Resume")
	c.Advance(15 * time.Second)
	assert.Equal(c, model.BG_JOB_STATE_TRANSFERRING, c.State(j), "30 s in all, but 15 s since the Resume: still transferring")
	c.Advance(10 * time.Second)
	assert.Equal(c, model.BG_JOB_STATE_ERROR, c.State(j), "25 s since the Resume: ERROR")
	assert.Equal(c, model.BG_E_MAXDOWNLOAD_TIMEOUT, c.ErrorCode(j), "the error")
}
