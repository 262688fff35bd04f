package ctl_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/comserver/ctl"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// manual starts a manual-clock service and its control plane on a free
// loopback port.
func manual(t *testing.T, opts sim.Options) (*sim.Service, *ctl.Client, chan struct{}) {
	t.Helper()
	opts.Clock = sim.Manual
	svc, err := sim.New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	stopped := make(chan struct{}, 1)
	srv, err := ctl.Listen("127.0.0.1:0", svc, func() { stopped <- struct{}{} })
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return svc, &ctl.Client{Addr: srv.Addr()}, stopped
}

func TestListenRefusesNonLoopbackAddresses(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:7390", "example.com:7390", "no-port"} {
		_, err := ctl.Listen(addr, svc, nil)
		assert.ErrorIs(t, err, model.E_INVALIDARG, addr)
	}
}

func TestHandlerRefusesNonLoopbackPeersAndHosts(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	h := ctl.Handler(svc, nil)
	for _, c := range []struct {
		remote, host string
		want         int
	}{
		{"127.0.0.1:5000", "127.0.0.1:7390", http.StatusOK},
		{"[::1]:5000", "localhost:7390", http.StatusOK},
		{"192.0.2.7:5000", "127.0.0.1:7390", http.StatusForbidden},
		{"127.0.0.1:5000", "attacker.example:7390", http.StatusForbidden}, // DNS rebinding
	} {
		r := httptest.NewRequest(http.MethodGet, "http://"+c.host+"/v1/status", nil)
		r.RemoteAddr, r.Host = c.remote, c.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, c.want, w.Code, "%s via %s: %s", c.remote, c.host, w.Body.String())
	}
}

func TestIsLoopbackProperty(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	h := ctl.Handler(svc, nil)
	rapid.Check(t, func(t *rapid.T) {
		a, b, c, d := rapid.IntRange(0, 255).Draw(t, "a"), rapid.IntRange(0, 255).Draw(t, "b"),
			rapid.IntRange(0, 255).Draw(t, "c"), rapid.IntRange(0, 255).Draw(t, "d")
		peer := fmt.Sprintf("%d.%d.%d.%d:4242", a, b, c, d)
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/v1/status", nil)
		r.RemoteAddr = peer
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		// 127.0.0.0/8 is IPv4's loopback block (RFC 1122 3.2.1.3).
		if a == 127 {
			assert.Equal(t, http.StatusOK, w.Code, peer)
		} else {
			assert.Equal(t, http.StatusForbidden, w.Code, peer)
		}
	})
}

func TestAdvanceMovesVirtualTime(t *testing.T) {
	_, c, _ := manual(t, sim.Options{})
	ctx := context.Background()
	st, err := c.Advance(ctx, 10*time.Minute)
	require.NoError(t, err)
	// The service starts at sim.DefaultStart, 2026-01-01T00:00:00Z.
	assert.Equal(t, time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC), st.Now.UTC())
	assert.Equal(t, "manual", st.Clock)

	var ce *ctl.Error
	_, err = c.Advance(ctx, -time.Second)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusBadRequest, ce.Status)
}

func TestCrashAndExitMarkTheApp(t *testing.T) {
	svc, c, _ := manual(t, sim.Options{})
	ctx := context.Background()
	a, err := svc.StartApp("pid42", model.Account{Name: "alice"})
	require.NoError(t, err)
	b, err := svc.StartApp("pid43", model.Account{Name: "alice"})
	require.NoError(t, err)
	_, err = svc.StartApp("pid44", model.Account{Name: "alice"})
	require.NoError(t, err)
	require.NoError(t, c.Crash(ctx, "pid42"))
	require.NoError(t, c.Exit(ctx, "pid43"))
	assert.False(t, a.Alive())
	assert.False(t, b.Alive())

	var ce *ctl.Error
	err = c.Crash(ctx, "pid99")
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusNotFound, ce.Status)
	assert.Contains(t, ce.Message, "pid44", "the error lists the apps there are")
}

// A remote scripted through the control plane to answer HTTP 404 puts the
// job in ERROR and JobError is delivered to the registered object
// (STATE-ERROR-FATAL, DELIV-* : JobError for a job in ERROR with the
// default flags JOB_TRANSFERRED|JOB_ERROR).
func TestRemoteScriptsAFatalErrorSeenInTheTrace(t *testing.T) {
	svc, c, _ := manual(t, sim.Options{})
	ctx := context.Background()
	const url = "https://example.invalid/missing.bin"
	require.NoError(t, c.SetRemote(ctx, ctl.Remote{URL: url, Status: 404}))

	app, err := svc.StartApp("pid7", model.Account{Name: "alice"})
	require.NoError(t, err)
	job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile(url, `C:\x\missing.bin`))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{}))
	require.NoError(t, job.Resume())
	_, err = c.Idle(ctx)
	require.NoError(t, err)

	state, err := job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, state)
	events, err := c.Trace(ctx, 0)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, model.EventJobError, events[0].Kind)
	assert.Equal(t, model.S_OK, events[0].Result)
	assert.Equal(t, job.GetId(), events[0].Job)

	later, err := c.Trace(ctx, events[0].Seq)
	require.NoError(t, err)
	assert.Empty(t, later, "since= the last sequence number: nothing new")

	var ce *ctl.Error
	require.ErrorAs(t, c.SetRemote(ctx, ctl.Remote{URL: url, Status: 42}), &ce)
	assert.Equal(t, http.StatusBadRequest, ce.Status)
	require.ErrorAs(t, c.SetRemote(ctx, ctl.Remote{URL: ""}), &ce)
	assert.Equal(t, http.StatusBadRequest, ce.Status)
}

// The notification CLSID persists across a service restart
// (PERSIST-CLSID), through the file store.
func TestRestartKeepsTheCLSID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.bits")
	svc, c, _ := manual(t, sim.Options{Store: sim.NewFileStore(path)})
	ctx := context.Background()
	app, err := svc.StartApp("pid8", model.Account{Name: "alice"})
	require.NoError(t, err)
	job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	clsid := model.MustParseGUID("{6A3C2F10-5D1E-4C8B-9F2A-1B7E440C9D51}")
	require.NoError(t, job.SetNotifyCLSID(clsid))
	_, err = c.Restart(ctx)
	require.NoError(t, err)
	got, err := job.GetNotifyCLSID()
	require.NoError(t, err)
	assert.Equal(t, clsid, got)
}

func TestStopCallsTheStopFunction(t *testing.T) {
	_, c, stopped := manual(t, sim.Options{})
	require.NoError(t, c.Stop(context.Background()))
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("stop was not called")
	}
}

func TestBadRequestsGetClearErrors(t *testing.T) {
	_, c, _ := manual(t, sim.Options{})
	ctx := context.Background()
	var ce *ctl.Error
	err := c.Do(ctx, "advance", map[string]any{"duration": "1m", "bogus": 1}, nil)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusBadRequest, ce.Status)
	assert.Contains(t, ce.Message, "bogus")

	err = c.Do(ctx, "trace?since=abc", nil, nil)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusBadRequest, ce.Status)

	err = c.Do(ctx, "nosuchverb", struct{}{}, nil)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusNotFound, ce.Status)

	down := &ctl.Client{Addr: "127.0.0.1:1"}
	_, err = down.Status(ctx)
	require.Error(t, err)
	assert.False(t, errors.As(err, &ce), "a refused connection is not an answer")
	assert.True(t, strings.Contains(err.Error(), "ctl status"), err.Error())
}

// The account verb hands the mapping to the server's MapAccount, with the
// kind parsed; a bad kind, or an error of MapAccount, is a 400 with its
// HRESULT; a server without MapAccounts answers 501.
func TestAccountVerb(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer svc.Close()
	type mapping struct {
		pid  uint32
		user model.Account
	}
	var got []mapping
	srv, err := ctl.Listen("127.0.0.1:0", svc, nil, ctl.MapAccounts(func(pid uint32, u model.Account) error {
		if pid == 0 {
			return fmt.Errorf("no process 0: %w", model.E_INVALIDARG)
		}
		got = append(got, mapping{pid, u})
		return nil
	}))
	require.NoError(t, err)
	defer srv.Close()
	c := &ctl.Client{Addr: srv.Addr()}
	ctx := context.Background()

	require.NoError(t, c.MapAccount(ctx, ctl.Account{PID: 42, User: "alice"}))
	require.NoError(t, c.MapAccount(ctx, ctl.Account{PID: 43, User: "admin", Kind: "unelevated-administrator"}))
	require.NoError(t, c.MapAccount(ctx, ctl.Account{PID: 44, User: "SYSTEM", Kind: "localsystem"}))
	assert.Equal(t, []mapping{
		{42, model.Account{Name: "alice", Kind: model.AccountUser}},
		{43, model.Account{Name: "admin", Kind: model.AccountAdministrator, Unelevated: true}},
		{44, model.Account{Name: "SYSTEM", Kind: model.AccountLocalSystem}},
	}, got)

	var ce *ctl.Error
	err = c.MapAccount(ctx, ctl.Account{PID: 45, User: "bob", Kind: "superuser"})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusBadRequest, ce.Status)
	assert.Contains(t, ce.HRESULT, "E_INVALIDARG")
	err = c.MapAccount(ctx, ctl.Account{PID: 0, User: "bob"})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusBadRequest, ce.Status)
	assert.Contains(t, ce.HRESULT, "E_INVALIDARG")
	assert.Len(t, got, 3, "refused mappings reach nothing")

	_, plain, _ := manual(t, sim.Options{})
	err = plain.MapAccount(ctx, ctl.Account{PID: 42, User: "alice"})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusNotImplemented, ce.Status)
}
