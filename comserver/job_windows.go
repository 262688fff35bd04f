//go:build windows

package comserver

import (
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
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

// jobCall is one call of a job method: the calling client's handle of the
// job (embedded: c.Suspend() is the client's Suspend), the server, and the
// client.
type jobCall struct {
	model.Job
	s   *Server
	app *sim.App
}

// jobMethod is the frame of every IBackgroundCopyJob method: it finds the
// job object at this (RPC_E_DISCONNECTED once released), the calling client
// and its handle of the job, runs f with them, and returns f's error as
// the method's HRESULT: S_OK for nil, the error's HRESULT (a success code
// such as BG_S_PARTIAL_COMPLETE included), E_FAIL for an error without
// one, E_UNEXPECTED for a panic.
func jobMethod(this uintptr, f func(c jobCall) error) uintptr {
	return com.Method(this, func(jo *jobObj) model.HRESULT {
		app, err := jo.s.caller()
		if err != nil {
			return model.HRESULTOf(err)
		}
		return model.HRESULTOf(f(jobCall{Job: jo.s.job(app, jo.id, jo.origin), s: jo.s, app: app}))
	})
}

// jobGet is jobMethod for a getter with one [out] parameter: E_INVALIDARG
// for a NULL out; otherwise *out is zeroed, then set to conv of what get
// reads, unless either fails.
func jobGet[T, V any](this uintptr, out *T, get func(model.Job) (V, error), conv func(V) (T, error)) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		var zero T
		*out = zero
		v, err := get(c.Job)
		if err != nil {
			return err
		}
		t, err := conv(v)
		if err != nil {
			return err
		}
		*out = t
		return nil
	})
}

// The conversions of jobGet's getters.
func dword[V ~uint32](v V) (uint32, error)         { return uint32(v), nil }
func wholeSeconds(d time.Duration) (uint32, error) { return uint32(d / time.Second), nil }
func outStr(v string) (*uint16, error) {
	p, h := com.AllocString(v)
	return p, com.ErrorOf(h)
}

// bgFileInfo is BG_FILE_INFO.
type bgFileInfo struct{ remote, local *uint16 }

func jobAddFileSet(this uintptr, n uintptr, set *bgFileInfo) uintptr {
	return jobMethod(this, func(c jobCall) error {
		count := int(uint32(n))
		if count > 0 && set == nil {
			return model.E_INVALIDARG
		}
		var files []model.FileInfo
		if count > 0 {
			for _, f := range unsafe.Slice(set, count) {
				files = append(files, model.FileInfo{RemoteName: com.InString(f.remote), LocalName: com.InString(f.local)})
			}
			for _, f := range files {
				c.s.probe(f.RemoteName)
			}
		}
		return c.AddFileSet(files)
	})
}

func jobAddFile(this uintptr, remote, local *uint16) uintptr {
	return jobMethod(this, func(c jobCall) error {
		c.s.probe(com.InString(remote))
		return c.AddFile(com.InString(remote), com.InString(local))
	})
}

func jobAddFileWithRanges(this uintptr, remote, local *uint16, n uintptr, ranges *model.FileRange) uintptr {
	return jobMethod(this, func(c jobCall) error {
		c.s.probe(com.InString(remote))
		count := int(uint32(n))
		if count > 0 && ranges == nil {
			return model.E_INVALIDARG
		}
		var rs []model.FileRange
		if count > 0 {
			rs = append(rs, unsafe.Slice(ranges, count)...) // BG_FILE_RANGE is two UINT64s, as model.FileRange
		}
		return c.AddFileWithRanges(com.InString(remote), com.InString(local), rs)
	})
}

func jobEnumFiles(this uintptr, pp *uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if pp == nil {
			return model.E_INVALIDARG
		}
		*pp = 0
		files, err := c.EnumFiles()
		if err != nil {
			return err
		}
		items := make([]func() *object, len(files))
		for i, f := range files {
			items[i] = func() *object { return newFileObject(c.s, f) }
		}
		*pp = newEnum(enumFilesVtbl, iidEnumFiles, items).ptr()
		return nil
	})
}

func jobSuspend(this uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.Suspend() })
}
func jobResume(this uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.Resume() })
}
func jobCancel(this uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.Cancel() })
}

func jobComplete(this uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error {
		files := c.s.completedFiles(c.Job)
		h, err := c.Complete()
		if err != nil {
			return err
		}
		c.s.writeFiles(files)
		return h // S_OK or BG_S_PARTIAL_COMPLETE
	})
}

func jobGetID(this uintptr, out *windows.GUID) uintptr {
	return jobGet(this, out, func(j model.Job) (model.GUID, error) { return j.GetId(), nil },
		func(g model.GUID) (windows.GUID, error) { return *com.WinGUID(g), nil })
}

func jobGetType(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetType, dword)
}
func jobGetState(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetState, dword)
}
func jobGetPriority(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetPriority, dword)
}
func jobGetNotifyFlags(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetNotifyFlags, dword)
}
func jobGetErrorCount(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetErrorCount, dword)
}

// bgJobProgress is BG_JOB_PROGRESS.
type bgJobProgress struct {
	bytesTotal, bytesTransferred uint64
	filesTotal, filesTransferred uint32
}

func jobGetProgress(this uintptr, out *bgJobProgress) uintptr {
	return jobGet(this, out, model.Job.GetProgress, func(p model.JobProgress) (bgJobProgress, error) {
		return bgJobProgress{p.BytesTotal, p.BytesTransferred, p.FilesTotal, p.FilesTransferred}, nil
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
	return jobGet(this, out, model.Job.GetTimes, func(t model.JobTimes) ([3]windows.Filetime, error) {
		return [3]windows.Filetime{filetime(t.CreationTime), filetime(t.ModificationTime), filetime(t.TransferCompletionTime)}, nil
	})
}

func jobGetError(this uintptr, pp *uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if pp == nil {
			return model.E_INVALIDARG
		}
		*pp = 0
		e, err := c.GetError()
		if err != nil {
			return err
		}
		*pp = newErrorObject(c.s, c.Job, e).ptr()
		return nil
	})
}

func jobGetOwner(this uintptr, out **uint16) uintptr {
	return jobGet(this, out, model.Job.GetOwner, outStr)
}
func jobGetDisplayName(this uintptr, out **uint16) uintptr {
	return jobGet(this, out, model.Job.GetDisplayName, outStr)
}
func jobGetDescription(this uintptr, out **uint16) uintptr {
	return jobGet(this, out, model.Job.GetDescription, outStr)
}

func jobSetDisplayName(this uintptr, v *uint16) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if v == nil {
			return model.E_INVALIDARG
		}
		return c.SetDisplayName(com.InString(v))
	})
}

func jobSetDescription(this uintptr, v *uint16) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if v == nil {
			return model.E_INVALIDARG
		}
		return c.SetDescription(com.InString(v))
	})
}

func jobSetPriority(this uintptr, v uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.SetPriority(model.JobPriority(uint32(v))) })
}

func jobSetNotifyFlags(this uintptr, v uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.SetNotifyFlags(model.NotifyFlags(uint32(v))) })
}

// noCallback is what the simulator receives for an object that does not
// answer IBackgroundCopyCallback: it fails SetNotifyInterface with the
// HRESULT the rules give (E_NOINTERFACE).
type noCallback struct{}

func jobSetNotifyInterface(this uintptr, punk uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if punk == 0 {
			return c.SetNotifyInterface(nil)
		}
		cb, err := newRemoteCallback(c.s, punk, c.app)
		if err != nil {
			if model.HRESULTOf(err) == model.E_NOINTERFACE {
				return c.SetNotifyInterface(noCallback{})
			}
			return model.HRESULTOf(err)
		}
		return c.SetNotifyInterface(cb)
	})
}

func jobGetNotifyInterface(this uintptr, pp *uintptr) uintptr {
	return jobGet(this, pp, model.Job.GetNotifyInterface, func(cb model.Callback) (uintptr, error) {
		if r, ok := cb.(interface{ unknown() uintptr }); ok {
			p := r.unknown()
			comAddRef(p)
			return p, nil
		}
		return 0, nil
	})
}

// seconds is a DWORD of whole seconds as a duration.
func seconds(v uintptr) time.Duration { return time.Duration(uint32(v)) * time.Second }

func jobSetMinimumRetryDelay(this uintptr, v uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.SetMinimumRetryDelay(seconds(v)) })
}
func jobGetMinimumRetryDelay(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetMinimumRetryDelay, wholeSeconds)
}
func jobSetNoProgressTimeout(this uintptr, v uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.SetNoProgressTimeout(seconds(v)) })
}
func jobGetNoProgressTimeout(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetNoProgressTimeout, wholeSeconds)
}
func jobSetMaximumDownloadTime(this uintptr, v uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.SetMaximumDownloadTime(seconds(v)) })
}
func jobGetMaximumDownloadTime(this uintptr, out *uint32) uintptr {
	return jobGet(this, out, model.Job.GetMaximumDownloadTime, wholeSeconds)
}

func jobTakeOwnership(this uintptr) uintptr {
	return jobMethod(this, func(c jobCall) error { return c.TakeOwnership() })
}

func jobSetNotifyCmdLine(this uintptr, program, parameters *uint16) uintptr {
	return jobMethod(this, func(c jobCall) error {
		return c.SetNotifyCmdLine(com.InString(program), com.InString(parameters))
	})
}

// jobGetNotifyCmdLine returns NULL for a part that is not set.
func jobGetNotifyCmdLine(this uintptr, program, parameters **uint16) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if program == nil || parameters == nil {
			return model.E_INVALIDARG
		}
		*program, *parameters = nil, nil
		p, a, err := c.GetNotifyCmdLine()
		if err != nil {
			return err
		}
		if p != "" {
			if h := com.OutString(program, p); h.Failed() {
				return h
			}
		}
		if a != "" {
			if h := com.OutString(parameters, a); h.Failed() {
				com.Free(unsafe.Pointer(*program))
				*program = nil
				return h
			}
		}
		return nil
	})
}

// jobSetProperty receives the 16-byte union by value, which the amd64
// calling convention passes as a pointer to the caller's copy.
func jobSetProperty(this uintptr, id uintptr, value *bitsabi.PropertyValue) uintptr {
	return jobMethod(this, func(c jobCall) error {
		if value == nil {
			return model.E_INVALIDARG
		}
		pid := model.JobPropertyID(uint32(id))
		v := bitsabi.DecodeProperty(pid, *value)
		if pid == model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID && !v.ClsID.IsNull() {
			// Known to the simulator before any activation can be due.
			if err := c.s.useClass(v.ClsID); err != nil {
				return model.HRESULTOf(err)
			}
		}
		return c.SetProperty(pid, v)
	})
}

func jobGetProperty(this uintptr, id uintptr, out *bitsabi.PropertyValue) uintptr {
	pid := model.JobPropertyID(uint32(id))
	return jobGet(this, out, func(j model.Job) (model.JobPropertyValue, error) { return j.GetProperty(pid) },
		func(v model.JobPropertyValue) (bitsabi.PropertyValue, error) {
			return bitsabi.EncodeProperty(pid, v), nil
		})
}
