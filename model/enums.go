package model

import (
	"fmt"
	"strconv"
	"strings"
)

// enumName returns names[v] or a fallback "Type(v)".
func enumName(typ string, names []string, v int) string {
	if v >= 0 && v < len(names) && names[v] != "" {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(v) + ")"
}

// parseEnum finds s (case-insensitive, with or without the Windows prefix)
// in names and returns its index.
func parseEnum(typ, prefix string, names []string, s string) (int, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, prefix)
	for i, n := range names {
		if n != "" && n == t {
			return i, nil
		}
	}
	return 0, fmt.Errorf("model: unknown %s %q (want one of %s)", typ, s, strings.Join(names, ", "))
}

// JobState is BG_JOB_STATE: where a job is in its life cycle.
type JobState uint32

// The nine BG_JOB_STATE values.
const (
	BG_JOB_STATE_QUEUED          JobState = 0 // waiting to run
	BG_JOB_STATE_CONNECTING      JobState = 1 // connecting to the server
	BG_JOB_STATE_TRANSFERRING    JobState = 2 // transferring data
	BG_JOB_STATE_SUSPENDED       JobState = 3 // the initial state; waits for Resume
	BG_JOB_STATE_ERROR           JobState = 4 // a non-recoverable error occurred
	BG_JOB_STATE_TRANSIENT_ERROR JobState = 5 // a recoverable error occurred; BITS retries
	BG_JOB_STATE_TRANSFERRED     JobState = 6 // all files transferred; waits for Complete
	BG_JOB_STATE_ACKNOWLEDGED    JobState = 7 // final: Complete was called
	BG_JOB_STATE_CANCELLED       JobState = 8 // final: Cancel was called
)

var jobStateNames = []string{"QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
	"TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"}

// JobStates lists every state in numeric order.
func JobStates() []JobState {
	out := make([]JobState, len(jobStateNames))
	for i := range out {
		out[i] = JobState(i)
	}
	return out
}

// String returns the state's Windows name without the BG_JOB_STATE_ prefix,
// e.g. "TRANSFERRED".
func (s JobState) String() string { return enumName("JobState", jobStateNames, int(s)) }

// ParseJobState accepts "TRANSFERRED" or "BG_JOB_STATE_TRANSFERRED", in any case.
func ParseJobState(s string) (JobState, error) {
	v, err := parseEnum("job state", "BG_JOB_STATE_", jobStateNames, s)
	return JobState(v), err
}

// Valid reports whether s is one of the nine states.
func (s JobState) Valid() bool { return s <= BG_JOB_STATE_CANCELLED }

// IsFinal reports whether s is ACKNOWLEDGED or CANCELLED: a job in a final
// state never leaves it.
func (s JobState) IsFinal() bool {
	return s == BG_JOB_STATE_ACKNOWLEDGED || s == BG_JOB_STATE_CANCELLED
}

// IsActive reports whether the scheduler owns the job: QUEUED, CONNECTING
// or TRANSFERRING.
func (s JobState) IsActive() bool {
	return s == BG_JOB_STATE_QUEUED || s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING
}

// JobType is BG_JOB_TYPE.
type JobType uint32

// The BG_JOB_TYPE values. Upload types exist from BITS 1.5.
const (
	BG_JOB_TYPE_DOWNLOAD     JobType = 0
	BG_JOB_TYPE_UPLOAD       JobType = 1
	BG_JOB_TYPE_UPLOAD_REPLY JobType = 2
)

var jobTypeNames = []string{"DOWNLOAD", "UPLOAD", "UPLOAD_REPLY"}

// String returns "DOWNLOAD", "UPLOAD" or "UPLOAD_REPLY".
func (t JobType) String() string { return enumName("JobType", jobTypeNames, int(t)) }

// Valid reports whether t is a BG_JOB_TYPE value.
func (t JobType) Valid() bool { return t <= BG_JOB_TYPE_UPLOAD_REPLY }

// IsUpload reports whether t is UPLOAD or UPLOAD_REPLY.
func (t JobType) IsUpload() bool { return t == BG_JOB_TYPE_UPLOAD || t == BG_JOB_TYPE_UPLOAD_REPLY }

// ParseJobType accepts "DOWNLOAD" or "BG_JOB_TYPE_DOWNLOAD", in any case.
func ParseJobType(s string) (JobType, error) {
	v, err := parseEnum("job type", "BG_JOB_TYPE_", jobTypeNames, s)
	return JobType(v), err
}

// JobPriority is BG_JOB_PRIORITY; lower values run first.
type JobPriority uint32

// The BG_JOB_PRIORITY values. NORMAL is the default.
const (
	BG_JOB_PRIORITY_FOREGROUND JobPriority = 0
	BG_JOB_PRIORITY_HIGH       JobPriority = 1
	BG_JOB_PRIORITY_NORMAL     JobPriority = 2
	BG_JOB_PRIORITY_LOW        JobPriority = 3
)

var priorityNames = []string{"FOREGROUND", "HIGH", "NORMAL", "LOW"}

// String returns "FOREGROUND", "HIGH", "NORMAL" or "LOW".
func (p JobPriority) String() string { return enumName("JobPriority", priorityNames, int(p)) }

// Valid reports whether p is a BG_JOB_PRIORITY value.
func (p JobPriority) Valid() bool { return p <= BG_JOB_PRIORITY_LOW }

// ParseJobPriority accepts "HIGH" or "BG_JOB_PRIORITY_HIGH", in any case.
func ParseJobPriority(s string) (JobPriority, error) {
	v, err := parseEnum("job priority", "BG_JOB_PRIORITY_", priorityNames, s)
	return JobPriority(v), err
}

// NotifyFlags is the bit mask of SetNotifyFlags.
type NotifyFlags uint32

// The BG_NOTIFY_* flags.
const (
	BG_NOTIFY_JOB_TRANSFERRED         NotifyFlags = 0x0001 // JobTransferred
	BG_NOTIFY_JOB_ERROR               NotifyFlags = 0x0002 // JobError
	BG_NOTIFY_DISABLE                 NotifyFlags = 0x0004 // no notifications at all
	BG_NOTIFY_JOB_MODIFICATION        NotifyFlags = 0x0008 // JobModification
	BG_NOTIFY_FILE_TRANSFERRED        NotifyFlags = 0x0010 // FileTransferred (BITS 3.0)
	BG_NOTIFY_FILE_RANGES_TRANSFERRED NotifyFlags = 0x0020 // FileRangesTransferred (BITS 10.1)
)

var notifyFlagNames = []struct {
	flag NotifyFlags
	name string
}{
	{BG_NOTIFY_JOB_TRANSFERRED, "JOB_TRANSFERRED"},
	{BG_NOTIFY_JOB_ERROR, "JOB_ERROR"},
	{BG_NOTIFY_DISABLE, "DISABLE"},
	{BG_NOTIFY_JOB_MODIFICATION, "JOB_MODIFICATION"},
	{BG_NOTIFY_FILE_TRANSFERRED, "FILE_TRANSFERRED"},
	{BG_NOTIFY_FILE_RANGES_TRANSFERRED, "FILE_RANGES_TRANSFERRED"},
}

// String joins the names of the set flags with "|", e.g.
// "JOB_TRANSFERRED|JOB_ERROR"; unknown bits are appended in hex; no flags
// prints "0".
func (f NotifyFlags) String() string {
	if f == 0 {
		return "0"
	}
	var parts []string
	rest := f
	for _, n := range notifyFlagNames {
		if f&n.flag != 0 {
			parts = append(parts, n.name)
			rest &^= n.flag
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%X", uint32(rest)))
	}
	return strings.Join(parts, "|")
}

// Has reports whether every bit of g is set in f.
func (f NotifyFlags) Has(g NotifyFlags) bool { return f&g == g }

// ParseNotifyFlags accepts what String prints: names joined by "|" (with or
// without the BG_NOTIFY_ prefix, any case, spaces allowed), numbers in
// decimal or 0x-hex, or a mix: "JOB_TRANSFERRED|JOB_ERROR", "0x3", "0".
func ParseNotifyFlags(s string) (NotifyFlags, error) {
	if strings.TrimSpace(s) == "" {
		return 0, fmt.Errorf("model: empty notify flags")
	}
	var f NotifyFlags
	for _, part := range strings.Split(s, "|") {
		t := strings.ToUpper(strings.TrimSpace(part))
		t = strings.TrimPrefix(t, "BG_NOTIFY_")
		found := false
		for _, n := range notifyFlagNames {
			if n.name == t {
				f |= n.flag
				found = true
				break
			}
		}
		if found {
			continue
		}
		v, err := strconv.ParseUint(strings.ToLower(t), 0, 32)
		if err != nil {
			return 0, fmt.Errorf("model: unknown notify flag %q in %q", strings.TrimSpace(part), s)
		}
		f |= NotifyFlags(v)
	}
	return f, nil
}

// ErrorContext is BG_ERROR_CONTEXT: where a job error happened.
type ErrorContext uint32

// The BG_ERROR_CONTEXT values.
const (
	BG_ERROR_CONTEXT_NONE                        ErrorContext = 0
	BG_ERROR_CONTEXT_UNKNOWN                     ErrorContext = 1
	BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER       ErrorContext = 2
	BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION  ErrorContext = 3
	BG_ERROR_CONTEXT_LOCAL_FILE                  ErrorContext = 4
	BG_ERROR_CONTEXT_REMOTE_FILE                 ErrorContext = 5
	BG_ERROR_CONTEXT_GENERAL_TRANSPORT           ErrorContext = 6
	BG_ERROR_CONTEXT_REMOTE_APPLICATION          ErrorContext = 7
	BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK ErrorContext = 8
)

var errorContextNames = []string{"NONE", "UNKNOWN", "GENERAL_QUEUE_MANAGER", "QUEUE_MANAGER_NOTIFICATION",
	"LOCAL_FILE", "REMOTE_FILE", "GENERAL_TRANSPORT", "REMOTE_APPLICATION", "SERVER_CERTIFICATE_CALLBACK"}

// String returns the context's name without the BG_ERROR_CONTEXT_ prefix.
func (c ErrorContext) String() string { return enumName("ErrorContext", errorContextNames, int(c)) }

// ParseErrorContext accepts "REMOTE_FILE" or "BG_ERROR_CONTEXT_REMOTE_FILE".
func ParseErrorContext(s string) (ErrorContext, error) {
	v, err := parseEnum("error context", "BG_ERROR_CONTEXT_", errorContextNames, s)
	return ErrorContext(v), err
}

// JobPropertyID is BITS_JOB_PROPERTY_ID, the property of
// IBackgroundCopyJob5::SetProperty.
type JobPropertyID uint32

// The BITS_JOB_PROPERTY_ID values.
const (
	BITS_JOB_PROPERTY_ID_COST_FLAGS                    JobPropertyID = 1
	BITS_JOB_PROPERTY_NOTIFICATION_CLSID               JobPropertyID = 2
	BITS_JOB_PROPERTY_DYNAMIC_CONTENT                  JobPropertyID = 3
	BITS_JOB_PROPERTY_HIGH_PERFORMANCE                 JobPropertyID = 4
	BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE                JobPropertyID = 5
	BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS           JobPropertyID = 7
	BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS JobPropertyID = 9
	BITS_JOB_PROPERTY_ON_DEMAND_MODE                   JobPropertyID = 10
)

var jobPropertyNames = []string{1: "ID_COST_FLAGS", 2: "NOTIFICATION_CLSID", 3: "DYNAMIC_CONTENT",
	4: "HIGH_PERFORMANCE", 5: "MAX_DOWNLOAD_SIZE", 7: "USE_STORED_CREDENTIALS",
	9: "MINIMUM_NOTIFICATION_INTERVAL_MS", 10: "ON_DEMAND_MODE"}

// String returns the property's name without the BITS_JOB_PROPERTY_ prefix,
// e.g. "NOTIFICATION_CLSID".
func (p JobPropertyID) String() string {
	return enumName("JobPropertyID", jobPropertyNames, int(p))
}

// Valid reports whether p is a defined property.
func (p JobPropertyID) Valid() bool {
	return int(p) < len(jobPropertyNames) && jobPropertyNames[p] != ""
}

// ParseJobPropertyID accepts "NOTIFICATION_CLSID" or
// "BITS_JOB_PROPERTY_NOTIFICATION_CLSID".
func ParseJobPropertyID(s string) (JobPropertyID, error) {
	v, err := parseEnum("job property", "BITS_JOB_PROPERTY_", jobPropertyNames, s)
	return JobPropertyID(v), err
}

// EnumJobsFlags is the dwFlags of IBackgroundCopyManager::EnumJobs.
type EnumJobsFlags uint32

// BG_JOB_ENUM_ALL_USERS lists the jobs of every user; it needs administrator
// rights.
const BG_JOB_ENUM_ALL_USERS EnumJobsFlags = 0x0001

// String returns "ALL_USERS", "0", or the value in hex for unknown bits.
func (f EnumJobsFlags) String() string {
	switch f {
	case 0:
		return "0"
	case BG_JOB_ENUM_ALL_USERS:
		return "ALL_USERS"
	}
	return fmt.Sprintf("0x%X", uint32(f))
}
