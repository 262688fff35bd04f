package sim

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// jobHandle is a job as one app sees it: calls act as the app's user.
type jobHandle struct {
	s   *Service
	app *App
	j   *job
}

var _ model.Job = (*jobHandle)(nil)

// do runs fn on the job under the service lock after the common checks:
// the app is alive, the job exists, the caller may touch it, and (for a
// call that changes the job) the job is not final. Errors are wrapped
// with the call's name.
func (h *jobHandle) do(op string, modify bool, fn func(j *job) error) error {
	err := h.doLocked(op, modify, fn)
	if h.app.sta.Load() && h.app.inCallback.Load() > 0 {
		h.s.reenter(h) // a COM call from an STA callback lets BITS call in
	}
	return err
}

// doLocked is do without the re-entry of DELIV-STA-REENTRY.
func (h *jobHandle) doLocked(op string, modify bool, fn func(j *job) error) error {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := h.resolve(isRead(op))
	if err == nil && modify {
		if hr := rules.CheckModify(j.rec.State); hr.Failed() {
			err = hr
		}
	}
	if err == nil {
		err = fn(j)
	}
	if err == nil && !isRead(op) {
		err = s.persist() // the durability point of a WriteThroughStore
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// isRead reports whether the job method op only reads the job (a Get…
// or Is… method, or EnumFiles), for SEC-OWNER-ONLY's reads-allowed reading
// and SEC-ADMIN-MODIFY's integrity levels.
func isRead(op string) bool {
	return strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "Is") || op == "EnumFiles"
}

// resolve finds the job behind the handle; read says the call only reads
// the job. s.mu is held.
func (h *jobHandle) resolve(read bool) (*job, error) {
	s := h.s
	if err := s.callable(h.app); err != nil {
		return nil, err
	}
	for h.j.stale {
		if h.j.next == nil {
			return nil, model.BG_E_NOT_FOUND // not persisted: final before the restart
		}
		h.j = h.j.next
	}
	if hr := rules.CheckAccess(h.app.user, h.j.rec.Owner, !read); hr.Failed() {
		if !read || !s.opts.Variants.Is("SEC-OWNER-ONLY", rules.VarReadsAllowed) {
			return nil, hr
		}
	}
	return h.j, nil
}

// GetId returns the job's GUID.
func (h *jobHandle) GetId() model.GUID {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.j.rec.ID
}

// String prints the job's GUID.
func (h *jobHandle) String() string { return h.GetId().String() }

func (h *jobHandle) GetType() (t model.JobType, err error) {
	err = h.do("GetType", false, func(j *job) error { t = j.rec.Type; return nil })
	return t, err
}

// checkFile validates one file of AddFileSet.
func checkFile(f model.FileInfo) error {
	if f.RemoteName == "" || f.LocalName == "" {
		return fmt.Errorf("empty remote or local name: %w", model.E_INVALIDARG)
	}
	if strings.ContainsRune(f.RemoteName, 0) || strings.ContainsRune(f.LocalName, 0) {
		return fmt.Errorf("name contains NUL: %w", model.E_INVALIDARG)
	}
	if !isAbsolutePath(f.LocalName) {
		return fmt.Errorf("local name %q is not a full path: %w", f.LocalName, model.E_INVALIDARG)
	}
	if rules.Len16(f.LocalName) > rules.MaxProgram {
		return fmt.Errorf("local name longer than %d characters: %w", rules.MaxProgram, model.BG_E_STRING_TOO_LONG)
	}
	scheme := strings.ToLower(protocolOf(f.RemoteName))
	switch {
	case strings.HasPrefix(f.RemoteName, `\\`), isDrivePath(f.RemoteName): // SMB (FILE-REMOTE-NAME-FORMS)
	case scheme == "http" || scheme == "https" || scheme == "file":
		if !strings.HasPrefix(f.RemoteName[len(scheme):], "://") {
			return fmt.Errorf("remote name %q is not a URL: %w", f.RemoteName, model.E_INVALIDARG)
		}
	case scheme == "":
		return fmt.Errorf("remote name %q is not a URL or UNC path: %w", f.RemoteName, model.E_INVALIDARG)
	default:
		return fmt.Errorf("remote name %q: protocol %q: %w", f.RemoteName, scheme, model.BG_E_PROTOCOL_NOT_AVAILABLE)
	}
	return nil
}

// isAbsolutePath accepts Windows drive paths (C:\x), UNC paths (\\h\s\x)
// and, for tests written on Unix, /x.
func isAbsolutePath(p string) bool {
	return isDrivePath(p) || strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "/")
}

// isDrivePath reports whether p is a full path with a drive letter (C:\x).
func isDrivePath(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		(p[0] >= 'A' && p[0] <= 'Z' || p[0] >= 'a' && p[0] <= 'z')
}

func (h *jobHandle) AddFileSet(files []model.FileInfo) error {
	return h.addFiles("AddFileSet", files, false, nil)
}

func (h *jobHandle) AddFile(remoteURL, localName string) error {
	return h.addFiles("AddFile", []model.FileInfo{{RemoteName: remoteURL, LocalName: localName}}, false, nil)
}

func (h *jobHandle) AddFileWithRanges(remoteURL, localName string, ranges []model.FileRange) error {
	return h.addFiles("AddFileWithRanges", []model.FileInfo{{RemoteName: remoteURL, LocalName: localName}}, true, ranges)
}

// addFiles adds files, all or none (FILE-ADDFILESET-ATOMIC): the counts
// (LIMIT-UPLOAD-ONE-FILE, LIMIT-FILES-PER-JOB) and every name are checked
// before the first file is added. Under the keeps-prefix reading, the
// files before the first bad name are kept.
func (h *jobHandle) addFiles(op string, files []model.FileInfo, withRanges bool, ranges []model.FileRange) error {
	s := h.s
	if len(files) == 0 {
		return fmt.Errorf("%s: no files: %w", op, model.E_INVALIDARG)
	}
	return h.do(op, true, func(j *job) error {
		if withRanges {
			if hr := rules.CheckRanges(*s.opts.Limits, s.opts.Version, h.app.user, j.rec.Type, ranges); hr.Failed() {
				return hr
			}
		}
		if hr := rules.CheckAddFiles(*s.opts.Limits, s.opts.Version, h.app.user, j.rec.State, j.rec.Type, len(j.rec.Files), len(files)); hr.Failed() {
			return hr
		}
		good, err := len(files), error(nil)
		for i, f := range files {
			if err = checkFile(f); err != nil {
				good, err = i, fmt.Errorf("file %d: %w", i, err)
				break
			}
		}
		if err != nil && !s.opts.Variants.Is("FILE-ADDFILESET-ATOMIC", rules.VarKeepsPrefix) {
			return err
		}
		if good > 0 {
			s.touch(j)
		}
		for _, f := range files[:good] {
			if j.rec.Files == nil {
				j.rec.Files = j.file0[:0:1] // the first file lives in the job
			}
			j.rec.Files = append(j.rec.Files, liveFile{
				RemoteName: f.RemoteName, LocalName: f.LocalName,
				BytesTotal: model.BG_SIZE_UNKNOWN,
			})
			if len(ranges) > 0 {
				j.rec.Files[len(j.rec.Files)-1].mut().Ranges = append([]model.FileRange(nil), ranges...)
			}
		}
		return err
	})
}

func (h *jobHandle) EnumFiles() (files []model.File, err error) {
	err = h.do("EnumFiles", false, func(j *job) error {
		files = make([]model.File, len(j.rec.Files))
		for i := range j.rec.Files {
			files[i] = &fileHandle{job: h, index: i}
		}
		return nil
	})
	return files, err
}

// transition applies a state-changing call through rules.Apply.
func (h *jobHandle) transition(op rules.Op) (hr model.HRESULT, err error) {
	s := h.s
	err = h.do(op.String(), false, func(j *job) error {
		t := rules.Apply(j.rec.State, op, j.facts(), s.opts.Variants)
		if t.Result.Failed() {
			return t.Result
		}
		hr = t.Result
		switch op {
		case rules.OpResume:
			j.resumeElapsed()
		case rules.OpComplete:
			// Complete renames the temporary files to their local names; if
			// one cannot be renamed, the job stays where it is and Complete
			// may be called again (STATE-COMPLETE-RENAME-FAILS).
			if hr := s.renameFailure(j); hr.Failed() {
				return hr
			}
			for i := range j.rec.Files {
				if j.rec.Files[i].Completed {
					j.rec.Files[i].ValidationSet, j.rec.Files[i].Valid = true, true // Complete validates
				}
			}
		}
		if t.Next == j.rec.State {
			j.rec.Modified = vt(s.clock())
			j.rec.LastActivity = j.rec.Modified
			return nil
		}
		s.setState(j, t.Next)
		j.rec.LastActivity = vt(s.clock()) // a client's call is activity
		return nil
	})
	return hr, err
}

func (h *jobHandle) Suspend() error { _, err := h.transition(rules.OpSuspend); return err }
func (h *jobHandle) Resume() error  { _, err := h.transition(rules.OpResume); return err }
func (h *jobHandle) Cancel() error  { _, err := h.transition(rules.OpCancel); return err }
func (h *jobHandle) Complete() (model.HRESULT, error) {
	return h.transition(rules.OpComplete)
}

func (h *jobHandle) GetProgress() (p model.JobProgress, err error) {
	err = h.do("GetProgress", false, func(j *job) error { p = j.progress(); return nil })
	return p, err
}

func (h *jobHandle) GetTimes() (t model.JobTimes, err error) {
	err = h.do("GetTimes", false, func(j *job) error {
		t = model.JobTimes{CreationTime: j.rec.Created.Time(), ModificationTime: j.rec.Modified.Time(), TransferCompletionTime: j.rec.TransferCompleted.Time()}
		return nil
	})
	return t, err
}

func (h *jobHandle) GetState() (st model.JobState, err error) {
	err = h.do("GetState", false, func(j *job) error { st = j.rec.State; return nil })
	return st, err
}

func (h *jobHandle) GetError() (e model.JobError, err error) {
	err = h.do("GetError", false, func(j *job) error {
		// The error stays readable until the job next enters TRANSFERRING
		// (STATE-GET-ERROR-UNAVAILABLE): setState clears it there.
		if !j.rec.HasError {
			return model.BG_E_ERROR_INFORMATION_UNAVAILABLE
		}
		e = j.rec.x().Error
		return nil
	})
	return e, err
}

func (h *jobHandle) GetErrorCount() (n uint32, err error) {
	err = h.do("GetErrorCount", false, func(j *job) error { n = j.rec.ErrorCount; return nil })
	return n, err
}

func (h *jobHandle) GetOwner() (o string, err error) {
	err = h.do("GetOwner", false, func(j *job) error { o = j.rec.Owner.Name; return nil })
	return o, err
}

func (h *jobHandle) TakeOwnership() error {
	s := h.s
	return h.do("TakeOwnership", false, func(j *job) error {
		if hr := rules.CheckTakeOwnership(h.app.user, j.rec.State); hr.Failed() {
			return hr
		}
		j.owner.n--
		j.rec.Owner = h.app.user
		j.owner = s.appJobs(h.app)
		j.owner.n++
		j.rec.mut().CmdProgram, j.rec.mut().CmdParameters, j.rec.mut().CmdUser = "", "", model.Account{}
		if j.extra != nil {
			j.extra.secrets = nil // SEC-TAKEOWNERSHIP-REMOVES-SECRETS
		}
		if rules.TakeOwnershipClearsCLSID(s.opts.Variants) && !j.rec.x().NotifyCLSID.IsNull() {
			j.rec.mut().NotifyCLSID, j.rec.mut().CLSIDSetter = model.GUID{}, model.Account{}
			j.inst = nil
			j.regEpoch++
		}
		s.touch(j)
		return nil
	})
}

func (h *jobHandle) SetDisplayName(name string) error {
	return h.do("SetDisplayName", true, func(j *job) error {
		if hr := rules.CheckSetDisplayName(name, h.s.opts.Variants); hr.Failed() {
			return hr
		}
		j.rec.DisplayName = name
		h.s.touch(j)
		return nil
	})
}

func (h *jobHandle) GetDisplayName() (n string, err error) {
	err = h.do("GetDisplayName", false, func(j *job) error { n = j.rec.DisplayName; return nil })
	return n, err
}

func (h *jobHandle) SetDescription(d string) error {
	return h.do("SetDescription", true, func(j *job) error {
		if hr := rules.CheckDescription(d); hr.Failed() {
			return hr
		}
		j.rec.mut().Description = d
		h.s.touch(j)
		return nil
	})
}

func (h *jobHandle) GetDescription() (d string, err error) {
	err = h.do("GetDescription", false, func(j *job) error { d = j.rec.x().Description; return nil })
	return d, err
}

func (h *jobHandle) SetPriority(p model.JobPriority) error {
	s := h.s
	return h.do("SetPriority", false, func(j *job) error {
		if hr := rules.CheckSetPriority(j.rec.State, p); hr.Failed() {
			return hr
		}
		changed := j.rec.Priority != p
		j.rec.Priority = p
		s.touch(j)
		switch {
		case changed && j.rec.State == model.BG_JOB_STATE_QUEUED:
			s.enqueue(j) // into the queue of its new priority
		case changed && j.rec.State.IsActive():
			s.askScheduler()
		}
		return nil
	})
}

func (h *jobHandle) GetPriority() (p model.JobPriority, err error) {
	err = h.do("GetPriority", false, func(j *job) error { p = j.rec.Priority; return nil })
	return p, err
}

func (h *jobHandle) SetNotifyFlags(flags model.NotifyFlags) error {
	s := h.s
	return h.do(fmt.Sprintf("SetNotifyFlags(%v)", flags), false, func(j *job) error {
		if hr := rules.CheckSetNotifyFlags(s.opts.Version, j.rec.State, flags, s.opts.Variants); hr.Failed() {
			return hr
		}
		j.rec.NotifyFlags = flags
		s.touch(j)
		s.kickNotify(j) // flags are read at dispatch (FLAGS-CHECKED-AT-DISPATCH)
		return nil
	})
}

func (h *jobHandle) GetNotifyFlags() (f model.NotifyFlags, err error) {
	err = h.do("GetNotifyFlags", false, func(j *job) error { f = j.rec.NotifyFlags; return nil })
	return f, err
}

// isNil reports whether v is nil or a nil pointer, map, slice, func,
// channel or interface inside an interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// asCallback returns obj as a callback if it implements one.
func asCallback(obj any) (model.Callback, bool) {
	if isNil(obj) {
		return nil, false
	}
	cb, ok := obj.(model.Callback)
	return cb, ok
}

func (h *jobHandle) SetNotifyInterface(obj any) error {
	s := h.s
	return h.do("SetNotifyInterface", true, func(j *job) error {
		if isNil(obj) {
			if j.obj != nil {
				j.obj = nil
				j.regEpoch++
			}
			return nil
		}
		cb, ok := asCallback(obj)
		if !ok {
			if j.obj != nil && s.opts.Variants.Is("OBJ-NO-CALLBACK-INTERFACE", rules.VarClearsOld) {
				j.obj = nil
				j.regEpoch++
			}
			return fmt.Errorf("%T implements no callback interface: %w", obj, model.E_NOINTERFACE)
		}
		j.obj = &objectReg{obj: cb, app: h.app, h: jobHandle{s: s, app: h.app, j: j}}
		s.dropInstance(j) // CLSID-INSTANCE-REPLACED
		j.cmdTookOver = false
		j.regEpoch++
		// At least once, even if registered after the event
		// (DELIV-AFTER-REGISTRATION).
		switch j.rec.State {
		case model.BG_JOB_STATE_TRANSFERRED:
			j.rec.PendingTransferred = true
		case model.BG_JOB_STATE_ERROR:
			j.rec.PendingError = true
		}
		s.kickNotifyNow(j)
		return nil
	})
}

func (h *jobHandle) GetNotifyInterface() (cb model.Callback, err error) {
	s := h.s
	err = h.do("GetNotifyInterface", false, func(j *job) error {
		switch {
		case j.obj != nil:
			cb = j.obj.obj
		case j.inst != nil && s.opts.Variants.Is("CLSID-NOT-NOTIFY-INTERFACE", rules.VarReportsInstance):
			cb = j.inst.obj
		}
		return nil
	})
	return cb, err
}

func (h *jobHandle) SetNotifyCmdLine(program, parameters string) error {
	s := h.s
	return h.do("SetNotifyCmdLine", true, func(j *job) error {
		if hr := rules.CheckCmdLine(program, parameters, s.opts.Variants); hr.Failed() {
			return hr
		}
		j.rec.mut().CmdProgram, j.rec.mut().CmdParameters = program, parameters
		j.rec.mut().CmdUser = h.app.user
		if rules.CmdLineClears(program) {
			j.rec.mut().CmdProgram, j.rec.mut().CmdParameters, j.rec.mut().CmdUser = "", "", model.Account{}
		}
		s.touch(j)
		s.kickNotify(j) // CMD-AFTER-EVENT
		return nil
	})
}

func (h *jobHandle) GetNotifyCmdLine() (program, parameters string, err error) {
	err = h.do("GetNotifyCmdLine", false, func(j *job) error {
		program, parameters = j.rec.x().CmdProgram, j.rec.x().CmdParameters
		return nil
	})
	return program, parameters, err
}

func (h *jobHandle) SetNotifyCLSID(clsid model.GUID) error {
	return h.SetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID, model.JobPropertyValue{ClsID: clsid})
}

func (h *jobHandle) GetNotifyCLSID() (model.GUID, error) {
	v, err := h.GetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID)
	return v.ClsID, err
}

// supported reports whether BITS v knows property id.
func propertySupported(v model.Version, id model.JobPropertyID) bool {
	switch id {
	case model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.BITS_JOB_PROPERTY_ON_DEMAND_MODE:
		return v >= model.BITS10_1
	}
	return id.Valid()
}

func (h *jobHandle) SetProperty(id model.JobPropertyID, v model.JobPropertyValue) error {
	s := h.s
	return h.do(fmt.Sprintf("SetProperty(%v)", id), false, func(j *job) error {
		if hr := rules.CheckJob5(s.opts.Version); hr.Failed() {
			return hr
		}
		if !propertySupported(s.opts.Version, id) {
			return model.BG_E_UNKNOWN_PROPERTY_ID
		}
		if id == model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID {
			if hr := rules.CheckSetNotifyCLSID(j.rec.State, v.ClsID, s.registered(v.ClsID), s.opts.Variants); hr.Failed() {
				return hr
			}
		} else if hr := rules.CheckModify(j.rec.State); hr.Failed() {
			return hr
		}
		switch id {
		case model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
			if j.rec.x().NotifyCLSID != v.ClsID {
				s.dropInstance(j) // the last CLSID set is the one used (CLSID-LAST-WRITER-WINS)
			}
			j.rec.mut().NotifyCLSID = v.ClsID
			j.rec.mut().CLSIDSetter = h.app.user
			if v.ClsID.IsNull() {
				j.rec.mut().CLSIDSetter = model.Account{}
			}
			j.regEpoch++
			s.kickNotify(j)
		case model.BITS_JOB_PROPERTY_ID_COST_FLAGS:
			j.rec.mut().CostFlags = v.DWORD
		case model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT:
			j.rec.DynamicContent = v.Enable
		case model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE:
			j.rec.mut().HighPerformance = v.Enable
		case model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
			j.rec.mut().MaxDownloadSize = v.Uint64
		case model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:
			// The union member is a BG_AUTH_TARGET and only PROXY is
			// supported (BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED's
			// documented text); otherwise ignored: the simulator has no
			// credentials.
			if v.Target != model.BG_AUTH_TARGET_PROXY {
				return model.BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED
			}
		case model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS:
			j.rec.mut().MinimumNotificationInterval = time.Duration(v.DWORD) * time.Millisecond
		case model.BITS_JOB_PROPERTY_ON_DEMAND_MODE:
			if j.rec.Type != model.BG_JOB_TYPE_DOWNLOAD {
				return model.BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY
			}
			if len(j.rec.Files) > 0 {
				return model.BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE
			}
			j.rec.OnDemand = v.Enable
		}
		s.touch(j)
		return nil
	})
}

func (h *jobHandle) GetProperty(id model.JobPropertyID) (v model.JobPropertyValue, err error) {
	s := h.s
	err = h.do(fmt.Sprintf("GetProperty(%v)", id), false, func(j *job) error {
		if hr := rules.CheckJob5(s.opts.Version); hr.Failed() {
			return hr
		}
		if !propertySupported(s.opts.Version, id) {
			return model.BG_E_UNKNOWN_PROPERTY_ID
		}
		switch id {
		case model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
			v.ClsID = j.rec.x().NotifyCLSID
		case model.BITS_JOB_PROPERTY_ID_COST_FLAGS:
			v.DWORD = j.rec.x().CostFlags
		case model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT:
			v.Enable = j.rec.DynamicContent
		case model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE:
			v.Enable = j.rec.x().HighPerformance
		case model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
			v.Uint64 = j.rec.x().MaxDownloadSize
		case model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS:
			v.DWORD = uint32(j.rec.x().MinimumNotificationInterval / time.Millisecond)
		case model.BITS_JOB_PROPERTY_ON_DEMAND_MODE:
			v.Enable = j.rec.OnDemand
		}
		return nil
	})
	return v, err
}

// setSeconds is the common body of the duration setters.
func (h *jobHandle) setSeconds(op string, d time.Duration, set func(j *job, d time.Duration)) error {
	return h.do(op, true, func(j *job) error {
		if hr := rules.CheckSeconds(d); hr.Failed() {
			return fmt.Errorf("%v is not a number of seconds BITS accepts: %w", d, hr)
		}
		set(j, d.Truncate(time.Second))
		h.s.touch(j)
		return nil
	})
}

func (h *jobHandle) getDuration(op string, get func(j *job) time.Duration) (d time.Duration, err error) {
	err = h.do(op, false, func(j *job) error { d = get(j); return nil })
	return d, err
}

func (h *jobHandle) SetMinimumRetryDelay(d time.Duration) error {
	return h.setSeconds("SetMinimumRetryDelay", d, func(j *job, d time.Duration) {
		j.rec.mut().MinimumRetryDelay = rules.ClampRetryDelay(d)
	})
}

func (h *jobHandle) GetMinimumRetryDelay() (time.Duration, error) {
	return h.getDuration("GetMinimumRetryDelay", func(j *job) time.Duration { return j.rec.x().MinimumRetryDelay })
}

func (h *jobHandle) SetNoProgressTimeout(d time.Duration) error {
	return h.setSeconds("SetNoProgressTimeout", d, func(j *job, d time.Duration) { j.rec.mut().NoProgressTimeout = d })
}

func (h *jobHandle) GetNoProgressTimeout() (time.Duration, error) {
	return h.getDuration("GetNoProgressTimeout", func(j *job) time.Duration { return j.rec.x().NoProgressTimeout })
}

func (h *jobHandle) SetMaximumDownloadTime(d time.Duration) error {
	if h.s.opts.Version < model.BITS3_0 {
		return fmt.Errorf("SetMaximumDownloadTime: IBackgroundCopyJob4 needs BITS 3.0: %w", model.E_NOINTERFACE)
	}
	return h.setSeconds("SetMaximumDownloadTime", d, func(j *job, d time.Duration) { j.rec.mut().MaximumDownloadTime = d })
}

func (h *jobHandle) GetMaximumDownloadTime() (time.Duration, error) {
	if h.s.opts.Version < model.BITS3_0 {
		return 0, fmt.Errorf("GetMaximumDownloadTime: IBackgroundCopyJob4 needs BITS 3.0: %w", model.E_NOINTERFACE)
	}
	return h.getDuration("GetMaximumDownloadTime", func(j *job) time.Duration { return j.rec.x().MaximumDownloadTime })
}
