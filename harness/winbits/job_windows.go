//go:build windows

package winbits

import (
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// refs holds the COM references a wrapper owns; they are released when the
// wrapper becomes unreachable.
type refs struct {
	mu   sync.Mutex
	ptrs []*com.Unknown
}

func (r *refs) add(p *com.Unknown) {
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
	job  *com.Unknown
	id   model.GUID
	refs *refs

	mu  sync.Mutex
	qi  [6]bool         // QueryInterface for Job2..Job5 was tried
	itv [6]*com.Unknown // IBackgroundCopyJob2..5 (index 2..5)
}

var _ model.Job = (*Job)(nil)

var jobIIDs = [6]model.GUID{2: bitsabi.IIDJob2, 3: bitsabi.IIDJob3, 4: bitsabi.IIDJob4, 5: bitsabi.IIDJob5}

// newJob wraps p, taking over the caller's reference.
func newJob(p *com.Unknown, id model.GUID) *Job {
	j := &Job{job: p, id: id, refs: &refs{}}
	j.refs.add(p)
	runtime.AddCleanup(j, func(r *refs) { r.release() }, j.refs)
	return j
}

// wrapJob wraps a job pointer the caller keeps: it takes a reference of its
// own and reads the job's ID.
func wrapJob(p *com.Unknown) (*Job, error) {
	p.AddRef()
	j := newJob(p, model.GUID{})
	var id windows.GUID
	if err := com.Check("IBackgroundCopyJob::GetId", p.Call(bitsabi.SlotJob.GetId, &id)); err != nil {
		return nil, err
	}
	j.id = com.ModelGUID(&id)
	return j, nil
}

// itf returns IBackgroundCopyJob<n> (n = 2..5), or nil when the job does
// not implement it.
func (j *Job) itf(n int) *com.Unknown {
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
func (j *Job) need(n int, method string) (*com.Unknown, error) {
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
	if err := com.Check("IBackgroundCopyJob::"+method, j.job.Call(slot, &v)); err != nil {
		return 0, err
	}
	return v, nil
}

func (j *Job) str(p *com.Unknown, itf string, slot int, method string) (string, error) {
	var s *uint16
	if err := com.Check(itf+"::"+method, p.Call(slot, &s)); err != nil {
		return "", err
	}
	return com.TakeString(s), nil
}

// GetType is IBackgroundCopyJob::GetType.
func (j *Job) GetType() (model.JobType, error) {
	v, err := j.dword(bitsabi.SlotJob.GetType, "GetType")
	return model.JobType(v), err
}

// AddFileSet is IBackgroundCopyJob::AddFileSet.
func (j *Job) AddFileSet(files []model.FileInfo) error {
	infos := make([]bgFileInfo, len(files))
	for i, f := range files {
		r, err := com.String(f.RemoteName)
		if err != nil {
			return fmt.Errorf("IBackgroundCopyJob::AddFileSet: %w", err)
		}
		l, err := com.String(f.LocalName)
		if err != nil {
			return fmt.Errorf("IBackgroundCopyJob::AddFileSet: %w", err)
		}
		infos[i] = bgFileInfo{r, l}
	}
	var p unsafe.Pointer
	if len(infos) > 0 {
		p = unsafe.Pointer(&infos[0])
	}
	hr := j.job.Call(bitsabi.SlotJob.AddFileSet, uint32(len(infos)), p)
	runtime.KeepAlive(infos)
	return com.Check("IBackgroundCopyJob::AddFileSet", hr)
}

// AddFile is IBackgroundCopyJob::AddFile.
func (j *Job) AddFile(remoteURL, localName string) error {
	r, err := com.String(remoteURL)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::AddFile: %w", err)
	}
	l, err := com.String(localName)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::AddFile: %w", err)
	}
	return com.Check("IBackgroundCopyJob::AddFile", j.job.Call(bitsabi.SlotJob.AddFile, r, l))
}

// AddFileWithRanges is IBackgroundCopyJob3::AddFileWithRanges.
func (j *Job) AddFileWithRanges(remoteURL, localName string, ranges []model.FileRange) error {
	p, err := j.need(3, "AddFileWithRanges")
	if err != nil {
		return err
	}
	r, err := com.String(remoteURL)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob3::AddFileWithRanges: %w", err)
	}
	l, err := com.String(localName)
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
	hr := p.Call(bitsabi.SlotJob3.AddFileWithRanges, r, l, uint32(len(rs)), rp)
	runtime.KeepAlive(rs)
	return com.Check("IBackgroundCopyJob3::AddFileWithRanges", hr)
}

// EnumFiles is IBackgroundCopyJob::EnumFiles; the files come in the order
// the service enumerates them.
func (j *Job) EnumFiles() ([]model.File, error) {
	var e *com.Unknown
	if err := com.Check("IBackgroundCopyJob::EnumFiles", j.job.Call(bitsabi.SlotJob.EnumFiles, &e)); err != nil {
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
	return com.Check("IBackgroundCopyJob::Suspend", j.job.Call(bitsabi.SlotJob.Suspend))
}

// Resume is IBackgroundCopyJob::Resume.
func (j *Job) Resume() error {
	return com.Check("IBackgroundCopyJob::Resume", j.job.Call(bitsabi.SlotJob.Resume))
}

// Cancel is IBackgroundCopyJob::Cancel. Its success code (such as
// BG_S_UNABLE_TO_DELETE_FILES) is not reported.
func (j *Job) Cancel() error {
	return com.Check("IBackgroundCopyJob::Cancel", j.job.Call(bitsabi.SlotJob.Cancel))
}

// Complete is IBackgroundCopyJob::Complete; it returns the success code
// (S_OK, BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES).
func (j *Job) Complete() (model.HRESULT, error) {
	hr := j.job.Call(bitsabi.SlotJob.Complete)
	if err := com.Check("IBackgroundCopyJob::Complete", hr); err != nil {
		return hr, err
	}
	return hr, nil
}

// GetProgress is IBackgroundCopyJob::GetProgress.
func (j *Job) GetProgress() (model.JobProgress, error) {
	var p bgJobProgress
	if err := com.Check("IBackgroundCopyJob::GetProgress", j.job.Call(bitsabi.SlotJob.GetProgress, &p)); err != nil {
		return model.JobProgress{}, err
	}
	return model.JobProgress{BytesTotal: p.BytesTotal, BytesTransferred: p.BytesTransferred,
		FilesTotal: p.FilesTotal, FilesTransferred: p.FilesTransferred}, nil
}

// GetTimes is IBackgroundCopyJob::GetTimes.
func (j *Job) GetTimes() (model.JobTimes, error) {
	var t bgJobTimes
	if err := com.Check("IBackgroundCopyJob::GetTimes", j.job.Call(bitsabi.SlotJob.GetTimes, &t)); err != nil {
		return model.JobTimes{}, err
	}
	return model.JobTimes{CreationTime: filetime(t.CreationTime), ModificationTime: filetime(t.ModificationTime),
		TransferCompletionTime: filetime(t.TransferCompletionTime)}, nil
}

// GetState is IBackgroundCopyJob::GetState.
func (j *Job) GetState() (model.JobState, error) {
	v, err := j.dword(bitsabi.SlotJob.GetState, "GetState")
	return model.JobState(v), err
}

// GetError is IBackgroundCopyJob::GetError, read through
// IBackgroundCopyError::GetError, GetFile, GetErrorDescription and
// GetProtocol.
func (j *Job) GetError() (model.JobError, error) {
	var e *com.Unknown
	if err := com.Check("IBackgroundCopyJob::GetError", j.job.Call(bitsabi.SlotJob.GetError, &e)); err != nil {
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
func readError(e *com.Unknown) (model.JobError, error) {
	var ctx, code uint32
	if err := com.Check("IBackgroundCopyError::GetError", e.Call(bitsabi.SlotError.GetError, &ctx, &code)); err != nil {
		return model.JobError{}, err
	}
	je := model.JobError{Context: model.ErrorContext(ctx), Code: model.HRESULT(code)}
	var f *com.Unknown
	if hr := e.Call(bitsabi.SlotError.GetFile, &f); hr.Succeeded() && f != nil {
		file := newFile(f)
		je.File.RemoteName, _ = file.GetRemoteName()
		je.File.LocalName, _ = file.GetLocalName()
	}
	var s *uint16
	if hr := e.Call(bitsabi.SlotError.GetErrorDescription, uint32(langEnglishUS), &s); hr.Succeeded() {
		je.Description = com.TakeString(s)
	} else {
		je.Description = je.Code.Description()
	}
	var proto *uint16
	if hr := e.Call(bitsabi.SlotError.GetProtocol, &proto); hr.Succeeded() {
		je.Protocol = com.TakeString(proto)
	}
	return je, nil
}

// langEnglishUS is MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US).
const langEnglishUS = 0x0409

// GetErrorCount is IBackgroundCopyJob::GetErrorCount.
func (j *Job) GetErrorCount() (uint32, error) {
	return j.dword(bitsabi.SlotJob.GetErrorCount, "GetErrorCount")
}

// GetOwner is IBackgroundCopyJob::GetOwner. BITS returns the owner's SID
// as a string; it is returned as the account name ("DOMAIN\user") when
// the SID can be looked up, and as the SID otherwise.
func (j *Job) GetOwner() (string, error) {
	s, err := j.str(j.job, "IBackgroundCopyJob", bitsabi.SlotJob.GetOwner, "GetOwner")
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
	return com.Check("IBackgroundCopyJob::TakeOwnership", j.job.Call(bitsabi.SlotJob.TakeOwnership))
}

// SetDisplayName is IBackgroundCopyJob::SetDisplayName. The name goes out
// as given: an empty name is an empty string, never NULL (see CreateJob).
func (j *Job) SetDisplayName(name string) error {
	p, err := com.String(name)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetDisplayName: %w", err)
	}
	return com.Check("IBackgroundCopyJob::SetDisplayName", j.job.Call(bitsabi.SlotJob.SetDisplayName, p))
}

// GetDisplayName is IBackgroundCopyJob::GetDisplayName.
func (j *Job) GetDisplayName() (string, error) {
	return j.str(j.job, "IBackgroundCopyJob", bitsabi.SlotJob.GetDisplayName, "GetDisplayName")
}

// SetDescription is IBackgroundCopyJob::SetDescription.
func (j *Job) SetDescription(description string) error {
	p, err := com.String(description)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetDescription: %w", err)
	}
	return com.Check("IBackgroundCopyJob::SetDescription", j.job.Call(bitsabi.SlotJob.SetDescription, p))
}

// GetDescription is IBackgroundCopyJob::GetDescription.
func (j *Job) GetDescription() (string, error) {
	return j.str(j.job, "IBackgroundCopyJob", bitsabi.SlotJob.GetDescription, "GetDescription")
}

// SetPriority is IBackgroundCopyJob::SetPriority.
func (j *Job) SetPriority(priority model.JobPriority) error {
	return com.Check("IBackgroundCopyJob::SetPriority", j.job.Call(bitsabi.SlotJob.SetPriority, uint32(priority)))
}

// GetPriority is IBackgroundCopyJob::GetPriority.
func (j *Job) GetPriority() (model.JobPriority, error) {
	v, err := j.dword(bitsabi.SlotJob.GetPriority, "GetPriority")
	return model.JobPriority(v), err
}

// SetNotifyFlags is IBackgroundCopyJob::SetNotifyFlags.
func (j *Job) SetNotifyFlags(flags model.NotifyFlags) error {
	return com.Check("IBackgroundCopyJob::SetNotifyFlags", j.job.Call(bitsabi.SlotJob.SetNotifyFlags, uint32(flags)))
}

// GetNotifyFlags is IBackgroundCopyJob::GetNotifyFlags.
func (j *Job) GetNotifyFlags() (model.NotifyFlags, error) {
	v, err := j.dword(bitsabi.SlotJob.GetNotifyFlags, "GetNotifyFlags")
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
	hr := j.job.Call(bitsabi.SlotJob.SetNotifyInterface, arg)
	runtime.KeepAlive(p)
	return com.Check("IBackgroundCopyJob::SetNotifyInterface", hr)
}

// GetNotifyInterface is IBackgroundCopyJob::GetNotifyInterface. An object
// of this process made by NewCallbackObject comes back as the
// model.Callback it dispatches to; any other object as a *RemoteCallback.
func (j *Job) GetNotifyInterface() (model.Callback, error) {
	var u *com.Unknown
	if err := com.Check("IBackgroundCopyJob::GetNotifyInterface", j.job.Call(bitsabi.SlotJob.GetNotifyInterface, &u)); err != nil {
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
	prog, err := com.StringOrNull(program)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob2::SetNotifyCmdLine: %w", err)
	}
	params, err := com.StringOrNull(parameters)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob2::SetNotifyCmdLine: %w", err)
	}
	return com.Check("IBackgroundCopyJob2::SetNotifyCmdLine", p.Call(bitsabi.SlotJob2.SetNotifyCmdLine, prog, params))
}

// GetNotifyCmdLine is IBackgroundCopyJob2::GetNotifyCmdLine.
func (j *Job) GetNotifyCmdLine() (string, string, error) {
	p, err := j.need(2, "GetNotifyCmdLine")
	if err != nil {
		return "", "", err
	}
	var prog, params *uint16
	if err := com.Check("IBackgroundCopyJob2::GetNotifyCmdLine", p.Call(bitsabi.SlotJob2.GetNotifyCmdLine, &prog, &params)); err != nil {
		return "", "", err
	}
	return com.TakeString(prog), com.TakeString(params), nil
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
	v := bitsabi.EncodeProperty(id, value)
	hr := p.Call(bitsabi.SlotJob5.SetProperty, append([]any{uint32(id)}, v.Args()...)...)
	return com.Check("IBackgroundCopyJob5::SetProperty", hr)
}

// GetProperty is IBackgroundCopyJob5::GetProperty.
func (j *Job) GetProperty(id model.JobPropertyID) (model.JobPropertyValue, error) {
	p, err := j.need(5, "GetProperty")
	if err != nil {
		return model.JobPropertyValue{}, err
	}
	var v bitsabi.PropertyValue
	if err := com.Check("IBackgroundCopyJob5::GetProperty", p.Call(bitsabi.SlotJob5.GetProperty, uint32(id), &v)); err != nil {
		return model.JobPropertyValue{}, err
	}
	return bitsabi.DecodeProperty(id, v), nil
}

// SetMinimumRetryDelay is IBackgroundCopyJob::SetMinimumRetryDelay.
func (j *Job) SetMinimumRetryDelay(d time.Duration) error {
	s, err := seconds(d)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetMinimumRetryDelay: %w", err)
	}
	return com.Check("IBackgroundCopyJob::SetMinimumRetryDelay", j.job.Call(bitsabi.SlotJob.SetMinimumRetryDelay, s))
}

// GetMinimumRetryDelay is IBackgroundCopyJob::GetMinimumRetryDelay.
func (j *Job) GetMinimumRetryDelay() (time.Duration, error) {
	v, err := j.dword(bitsabi.SlotJob.GetMinimumRetryDelay, "GetMinimumRetryDelay")
	return time.Duration(v) * time.Second, err
}

// SetNoProgressTimeout is IBackgroundCopyJob::SetNoProgressTimeout.
func (j *Job) SetNoProgressTimeout(d time.Duration) error {
	s, err := seconds(d)
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetNoProgressTimeout: %w", err)
	}
	return com.Check("IBackgroundCopyJob::SetNoProgressTimeout", j.job.Call(bitsabi.SlotJob.SetNoProgressTimeout, s))
}

// GetNoProgressTimeout is IBackgroundCopyJob::GetNoProgressTimeout.
func (j *Job) GetNoProgressTimeout() (time.Duration, error) {
	v, err := j.dword(bitsabi.SlotJob.GetNoProgressTimeout, "GetNoProgressTimeout")
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
	return com.Check("IBackgroundCopyJob4::SetMaximumDownloadTime", p.Call(bitsabi.SlotJob4.SetMaximumDownloadTime, s))
}

// GetMaximumDownloadTime is IBackgroundCopyJob4::GetMaximumDownloadTime.
func (j *Job) GetMaximumDownloadTime() (time.Duration, error) {
	p, err := j.need(4, "GetMaximumDownloadTime")
	if err != nil {
		return 0, err
	}
	var v uint32
	if err := com.Check("IBackgroundCopyJob4::GetMaximumDownloadTime", p.Call(bitsabi.SlotJob4.GetMaximumDownloadTime, &v)); err != nil {
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
