//go:build windows && realbits

package winbits

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// TestNullStringThroughCOM observes LIMIT-NULL-STRING-COM on the real
// service: a NULL display name, which the Go API never sends, fails in the
// client's proxy with RPC_X_NULL_REF_POINTER (0x800706F4), for CreateJob
// and SetDisplayName alike; the empty string the Go API sends instead
// reaches BITS.
func TestNullStringThroughCOM(t *testing.T) {
	m, err := Connect()
	require.NoError(t, err)

	var id windows.GUID
	var p *com.Unknown
	hr := m.mgr.Call(bitsabi.SlotManager.CreateJob, nil, uint32(model.BG_JOB_TYPE_DOWNLOAD), &id, &p)
	assert.Equal(t, model.RPC_X_NULL_REF_POINTER, hr, "CreateJob(NULL)")
	if p != nil {
		p.Release()
	}

	job, err := m.CreateJob("null-string", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	defer func() { _ = job.Cancel() }()
	j := job.(*Job)
	assert.Equal(t, model.RPC_X_NULL_REF_POINTER, j.job.Call(bitsabi.SlotJob.SetDisplayName, nil), "SetDisplayName(NULL)")
	name, err := job.GetDisplayName()
	require.NoError(t, err)
	assert.Equal(t, "null-string", name, "the NULL never reached BITS")

	// The empty string is sent as an empty string: BITS answers it itself
	// (whatever it answers, it is not the proxy's RPC_X_NULL_REF_POINTER).
	setErr := job.SetDisplayName("")
	assert.NotErrorIs(t, setErr, model.RPC_X_NULL_REF_POINTER, "SetDisplayName(\"\")")
	empty, createErr := m.CreateJob("", model.BG_JOB_TYPE_DOWNLOAD)
	assert.NotErrorIs(t, createErr, model.RPC_X_NULL_REF_POINTER, "CreateJob(\"\")")
	if createErr == nil {
		_ = empty.Cancel()
	}
	t.Logf("SetDisplayName(\"\"): %v; CreateJob(\"\"): %v", setErr, createErr)
}
