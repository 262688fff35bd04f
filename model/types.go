package model

import (
	"fmt"
	"time"
)

// BG_SIZE_UNKNOWN is the size BITS reports before it knows a file's size.
const BG_SIZE_UNKNOWN uint64 = ^uint64(0)

// BG_LENGTH_TO_EOF as a FileRange length means "to the end of the file".
const BG_LENGTH_TO_EOF uint64 = ^uint64(0)

// JobProgress is BG_JOB_PROGRESS.
type JobProgress struct {
	BytesTotal       uint64 // BG_SIZE_UNKNOWN until every file's size is known
	BytesTransferred uint64
	FilesTotal       uint32
	FilesTransferred uint32
}

// FileProgress is BG_FILE_PROGRESS.
type FileProgress struct {
	BytesTotal       uint64 // BG_SIZE_UNKNOWN until the size is known
	BytesTransferred uint64
	Completed        bool
}

// JobTimes is BG_JOB_TIMES. A zero TransferCompletionTime means the job has
// not reached TRANSFERRED.
type JobTimes struct {
	CreationTime           time.Time
	ModificationTime       time.Time
	TransferCompletionTime time.Time
}

// FileInfo is BG_FILE_INFO: one file of AddFileSet.
type FileInfo struct {
	RemoteName string // URL of the remote file (the source of a download)
	LocalName  string // full path of the local file
}

// FileRange is BG_FILE_RANGE.
type FileRange struct {
	InitialOffset uint64
	Length        uint64 // BG_LENGTH_TO_EOF for "to the end"
}

// String prints "offset+length" or "offset+EOF".
func (r FileRange) String() string {
	if r.Length == BG_LENGTH_TO_EOF {
		return fmt.Sprintf("%d+EOF", r.InitialOffset)
	}
	return fmt.Sprintf("%d+%d", r.InitialOffset, r.Length)
}

// JobError is what IBackgroundCopyError reports: where the error happened,
// its HRESULT, the file involved, and descriptions. It implements error and
// unwraps to Code, so errors.Is(jobErr, BG_E_HTTP_ERROR_404) works.
type JobError struct {
	Context     ErrorContext
	Code        HRESULT
	File        FileInfo // zero when the error concerns no particular file
	Description string   // human-readable; defaults to Code's description
	Protocol    string   // "http", "https", "file", or empty
}

// Error prints the context, the code and the file.
func (e JobError) Error() string {
	s := fmt.Sprintf("job error in %s: %v", e.Context, e.Code)
	if e.File.RemoteName != "" || e.File.LocalName != "" {
		s += fmt.Sprintf(" (file %s -> %s)", e.File.RemoteName, e.File.LocalName)
	}
	return s
}

// Unwrap returns the HRESULT.
func (e JobError) Unwrap() error { return e.Code }

// JobPropertyValue is BITS_JOB_PROPERTY_VALUE, the union passed to
// IBackgroundCopyJob5::SetProperty. Which field counts depends on the
// property: ClsID for NOTIFICATION_CLSID, Enable for DYNAMIC_CONTENT,
// HIGH_PERFORMANCE and ON_DEMAND_MODE, DWORD for COST_FLAGS and
// MINIMUM_NOTIFICATION_INTERVAL_MS, Uint64 for MAX_DOWNLOAD_SIZE, and
// Target for USE_STORED_CREDENTIALS (whose union member is a
// BG_AUTH_TARGET; BITS accepts only BG_AUTH_TARGET_PROXY there).
type JobPropertyValue struct {
	DWORD  uint32
	ClsID  GUID
	Enable bool
	Uint64 uint64
	Target AuthTarget
}

// String returns "SERVER", "PROXY", or the value in decimal.
func (t AuthTarget) String() string {
	switch t {
	case BG_AUTH_TARGET_SERVER:
		return "SERVER"
	case BG_AUTH_TARGET_PROXY:
		return "PROXY"
	}
	return fmt.Sprintf("AuthTarget(%d)", uint32(t))
}
