package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

func TestLimitCustomHeadersBoundary(t *testing.T) {
	// Rules: LIMIT-CUSTOM-HEADERS
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "a", smtAlice), "j", model.BG_JOB_TYPE_DOWNLOAD)
	opts := j.(model.JobHTTPOptions)
	// "X-A: " and the closing CR LF are 7 characters; "é" is one UTF-16
	// character but two UTF-8 bytes, so counting bytes would refuse it.
	longest := "X-A: " + strings.Repeat("é", 16383-7) + "\r\n"
	require.NoError(t, opts.SetCustomHeaders(longest), "16,383 characters are accepted")
	got, err := opts.GetCustomHeaders()
	require.NoError(t, err)
	assert.Equal(t, longest, got)

	previous := "X-Previous: 1\r\n"
	require.NoError(t, opts.SetCustomHeaders(previous))
	tooLong := "X-A: " + strings.Repeat("a", 16384-7) + "\r\n"
	smtIsHR(t, opts.SetCustomHeaders(tooLong), model.BG_E_STRING_TOO_LONG, "16,384 characters")
	smtIsHR(t, opts.SetCustomHeaders(tooLong), model.HRESULT(0x80200021))
	got, err = opts.GetCustomHeaders()
	require.NoError(t, err)
	assert.Equal(t, previous, got, "the previous headers are kept")
}

func TestMaxDownloadTimeResumeResets(t *testing.T) {
	// Rules: STATE-MAX-DOWNLOAD-TIME-RESUME
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("huge.bin"), sim.Remote{Size: 1 << 30, Rate: 100}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "slow", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "huge.bin")
	require.NoError(t, j.SetMaximumDownloadTime(20*time.Second))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 15*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "15 s of 20")
	require.NoError(t, j.Suspend())
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, 15*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "30 s in all but 15 s since the Resume")
	smtAdvance(t, svc, 10*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "25 s since the Resume")
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.HRESULT(0x80200054), e.Code, "BG_E_MAXDOWNLOAD_TIMEOUT")
}
