package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/comserver/ctl"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

func TestCtlDrivesAControlPlane(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	srv, err := ctl.Listen("127.0.0.1:0", svc, nil)
	require.NoError(t, err)
	defer srv.Close()
	_, err = svc.StartApp("pid42", model.Account{Name: "alice"})
	require.NoError(t, err)

	ctlRun := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(append([]string{"ctl", "--addr", srv.Addr()}, args...), strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, _ := ctlRun("advance", "1h")
	require.Equal(t, exitOK, code)
	// The manual clock starts at 2026-01-01T00:00:00Z.
	assert.Contains(t, out, "now 2026-01-01T01:00:00Z")
	assert.Contains(t, out, `app "pid42"`)

	code, _, _ = ctlRun("crash", "pid42")
	require.Equal(t, exitOK, code)
	code, out, _ = ctlRun("status", "--json")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, out, "pid42", "a crashed app is no longer listed")

	code, _, stderr := ctlRun("crash", "pid99")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, `no app "pid99"`)

	code, _, stderr = ctlRun("advnace", "1h")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "advance", "did you mean")
	code, _, _ = ctlRun("advance")
	assert.Equal(t, exitUsage, code)
	code, _, _ = ctlRun("advance", "soon")
	assert.Equal(t, exitUsage, code)
	code, _, _ = ctlRun()
	assert.Equal(t, exitUsage, code)

	var errOut bytes.Buffer
	code = run([]string{"ctl", "--addr", "127.0.0.1:1", "status"}, strings.NewReader(""), &bytes.Buffer{}, &errOut)
	assert.Equal(t, exitFailed, code, "nobody listening")
}

func TestCtlAccountMapsAProcess(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	var pid uint32
	var user model.Account
	srv, err := ctl.Listen("127.0.0.1:0", svc, nil, ctl.MapAccounts(func(p uint32, u model.Account) error {
		pid, user = p, u
		return nil
	}))
	require.NoError(t, err)
	defer srv.Close()
	ctlRun := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(append([]string{"ctl", "--addr", srv.Addr()}, args...), strings.NewReader(""), &out, &errOut)
		return code, errOut.String()
	}
	code, _ := ctlRun("account", "4242", "alice", "--kind", "administrator")
	require.Equal(t, exitOK, code)
	assert.Equal(t, uint32(4242), pid)
	assert.Equal(t, model.Account{Name: "alice", Kind: model.AccountAdministrator}, user)

	code, stderr := ctlRun("account", "0", "alice")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "not a process ID")
	code, stderr = ctlRun("account", "4242", "alice", "--kind", "root")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr, "E_INVALIDARG")
}
