package comserver

import (
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
}

func newClients() *clients {
	return &clients{byKey: map[appKey]*client{}, handles: map[*sim.App]map[model.GUID]model.Job{}}
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
