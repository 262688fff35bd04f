//go:build windows

package winbits

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows/registry"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// TestServeClass registers a class for the current user, serves it in this
// process, activates it as BITS would (CoCreateInstance with
// CLSCTX_LOCAL_SERVER), calls the instance, and unregisters it.
func TestServeClass(t *testing.T) {
	clsid := model.NewGUID()
	scope, err := RegisterServer(ServerRegistration{CLSID: clsid, Name: "bitssim TestServeClass",
		Command: `"C:\nowhere\server.exe"`, Scope: ScopeUser, RunAs: "Interactive User"})
	require.NoError(t, err)
	defer func() { _ = UnregisterServer(clsid, model.GUID{}, ScopeUser) }()
	assert.Equal(t, ScopeUser, scope)
	path := `Software\Classes\CLSID\` + clsid.String()
	k, err := registry.OpenKey(registry.CURRENT_USER, path+`\LocalServer32`, registry.QUERY_VALUE)
	require.NoError(t, err)
	cmd, _, err := k.GetStringValue("")
	k.Close()
	require.NoError(t, err)
	assert.Equal(t, `"C:\nowhere\server.exe"`, cmd)
	k, err = registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE)
	require.NoError(t, err)
	appID, _, err := k.GetStringValue("AppID")
	k.Close()
	require.NoError(t, err)
	assert.Equal(t, clsid.String(), appID, "the AppID defaults to the CLSID")
	k, err = registry.OpenKey(registry.CURRENT_USER, `Software\Classes\AppID\`+clsid.String(), registry.QUERY_VALUE)
	require.NoError(t, err)
	runAs, _, err := k.GetStringValue("RunAs")
	k.Close()
	require.NoError(t, err)
	assert.Equal(t, "Interactive User", runAs)

	var calls int
	srv, err := ServeClass(clsid, func() (any, error) {
		return &model.CallbackFuncs{OnJobTransferred: func(model.Job) error { calls++; return model.E_FAIL }}, nil
	})
	require.NoError(t, err)
	// Revoked even when the test fails: a class object left registered is
	// released by COM during process exit, a call into a Go runtime that is
	// shutting down.
	defer func() { _ = srv.Close() }()
	for i := 1; i <= 2; i++ {
		p, hr := com.CreateInstance(clsid, bitsabi.IIDCallback)
		require.True(t, hr.Succeeded(), "CoCreateInstance: %v", hr)
		assert.Equal(t, model.E_FAIL, p.Call(bitsabi.SlotCallback.JobTransferred, nil), "the instance answers with the callback's HRESULT")
		p.Release()
	}
	assert.Equal(t, 2, calls)
	assert.Equal(t, 2, srv.Instances())
	assert.Equal(t, 0, srv.Live(), "every instance released")
	require.NoError(t, srv.Close())

	require.NoError(t, UnregisterServer(clsid, model.GUID{}, ScopeUser))
	_, err = registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE)
	assert.ErrorIs(t, err, registry.ErrNotExist)
	_, err = registry.OpenKey(registry.CURRENT_USER, `Software\Classes\AppID\`+clsid.String(), registry.QUERY_VALUE)
	assert.ErrorIs(t, err, registry.ErrNotExist)
}

// TestServeClassBadInput: GUID_NULL and a nil factory are E_INVALIDARG.
func TestServeClassBadInput(t *testing.T) {
	_, err := ServeClass(model.GUID{}, func() (any, error) { return nil, nil })
	assert.ErrorIs(t, err, model.E_INVALIDARG)
	_, err = ServeClass(model.NewGUID(), nil)
	assert.ErrorIs(t, err, model.E_INVALIDARG)
	_, err = RegisterServer(ServerRegistration{CLSID: model.NewGUID()})
	assert.ErrorIs(t, err, model.E_INVALIDARG, "no command")
	_, err = RegisterServer(ServerRegistration{Command: "x.exe"})
	assert.ErrorIs(t, err, model.E_INVALIDARG, "GUID_NULL")
	_, err = RegisterServer(ServerRegistration{CLSID: model.NewGUID(), Command: "x.exe", Scope: Scope(7)})
	assert.ErrorIs(t, err, model.E_INVALIDARG, "unknown scope")
}
