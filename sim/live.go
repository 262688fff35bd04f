package sim

import (
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// The in-memory form of a job's persisted state. jobRecord and fileRecord
// (record.go) are the snapshot's form, the one the codec reads and writes;
// liveRecord and liveFile hold the same information in fewer bytes, so that
// an idle job stays small and a lifecycle allocates little: times are
// int64 (vtime), and the fields few jobs use (the description, the command
// line, the CLSID, Job5 properties other than the CLSID, the error, the
// timeouts when not the defaults, ranges) live behind pointers that are nil
// until set. toRecord and fromRecord convert, losslessly, at a snapshot and
// at a restore.

// vtime is a virtual time: Unix nanoseconds plus one, 0 for none (the zero
// time.Time). Every time a service holds is from MinTime to MaxTime, which
// int64 nanoseconds cover.
type vtime int64

// vt converts t (MinTime..MaxTime, or the zero time) to a vtime.
func vt(t time.Time) vtime {
	if t.IsZero() {
		return 0
	}
	return vtime(t.UnixNano() + 1)
}

// Time converts v back; 0 is the zero time.Time.
func (v vtime) Time() time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(v-1)).UTC()
}

// IsZero reports whether v is no time.
func (v vtime) IsZero() bool { return v == 0 }

// liveRecord is the in-memory form of jobRecord.
type liveRecord struct {
	ID          model.GUID
	Owner       model.Account
	DisplayName string
	Files       []liveFile
	more        *recordMore // nil: every field of it at its default

	Created             vtime
	Modified            vtime
	TransferCompleted   vtime
	LastActivity        vtime
	FirstTransientError vtime
	RetryDue            vtime
	DownloadElapsed     time.Duration

	Type           model.JobType
	State          model.JobState
	Priority       model.JobPriority
	NotifyFlags    model.NotifyFlags
	ErrorCount     uint32
	DynamicContent bool
	OnDemand       bool
	HasError       bool
	// PendingTransferred / PendingError: as in jobRecord.
	PendingTransferred bool
	PendingError       bool
}

// recordMore holds the fields of jobRecord few jobs change from their
// defaults.
type recordMore struct {
	Description   string
	CmdProgram    string
	CmdParameters string
	CmdUser       model.Account
	NotifyCLSID   model.GUID
	CLSIDSetter   model.Account

	MinimumRetryDelay           time.Duration
	NoProgressTimeout           time.Duration
	MaximumDownloadTime         time.Duration
	MinimumNotificationInterval time.Duration

	CostFlags       uint32
	HighPerformance bool
	MaxDownloadSize uint64

	Error model.JobError
}

// defaultMore is what a job without recordMore reads. It is never written:
// writes go through liveRecord.mut, which allocates the job's own copy.
var defaultMore = recordMore{
	MinimumRetryDelay:           rules.DefaultMinimumRetryDelay,
	NoProgressTimeout:           rules.DefaultNoProgressTimeout,
	MaximumDownloadTime:         rules.DefaultMaximumDownloadTime,
	MinimumNotificationInterval: rules.MinimumNotificationInterval,
}

// x returns the rarely used fields for reading; never write through it.
func (r *liveRecord) x() *recordMore {
	if r.more == nil {
		return &defaultMore
	}
	return r.more
}

// mut returns the rarely used fields for writing, allocating the job's own
// copy on first use.
func (r *liveRecord) mut() *recordMore {
	if r.more == nil {
		m := defaultMore
		r.more = &m
	}
	return r.more
}

// hasCmdLine reports whether a notification command line is set.
func (r *liveRecord) hasCmdLine() bool { return r.more != nil && r.more.CmdProgram != "" }

// hasCLSID reports whether a notification CLSID is set.
func (r *liveRecord) hasCLSID() bool { return r.more != nil && !r.more.NotifyCLSID.IsNull() }

// liveFile is the in-memory form of fileRecord.
type liveFile struct {
	RemoteName string
	LocalName  string
	more       *fileMore // nil: no ranges, and the temporary name is tempN's

	BytesTotal       uint64 // model.BG_SIZE_UNKNOWN until known
	BytesTransferred uint64
	Attempts         int

	// tempN is the random part of the temporary name (BITxxxx.tmp next to
	// LocalName) when hasTemp is set and more carries no other name.
	tempN                  uint16
	hasTemp                bool
	Completed              bool
	ValidationSet          bool
	Valid                  bool
	FromPeer               bool
	PendingFileTransferred bool
}

// fileMore holds the fields of fileRecord few files use.
type fileMore struct {
	Ranges    []model.FileRange
	Requested []model.FileRange
	Filled    []model.FileRange
	// tempName is a temporary name not of the form tempN makes (one loaded
	// from a snapshot); "" for none.
	tempName string
}

var noFileMore fileMore

// x returns the rarely used fields for reading; never write through it.
func (f *liveFile) x() *fileMore {
	if f.more == nil {
		return &noFileMore
	}
	return f.more
}

// mut returns the rarely used fields for writing, allocating them.
func (f *liveFile) mut() *fileMore {
	if f.more == nil {
		f.more = &fileMore{}
	}
	return f.more
}

// TemporaryName returns the file's temporary name, "" for none yet.
func (f *liveFile) TemporaryName() string {
	if f.more != nil && f.more.tempName != "" {
		return f.more.tempName
	}
	if !f.hasTemp {
		return ""
	}
	return tempNameFor(f.LocalName, f.tempN)
}

// setTemporaryName sets the file's temporary name, keeping only its random
// part when it has the form tempNameFor makes.
func (f *liveFile) setTemporaryName(name string) {
	if name == "" {
		f.hasTemp = false
		if f.more != nil {
			f.more.tempName = ""
		}
		return
	}
	if n, ok := parseTempName(f.LocalName, name); ok {
		f.tempN, f.hasTemp = n, true
		if f.more != nil {
			f.more.tempName = ""
		}
		return
	}
	f.hasTemp = false
	f.mut().tempName = name
}

const hexDigits = "0123456789ABCDEF"

// tempNameFor makes the temporary name BITxxxx.tmp (xxxx: n in upper-case
// hexadecimal) in local's directory.
func tempNameFor(local string, n uint16) string {
	dir := ""
	if i := strings.LastIndexAny(local, `\/`); i >= 0 {
		dir = local[:i+1]
	}
	b := make([]byte, 0, len(dir)+11)
	b = append(b, dir...)
	b = append(b, 'B', 'I', 'T', hexDigits[n>>12&0xF], hexDigits[n>>8&0xF], hexDigits[n>>4&0xF], hexDigits[n&0xF], '.', 't', 'm', 'p')
	return string(b)
}

// parseTempName returns the n for which tempNameFor(local, n) == name.
func parseTempName(local, name string) (uint16, bool) {
	dir := ""
	if i := strings.LastIndexAny(local, `\/`); i >= 0 {
		dir = local[:i+1]
	}
	if len(name) != len(dir)+11 || !strings.HasPrefix(name, dir) {
		return 0, false
	}
	rest := name[len(dir):]
	if rest[:3] != "BIT" || rest[7:] != ".tmp" {
		return 0, false
	}
	var n uint16
	for i := 3; i < 7; i++ {
		d := strings.IndexByte(hexDigits, rest[i])
		if d < 0 {
			return 0, false
		}
		n = n<<4 | uint16(d)
	}
	return n, true
}

// recordInto sets *rec to the snapshot form of r, its files in files' storage
// (grown as needed; rec.Files is nil for no files), and returns that
// storage for reuse.
func (r *liveRecord) recordInto(rec *jobRecord, files []fileRecord) []fileRecord {
	m := r.x()
	*rec = jobRecord{
		ID: r.ID, Type: r.Type, Owner: r.Owner, State: r.State,
		DisplayName: r.DisplayName, Description: m.Description, Priority: r.Priority,
		NotifyFlags: r.NotifyFlags, CmdProgram: m.CmdProgram, CmdParameters: m.CmdParameters,
		CmdUser: m.CmdUser, NotifyCLSID: m.NotifyCLSID, CLSIDSetter: m.CLSIDSetter,
		MinimumRetryDelay: m.MinimumRetryDelay, NoProgressTimeout: m.NoProgressTimeout,
		MaximumDownloadTime: m.MaximumDownloadTime,
		CostFlags:           m.CostFlags, DynamicContent: r.DynamicContent, HighPerformance: m.HighPerformance,
		MaxDownloadSize: m.MaxDownloadSize, MinimumNotificationInterval: m.MinimumNotificationInterval,
		OnDemand: r.OnDemand, Created: r.Created.Time(), Modified: r.Modified.Time(),
		TransferCompleted: r.TransferCompleted.Time(), LastActivity: r.LastActivity.Time(),
		FirstTransientError: r.FirstTransientError.Time(), RetryDue: r.RetryDue.Time(),
		DownloadElapsed: r.DownloadElapsed, HasError: r.HasError, Error: m.Error,
		ErrorCount: r.ErrorCount, PendingTransferred: r.PendingTransferred, PendingError: r.PendingError,
	}
	files = files[:0]
	for i := range r.Files {
		f := &r.Files[i]
		fm := f.x()
		files = append(files, fileRecord{
			RemoteName: f.RemoteName, LocalName: f.LocalName,
			Ranges: fm.Ranges, Requested: fm.Requested, Filled: fm.Filled,
			BytesTotal: f.BytesTotal, BytesTransferred: f.BytesTransferred, Completed: f.Completed,
			TemporaryName: f.TemporaryName(), ValidationSet: f.ValidationSet, Valid: f.Valid,
			FromPeer: f.FromPeer, PendingFileTransferred: f.PendingFileTransferred, Attempts: f.Attempts,
		})
	}
	if len(files) > 0 {
		rec.Files = files
	}
	return files
}

// fromRecord sets r from the snapshot form rec; files go into the first
// elements of slab when it is long enough (the caller's shared storage).
func (r *liveRecord) fromRecord(rec *jobRecord, files []liveFile) {
	*r = liveRecord{
		ID: rec.ID, Owner: rec.Owner, DisplayName: rec.DisplayName,
		Created: vt(rec.Created), Modified: vt(rec.Modified), TransferCompleted: vt(rec.TransferCompleted),
		LastActivity: vt(rec.LastActivity), FirstTransientError: vt(rec.FirstTransientError),
		RetryDue: vt(rec.RetryDue), DownloadElapsed: rec.DownloadElapsed,
		Type: rec.Type, State: rec.State, Priority: rec.Priority, NotifyFlags: rec.NotifyFlags,
		ErrorCount: rec.ErrorCount, DynamicContent: rec.DynamicContent, OnDemand: rec.OnDemand,
		HasError: rec.HasError, PendingTransferred: rec.PendingTransferred, PendingError: rec.PendingError,
	}
	m := recordMore{
		Description: rec.Description, CmdProgram: rec.CmdProgram, CmdParameters: rec.CmdParameters,
		CmdUser: rec.CmdUser, NotifyCLSID: rec.NotifyCLSID, CLSIDSetter: rec.CLSIDSetter,
		MinimumRetryDelay: rec.MinimumRetryDelay, NoProgressTimeout: rec.NoProgressTimeout,
		MaximumDownloadTime: rec.MaximumDownloadTime, MinimumNotificationInterval: rec.MinimumNotificationInterval,
		CostFlags: rec.CostFlags, HighPerformance: rec.HighPerformance, MaxDownloadSize: rec.MaxDownloadSize,
		Error: rec.Error,
	}
	if m != defaultMore {
		r.more = new(recordMore) // only now: m itself stays on the stack
		*r.more = m
	}
	if len(rec.Files) > 0 {
		r.Files = files[:len(rec.Files):len(rec.Files)]
		for i := range rec.Files {
			fr := &rec.Files[i]
			f := &r.Files[i]
			*f = liveFile{
				RemoteName: fr.RemoteName, LocalName: fr.LocalName,
				BytesTotal: fr.BytesTotal, BytesTransferred: fr.BytesTransferred, Attempts: fr.Attempts,
				Completed: fr.Completed, ValidationSet: fr.ValidationSet, Valid: fr.Valid,
				FromPeer: fr.FromPeer, PendingFileTransferred: fr.PendingFileTransferred,
			}
			if fr.Ranges != nil || fr.Requested != nil || fr.Filled != nil {
				*f.mut() = fileMore{Ranges: fr.Ranges, Requested: fr.Requested, Filled: fr.Filled}
			}
			f.setTemporaryName(fr.TemporaryName)
		}
	}
}
