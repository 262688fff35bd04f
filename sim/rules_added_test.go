package sim_test

// Tests of rules added where mutation testing found documented behaviour
// that no rule stated (README "Mutation testing"). Expectations are the
// rules' statements, written literally.

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

func TestCustomHeadersLimit(t *testing.T) {
	// Rules: LIMIT-CUSTOM-HEADERS
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "headers", model.BG_JOB_TYPE_DOWNLOAD)
	opts, ok := j.(model.JobHTTPOptions)
	require.True(t, ok, "a BITS 10.3 job implements JobHTTPOptions")

	// 16,383 characters, each one UTF-16 code unit (and two UTF-8 bytes).
	longest := "X-A: " + strings.Repeat("é", 16383-7) + "\r\n"
	require.NoError(t, opts.SetCustomHeaders(longest), "16,383 characters are accepted")
	got, err := opts.GetCustomHeaders()
	require.NoError(t, err)
	assert.Equal(t, longest, got)

	require.NoError(t, opts.SetCustomHeaders("X-Previous: 1\r\n"))
	err = opts.SetCustomHeaders("X-A: " + strings.Repeat("a", 16384-7) + "\r\n")
	assert.ErrorIs(t, err, model.BG_E_STRING_TOO_LONG, "16,384 characters")
	assert.ErrorIs(t, err, model.HRESULT(0x80200021))
	got, err = opts.GetCustomHeaders()
	require.NoError(t, err)
	assert.Equal(t, "X-Previous: 1\r\n", got, "the previous headers are kept")
}

func TestTransferMaxDownloadTimeResumeResets(t *testing.T) {
	// Rules: STATE-MAX-DOWNLOAD-TIME-RESUME
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("huge.bin"), sim.Remote{Size: 1 << 30, Rate: 100}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "slow", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "huge.bin")
	require.NoError(t, j.SetMaximumDownloadTime(60*time.Second))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 40*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "40 s of 60")
	require.NoError(t, j.Suspend())
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 40*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "80 s in all, 40 s since the Resume")
	// The time since the Resume counts from zero: a nanosecond short of
	// the limit it has not exceeded it.
	smtAdvance(t, svc, 20*time.Second-time.Nanosecond)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "60 s less 1 ns since the Resume")
	smtAdvance(t, svc, time.Second+time.Nanosecond)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "61 s since the Resume")
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.HRESULT(0x80200054), e.Code, "BG_E_MAXDOWNLOAD_TIMEOUT")
}
