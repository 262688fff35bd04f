package sim_test

// Tests of the rules corrected and added when the rulebook was read again
// against Microsoft's pages (issue 11, part B). Each expectation is the
// rule's statement written out literally.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

func TestTruthGetErrorUntilTransferring(t *testing.T) {
	// Rules: STATE-GET-ERROR-UNAVAILABLE
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Remote{Size: 2048, Latency: 5 * time.Second,
		TransientFailures: 1, TransientError: model.HTTPError(503)}))
	require.NoError(t, svc.SetRemote(smtURL("gone.bin"), sim.NotFound()))
	app := smtApp(t, svc, "app", smtAlice)

	// A new job has met no error.
	j := smtJob(t, app, "flaky", model.BG_JOB_TYPE_DOWNLOAD)
	_, err := j.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE, "a new job")

	smtAdd(t, j, "flaky.bin")
	require.NoError(t, j.Resume())
	smtAdvance(t, svc, 5*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
	e, err := j.GetError()
	require.NoError(t, err, "TRANSIENT_ERROR")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	require.NoError(t, j.Suspend())
	require.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	e, err = j.GetError()
	require.NoError(t, err, "SUSPENDED after TRANSIENT_ERROR")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	require.NoError(t, j.Resume())
	require.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j))
	e, err = j.GetError()
	require.NoError(t, err, "QUEUED after Resume")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_CONNECTING, smtState(t, j), "the remote takes 5 s to connect")
	e, err = j.GetError()
	require.NoError(t, err, "CONNECTING after Resume")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	smtAdvance(t, svc, 5*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	_, err = j.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE, "the job entered TRANSFERRING since the error")

	// ERROR, then Suspend: still readable.
	bad := smtJob(t, app, "gone", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, bad, "gone.bin")
	require.NoError(t, bad.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, bad))
	require.NoError(t, bad.Suspend())
	require.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, bad))
	e, err = bad.GetError()
	require.NoError(t, err, "SUSPENDED after ERROR")
	assert.Equal(t, model.HRESULT(0x80190194), e.Code)
}
