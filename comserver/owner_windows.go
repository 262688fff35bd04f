//go:build windows

package comserver

import (
	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/sim"
)

// The server holds proxies of its clients' objects (callback objects,
// notification CLSID instances) for as long as the simulator holds them,
// which can outlast the process that made them (a crashed client's
// registration stays until a delivery finds it dead, and the proxies go
// when the garbage collector finalizes the registration).
//
// Under Wine that is a hazard: COM finds a proxy by the object's OXID and
// OID, Wine's OXID of a process's multithreaded apartment is its process
// ID (and 0xCAFE), and every apartment numbers its objects from 1. When a
// client process has ended and a new one is given its process ID, the new
// one's first objects have the dead one's identities; the server, still
// holding a proxy of the dead object, gets that stale proxy back when the
// new object is passed to it, and a QueryInterface through it that is not
// answered from the proxy's cache asks the new process about an interface
// pointer ID it never issued: E_NOINTERFACE, for good (the intermittent
// E_NOINTERFACE of SetNotifyInterface the winbits suite saw through the
// server, issue 19; internal/com's TestWatchOwnerKeepsIdentity shows it).
// Windows draws OXIDs at random.
//
// So the server keeps a watch (an open handle, com.WatchOwner) of every
// process whose object it takes, found from the object's OXID: an open
// handle keeps a process ID from being reused, so no new process can take
// an identity the server may still hold a proxy of (ownerSet).
var owners = newOwnerSet(maxOwners)

// watchOwner keeps a watch of the process that holds the object p, which
// app passed to the server (or which the server activated for app).
func watchOwner(p uintptr, app *sim.App) {
	w, err := com.WatchOwner(p)
	if err != nil {
		// The process has ended already (or the object has no standard
		// identity): its ID may be reused while the server holds the proxy.
		logf("the process of an object %s passed: %v", appName(app), err)
	}
	if w != nil && w.Watching() {
		owners.keep(w.Ref().WinePID(), w)
	}
}

func appName(app *sim.App) string {
	if app == nil {
		return "a client"
	}
	return app.Name()
}
