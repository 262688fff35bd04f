package sim_test

// Tests of rules added where mutation testing found documented behaviour
// that no rule stated (README "Mutation testing"), at their boundaries.
// Expectations are the rules' statements, written literally.

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// Headers of 16,383 characters are accepted, 16,384 are not, and the
// refused value keeps the previous headers.
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

// The time counted after a Resume starts from zero: a nanosecond short of
// the limit since the Resume, it has not exceeded the limit.
func TestMaxDownloadTimeResumeCountsFromZero(t *testing.T) {
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
	smtAdvance(t, svc, 60*time.Second-time.Nanosecond)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "60 s less 1 ns since the Resume")
	smtAdvance(t, svc, time.Second+time.Nanosecond)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j), "61 s since the Resume")
	e, err := j.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.HRESULT(0x80200054), e.Code, "BG_E_MAXDOWNLOAD_TIMEOUT")
}

// A file's error names its protocol as GetProtocol documents it: "http"
// for an http:// remote name, "file" for SMB however the name is written.
func TestErrorProtocolNamesSMBFile(t *testing.T) {
	// Rules: FILE-ERROR-PROTOCOL
	for _, tc := range []struct{ remote, protocol string }{
		{`http://remote.test/gone.bin`, "http"},
		{`\\server\share\gone.bin`, "file"},
		{`D:\share\gone.bin`, "file"},
		{`file://server/share/gone.bin`, "file"},
	} {
		t.Run(tc.protocol+" "+tc.remote, func(t *testing.T) {
			svc := smtService(t, sim.Options{})
			defer svc.Close()
			require.NoError(t, svc.SetRemote(tc.remote, sim.NotFound()))
			j := smtJob(t, smtApp(t, svc, "app", smtAlice), "gone", model.BG_JOB_TYPE_DOWNLOAD)
			require.NoError(t, j.AddFile(tc.remote, smtLocal("gone.bin")))
			require.NoError(t, j.Resume())
			smtRun(t, svc)
			require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, j))
			e, err := j.GetError()
			require.NoError(t, err)
			assert.Equal(t, tc.protocol, e.Protocol)
		})
	}
}
