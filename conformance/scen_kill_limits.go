package conformance

import (
	"strings"

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
