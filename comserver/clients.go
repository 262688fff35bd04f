package comserver

import (
	"fmt"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// appKey identifies a client: its process and account.
type appKey struct {
	pid  uint32
	user model.Account
}

// process watches a client process: Gone reports that it has ended.
// Holding the watch keeps the process ID from being reused (on Windows it
// is an open handle of the process).
type process interface {
	Gone() bool
	Close() error
}

// client is one (process, account) the server has served.
type client struct {
	app  *sim.App
	proc process // nil: the process cannot be watched
}

// clients is the server's table of its client processes: the simulator
// app of each (process, account) and the job handles each app has opened.
// A long-lived server serves many short-lived clients, so the table
// forgets a client once its process is gone (prune): the app is ended as
// a crash, which is what the process's callback objects now are
// (OBJ-DISCOVER-DEAD: the next call to one fails with
// RPC_S_SERVER_UNAVAILABLE), and its handles are dropped. The caller
// holds the lock that guards the table (Server.mu).
type clients struct {
	byKey   map[appKey]*client
	handles map[*sim.App]map[model.GUID]model.Job
	// accounts maps client processes to accounts where COM cannot tell
	// the caller's account (mapAccount).
	accounts map[uint32]model.Account
}

func newClients() *clients {
	return &clients{byKey: map[appKey]*client{}, handles: map[*sim.App]map[model.GUID]model.Job{},
		accounts: map[uint32]model.Account{}}
}

// mapAccount records that process pid acts as account user wherever COM
// cannot tell (under Wine, CoImpersonateClient fails inside calls, so
// every caller would be the server's own account): the harness that
// started the process says who it is. The process's app under any other
// account exits, so that its next call starts the app of user; a process
// is one account at a time. pid 0, an empty name or an unknown kind is
// E_INVALIDARG.
func (c *clients) mapAccount(pid uint32, user model.Account) error {
	if pid == 0 {
		return fmt.Errorf("comserver: mapping process 0 to an account: no such client process: %w", model.E_INVALIDARG)
	}
	if user.Name == "" {
		return fmt.Errorf("comserver: mapping process %d to an account: empty account name: %w", pid, model.E_INVALIDARG)
	}
	if user.Kind < model.AccountUser || user.Kind > model.AccountNetworkService {
		return fmt.Errorf("comserver: mapping process %d to %q: unknown account kind %d: %w", pid, user.Name, int(user.Kind), model.E_INVALIDARG)
	}
	c.accounts[pid] = user
	for key, cl := range c.byKey {
		if key.pid == pid && key.user != user {
			cl.app.Exit()
			c.forget(key, cl)
		}
	}
	return nil
}

// account returns the account process pid was mapped to, or def.
func (c *clients) account(pid uint32, def model.Account) model.Account {
	if u, ok := c.accounts[pid]; ok {
		return u
	}
	return def
}

// app returns the live app of key, or nil.
func (c *clients) app(key appKey) *sim.App {
	if cl := c.byKey[key]; cl != nil && cl.app.Alive() {
		return cl.app
	}
	return nil
}

// add records app as key's, with its process watch (nil: none); a
// previous, dead app of the key is forgotten.
func (c *clients) add(key appKey, app *sim.App, proc process) {
	if old := c.byKey[key]; old != nil {
		c.forget(key, old)
	}
	c.byKey[key] = &client{app: app, proc: proc}
}

// handle returns app's cached handle of job id, or nil.
func (c *clients) handle(app *sim.App, id model.GUID) model.Job {
	return c.handles[app][id]
}

// keep caches app's handle h.
func (c *clients) keep(app *sim.App, h model.Job) {
	m := c.handles[app]
	if m == nil {
		m = map[model.GUID]model.Job{}
		c.handles[app] = m
	}
	m[h.GetId()] = h
}

// prune forgets every client whose process is gone, ending its app as a
// crash if the simulator still sees it alive, and every client whose app
// has ended (marked dead after a failed call, or exited); it returns how
// many it forgot.
func (c *clients) prune() int {
	n := 0
	for key, cl := range c.byKey {
		gone := cl.proc != nil && cl.proc.Gone()
		if gone && cl.app.Alive() {
			cl.app.Crash()
		}
		if gone {
			delete(c.accounts, key.pid) // the ID may be a new process's next
		}
		if gone || !cl.app.Alive() {
			c.forget(key, cl)
			n++
		}
	}
	return n
}

// forget drops key's client cl: its handles and its process watch.
func (c *clients) forget(key appKey, cl *client) {
	delete(c.handles, cl.app)
	if cl.proc != nil {
		_ = cl.proc.Close()
	}
	delete(c.byKey, key)
}

// size returns how many clients and handle sets the table holds.
func (c *clients) size() (clients, handleSets int) { return len(c.byKey), len(c.handles) }
