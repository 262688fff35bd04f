package comserver

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// A probed loopback source that answers 200 transfers its size; one that
// answers 404 puts the job in ERROR with BG_E_HTTP_ERROR_404; one that
// answers 503 is a transient error (TRANSIENT_ERROR), as BITS treats HTTP
// statuses (STATE-ERROR-FATAL, STATE-TRANSIENT-RETRY).
func TestProbeScriptsTheSimulator(t *testing.T) {
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits[r.URL.Path]++
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("Content-Length", strconv.Itoa(3000))
			_, _ = w.Write(make([]byte, 3000))
		case "/missing":
			http.NotFound(w, r)
		case "/busy":
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	app, err := svc.StartApp("pid1", model.Account{Name: "alice"})
	require.NoError(t, err)
	p := &Prober{}

	for _, c := range []struct {
		path  string
		state model.JobState
		bytes uint64
	}{
		{"/ok", model.BG_JOB_STATE_TRANSFERRED, 3000},
		{"/missing", model.BG_JOB_STATE_ERROR, 0},
		{"/busy", model.BG_JOB_STATE_TRANSIENT_ERROR, 0},
	} {
		url := srv.URL + c.path
		require.NoError(t, p.Probe(svc, url))
		require.NoError(t, p.Probe(svc, url)) // asked once only
		job, err := app.CreateJob(c.path, model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, job.AddFile(url, `C:\x`+c.path))
		require.NoError(t, job.Resume())
		require.NoError(t, svc.RunUntilIdle())
		st, err := job.GetState()
		require.NoError(t, err)
		assert.Equal(t, c.state, st, c.path)
		prog, err := job.GetProgress()
		require.NoError(t, err)
		assert.Equal(t, c.bytes, prog.BytesTransferred, c.path)
		if c.state == model.BG_JOB_STATE_ERROR {
			e, err := job.GetError()
			require.NoError(t, err)
			assert.Equal(t, model.HRESULT(0x80190194), e.Code, "BG_E_HTTP_ERROR_404")
		}
		assert.Equal(t, 1, hits[c.path], c.path)
	}
}

func TestProbeAsksOnlyLoopbackHTTP(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	p := &Prober{}
	for _, u := range []string{"https://example.com/x", `\\server\share\x`, "file:///C:/x", "http://192.0.2.1/x", "::bad"} {
		assert.NoError(t, p.Probe(svc, u), u)
	}
	assert.Empty(t, p.done, "nothing was asked")
	// A loopback URL nobody answers: an error, and the remote stays unscripted.
	assert.Error(t, p.Probe(svc, "http://127.0.0.1:1/none"))
}
