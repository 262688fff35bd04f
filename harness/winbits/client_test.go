//go:build windows && realbits

package winbits

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// TestClientLifecycle drives one local-file job through the real service
// with an in-process callback object that completes the job.
func TestClientLifecycle(t *testing.T) {
	m, err := Connect()
	require.NoError(t, err)
	p := m.Probe()
	require.NoError(t, p.Err)
	t.Logf("BITS %v (CLSID %v), probe %+v", m.Version(), m.CLSID(), p)

	// Not t.TempDir: under Wine the file BITS moved into place cannot be
	// deleted by this process ("Invalid function"), which fails the test.
	dir, err := os.MkdirTemp("", "winbits-client-")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "src.bin")
	require.NoError(t, os.WriteFile(src, make([]byte, 4096), 0o644))
	dst := filepath.Join(dir, "dst.bin")

	j, err := m.CreateJob("winbits client test", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	defer j.Cancel()
	st, err := j.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, st)
	f, err := j.GetNotifyFlags()
	require.NoError(t, err)
	assert.Equal(t, model.NotifyFlags(3), f)
	assert.ErrorIs(t, j.Resume(), model.BG_E_EMPTY)

	name, err := j.GetDisplayName()
	require.NoError(t, err)
	assert.Equal(t, "winbits client test", name)

	got, err := m.GetJob(j.GetId())
	require.NoError(t, err)
	assert.Equal(t, j.GetId(), got.GetId())
	jobs, err := m.EnumJobs(0)
	require.NoError(t, err)
	found := false
	for _, x := range jobs {
		found = found || x.GetId() == j.GetId()
	}
	assert.True(t, found, "EnumJobs lists the new job")

	require.NoError(t, j.AddFile(src, dst))
	files, err := j.EnumFiles()
	require.NoError(t, err)
	require.Len(t, files, 1)
	local, err := files[0].GetLocalName()
	require.NoError(t, err)
	assert.Equal(t, dst, local)

	done := make(chan model.HRESULT, 1)
	cb := &model.CallbackFuncs{OnJobTransferred: func(job model.Job) error {
		hr, err := job.Complete()
		if err != nil {
			done <- model.HRESULTOf(err)
			return err
		}
		done <- hr
		return nil
	}}
	require.NoError(t, j.SetNotifyInterface(cb))
	back, err := j.GetNotifyInterface()
	require.NoError(t, err)
	assert.Same(t, cb, back, "our own object comes back as the Go callback")

	require.NoError(t, j.Resume())
	select {
	case hr := <-done:
		assert.Equal(t, model.S_OK, hr)
	case <-time.After(30 * time.Second):
		t.Fatal("no JobTransferred within 30 s")
	}
	st, err = j.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, st)
	data, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Len(t, data, 4096)
	assert.ErrorIs(t, j.Cancel(), model.BG_E_INVALID_STATE)
}
