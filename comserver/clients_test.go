package comserver

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// fakeProcess is a process watch whose end the test decides.
type fakeProcess struct{ gone, closed bool }

func (p *fakeProcess) Gone() bool   { return p.gone }
func (p *fakeProcess) Close() error { p.closed = true; return nil }

// A long-lived server forgets a client once its process is gone: the app
// is ended as a crash (its callback object's next call fails with
// RPC_S_SERVER_UNAVAILABLE, OBJ-DISCOVER-DEAD), its handles and its
// process watch are dropped, and the table holds the live clients only,
// however many have come and gone.
func TestClientsPruneGoneProcesses(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	alice := model.Account{Name: "alice"}
	tab := newClients()

	live := &fakeProcess{}
	liveApp, err := svc.StartApp("pid1", alice)
	require.NoError(t, err)
	tab.add(appKey{pid: 1, user: alice}, liveApp, live)
	lj, err := liveApp.CreateJob("live", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	tab.keep(liveApp, lj)

	var procs []*fakeProcess
	var apps []*sim.App
	for pid := uint32(100); pid < 140; pid++ {
		p := &fakeProcess{}
		a, err := svc.StartApp(fmt.Sprintf("pid%d", pid), alice)
		require.NoError(t, err)
		tab.add(appKey{pid: pid, user: alice}, a, p)
		j, err := a.CreateJob("short-lived", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		tab.keep(a, j)
		procs, apps = append(procs, p), append(apps, a)
	}
	n, h := tab.size()
	require.Equal(t, 41, n)
	require.Equal(t, 41, h)

	for _, p := range procs {
		p.gone = true
	}
	assert.Equal(t, 40, tab.prune(), "every client whose process is gone is forgotten")
	n, h = tab.size()
	assert.Equal(t, 1, n, "only the live client is left")
	assert.Equal(t, 1, h)
	for i, p := range procs {
		assert.True(t, p.closed, "the watch of process %d is closed", i)
		assert.False(t, apps[i].Alive(), "the app of a gone process is ended")
		assert.Nil(t, tab.app(appKey{pid: uint32(100 + i), user: alice}))
	}
	assert.Same(t, liveApp, tab.app(appKey{pid: 1, user: alice}), "the live client stays")
	assert.Equal(t, lj.GetId(), tab.handle(liveApp, lj.GetId()).GetId(), "with its handles")
	assert.False(t, live.closed)
	assert.Zero(t, tab.prune(), "nothing more to forget")
}

// An app that has ended while its process lives on (the server marked it
// dead after a failed call) is forgotten too, and its key can start anew.
func TestClientsPruneEndedApps(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	key := appKey{pid: 7, user: model.Account{Name: "bob"}}
	tab := newClients()
	a, err := svc.StartApp("pid7", key.user)
	require.NoError(t, err)
	p := &fakeProcess{}
	tab.add(key, a, p)
	a.Crash()
	assert.Nil(t, tab.app(key), "a dead app is not returned")

	b, err := svc.StartApp("pid7", key.user)
	require.NoError(t, err)
	q := &fakeProcess{}
	tab.add(key, b, q)
	assert.True(t, p.closed, "the dead app's watch is closed when its key starts anew")
	assert.Same(t, b, tab.app(key))

	b.Exit()
	assert.Equal(t, 1, tab.prune())
	n, _ := tab.size()
	assert.Zero(t, n)
	assert.True(t, q.closed)

	// A client without a watch is forgotten only when its app ends.
	c, err := svc.StartApp("pid0", key.user)
	require.NoError(t, err)
	tab.add(appKey{user: key.user}, c, nil)
	assert.Zero(t, tab.prune())
	c.Crash()
	assert.Equal(t, 1, tab.prune())
}

// Under Wine COM cannot tell who calls, so the harness maps its processes
// to accounts: a mapped process's calls are its account's (a job it
// creates is owned by that account), its app under the server's own
// account exits, and bad mappings are refused with E_INVALIDARG.
func TestClientsMapAccount(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	server := model.Account{Name: "root"}
	alice := model.Account{Name: "alice"}
	tab := newClients()

	assert.Equal(t, server, tab.account(7, server), "an unmapped process is the server's own account")
	old, err := svc.StartApp("pid7", server)
	require.NoError(t, err)
	tab.add(appKey{pid: 7, user: server}, old, nil)
	other, err := svc.StartApp("pid8", server)
	require.NoError(t, err)
	tab.add(appKey{pid: 8, user: server}, other, nil)

	require.NoError(t, tab.mapAccount(7, alice))
	assert.Equal(t, alice, tab.account(7, server))
	assert.Equal(t, server, tab.account(8, server), "another process keeps the server's account")
	assert.False(t, old.Alive(), "the process's app under the other account exited")
	assert.Nil(t, tab.app(appKey{pid: 7, user: server}))
	assert.True(t, other.Alive())

	// The process's next call starts its app as alice (Server.caller), and
	// a job it creates is alice's.
	mapped, err := svc.StartApp("pid7", tab.account(7, server))
	require.NoError(t, err, "the name of the exited app is free")
	tab.add(appKey{pid: 7, user: alice}, mapped, nil)
	j, err := mapped.CreateJob("mapped", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	owner, err := j.GetOwner()
	require.NoError(t, err)
	assert.Equal(t, "alice", owner)
	require.NoError(t, tab.mapAccount(7, alice), "mapping again to the same account")
	assert.True(t, mapped.Alive(), "the same account: the app stays")

	for _, bad := range []struct {
		pid  uint32
		user model.Account
	}{{0, alice}, {7, model.Account{}}, {7, model.Account{Name: "x", Kind: model.AccountKind(99)}}} {
		err := tab.mapAccount(bad.pid, bad.user)
		assert.ErrorIs(t, err, model.E_INVALIDARG, "%d %+v", bad.pid, bad.user)
	}
	assert.Equal(t, alice, tab.account(7, server), "a refused mapping changes nothing")
}
