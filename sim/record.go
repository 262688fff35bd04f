package sim

import (
	"time"

	"github.com/bitssim/bitssim/model"
)

// snapshot is everything a service restart keeps: what the rulebook's
// PERSIST-* rules say persists, and nothing else (no callback objects, no
// CLSID instances, no notifications in flight).
type snapshot struct {
	// SavedAt is the virtual time of the save.
	SavedAt time.Time
	// Jobs are every job that is not in a final state, in creation order.
	Jobs []jobRecord
}

// jobRecord is the persisted form of one job.
type jobRecord struct {
	ID          model.GUID
	Type        model.JobType
	Owner       model.Account
	State       model.JobState
	DisplayName string
	Description string
	Priority    model.JobPriority

	NotifyFlags model.NotifyFlags
	// CmdProgram and CmdParameters are the command line; CmdUser is the
	// account that set it, in whose context it runs.
	CmdProgram    string
	CmdParameters string
	CmdUser       model.Account
	// NotifyCLSID is BITS_JOB_PROPERTY_NOTIFICATION_CLSID (GUID_NULL: none).
	NotifyCLSID model.GUID
	// CLSIDSetter is the account that last set NotifyCLSID (zero when it
	// is GUID_NULL), for CLSID-OWNER-CONTEXT's setter reading.
	CLSIDSetter model.Account

	MinimumRetryDelay   time.Duration
	NoProgressTimeout   time.Duration
	MaximumDownloadTime time.Duration

	// Job5 properties other than the CLSID.
	CostFlags                   uint32
	DynamicContent              bool
	HighPerformance             bool
	MaxDownloadSize             uint64
	MinimumNotificationInterval time.Duration
	OnDemand                    bool

	Created           time.Time
	Modified          time.Time
	TransferCompleted time.Time // zero until TRANSFERRED
	LastActivity      time.Time // for JobInactivityTimeout
	// FirstTransientError is when the current run of transient errors
	// without progress began (zero: none).
	FirstTransientError time.Time
	// RetryDue is when a job in TRANSIENT_ERROR is queued again (zero:
	// not waiting to retry).
	RetryDue time.Time
	// DownloadElapsed is the time spent CONNECTING or TRANSFERRING since
	// the last Resume, for MaximumDownloadTime.
	DownloadElapsed time.Duration

	HasError   bool
	Error      model.JobError
	ErrorCount uint32

	// PendingTransferred / PendingError: the job is TRANSFERRED / in ERROR
	// and that notification has not yet been delivered successfully.
	PendingTransferred bool
	PendingError       bool

	Files []fileRecord
}

// fileRecord is the persisted form of one file of a job.
type fileRecord struct {
	RemoteName string
	LocalName  string
	// Ranges are the ranges of AddFileWithRanges (nil: the whole file).
	Ranges []model.FileRange
	// Requested are ranges of an on-demand job asked for with
	// RequestFileRanges and not yet reported; Filled are those downloaded.
	Requested []model.FileRange
	Filled    []model.FileRange

	BytesTotal       uint64 // model.BG_SIZE_UNKNOWN until known
	BytesTransferred uint64
	Completed        bool
	TemporaryName    string

	ValidationSet bool // SetValidationState was called
	Valid         bool // its argument
	FromPeer      bool // the content came from a peer
	// PendingFileTransferred: FileTransferred not yet delivered successfully.
	PendingFileTransferred bool
	// Attempts counts transfer attempts of this file, for scripted remotes
	// that fail the first N attempts.
	Attempts int
}
