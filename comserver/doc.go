// Package comserver serves the simulator behind BITS's own COM interfaces:
// an out-of-process COM server (windows/amd64, also under Wine) whose class
// objects hand out IBackgroundCopyManager over a sim.Service, so that a
// program in any language, unmodified, talks to the deterministic
// simulator instead of the real service.
//
// The server implements IBackgroundCopyManager, IEnumBackgroundCopyJobs,
// IBackgroundCopyJob to IBackgroundCopyJob5, IBackgroundCopyFile to
// IBackgroundCopyFile6, IEnumBackgroundCopyFiles and IBackgroundCopyError;
// methods the simulator does not model (proxy settings, reply files,
// credentials, ACL flags, peer caching, File2's ranges, File4, File5)
// answer E_NOTIMPL. Every call goes to the simulator as the calling
// process (one sim.App per client process and account), so the
// simulator's rules decide every HRESULT and every notification:
//
//   - a callback object a client registers with SetNotifyInterface is
//     called back through COM; a client process that has gone away
//     answers with an RPC error, and the server then marks the
//     process's app as crashed, so that the simulator treats it as BITS
//     treats a dead client (OBJ-DISCOVER-DEAD);
//   - a notification CLSID is activated with CoCreateInstance
//     (CLSCTX_LOCAL_SERVER) when the simulator activates it;
//   - a notification command line is started with CreateProcess and
//     recorded by the simulator;
//   - the state persists through sim.FileStore, so stopping and starting
//     the server is a service restart;
//   - loopback http(s) sources are asked once for their status and size
//     (Prober), so that a test's own HTTP server behaves as with BITS.
//
// Registration (Register, Takeover, CheckTakeover) writes the server's own
// CLSID, and under Wine takes over CLSID_BackgroundCopyManager and its
// versioned CLSIDs. Package comserver/ctl is the control plane a test
// drives from outside (advance time, restart, crash an app, script
// remotes, read the trace), over loopback HTTP.
//
// Everything but this file and the portable helpers is Windows-only.
package comserver
