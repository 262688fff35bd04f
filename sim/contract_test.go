package sim_test

// Tests of what sim's own documentation promises about its scripting API
// and the local names it accepts: behaviour no BITS rule states, so the
// conformance suite cannot check it (found by mutation testing, README
// "Mutation testing"). Expectations are written from the doc comments.

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// "2xx transfers; 5xx, 408 and 429 fail transiently and other statuses
// fatally, with BG_E_HTTP_ERROR_nnn. It reports an error for a status
// outside 100-599."
func TestContractStatusOutcome(t *testing.T) {
	for _, status := range []int{500, 503, 599, 408, 429} {
		got, err := sim.StatusOutcome(status)
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, sim.Outcome{Err: model.HTTPError(status), Transient: true}, got, "status %d fails transiently", status)
	}
	for _, status := range []int{400, 404, 407, 499, 301} {
		got, err := sim.StatusOutcome(status)
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, sim.Outcome{Err: model.HTTPError(status)}, got, "status %d fails fatally", status)
	}
	for _, status := range []int{200, 206, 299} {
		got, err := sim.StatusOutcome(status)
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, sim.Outcome{}, got, "status %d transfers", status)
	}
	for _, status := range []int{99, 600, -1} {
		_, err := sim.StatusOutcome(status)
		assert.ErrorIs(t, err, model.E_INVALIDARG, "status %d", status)
	}
}

// "HTTPStatus is a Remote that answers with an HTTP status: 2xx transfers
// size bytes, 5xx and 408/429 fail transiently for ever, other statuses
// fail fatally with BG_E_HTTP_ERROR_nnn."
func TestContractHTTPStatus(t *testing.T) {
	for _, status := range []int{408, 429, 500, 503} {
		r := sim.HTTPStatus(status, 10)
		assert.Equal(t, model.HTTPError(status), r.TransientError, "status %d", status)
		assert.Positive(t, r.TransientFailures, "status %d fails transiently", status)
		assert.Zero(t, r.Fatal, "status %d is not fatal", status)
	}
	for _, status := range []int{404, 409, 410} {
		r := sim.HTTPStatus(status, 10)
		assert.Equal(t, model.HTTPError(status), r.Fatal, "status %d", status)
		assert.Zero(t, r.TransientFailures, "status %d", status)
	}
	r := sim.HTTPStatus(200, 10)
	assert.Equal(t, sim.Remote{Size: 10}, r)
}

// A Remote's TransientError defaults to BG_E_HTTP_ERROR_503: a job whose
// remote fails transiently without one reports that error.
func TestContractDefaultTransientError(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	const url = "https://example.com/flaky.bin"
	require.NoError(t, svc.SetRemote(url, sim.Remote{Size: 10, TransientFailures: 1}))
	app := ntApp(t, svc, "app", ntAlice)
	job, err := app.CreateJob("flaky", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(url, `C:\downloads\flaky.bin`))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle())
	st, err := job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, st, "the first attempt fails transiently")
	e, err := job.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.HTTPError(503), e.Code, "the default transient error")
}

// Local names must be absolute: "Windows drive paths (C:\x), UNC paths
// (\\h\s\x) and, for tests written on Unix, /x"; a relative name is
// E_INVALIDARG.
func TestContractAbsoluteLocalNames(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "app", ntAlice)
	job, err := app.CreateJob("paths", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	for _, local := range []string{`C:\downloads\a.bin`, `d:/downloads/b.bin`, `\\server\share\c.bin`, `/tmp/d.bin`} {
		assert.NoError(t, job.AddFile("https://example.com/x.bin", local), "%s is absolute", local)
	}
	for _, local := range []string{`e.bin`, `downloads\f.bin`, `C:g.bin`, `\h.bin`} {
		assert.ErrorIs(t, job.AddFile("https://example.com/x.bin", local), model.E_INVALIDARG, "%s is relative", local)
	}
}
