//go:build windows

package winbits

import (
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

// refs holds the COM references a wrapper owns; they are released when the
// wrapper becomes unreachable.
type refs struct {
	mu   sync.Mutex
	ptrs []*unknown
}

func (r *refs) add(p *unknown) {
	r.mu.Lock()
	r.ptrs = append(r.ptrs, p)
	r.mu.Unlock()
}

func (r *refs) release() {
	r.mu.Lock()
	ptrs := r.ptrs
	r.ptrs = nil
	r.mu.Unlock()
	for _, p := range ptrs {
		p.Release()
	}
}

// Job is IBackgroundCopyJob through IBackgroundCopyJob5 as a model.Job.
// The newer interfaces are obtained with QueryInterface on first use; a
// method whose interface the service lacks returns E_NOINTERFACE.
type Job struct {
	job  *unknown
	id   model.GUID
	refs *refs

	mu  sync.Mutex
	qi  [6]bool     // QueryInterface for Job2..Job5 was tried
	itv [6]*unknown // IBackgroundCopyJob2..5 (index 2..5)
}

var _ model.Job = (*Job)(nil)

var jobIIDs = [6]model.GUID{2: iidJob2, 3: iidJob3, 4: iidJob4, 5: iidJob5}

// newJob wraps p, taking over the caller's reference.
func newJob(p *unknown, id model.GUID) *Job {
	j := &Job{job: p, id: id, refs: &refs{}}
	j.refs.add(p)
	runtime.AddCleanup(j, func(r *refs) { r.release() }, j.refs)
	return j
}

// wrapJob wraps a job pointer the caller keeps: it takes a reference of its
// own and reads the job's ID.
func wrapJob(p *unknown) (*Job, error) {
	p.AddRef()
	j := newJob(p, model.GUID{})
	var id windows.GUID
	if err := fail("IBackgroundCopyJob::GetId", p.call(slotJob.GetId, &id)); err != nil {
		return nil, err
	}
	j.id = modelGUID(&id)
	return j, nil
}

// itf returns IBackgroundCopyJob<n> (n = 2..5), or nil when the job does
// not implement it.
func (j *Job) itf(n int) *unknown {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.qi[n] {
		j.qi[n] = true
		if p, hr := j.job.QueryInterface(jobIIDs[n]); hr.Succeeded() {
			j.itv[n] = p
			j.refs.add(p)
		}
	}
	return j.itv[n]
}

// need returns IBackgroundCopyJob<n> or an E_NOINTERFACE error naming method.
func (j *Job) need(n int, method string) (*unknown, error) {
	p := j.itf(n)
	if p == nil {
		return nil, fmt.Errorf("IBackgroundCopyJob%d::%s: QueryInterface(IBackgroundCopyJob%d): %w", n, method, n, model.E_NOINTERFACE)
	}
	return p, nil
}

// Unknown returns the IBackgroundCopyJob pointer, valid while j is reachable.
func (j *Job) Unknown() unsafe.Pointer { return unsafe.Pointer(j.job) }

// GetId returns the job's GUID.
func (j *Job) GetId() model.GUID { return j.id }

func (j *Job) dword(slot int, method string) (uint32, error) {
	var v uint32
	if err := fail("IBackgroundCopyJob::"+method, j.job.call(slot, &v)); err != nil {
		return 0, err
	}
	return v, nil
}

func (j *Job) str(p *unknown, itf string, slot int, method string) (string, error) {
	var s *uint16
	if err := fail(itf+"::"+method, p.call(slot, &s)); err != nil {
		return "", err
	}
	return takeString(s), nil
}

// GetType is IBackgroundCopyJob::GetType.
func (j *Job) GetType() (model.JobType, error) {
	v, err := j.dword(slotJob.GetType, "GetType")
	return model.JobType(v), err
}

// AddFileSet is IBackgroundCopyJob::AddFileSet.
func (j *Job) AddFileSet(files []model.FileInfo) error {
	infos := make([]bgFileInfo, len(files))
	for i, f := range files {
		r, err := wstr(f.RemoteName)
		if err != nil {
			return fmt.Errorf("IBackgroundCopyJob::AddFileSet: %w", err)
		}
		l, err := wstr(f.LocalName)
		if err != nil {
			return fmt.Errorf("IBackgroundCopyJob::AddFileSet: %w", err)
		}
		infos[i] = bgFileInfo{r, l}
	}
	var p unsafe.Pointer
	if len(infos) > 0 {
		p = unsafe.Pointer(&infos[0])
	}
	hr := j.job.call(slotJob.AddFileSet, uint32(len(infos)), p)
	runtime.KeepAlive(infos)
	return fail("IBackgroundCopyJob::AddFileSet", hr)
}

// AddFile is IBackgroundCopyJob::AddFile.
func (j *Job) AddFile(remoteURL, localName string) error {
	r, err := wstr(remoteURL)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::AddFile: %w", err)
	}
	l, err := wstr(localName)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::AddFile: %w", err)
	}
	return fail("IBackgroundCopyJob::AddFile", j.job.call(slotJob.AddFile, r, l))
}

// AddFileWithRanges is IBackgroundCopyJob3::AddFileWithRanges.
func (j *Job) AddFileWithRanges(remoteURL, localName string, ranges []model.FileRange) error {
	p, err := j.need(3, "AddFileWithRanges")
	if err != nil {
		return err
	}
	r, err := wstr(remoteURL)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob3::AddFileWithRanges: %w", err)
	}
	l, err := wstr(localName)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob3::AddFileWithRanges: %w", err)
	}
	rs := make([]bgFileRange, len(ranges))
	for i, x := range ranges {
		rs[i] = bgFileRange{x.InitialOffset, x.Length}
	}
	var rp unsafe.Pointer
	if len(rs) > 0 {
		rp = unsafe.Pointer(&rs[0])
	}
	hr := p.call(slotJob3.AddFileWithRanges, r, l, uint32(len(rs)), rp)
	runtime.KeepAlive(rs)
	return fail("IBackgroundCopyJob3::AddFileWithRanges", hr)
}

// EnumFiles is IBackgroundCopyJob::EnumFiles; the files come in the order
// the service enumerates them.
func (j *Job) EnumFiles() ([]model.File, error) {
	var e *unknown
	if err := fail("IBackgroundCopyJob::EnumFiles", j.job.call(slotJob.EnumFiles, &e)); err != nil {
		return nil, err
	}
	defer e.Release()
	ptrs, err := enumAll(e, "IEnumBackgroundCopyFiles")
	if err != nil {
		return nil, err
	}
	files := make([]model.File, len(ptrs))
	for i, p := range ptrs {
		files[i] = newFile(p)
	}
	return files, nil
}

// Suspend is IBackgroundCopyJob::Suspend.
func (j *Job) Suspend() error {
	return fail("IBackgroundCopyJob::Suspend", j.job.call(slotJob.Suspend))
}

// Resume is IBackgroundCopyJob::Resume.
func (j *Job) Resume() error { return fail("IBackgroundCopyJob::Resume", j.job.call(slotJob.Resume)) }

// Cancel is IBackgroundCopyJob::Cancel. Its success code (such as
// BG_S_UNABLE_TO_DELETE_FILES) is not reported.
func (j *Job) Cancel() error { return fail("IBackgroundCopyJob::Cancel", j.job.call(slotJob.Cancel)) }

// Complete is IBackgroundCopyJob::Complete; it returns the success code
// (S_OK, BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES).
func (j *Job) Complete() (model.HRESULT, error) {
	hr := j.job.call(slotJob.Complete)
	if err := fail("IBackgroundCopyJob::Complete", hr); err != nil {
		return hr, err
	}
	return hr, nil
}

// GetProgress is IBackgroundCopyJob::GetProgress.
func (j *Job) GetProgress() (model.JobProgress, error) {
	var p bgJobProgress
	if err := fail("IBackgroundCopyJob::GetProgress", j.job.call(slotJob.GetProgress, &p)); err != nil {
		return model.JobProgress{}, err
	}
	return model.JobProgress{BytesTotal: p.BytesTotal, BytesTransferred: p.BytesTransferred,
		FilesTotal: p.FilesTotal, FilesTransferred: p.FilesTransferred}, nil
}

// GetTimes is IBackgroundCopyJob::GetTimes.
func (j *Job) GetTimes() (model.JobTimes, error) {
	var t bgJobTimes
	if err := fail("IBackgroundCopyJob::GetTimes", j.job.call(slotJob.GetTimes, &t)); err != nil {
		return model.JobTimes{}, err
	}
	return model.JobTimes{CreationTime: filetime(t.CreationTime), ModificationTime: filetime(t.ModificationTime),
		TransferCompletionTime: filetime(t.TransferCompletionTime)}, nil
}

// GetState is IBackgroundCopyJob::GetState.
func (j *Job) GetState() (model.JobState, error) {
	v, err := j.dword(slotJob.GetState, "GetState")
	return model.JobState(v), err
}

// GetError is IBackgroundCopyJob::GetError, read through
// IBackgroundCopyError::GetError, GetFile, GetErrorDescription and
// GetProtocol.
func (j *Job) GetError() (model.JobError, error) {
	var e *unknown
	if err := fail("IBackgroundCopyJob::GetError", j.job.call(slotJob.GetError, &e)); err != nil {
		return model.JobError{}, err
	}
	if e == nil {
		return model.JobError{}, fmt.Errorf("IBackgroundCopyJob::GetError: %w", model.BG_E_ERROR_INFORMATION_UNAVAILABLE)
	}
	defer e.Release()
	return readError(e)
}

// readError reads an IBackgroundCopyError. Only GetError must succeed; the
// description defaults to the code's, and a missing file or protocol stays
// empty.
func readError(e *unknown) (model.JobError, error) {
	var ctx, code uint32
	if err := fail("IBackgroundCopyError::GetError", e.call(slotError.GetError, &ctx, &code)); err != nil {
		return model.JobError{}, err
	}
	je := model.JobError{Context: model.ErrorContext(ctx), Code: model.HRESULT(code)}
	var f *unknown
	if hr := e.call(slotError.GetFile, &f); hr.Succeeded() && f != nil {
		file := newFile(f)
		je.File.RemoteName, _ = file.GetRemoteName()
		je.File.LocalName, _ = file.GetLocalName()
	}
	var s *uint16
	if hr := e.call(slotError.GetErrorDescription, uint32(langEnglishUS), &s); hr.Succeeded() {
		je.Description = takeString(s)
	} else {
		je.Description = je.Code.Description()
	}
	var proto *uint16
	if hr := e.call(slotError.GetProtocol, &proto); hr.Succeeded() {
		je.Protocol = takeString(proto)
	}
	return je, nil
}

// langEnglishUS is MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US).
const langEnglishUS = 0x0409

// GetErrorCount is IBackgroundCopyJob::GetErrorCount.
func (j *Job) GetErrorCount() (uint32, error) { return j.dword(slotJob.GetErrorCount, "GetErrorCount") }

// GetOwner is IBackgroundCopyJob::GetOwner. BITS returns the owner's SID
// as a string; it is returned as the account name ("DOMAIN\user") when
// the SID can be looked up, and as the SID otherwise.
func (j *Job) GetOwner() (string, error) {
	s, err := j.str(j.job, "IBackgroundCopyJob", slotJob.GetOwner, "GetOwner")
	if err != nil {
		return "", err
	}
	if sid, err := windows.StringToSid(s); err == nil {
		if account, domain, _, err := sid.LookupAccount(""); err == nil {
			if domain != "" {
				return domain + `\` + account, nil
			}
			return account, nil
		}
	}
	return s, nil
}

// TakeOwnership is IBackgroundCopyJob::TakeOwnership.
func (j *Job) TakeOwnership() error {
	return fail("IBackgroundCopyJob::TakeOwnership", j.job.call(slotJob.TakeOwnership))
}

// SetDisplayName is IBackgroundCopyJob::SetDisplayName. The name goes out
// as given: an empty name is an empty string, never NULL (see CreateJob).
func (j *Job) SetDisplayName(name string) error {
	p, err := wstr(name)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetDisplayName: %w", err)
	}
	return fail("IBackgroundCopyJob::SetDisplayName", j.job.call(slotJob.SetDisplayName, p))
}

// GetDisplayName is IBackgroundCopyJob::GetDisplayName.
func (j *Job) GetDisplayName() (string, error) {
	return j.str(j.job, "IBackgroundCopyJob", slotJob.GetDisplayName, "GetDisplayName")
}

// SetDescription is IBackgroundCopyJob::SetDescription.
func (j *Job) SetDescription(description string) error {
	p, err := wstr(description)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetDescription: %w", err)
	}
	return fail("IBackgroundCopyJob::SetDescription", j.job.call(slotJob.SetDescription, p))
}

// GetDescription is IBackgroundCopyJob::GetDescription.
func (j *Job) GetDescription() (string, error) {
	return j.str(j.job, "IBackgroundCopyJob", slotJob.GetDescription, "GetDescription")
}

// SetPriority is IBackgroundCopyJob::SetPriority.
func (j *Job) SetPriority(priority model.JobPriority) error {
	return fail("IBackgroundCopyJob::SetPriority", j.job.call(slotJob.SetPriority, uint32(priority)))
}

// GetPriority is IBackgroundCopyJob::GetPriority.
func (j *Job) GetPriority() (model.JobPriority, error) {
	v, err := j.dword(slotJob.GetPriority, "GetPriority")
	return model.JobPriority(v), err
}

// SetNotifyFlags is IBackgroundCopyJob::SetNotifyFlags.
func (j *Job) SetNotifyFlags(flags model.NotifyFlags) error {
	return fail("IBackgroundCopyJob::SetNotifyFlags", j.job.call(slotJob.SetNotifyFlags, uint32(flags)))
}

// GetNotifyFlags is IBackgroundCopyJob::GetNotifyFlags.
func (j *Job) GetNotifyFlags() (model.NotifyFlags, error) {
	v, err := j.dword(slotJob.GetNotifyFlags, "GetNotifyFlags")
	return model.NotifyFlags(v), err
}

// SetNotifyInterface is IBackgroundCopyJob::SetNotifyInterface. obj may
// be nil (or a nil pointer) to remove the registration; a *CallbackObject,
// passed as it is; a model.Callback, for which a new callback object is
// made (see NewCallbackObject); or any other value, for which an object
// that answers only IUnknown is made, so that BITS decides what to do
// with an object that is not a callback.
func (j *Job) SetNotifyInterface(obj any) error {
	var p *CallbackObject
	switch v := obj.(type) {
	case nil:
	case *CallbackObject:
		p = v
	default:
		if isNilPointer(obj) {
			break
		}
		var err error
		if p, err = NewCallbackObject(obj); err != nil {
			return fmt.Errorf("IBackgroundCopyJob::SetNotifyInterface: %w", err)
		}
		defer p.Release() // BITS holds its own reference
	}
	var arg unsafe.Pointer
	if p != nil {
		arg = p.Pointer()
	}
	hr := j.job.call(slotJob.SetNotifyInterface, arg)
	runtime.KeepAlive(p)
	return fail("IBackgroundCopyJob::SetNotifyInterface", hr)
}

// GetNotifyInterface is IBackgroundCopyJob::GetNotifyInterface. An object
// of this process made by NewCallbackObject comes back as the
// model.Callback it dispatches to; any other object as a *RemoteCallback.
func (j *Job) GetNotifyInterface() (model.Callback, error) {
	var u *unknown
	if err := fail("IBackgroundCopyJob::GetNotifyInterface", j.job.call(slotJob.GetNotifyInterface, &u)); err != nil {
		return nil, err
	}
	if u == nil {
		return nil, nil
	}
	if cb := lookupCallback(u); cb != nil {
		u.Release()
		return cb, nil
	}
	rc := &RemoteCallback{refs: &refs{}}
	rc.refs.add(u)
	runtime.AddCleanup(rc, func(r *refs) { r.release() }, rc.refs)
	return rc, nil
}

// SetNotifyCmdLine is IBackgroundCopyJob2::SetNotifyCmdLine; empty strings
// are passed as NULL.
func (j *Job) SetNotifyCmdLine(program, parameters string) error {
	p, err := j.need(2, "SetNotifyCmdLine")
	if err != nil {
		return err
	}
	prog, err := wstrOrNull(program)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob2::SetNotifyCmdLine: %w", err)
	}
	params, err := wstrOrNull(parameters)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob2::SetNotifyCmdLine: %w", err)
	}
	return fail("IBackgroundCopyJob2::SetNotifyCmdLine", p.call(slotJob2.SetNotifyCmdLine, prog, params))
}

// GetNotifyCmdLine is IBackgroundCopyJob2::GetNotifyCmdLine.
func (j *Job) GetNotifyCmdLine() (string, string, error) {
	p, err := j.need(2, "GetNotifyCmdLine")
	if err != nil {
		return "", "", err
	}
	var prog, params *uint16
	if err := fail("IBackgroundCopyJob2::GetNotifyCmdLine", p.call(slotJob2.GetNotifyCmdLine, &prog, &params)); err != nil {
		return "", "", err
	}
	return takeString(prog), takeString(params), nil
}

// SetNotifyCLSID sets BITS_JOB_PROPERTY_NOTIFICATION_CLSID (IBackgroundCopyJob5).
func (j *Job) SetNotifyCLSID(clsid model.GUID) error {
	return j.SetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID, model.JobPropertyValue{ClsID: clsid})
}

// GetNotifyCLSID reads BITS_JOB_PROPERTY_NOTIFICATION_CLSID (IBackgroundCopyJob5).
func (j *Job) GetNotifyCLSID() (model.GUID, error) {
	v, err := j.GetProperty(model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID)
	return v.ClsID, err
}

// SetProperty is IBackgroundCopyJob5::SetProperty.
func (j *Job) SetProperty(id model.JobPropertyID, value model.JobPropertyValue) error {
	p, err := j.need(5, "SetProperty")
	if err != nil {
		return err
	}
	v := encodeProperty(id, value)
	args := append([]any{uint32(id)}, propertyArgs(&v)...)
	hr := p.call(slotJob5.SetProperty, args...)
	runtime.KeepAlive(&v)
	return fail("IBackgroundCopyJob5::SetProperty", hr)
}

// GetProperty is IBackgroundCopyJob5::GetProperty.
func (j *Job) GetProperty(id model.JobPropertyID) (model.JobPropertyValue, error) {
	p, err := j.need(5, "GetProperty")
	if err != nil {
		return model.JobPropertyValue{}, err
	}
	var v propertyValue
	if err := fail("IBackgroundCopyJob5::GetProperty", p.call(slotJob5.GetProperty, uint32(id), &v)); err != nil {
		return model.JobPropertyValue{}, err
	}
	return decodeProperty(id, v), nil
}

// SetMinimumRetryDelay is IBackgroundCopyJob::SetMinimumRetryDelay.
func (j *Job) SetMinimumRetryDelay(d time.Duration) error {
	s, err := seconds(d)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetMinimumRetryDelay: %w", err)
	}
	return fail("IBackgroundCopyJob::SetMinimumRetryDelay", j.job.call(slotJob.SetMinimumRetryDelay, s))
}

// GetMinimumRetryDelay is IBackgroundCopyJob::GetMinimumRetryDelay.
func (j *Job) GetMinimumRetryDelay() (time.Duration, error) {
	v, err := j.dword(slotJob.GetMinimumRetryDelay, "GetMinimumRetryDelay")
	return time.Duration(v) * time.Second, err
}

// SetNoProgressTimeout is IBackgroundCopyJob::SetNoProgressTimeout.
func (j *Job) SetNoProgressTimeout(d time.Duration) error {
	s, err := seconds(d)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetNoProgressTimeout: %w", err)
	}
	return fail("IBackgroundCopyJob::SetNoProgressTimeout", j.job.call(slotJob.SetNoProgressTimeout, s))
}

// GetNoProgressTimeout is IBackgroundCopyJob::GetNoProgressTimeout.
func (j *Job) GetNoProgressTimeout() (time.Duration, error) {
	v, err := j.dword(slotJob.GetNoProgressTimeout, "GetNoProgressTimeout")
	return time.Duration(v) * time.Second, err
}

// SetMaximumDownloadTime is IBackgroundCopyJob4::SetMaximumDownloadTime.
func (j *Job) SetMaximumDownloadTime(d time.Duration) error {
	p, err := j.need(4, "SetMaximumDownloadTime")
	if err != nil {
		return err
	}
	s, err := seconds(d)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob4::SetMaximumDownloadTime: %w", err)
	}
	return fail("IBackgroundCopyJob4::SetMaximumDownloadTime", p.call(slotJob4.SetMaximumDownloadTime, s))
}

// GetMaximumDownloadTime is IBackgroundCopyJob4::GetMaximumDownloadTime.
func (j *Job) GetMaximumDownloadTime() (time.Duration, error) {
	p, err := j.need(4, "GetMaximumDownloadTime")
	if err != nil {
		return 0, err
	}
	var v uint32
	if err := fail("IBackgroundCopyJob4::GetMaximumDownloadTime", p.call(slotJob4.GetMaximumDownloadTime, &v)); err != nil {
		return 0, err
	}
	return time.Duration(v) * time.Second, nil
}

// RemoteCallback is a notification object GetNotifyInterface returned that
// this process did not make (it lives in another process, or is not a
// bitssim object). It holds a reference on the object; its methods do not
// call it and return E_NOTIMPL.
type RemoteCallback struct {
	refs *refs
}

var _ model.Callback = (*RemoteCallback)(nil)

// JobTransferred returns E_NOTIMPL.
func (*RemoteCallback) JobTransferred(model.Job) error { return model.E_NOTIMPL }

// JobError returns E_NOTIMPL.
func (*RemoteCallback) JobError(model.Job, model.JobError) error { return model.E_NOTIMPL }

// JobModification returns E_NOTIMPL.
func (*RemoteCallback) JobModification(model.Job) error { return model.E_NOTIMPL }
