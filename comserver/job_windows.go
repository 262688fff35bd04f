//go:build windows

package comserver

import (
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// jobObj is IBackgroundCopyJob to IBackgroundCopyJob5 of one job. Each call
// acts as the calling client, through its own handle of the job; origin is
// the handle the object was made from (used when the caller cannot open
// the job itself, e.g. a final-state job it holds from before).
type jobObj struct {
	s      *Server
	id     model.GUID
	origin model.Job
}

// jobVtbl is IBackgroundCopyJob5's vtable, in the IDL order (bits.idl,
// bits1_5.idl, bits2_0.idl, bits3_0.idl, bits5_0.idl). nil entries answer
// E_NOTIMPL: the simulator has no model of them (see the README's list of
// what does not cross COM).
var jobVtbl = vtable(
	// IBackgroundCopyJob
	jobAddFileSet, jobAddFile, jobEnumFiles, jobSuspend, jobResume, jobCancel, jobComplete,
	jobGetID, jobGetType, jobGetProgress, jobGetTimes, jobGetState, jobGetError, jobGetOwner,
	jobSetDisplayName, jobGetDisplayName, jobSetDescription, jobGetDescription,
	jobSetPriority, jobGetPriority, jobSetNotifyFlags, jobGetNotifyFlags,
	jobSetNotifyInterface, jobGetNotifyInterface, jobSetMinimumRetryDelay, jobGetMinimumRetryDelay,
	jobSetNoProgressTimeout, jobGetNoProgressTimeout, jobGetErrorCount,
	nil, nil, // SetProxySettings, GetProxySettings
	jobTakeOwnership,
	// IBackgroundCopyJob2
	jobSetNotifyCmdLine, jobGetNotifyCmdLine,
	nil, nil, nil, nil, nil, nil, // GetReplyProgress, GetReplyData, Set/GetReplyFileName, SetCredentials, RemoveCredentials
	// IBackgroundCopyJob3
	nil, // ReplaceRemotePrefix
	jobAddFileWithRanges,
	nil, nil, // SetFileACLFlags, GetFileACLFlags
	// IBackgroundCopyJob4
	nil, nil, nil, nil, // Set/GetPeerCachingFlags, GetOwnerIntegrityLevel, GetOwnerElevationState
	jobSetMaximumDownloadTime, jobGetMaximumDownloadTime,
	// IBackgroundCopyJob5
	jobSetProperty, jobGetProperty,
)

// jobIIDs returns the job interfaces a service of version v answers.
func jobIIDs(v model.Version) []model.GUID {
	iids := []model.GUID{iidJob}
	for _, x := range []struct {
		min model.Version
		iid model.GUID
	}{{model.BITS1_5, iidJob2}, {model.BITS2_0, iidJob3}, {model.BITS4_0, iidJob4}, {model.BITS5_0, iidJob5}} {
		if v >= x.min {
			iids = append(iids, x.iid)
		}
	}
	return iids
}

func newJobObject(s *Server, h model.Job) *object {
	return newObject(jobVtbl, &jobObj{s: s, id: h.GetId(), origin: h}, jobIIDs(s.svc.Version())...)
}

// jobCall runs f with the caller's handle of the job.
func jobCall(this uintptr, f func(j model.Job, jo *jobObj, app *sim.App) model.HRESULT) uintptr {
	return guard(func() uintptr {
		o := live(this)
		if o == nil {
			return hr(model.RPC_E_DISCONNECTED)
		}
		jo := o.impl.(*jobObj)
		app, err := jo.s.caller()
		if err != nil {
			return result(err)
		}
		return hr(f(jo.s.job(app, jo.id, jo.origin), jo, app))
	})
}

// do is jobCall for a method that returns only an error.
func do(this uintptr, f func(j model.Job) error) uintptr {
	return jobCall(this, func(j model.Job, _ *jobObj, _ *sim.App) model.HRESULT { return model.HRESULTOf(f(j)) })
}

// doServer is do for a method that needs the server too.
func doServer(this uintptr, f func(j model.Job, s *Server) error) uintptr {
	return jobCall(this, func(j model.Job, jo *jobObj, _ *sim.App) model.HRESULT { return model.HRESULTOf(f(j, jo.s)) })
}

// bgFileInfo is BG_FILE_INFO.
type bgFileInfo struct{ remote, local *uint16 }

func jobAddFileSet(this uintptr, n uintptr, set *bgFileInfo) uintptr {
	return doServer(this, func(j model.Job, s *Server) error {
		count := int(uint32(n))
		if count > 0 && set == nil {
			return model.E_INVALIDARG
		}
		var files []model.FileInfo
		if count > 0 {
			for _, f := range unsafe.Slice(set, count) {
				files = append(files, model.FileInfo{RemoteName: inString(f.remote), LocalName: inString(f.local)})
			}
			for _, f := range files {
				s.probe(f.RemoteName)
			}
		}
		return j.AddFileSet(files)
	})
}

func jobAddFile(this uintptr, remote, local *uint16) uintptr {
	return doServer(this, func(j model.Job, s *Server) error {
		s.probe(inString(remote))
		return j.AddFile(inString(remote), inString(local))
	})
}

func jobAddFileWithRanges(this uintptr, remote, local *uint16, n uintptr, ranges *model.FileRange) uintptr {
	return doServer(this, func(j model.Job, s *Server) error {
		s.probe(inString(remote))
		count := int(uint32(n))
		if count > 0 && ranges == nil {
			return model.E_INVALIDARG
		}
		var rs []model.FileRange
		if count > 0 {
			rs = append(rs, unsafe.Slice(ranges, count)...) // BG_FILE_RANGE is two UINT64s, as model.FileRange
		}
		return j.AddFileWithRanges(inString(remote), inString(local), rs)
	})
}

func jobEnumFiles(this uintptr, pp *uintptr) uintptr {
	return jobCall(this, func(j model.Job, jo *jobObj, _ *sim.App) model.HRESULT {
		if pp == nil {
			return model.E_INVALIDARG
		}
		*pp = 0
		files, err := j.EnumFiles()
		if err != nil {
			return model.HRESULTOf(err)
		}
		items := make([]func() *object, len(files))
		for i, f := range files {
			items[i] = func() *object { return newFileObject(jo.s, f) }
		}
		*pp = newEnum(enumFilesVtbl, iidEnumFiles, items).ptr()
		return model.S_OK
	})
}

func jobSuspend(this uintptr) uintptr { return do(this, model.Job.Suspend) }
func jobResume(this uintptr) uintptr  { return do(this, model.Job.Resume) }
func jobCancel(this uintptr) uintptr  { return do(this, model.Job.Cancel) }

func jobComplete(this uintptr) uintptr {
	return jobCall(this, func(j model.Job, jo *jobObj, _ *sim.App) model.HRESULT {
		files := jo.s.completedFiles(j)
		h, err := j.Complete()
		if err != nil {
			return model.HRESULTOf(err)
		}
		jo.s.writeFiles(files)
		return h // S_OK or BG_S_PARTIAL_COMPLETE
	})
}

func jobGetID(this uintptr, out *windows.GUID) uintptr {
	return do(this, func(j model.Job) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		*out = toWin(j.GetId())
		return nil
	})
}

// getU32 stores what get returns in *out.
func getU32[T ~uint32](this uintptr, out *uint32, get func(j model.Job) (T, error)) uintptr {
	return do(this, func(j model.Job) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		v, err := get(j)
		if err != nil {
			return err
		}
		*out = uint32(v)
		return nil
	})
}

func jobGetType(this uintptr, out *uint32) uintptr { return getU32(this, out, model.Job.GetType) }
func jobGetState(this uintptr, out *uint32) uintptr {
	return getU32(this, out, model.Job.GetState)
}
func jobGetPriority(this uintptr, out *uint32) uintptr {
	return getU32(this, out, model.Job.GetPriority)
}
func jobGetNotifyFlags(this uintptr, out *uint32) uintptr {
	return getU32(this, out, model.Job.GetNotifyFlags)
}
func jobGetErrorCount(this uintptr, out *uint32) uintptr {
	return getU32(this, out, model.Job.GetErrorCount)
}

// bgJobProgress is BG_JOB_PROGRESS.
type bgJobProgress struct {
	bytesTotal, bytesTransferred uint64
	filesTotal, filesTransferred uint32
}

func jobGetProgress(this uintptr, out *bgJobProgress) uintptr {
	return do(this, func(j model.Job) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		p, err := j.GetProgress()
		if err != nil {
			return err
		}
		*out = bgJobProgress{p.BytesTotal, p.BytesTransferred, p.FilesTotal, p.FilesTransferred}
		return nil
	})
}

// filetime converts a time to a FILETIME; the zero time is a zero FILETIME.
func filetime(t time.Time) windows.Filetime {
	if t.IsZero() {
		return windows.Filetime{}
	}
	return windows.NsecToFiletime(t.UnixNano())
}

func jobGetTimes(this uintptr, out *[3]windows.Filetime) uintptr {
	return do(this, func(j model.Job) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		t, err := j.GetTimes()
		if err != nil {
			return err
		}
		*out = [3]windows.Filetime{filetime(t.CreationTime), filetime(t.ModificationTime), filetime(t.TransferCompletionTime)}
		return nil
	})
}

func jobGetError(this uintptr, pp *uintptr) uintptr {
	return jobCall(this, func(j model.Job, jo *jobObj, _ *sim.App) model.HRESULT {
		if pp == nil {
			return model.E_INVALIDARG
		}
		*pp = 0
		e, err := j.GetError()
		if err != nil {
			return model.HRESULTOf(err)
		}
		*pp = newErrorObject(jo.s, j, e).ptr()
		return model.S_OK
	})
}

// getString stores what get returns in *out, allocated for the caller.
func getString(this uintptr, out **uint16, get func(j model.Job) (string, error)) uintptr {
	return do(this, func(j model.Job) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		*out = nil
		v, err := get(j)
		if err != nil {
			return err
		}
		return errOf(outString(out, v))
	})
}

// errOf is nil for S_OK and the HRESULT otherwise.
func errOf(h model.HRESULT) error {
	if h == model.S_OK {
		return nil
	}
	return h
}

func jobGetOwner(this uintptr, out **uint16) uintptr { return getString(this, out, model.Job.GetOwner) }
func jobGetDisplayName(this uintptr, out **uint16) uintptr {
	return getString(this, out, model.Job.GetDisplayName)
}
func jobGetDescription(this uintptr, out **uint16) uintptr {
	return getString(this, out, model.Job.GetDescription)
}

func jobSetDisplayName(this uintptr, v *uint16) uintptr {
	return do(this, func(j model.Job) error {
		if v == nil {
			return model.E_INVALIDARG
		}
		return j.SetDisplayName(inString(v))
	})
}

func jobSetDescription(this uintptr, v *uint16) uintptr {
	return do(this, func(j model.Job) error {
		if v == nil {
			return model.E_INVALIDARG
		}
		return j.SetDescription(inString(v))
	})
}

func jobSetPriority(this uintptr, v uintptr) uintptr {
	return do(this, func(j model.Job) error { return j.SetPriority(model.JobPriority(uint32(v))) })
}

func jobSetNotifyFlags(this uintptr, v uintptr) uintptr {
	return do(this, func(j model.Job) error { return j.SetNotifyFlags(model.NotifyFlags(uint32(v))) })
}

// noCallback is what the simulator receives for an object that does not
// answer IBackgroundCopyCallback: it fails SetNotifyInterface with the
// HRESULT the rules give (E_NOINTERFACE).
type noCallback struct{}

func jobSetNotifyInterface(this uintptr, punk uintptr) uintptr {
	return jobCall(this, func(j model.Job, jo *jobObj, app *sim.App) model.HRESULT {
		if punk == 0 {
			return model.HRESULTOf(j.SetNotifyInterface(nil))
		}
		cb, err := newRemoteCallback(jo.s, punk, app)
		if err != nil {
			if model.HRESULTOf(err) == model.E_NOINTERFACE {
				return model.HRESULTOf(j.SetNotifyInterface(noCallback{}))
			}
			return model.HRESULTOf(err)
		}
		return model.HRESULTOf(j.SetNotifyInterface(cb))
	})
}

func jobGetNotifyInterface(this uintptr, pp *uintptr) uintptr {
	return do(this, func(j model.Job) error {
		if pp == nil {
			return model.E_INVALIDARG
		}
		*pp = 0
		cb, err := j.GetNotifyInterface()
		if err != nil {
			return err
		}
		if r, ok := cb.(interface{ unknown() uintptr }); ok {
			p := r.unknown()
			comAddRef(p)
			*pp = p
		}
		return nil
	})
}

// getSeconds stores a duration in whole seconds in *out.
func getSeconds(this uintptr, out *uint32, get func(j model.Job) (time.Duration, error)) uintptr {
	return do(this, func(j model.Job) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		d, err := get(j)
		if err != nil {
			return err
		}
		*out = uint32(d / time.Second)
		return nil
	})
}

func seconds(v uintptr) time.Duration { return time.Duration(uint32(v)) * time.Second }

func jobSetMinimumRetryDelay(this uintptr, v uintptr) uintptr {
	return do(this, func(j model.Job) error { return j.SetMinimumRetryDelay(seconds(v)) })
}
func jobGetMinimumRetryDelay(this uintptr, out *uint32) uintptr {
	return getSeconds(this, out, model.Job.GetMinimumRetryDelay)
}
func jobSetNoProgressTimeout(this uintptr, v uintptr) uintptr {
	return do(this, func(j model.Job) error { return j.SetNoProgressTimeout(seconds(v)) })
}
func jobGetNoProgressTimeout(this uintptr, out *uint32) uintptr {
	return getSeconds(this, out, model.Job.GetNoProgressTimeout)
}
func jobSetMaximumDownloadTime(this uintptr, v uintptr) uintptr {
	return do(this, func(j model.Job) error { return j.SetMaximumDownloadTime(seconds(v)) })
}
func jobGetMaximumDownloadTime(this uintptr, out *uint32) uintptr {
	return getSeconds(this, out, model.Job.GetMaximumDownloadTime)
}

func jobTakeOwnership(this uintptr) uintptr { return do(this, model.Job.TakeOwnership) }

func jobSetNotifyCmdLine(this uintptr, program, parameters *uint16) uintptr {
	return do(this, func(j model.Job) error { return j.SetNotifyCmdLine(inString(program), inString(parameters)) })
}

// jobGetNotifyCmdLine returns NULL for a part that is not set.
func jobGetNotifyCmdLine(this uintptr, program, parameters **uint16) uintptr {
	return do(this, func(j model.Job) error {
		if program == nil || parameters == nil {
			return model.E_INVALIDARG
		}
		*program, *parameters = nil, nil
		p, a, err := j.GetNotifyCmdLine()
		if err != nil {
			return err
		}
		if p != "" {
			if h := outString(program, p); h.Failed() {
				return h
			}
		}
		if a != "" {
			if h := outString(parameters, a); h.Failed() {
				windows.CoTaskMemFree(unsafe.Pointer(*program))
				*program = nil
				return h
			}
		}
		return nil
	})
}

// jobSetProperty receives the 16-byte union by value, which the amd64
// calling convention passes as a pointer to the caller's copy.
func jobSetProperty(this uintptr, id uintptr, value *[16]byte) uintptr {
	return jobCall(this, func(j model.Job, jo *jobObj, _ *sim.App) model.HRESULT {
		if value == nil {
			return model.E_INVALIDARG
		}
		pid := model.JobPropertyID(uint32(id))
		v := decodeProperty(pid, value)
		if pid == model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID && !v.ClsID.IsNull() {
			// Known to the simulator before any activation can be due.
			if err := jo.s.useClass(v.ClsID); err != nil {
				return model.HRESULTOf(err)
			}
		}
		return model.HRESULTOf(j.SetProperty(pid, v))
	})
}

func jobGetProperty(this uintptr, id uintptr, out *[16]byte) uintptr {
	return do(this, func(j model.Job) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		pid := model.JobPropertyID(uint32(id))
		v, err := j.GetProperty(pid)
		if err != nil {
			return err
		}
		*out = encodeProperty(pid, v)
		return nil
	})
}
