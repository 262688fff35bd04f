package model

import "time"

// Manager is IBackgroundCopyManager as seen by one client: every Manager is
// bound to the account (and, in the simulator, the application) that
// connected, and the jobs it returns act on that client's behalf.
type Manager interface {
	// CreateJob creates a SUSPENDED job owned by the caller.
	CreateJob(displayName string, jobType JobType) (Job, error)
	// GetJob returns the job with the given ID. Unknown jobs, and jobs in a
	// final state, give BG_E_NOT_FOUND.
	GetJob(id GUID) (Job, error)
	// EnumJobs lists the caller's jobs, or every user's jobs with
	// BG_JOB_ENUM_ALL_USERS (administrators only). Order is unspecified.
	EnumJobs(flags EnumJobsFlags) ([]Job, error)
}

// Job is IBackgroundCopyJob through IBackgroundCopyJob5. Methods a backend's
// BITS version lacks return E_NOINTERFACE (the interface is missing) or
// E_NOTIMPL.
//
// Methods that change the job fail with BG_E_INVALID_STATE once the job is
// ACKNOWLEDGED or CANCELLED; getters keep working. Durations are whole
// seconds in BITS: finer parts are truncated, and negative durations or
// durations of more than 2^32-1 seconds give E_INVALIDARG.
type Job interface {
	// GetId returns the job's GUID.
	GetId() GUID
	// GetType returns DOWNLOAD, UPLOAD or UPLOAD_REPLY.
	GetType() (JobType, error)

	// AddFileSet adds files to the job; it stops at the first bad file,
	// keeping those added before it.
	AddFileSet(files []FileInfo) error
	// AddFile adds one file: a remote URL and a full local path.
	AddFile(remoteURL, localName string) error
	// AddFileWithRanges adds a file of which only the given ranges are
	// downloaded (IBackgroundCopyJob3).
	AddFileWithRanges(remoteURL, localName string, ranges []FileRange) error
	// EnumFiles lists the job's files in the order they were added.
	EnumFiles() ([]File, error)

	// Suspend stops the job from being scheduled.
	Suspend() error
	// Resume queues the job for transfer; BG_E_EMPTY if it has no files.
	Resume() error
	// Cancel deletes the job's files and moves it to CANCELLED.
	Cancel() error
	// Complete makes the transferred files available and moves the job to
	// ACKNOWLEDGED. The HRESULT is the success code: S_OK, or
	// BG_S_PARTIAL_COMPLETE when some files were not transferred.
	Complete() (HRESULT, error)

	// GetProgress returns the job's byte and file counts.
	GetProgress() (JobProgress, error)
	// GetTimes returns the creation, modification and completion times.
	GetTimes() (JobTimes, error)
	// GetState returns the job's state.
	GetState() (JobState, error)
	// GetError returns the job's error in ERROR and TRANSIENT_ERROR, and
	// BG_E_ERROR_INFORMATION_UNAVAILABLE otherwise.
	GetError() (JobError, error)
	// GetErrorCount returns how many times the job's error changed.
	GetErrorCount() (uint32, error)
	// GetOwner returns the owner's account name.
	GetOwner() (string, error)
	// TakeOwnership makes the caller the owner (administrators only). It
	// removes the job's command line.
	TakeOwnership() error

	// SetDisplayName sets the display name (at most 256 characters).
	SetDisplayName(name string) error
	// GetDisplayName returns the display name.
	GetDisplayName() (string, error)
	// SetDescription sets the description (at most 1024 characters).
	SetDescription(description string) error
	// GetDescription returns the description.
	GetDescription() (string, error)
	// SetPriority sets the priority; values outside BG_JOB_PRIORITY give E_NOTIMPL.
	SetPriority(priority JobPriority) error
	// GetPriority returns the priority (NORMAL by default).
	GetPriority() (JobPriority, error)

	// SetNotifyFlags chooses the notifications BITS sends; invalid flags give E_NOTIMPL.
	SetNotifyFlags(flags NotifyFlags) error
	// GetNotifyFlags returns the flags (JOB_TRANSFERRED|JOB_ERROR by default).
	GetNotifyFlags() (NotifyFlags, error)
	// SetNotifyInterface registers the callback object. obj plays the part of
	// the IUnknown BITS takes: it must implement Callback (and may implement
	// FileCallback or RangesCallback), or the call fails with E_NOINTERFACE;
	// nil, or a nil pointer, removes the registration. The object is not
	// persisted and the last caller wins.
	SetNotifyInterface(obj any) error
	// GetNotifyInterface returns the registered object, or nil.
	GetNotifyInterface() (Callback, error)
	// SetNotifyCmdLine sets the program BITS runs when the job is
	// transferred or in error (IBackgroundCopyJob2); two empty strings
	// remove it.
	SetNotifyCmdLine(program, parameters string) error
	// GetNotifyCmdLine returns the program and parameters, empty if unset.
	GetNotifyCmdLine() (program, parameters string, err error)
	// SetNotifyCLSID sets BITS_JOB_PROPERTY_NOTIFICATION_CLSID
	// (IBackgroundCopyJob5); GUID_NULL removes it. The CLSID is persisted and
	// the last writer wins.
	SetNotifyCLSID(clsid GUID) error
	// GetNotifyCLSID returns the notification CLSID, or GUID_NULL.
	GetNotifyCLSID() (GUID, error)

	// SetProperty sets a BITS_JOB_PROPERTY_ID (IBackgroundCopyJob5).
	SetProperty(id JobPropertyID, value JobPropertyValue) error
	// GetProperty returns a BITS_JOB_PROPERTY_ID's value (IBackgroundCopyJob5).
	GetProperty(id JobPropertyID) (JobPropertyValue, error)

	// SetMinimumRetryDelay sets how long BITS waits after a transient error
	// (default 600 s; less than 5 s counts as 5 s).
	SetMinimumRetryDelay(d time.Duration) error
	// GetMinimumRetryDelay returns the retry delay.
	GetMinimumRetryDelay() (time.Duration, error)
	// SetNoProgressTimeout sets how long BITS retries without progress
	// before the job goes to ERROR (default 14 days).
	SetNoProgressTimeout(d time.Duration) error
	// GetNoProgressTimeout returns the no-progress timeout.
	GetNoProgressTimeout() (time.Duration, error)
	// SetMaximumDownloadTime limits the time spent CONNECTING or
	// TRANSFERRING (IBackgroundCopyJob4; default 90 days; 0 means no limit).
	SetMaximumDownloadTime(d time.Duration) error
	// GetMaximumDownloadTime returns the download-time limit.
	GetMaximumDownloadTime() (time.Duration, error)
}

// File is IBackgroundCopyFile through IBackgroundCopyFile6.
type File interface {
	// GetRemoteName returns the remote URL.
	GetRemoteName() (string, error)
	// GetLocalName returns the local path.
	GetLocalName() (string, error)
	// GetProgress returns the file's byte counts.
	GetProgress() (FileProgress, error)
	// GetTemporaryName returns the name of the file BITS writes while
	// transferring (IBackgroundCopyFile3).
	GetTemporaryName() (string, error)
	// SetValidationState accepts or rejects a transferred file
	// (IBackgroundCopyFile3); E_PENDING before the file is transferred.
	SetValidationState(valid bool) error
	// GetValidationState returns what SetValidationState set (false if never set).
	GetValidationState() (bool, error)
	// IsDownloadedFromPeer reports whether a peer served the file.
	IsDownloadedFromPeer() (bool, error)
	// RequestFileRanges asks an on-demand job to download ranges
	// (IBackgroundCopyFile6).
	RequestFileRanges(ranges []FileRange) error
	// GetFilledFileRanges returns the ranges downloaded so far.
	GetFilledFileRanges() ([]FileRange, error)
}

// Callback is IBackgroundCopyCallback: the object BITS calls. A method that
// returns nil (or an HRESULT that Succeeded, such as S_FALSE) reports S_OK.
// JobTransferred and JobError that fail are called again until they succeed;
// implementations must be idempotent because delivery is at least once.
// Methods may call back into the job (for example Complete in
// JobTransferred).
type Callback interface {
	// JobTransferred is called when every file of the job is transferred.
	JobTransferred(job Job) error
	// JobError is called when the job enters ERROR.
	JobError(job Job, jobErr JobError) error
	// JobModification is called when the job changes (lossy, rate limited).
	JobModification(job Job) error
}

// FileCallback is IBackgroundCopyCallback2 (BITS 3.0).
type FileCallback interface {
	Callback
	// FileTransferred is called when one file is transferred; calls are
	// serialized per job and come before JobTransferred and JobError.
	FileTransferred(job Job, file File) error
}

// RangesCallback is IBackgroundCopyCallback3 (BITS 10.1).
type RangesCallback interface {
	FileCallback
	// FileRangesTransferred is called when requested ranges of an
	// on-demand job have been downloaded.
	FileRangesTransferred(job Job, file File, ranges []FileRange) error
}

// CallbackFuncs adapts functions to RangesCallback. A nil function returns
// nil (S_OK), as BITS expects of methods an application does not care about.
type CallbackFuncs struct {
	OnJobTransferred        func(job Job) error
	OnJobError              func(job Job, jobErr JobError) error
	OnJobModification       func(job Job) error
	OnFileTransferred       func(job Job, file File) error
	OnFileRangesTransferred func(job Job, file File, ranges []FileRange) error
}

// JobTransferred calls OnJobTransferred.
func (c *CallbackFuncs) JobTransferred(job Job) error {
	if c.OnJobTransferred == nil {
		return nil
	}
	return c.OnJobTransferred(job)
}

// JobError calls OnJobError.
func (c *CallbackFuncs) JobError(job Job, jobErr JobError) error {
	if c.OnJobError == nil {
		return nil
	}
	return c.OnJobError(job, jobErr)
}

// JobModification calls OnJobModification.
func (c *CallbackFuncs) JobModification(job Job) error {
	if c.OnJobModification == nil {
		return nil
	}
	return c.OnJobModification(job)
}

// FileTransferred calls OnFileTransferred.
func (c *CallbackFuncs) FileTransferred(job Job, file File) error {
	if c.OnFileTransferred == nil {
		return nil
	}
	return c.OnFileTransferred(job, file)
}

// FileRangesTransferred calls OnFileRangesTransferred.
func (c *CallbackFuncs) FileRangesTransferred(job Job, file File, ranges []FileRange) error {
	if c.OnFileRangesTransferred == nil {
		return nil
	}
	return c.OnFileRangesTransferred(job, file, ranges)
}

var _ RangesCallback = (*CallbackFuncs)(nil)
