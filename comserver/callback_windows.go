//go:build windows

package comserver

import (
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// remoteCallback is a client's callback object, seen by the simulator as a
// model.Callback: each method is a COM call to the client's
// IBackgroundCopyCallback. Its pointers are released when the simulator
// drops the registration and the garbage collector finds the value
// unreachable.
type remoteCallback struct {
	s   *Server
	app *sim.App // the process that holds the object
	p   uintptr  // IBackgroundCopyCallback
	p2  uintptr  // IBackgroundCopyCallback2, or 0
	p3  uintptr  // IBackgroundCopyCallback3, or 0
}

// remoteCallback2 adds FileTransferred, for an object that answers
// IBackgroundCopyCallback2; remoteCallback3 adds FileRangesTransferred.
type (
	remoteCallback2 struct{ *remoteCallback }
	remoteCallback3 struct{ remoteCallback2 }
)

// newRemoteCallback wraps the client's object punk, held in app's process:
// it asks punk for the callback interfaces as BITS does, and fails with
// E_NOINTERFACE when punk answers none.
func newRemoteCallback(s *Server, punk uintptr, app *sim.App) (model.Callback, error) {
	watchOwner(punk, app) // before any proxy of it is kept (owner_windows.go)
	p, h := comQuery(punk, iidCallback)
	if h.Failed() {
		if isDead(h) {
			s.appDied(app)
		}
		return nil, fmt.Errorf("QueryInterface(IBackgroundCopyCallback): %w", h)
	}
	r := &remoteCallback{s: s, app: app, p: p}
	if v := s.svc.Version(); v >= model.BITS3_0 {
		r.p2, _ = comQuery(punk, iidCallback2)
	}
	if v := s.svc.Version(); v >= model.BITS10_1 && r.p2 != 0 {
		r.p3, _ = comQuery(punk, iidCallback3)
	}
	runtime.SetFinalizer(r, (*remoteCallback).free)
	switch {
	case r.p3 != 0:
		return remoteCallback3{remoteCallback2{r}}, nil
	case r.p2 != 0:
		return remoteCallback2{r}, nil
	}
	return r, nil
}

func (r *remoteCallback) free() {
	for _, p := range []uintptr{r.p, r.p2, r.p3} {
		if p != 0 {
			comRelease(p)
		}
	}
}

// unknown returns the object's interface pointer, for GetNotifyInterface.
func (r *remoteCallback) unknown() uintptr { return r.p }

// isDead reports whether a COM call's HRESULT says the process that served
// the object is gone: the call never reached it, or it died in it.
func isDead(h model.HRESULT) bool {
	switch h {
	case model.RPC_S_SERVER_UNAVAILABLE, model.RPC_S_CALL_FAILED, model.RPC_E_DISCONNECTED,
		model.RPC_E_SERVER_DIED, model.RPC_E_SERVER_DIED_DNE,
		0x800706BF, // RPC_S_CALL_FAILED_DNE
		0x800401FD: // CO_E_OBJNOTCONNECTED
		return true
	}
	return false
}

// answer turns the client's HRESULT into the callback's result: nil for
// S_OK, the HRESULT otherwise (a success code such as S_FALSE too, so that
// the simulator's DELIV-SFALSE-SUCCESS reading decides). A dead process is
// first marked crashed, so that the simulator treats it as BITS treats a
// client that has gone (OBJ-DISCOVER-DEAD).
func (r *remoteCallback) answer(h model.HRESULT) error {
	if isDead(h) {
		r.s.appDied(r.app)
	}
	if h == model.S_OK {
		return nil
	}
	return h
}

// withJob makes a job object for the call and releases the server's
// reference once the call returns (the client AddRefs what it keeps).
func (r *remoteCallback) withJob(job model.Job, call func(jp uintptr) model.HRESULT) error {
	if job == nil {
		return r.answer(call(0))
	}
	jo := newJobObject(r.s, job)
	defer jo.release()
	return r.answer(call(jo.ptr()))
}

// JobTransferred calls IBackgroundCopyCallback::JobTransferred.
func (r *remoteCallback) JobTransferred(job model.Job) error {
	return r.withJob(job, func(jp uintptr) model.HRESULT { return comCall(r.p, 3, jp) })
}

// JobError calls IBackgroundCopyCallback::JobError with an
// IBackgroundCopyError of jobErr.
func (r *remoteCallback) JobError(job model.Job, jobErr model.JobError) error {
	return r.withJob(job, func(jp uintptr) model.HRESULT {
		eo := newErrorObject(r.s, job, jobErr)
		defer eo.release()
		return comCall(r.p, 4, jp, eo.ptr())
	})
}

// JobModification calls IBackgroundCopyCallback::JobModification.
func (r *remoteCallback) JobModification(job model.Job) error {
	return r.withJob(job, func(jp uintptr) model.HRESULT { return comCall(r.p, 5, jp, 0) })
}

// FileTransferred calls IBackgroundCopyCallback2::FileTransferred.
func (r remoteCallback2) FileTransferred(job model.Job, file model.File) error {
	return r.withJob(job, func(jp uintptr) model.HRESULT {
		var fp uintptr
		if file != nil {
			fo := newFileObject(r.s, file)
			defer fo.release()
			fp = fo.ptr()
		}
		return comCall(r.p2, 6, jp, fp)
	})
}

// FileRangesTransferred calls
// IBackgroundCopyCallback3::FileRangesTransferred.
func (r remoteCallback3) FileRangesTransferred(job model.Job, file model.File, ranges []model.FileRange) error {
	return r.withJob(job, func(jp uintptr) model.HRESULT {
		var fp uintptr
		if file != nil {
			fo := newFileObject(r.s, file)
			defer fo.release()
			fp = fo.ptr()
		}
		var rp uintptr
		if len(ranges) > 0 {
			buf := append([]model.FileRange(nil), ranges...)
			var pin runtime.Pinner
			pin.Pin(&buf[0])
			defer pin.Unpin()
			rp = uintptr(unsafe.Pointer(&buf[0]))
		}
		return comCall(r.p3, 7, jp, fp, uintptr(len(ranges)), rp)
	})
}

// startCommand runs a notification command line as BITS does: the
// program, not searched for, with the parameters as the whole command line
// (BITS passes pParameters to CreateProcess's lpCommandLine). The
// simulator records the launch; the exit code is the program's.
func startCommand(l sim.Launch) (int, error) {
	cmd := exec.Command(l.Program)
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: l.Parameters}
	if err := cmd.Start(); err != nil {
		logf("CreateProcess(%q): %v", l.Program, err)
		return 0, fmt.Errorf("CreateProcess(%q): %w", l.Program, err)
	}
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), nil
		}
		return 0, err
	}
	return 0, nil
}
