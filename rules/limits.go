package rules

import (
	"strings"
	"time"
	"unicode/utf16"

	"github.com/bitssim/bitssim/model"
)

// Limits are the group-policy limits of a BITS service.
type Limits struct {
	JobsPerUser    int // MaxJobsPerUser (LIMIT-JOBS-PER-USER)
	JobsPerMachine int // MaxJobsPerMachine (LIMIT-JOBS-PER-MACHINE)
	FilesPerJob    int // MaxFilesPerJob (LIMIT-FILES-PER-JOB)
	RangesPerFile  int // MaxRangesPerFile (LIMIT-RANGES-PER-FILE)
	// ZeroInternetBandwidth: the MaxInternetBandwidth Group Policy is set
	// to zero, so BITS does not retry transient errors
	// (STATE-TRANSIENT-RETRY). False by default.
	ZeroInternetBandwidth bool
}

// DefaultLimits are the group-policy defaults: 60 jobs per user, 300 per
// machine, 200 files per job, 500 ranges per file.
var DefaultLimits = Limits{JobsPerUser: 60, JobsPerMachine: 300, FilesPerJob: 200, RangesPerFile: 500}

// String lengths, counted in UTF-16 code units as Windows counts them.
const (
	MaxDisplayName = 256  // LIMIT-DISPLAY-NAME
	MaxDescription = 1024 // LIMIT-DESCRIPTION
	MaxProgram     = 260  // MAX_PATH (CMD-STRING-TOO-LONG)
	MaxParameters  = 4000 // CMD-STRING-TOO-LONG
)

// Timing defaults and bounds.
const (
	DefaultMinimumRetryDelay    = 600 * time.Second      // STATE-RETRY-DELAY-DEFAULT
	MinMinimumRetryDelay        = 5 * time.Second        // STATE-RETRY-DELAY-MIN
	DefaultNoProgressTimeout    = 14 * 24 * time.Hour    // STATE-NO-PROGRESS-DEFAULT
	JobInactivityTimeout        = 90 * 24 * time.Hour    // STATE-INACTIVITY-CANCEL
	DefaultMaximumDownloadTime  = 7776000 * time.Second  // STATE-MAX-DOWNLOAD-TIME (90 days)
	MinimumNotificationInterval = 500 * time.Millisecond // DELIV-MODIFICATION-RATE
	MaxNotificationsPerUser     = 4                      // DELIV-FOUR-PER-USER
)

// limited reports whether the four limits apply to caller: BITS 3.0 and
// later enforce them, and administrators and service accounts are exempt
// (LIMIT-ADMIN-EXEMPT).
func limited(v model.Version, caller model.Account) bool {
	return v >= model.BITS3_0 && !caller.IsAdmin() && !caller.IsServiceAccount()
}

// CheckCreateJob returns the HRESULT of CreateJob for caller, who owns
// userJobs of the machineJobs jobs that exist: BG_E_TOO_MANY_JOBS_PER_USER
// at the per-user limit, BG_E_TOO_MANY_JOBS_PER_MACHINE at the machine
// limit, unless the caller is exempt or BITS is older than 3.0. Limits of 0
// or less are unlimited.
func CheckCreateJob(l Limits, v model.Version, caller model.Account, userJobs, machineJobs int) model.HRESULT {
	if !limited(v, caller) {
		return model.S_OK
	}
	if l.JobsPerUser > 0 && userJobs >= l.JobsPerUser {
		return model.BG_E_TOO_MANY_JOBS_PER_USER
	}
	if l.JobsPerMachine > 0 && machineJobs >= l.JobsPerMachine {
		return model.BG_E_TOO_MANY_JOBS_PER_MACHINE
	}
	return model.S_OK
}

// CheckAddFiles returns the HRESULT of adding n files to a job that has
// existing ones: BG_E_INVALID_STATE on a final job (FILE-ADD-FINAL-STATE),
// BG_E_TOO_MANY_FILES when an upload job would hold more than one file
// (LIMIT-UPLOAD-ONE-FILE), BG_E_TOO_MANY_FILES_IN_JOB past the per-job limit
// (LIMIT-FILES-PER-JOB) unless the caller is exempt.
func CheckAddFiles(l Limits, v model.Version, caller model.Account, state model.JobState, typ model.JobType, existing, n int) model.HRESULT {
	if hr := CheckModify(state); hr.Failed() {
		return hr
	}
	if typ.IsUpload() && existing+n > 1 {
		return model.BG_E_TOO_MANY_FILES
	}
	if limited(v, caller) && l.FilesPerJob > 0 && existing+n > l.FilesPerJob {
		return model.BG_E_TOO_MANY_FILES_IN_JOB
	}
	return model.S_OK
}

// CheckRanges returns the HRESULT of AddFileWithRanges' ranges: E_INVALIDARG
// for none, BG_E_INVALID_RANGE for a zero length, BG_E_OVERLAPPING_RANGES
// for ranges that are not in ascending order without overlap,
// BG_E_TOO_MANY_RANGES_IN_FILE past the limit (LIMIT-RANGES-PER-FILE)
// unless the caller is exempt, and E_NOTIMPL for an upload job.
func CheckRanges(l Limits, v model.Version, caller model.Account, typ model.JobType, ranges []model.FileRange) model.HRESULT {
	if typ != model.BG_JOB_TYPE_DOWNLOAD {
		return model.E_NOTIMPL
	}
	if len(ranges) == 0 {
		return model.E_INVALIDARG
	}
	if limited(v, caller) && l.RangesPerFile > 0 && len(ranges) > l.RangesPerFile {
		return model.BG_E_TOO_MANY_RANGES_IN_FILE
	}
	var end uint64
	for i, r := range ranges {
		if r.Length == 0 {
			return model.BG_E_INVALID_RANGE
		}
		if i > 0 && r.InitialOffset < end {
			return model.BG_E_OVERLAPPING_RANGES
		}
		if r.Length == model.BG_LENGTH_TO_EOF {
			if i != len(ranges)-1 {
				return model.BG_E_OVERLAPPING_RANGES
			}
			break
		}
		if r.InitialOffset+r.Length < r.InitialOffset {
			return model.BG_E_INVALID_RANGE
		}
		end = r.InitialOffset + r.Length
	}
	return model.S_OK
}

// Len16 counts s in UTF-16 code units, the unit of Windows string limits.
func Len16(s string) int {
	n := 0
	for _, r := range s {
		if k := utf16.RuneLen(r); k > 0 {
			n += k
		} else {
			n++ // an invalid rune becomes U+FFFD: one unit
		}
	}
	return n
}

// hasNUL reports whether s holds a NUL character, which a Windows string
// (NUL-terminated) cannot carry (LIMIT-STRING-NUL).
func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// CheckDisplayName returns E_INVALIDARG for an empty display name, one
// longer than 256 characters (LIMIT-DISPLAY-NAME) or one with a NUL
// character (LIMIT-STRING-NUL).
func CheckDisplayName(name string) model.HRESULT {
	if name == "" || Len16(name) > MaxDisplayName || hasNUL(name) {
		return model.E_INVALIDARG
	}
	return model.S_OK
}

// CheckSetDisplayName returns the HRESULT of SetDisplayName(name): like
// CheckDisplayName, except that a name longer than 256 characters gives
// BG_E_STRING_TOO_LONG under LIMIT-DISPLAY-NAME's string-too-long reading.
func CheckSetDisplayName(name string, sel Selection) model.HRESULT {
	if Len16(name) > MaxDisplayName && sel.Is("LIMIT-DISPLAY-NAME", VarStringTooLong) {
		return model.BG_E_STRING_TOO_LONG
	}
	return CheckDisplayName(name)
}

// CheckDescription returns BG_E_STRING_TOO_LONG for a description longer
// than 1024 characters (LIMIT-DESCRIPTION), E_INVALIDARG for one with a
// NUL character (LIMIT-STRING-NUL).
func CheckDescription(d string) model.HRESULT {
	if hasNUL(d) {
		return model.E_INVALIDARG
	}
	if Len16(d) > MaxDescription {
		return model.BG_E_STRING_TOO_LONG
	}
	return model.S_OK
}

// CheckCmdLine returns the HRESULT of SetNotifyCmdLine(program, parameters)
// apart from the state check: E_INVALIDARG for parameters without a program
// (CMD-PARAMS-WITHOUT-PROGRAM), BG_E_STRING_TOO_LONG for a program longer
// than MAX_PATH or parameters longer than 4000 characters
// (CMD-STRING-TOO-LONG), E_INVALIDARG for a NUL character in either
// (LIMIT-STRING-NUL). Two empty strings clear the command line
// (CMD-CLEAR-NULL). Under CMD-PARAMS-WITHOUT-PROGRAM's clears reading,
// parameters without a program are accepted and clear it too (see
// CmdLineClears).
func CheckCmdLine(program, parameters string, sel Selection) model.HRESULT {
	if hasNUL(program) || hasNUL(parameters) {
		return model.E_INVALIDARG
	}
	if program == "" && parameters != "" && !sel.Is("CMD-PARAMS-WITHOUT-PROGRAM", VarClears) {
		return model.E_INVALIDARG
	}
	if Len16(program) > MaxProgram || Len16(parameters) > MaxParameters {
		return model.BG_E_STRING_TOO_LONG
	}
	return model.S_OK
}

// CmdLineClears reports whether a successful SetNotifyCmdLine(program,
// parameters) clears the command line: an empty program always does
// (CMD-CLEAR-NULL, CMD-PARAMS-WITHOUT-PROGRAM).
func CmdLineClears(program string) bool { return program == "" }

// ClampRetryDelay returns the retry delay BITS uses for a requested one:
// at least 5 seconds (STATE-RETRY-DELAY-MIN), in whole seconds.
func ClampRetryDelay(d time.Duration) time.Duration {
	d = d.Truncate(time.Second)
	if d < MinMinimumRetryDelay {
		return MinMinimumRetryDelay
	}
	return d
}

// NotificationRetryDelay returns when a failed JobTransferred, JobError or
// FileTransferred that involved no command line is tried again: after the
// job's MinimumRetryDelay (DELIV-RETRY-INTERVAL), or after the default
// MinimumRetryDelay under its default-retry-delay reading. When the command
// line ran or could not start, the documented MinimumRetryDelay applies
// whatever the reading: see Plan.RetryDelay.
func NotificationRetryDelay(minimumRetryDelay time.Duration, sel Selection) time.Duration {
	if sel.Is("DELIV-RETRY-INTERVAL", VarDefaultRetryDelay) {
		return DefaultMinimumRetryDelay
	}
	return ClampRetryDelay(minimumRetryDelay)
}

// DeadCallbackHRESULT is the HRESULT a call to a callback object or CLSID
// instance in a process that has ended fails with (OBJ-DISCOVER-DEAD).
func DeadCallbackHRESULT(sel Selection) model.HRESULT {
	switch sel.Of("OBJ-DISCOVER-DEAD") {
	case VarCallFailed:
		return model.RPC_S_CALL_FAILED
	case VarDisconnected:
		return model.RPC_E_DISCONNECTED
	}
	return model.RPC_S_SERVER_UNAVAILABLE
}

// Delivered reports whether a callback method's return value hr counts as
// delivered: any success code (DELIV-SFALSE-SUCCESS), or only S_OK under its
// only-s-ok reading.
func Delivered(hr model.HRESULT, sel Selection) bool {
	if sel.Is("DELIV-SFALSE-SUCCESS", VarOnlySOK) {
		return hr == model.S_OK
	}
	return hr.Succeeded()
}

// CheckSeconds validates a duration given to a setter that takes whole
// seconds as a ULONG: E_INVALIDARG when negative or above 2^32-1 seconds.
func CheckSeconds(d time.Duration) model.HRESULT {
	if d < 0 || d/time.Second > 1<<32-1 {
		return model.E_INVALIDARG
	}
	return model.S_OK
}

// TransientErrorOutcome decides the state after a transient error, given the
// time since the first transient error without progress and the job's
// NoProgressTimeout: TRANSIENT_ERROR while within the timeout, ERROR once it
// is reached (STATE-NO-PROGRESS-TIMEOUT); a timeout of 0 means no retries.
func TransientErrorOutcome(sinceFirstError, noProgressTimeout time.Duration) model.JobState {
	if sinceFirstError >= noProgressTimeout {
		return model.BG_JOB_STATE_ERROR
	}
	return model.BG_JOB_STATE_TRANSIENT_ERROR
}

// CanNotifyConcurrently reports whether one more notification may start for
// a user who has inFlight notifications running (DELIV-FOUR-PER-USER).
func CanNotifyConcurrently(inFlight int) bool { return inFlight < MaxNotificationsPerUser }
