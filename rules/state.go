package rules

import (
	"fmt"

	"github.com/bitssim/bitssim/model"
)

// Op is a client call that can change a job's state.
type Op int

// The state-changing calls.
const (
	OpResume Op = iota + 1
	OpSuspend
	OpCancel
	OpComplete
)

var opNames = []string{"", "Resume", "Suspend", "Cancel", "Complete"}

// String returns the method name.
func (o Op) String() string {
	if o > 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Ops lists every Op.
func Ops() []Op { return []Op{OpResume, OpSuspend, OpCancel, OpComplete} }

// JobFacts are the facts about a job, besides its state, that decide a
// transition.
type JobFacts struct {
	Type             model.JobType
	Files            int // files in the job
	FilesTransferred int // files completely transferred
}

// Transition is the outcome of an Op: the state afterwards, the HRESULT the
// call returns, and the rule that decides it. When Result failed, Next equals
// the state before.
type Transition struct {
	Next   model.JobState
	Result model.HRESULT
	Rule   string
}

// Apply decides what op does to a job in state s. It implements
// STATE-FINAL-IMMUTABLE, STATE-RESUME-EMPTY, STATE-RESUME-QUEUED,
// STATE-RESUME-FROM-ERROR, STATE-RESUME-ACTIVE-NOOP, STATE-RESUME-TRANSFERRED,
// STATE-SUSPEND, STATE-SUSPEND-TRANSFERRED, STATE-CANCEL,
// STATE-COMPLETE-DOWNLOAD, STATE-PARTIAL-COMPLETE and STATE-COMPLETE-UPLOAD.
// Unknown ops and states give E_INVALIDARG with the state unchanged. v
// selects the readings of the open rules STATE-RESUME-TRANSFERRED,
// STATE-SUSPEND-TRANSFERRED and STATE-SUSPEND-ERROR.
func Apply(s model.JobState, op Op, f JobFacts, v Selection) Transition {
	if !s.Valid() {
		return Transition{s, model.E_INVALIDARG, ""}
	}
	if s.IsFinal() {
		switch op {
		case OpResume, OpSuspend, OpCancel, OpComplete:
			return Transition{s, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"}
		}
		return Transition{s, model.E_INVALIDARG, ""}
	}
	switch op {
	case OpResume:
		switch {
		case f.Files == 0:
			return Transition{s, model.BG_E_EMPTY, "STATE-RESUME-EMPTY"}
		case s.IsActive():
			return Transition{s, model.S_OK, "STATE-RESUME-ACTIVE-NOOP"}
		case s == model.BG_JOB_STATE_TRANSFERRED && f.FilesTransferred >= f.Files:
			switch v.Of("STATE-RESUME-TRANSFERRED") {
			case VarEmpty:
				return Transition{s, model.BG_E_EMPTY, "STATE-RESUME-TRANSFERRED"}
			case VarRequeued:
				return Transition{model.BG_JOB_STATE_QUEUED, model.S_OK, "STATE-RESUME-TRANSFERRED"}
			}
			return Transition{s, model.S_OK, "STATE-RESUME-TRANSFERRED"}
		case s == model.BG_JOB_STATE_ERROR || s == model.BG_JOB_STATE_TRANSIENT_ERROR:
			return Transition{model.BG_JOB_STATE_QUEUED, model.S_OK, "STATE-RESUME-FROM-ERROR"}
		}
		return Transition{model.BG_JOB_STATE_QUEUED, model.S_OK, "STATE-RESUME-QUEUED"}
	case OpSuspend:
		if s == model.BG_JOB_STATE_TRANSFERRED {
			if v.Is("STATE-SUSPEND-TRANSFERRED", VarSuspended) {
				return Transition{model.BG_JOB_STATE_SUSPENDED, model.S_OK, "STATE-SUSPEND-TRANSFERRED"}
			}
			return Transition{s, model.S_OK, "STATE-SUSPEND-TRANSFERRED"}
		}
		if s == model.BG_JOB_STATE_ERROR {
			if v.Is("STATE-SUSPEND-ERROR", VarSuspended) {
				return Transition{model.BG_JOB_STATE_SUSPENDED, model.S_OK, "STATE-SUSPEND-ERROR"}
			}
			return Transition{s, model.S_OK, "STATE-SUSPEND-ERROR"}
		}
		return Transition{model.BG_JOB_STATE_SUSPENDED, model.S_OK, "STATE-SUSPEND"}
	case OpCancel:
		return Transition{model.BG_JOB_STATE_CANCELLED, model.S_OK, "STATE-CANCEL"}
	case OpComplete:
		if f.Type.IsUpload() {
			if s != model.BG_JOB_STATE_TRANSFERRED {
				return Transition{s, model.BG_E_INVALID_STATE, "STATE-COMPLETE-UPLOAD"}
			}
			return Transition{model.BG_JOB_STATE_ACKNOWLEDGED, model.S_OK, "STATE-COMPLETE-UPLOAD"}
		}
		if f.FilesTransferred < f.Files {
			return Transition{model.BG_JOB_STATE_ACKNOWLEDGED, model.BG_S_PARTIAL_COMPLETE, "STATE-PARTIAL-COMPLETE"}
		}
		return Transition{model.BG_JOB_STATE_ACKNOWLEDGED, model.S_OK, "STATE-COMPLETE-DOWNLOAD"}
	}
	return Transition{s, model.E_INVALIDARG, ""}
}

// CheckModify returns the HRESULT of a call that changes a job's properties
// or registrations (setters, AddFile, SetNotifyInterface, TakeOwnership …)
// in state s: BG_E_INVALID_STATE once the job is final
// (STATE-FINAL-IMMUTABLE, FLAGS-FINAL-STATE, OBJ-FINAL-STATE,
// CMD-FINAL-STATE, FILE-ADD-FINAL-STATE), S_OK otherwise.
func CheckModify(s model.JobState) model.HRESULT {
	if s.IsFinal() {
		return model.BG_E_INVALID_STATE
	}
	return model.S_OK
}

// CheckSetPriority returns the HRESULT of SetPriority(p): E_NOTIMPL for a
// value outside BG_JOB_PRIORITY (STATE-PRIORITY-INVALID), after the final
// state check.
func CheckSetPriority(s model.JobState, p model.JobPriority) model.HRESULT {
	if hr := CheckModify(s); hr.Failed() {
		return hr
	}
	if !p.Valid() {
		return model.E_NOTIMPL
	}
	return model.S_OK
}

// Visible reports whether GetJob and EnumJobs still return a job in state s:
// final jobs are gone (STATE-FINAL-NOT-ENUMERATED, STATE-GETJOB-FINAL).
func Visible(s model.JobState) bool { return !s.IsFinal() }

// ServiceEvent is something that happens to a job inside the service, as
// opposed to a client call.
type ServiceEvent int

// The service events the scheduler and timers produce.
const (
	// EvStart: the scheduler picks a QUEUED job and starts connecting.
	EvStart ServiceEvent = iota + 1
	// EvConnected: the connection is up and bytes flow.
	EvConnected
	// EvAllFilesDone: the last file finished.
	EvAllFilesDone
	// EvTransientError: a recoverable error (network, 503, …).
	EvTransientError
	// EvFatalError: a non-recoverable error (404, access denied, …).
	EvFatalError
	// EvRetryDue: MinimumRetryDelay has passed since the transient error.
	EvRetryDue
	// EvNoProgressTimeout: NoProgressTimeout passed without progress.
	EvNoProgressTimeout
	// EvMaxDownloadTime: the job spent longer than MaxDownloadTime transferring.
	EvMaxDownloadTime
	// EvInactivityTimeout: JobInactivityTimeout passed without activity.
	EvInactivityTimeout
	// EvValidationFailed: SetValidationState(FALSE) on a file from the origin.
	EvValidationFailed
	// EvPreempted: the time slice ended or a higher-priority job took the slot.
	EvPreempted
	// EvRestart: the service restarted.
	EvRestart
)

var serviceEventNames = []string{"", "Start", "Connected", "AllFilesDone", "TransientError", "FatalError",
	"RetryDue", "NoProgressTimeout", "MaxDownloadTime", "InactivityTimeout", "ValidationFailed", "Preempted", "Restart"}

// String returns the event's name.
func (e ServiceEvent) String() string {
	if e > 0 && int(e) < len(serviceEventNames) {
		return serviceEventNames[e]
	}
	return fmt.Sprintf("ServiceEvent(%d)", int(e))
}

// ServiceTransition is the outcome of a ServiceEvent: the next state, the
// notification it raises (0 for none; JobModification is not listed here:
// see ModificationOnChange), and the deciding rule. OK is false when the
// event cannot happen in that state, and the state is then unchanged.
type ServiceTransition struct {
	Next   model.JobState
	Notify model.EventKind
	Rule   string
	OK     bool
}

// OnServiceEvent decides what a service event does to a job in state s. It implements
// STATE-TRANSIENT-RETRY, STATE-NO-PROGRESS-TIMEOUT, STATE-FATAL-ERROR,
// STATE-MAX-DOWNLOAD-TIME, STATE-INACTIVITY-CANCEL,
// FILE-VALIDATION-FALSE-ORIGIN, PERSIST-ACTIVE-REQUEUED and
// DELIV-NO-JOBERROR-TRANSIENT.
func OnServiceEvent(s model.JobState, ev ServiceEvent) ServiceTransition {
	no := ServiceTransition{Next: s}
	switch ev {
	case EvStart:
		if s == model.BG_JOB_STATE_QUEUED {
			return ServiceTransition{model.BG_JOB_STATE_CONNECTING, 0, "STATE-RESUME-QUEUED", true}
		}
	case EvConnected:
		if s == model.BG_JOB_STATE_CONNECTING {
			return ServiceTransition{model.BG_JOB_STATE_TRANSFERRING, 0, "STATE-RESUME-QUEUED", true}
		}
	case EvAllFilesDone:
		if s == model.BG_JOB_STATE_TRANSFERRING || s == model.BG_JOB_STATE_CONNECTING {
			return ServiceTransition{model.BG_JOB_STATE_TRANSFERRED, model.EventJobTransferred, "STATE-TRANSFERRED-TIME", true}
		}
	case EvTransientError:
		if s == model.BG_JOB_STATE_CONNECTING || s == model.BG_JOB_STATE_TRANSFERRING {
			return ServiceTransition{model.BG_JOB_STATE_TRANSIENT_ERROR, 0, "DELIV-NO-JOBERROR-TRANSIENT", true}
		}
	case EvFatalError:
		if s == model.BG_JOB_STATE_CONNECTING || s == model.BG_JOB_STATE_TRANSFERRING {
			return ServiceTransition{model.BG_JOB_STATE_ERROR, model.EventJobError, "STATE-FATAL-ERROR", true}
		}
	case EvRetryDue:
		if s == model.BG_JOB_STATE_TRANSIENT_ERROR {
			return ServiceTransition{model.BG_JOB_STATE_QUEUED, 0, "STATE-TRANSIENT-RETRY", true}
		}
	case EvNoProgressTimeout:
		if s == model.BG_JOB_STATE_TRANSIENT_ERROR {
			return ServiceTransition{model.BG_JOB_STATE_ERROR, model.EventJobError, "STATE-NO-PROGRESS-TIMEOUT", true}
		}
	case EvMaxDownloadTime:
		if s == model.BG_JOB_STATE_CONNECTING || s == model.BG_JOB_STATE_TRANSFERRING {
			return ServiceTransition{model.BG_JOB_STATE_ERROR, model.EventJobError, "STATE-MAX-DOWNLOAD-TIME", true}
		}
	case EvInactivityTimeout:
		if !s.IsFinal() {
			return ServiceTransition{model.BG_JOB_STATE_CANCELLED, 0, "STATE-INACTIVITY-CANCEL", true}
		}
	case EvValidationFailed:
		if !s.IsFinal() {
			return ServiceTransition{model.BG_JOB_STATE_ERROR, model.EventJobError, "FILE-VALIDATION-FALSE-ORIGIN", true}
		}
	case EvPreempted:
		if s == model.BG_JOB_STATE_CONNECTING || s == model.BG_JOB_STATE_TRANSFERRING {
			return ServiceTransition{model.BG_JOB_STATE_QUEUED, 0, "STATE-RESUME-QUEUED", true}
		}
	case EvRestart:
		if s == model.BG_JOB_STATE_CONNECTING || s == model.BG_JOB_STATE_TRANSFERRING {
			return ServiceTransition{model.BG_JOB_STATE_QUEUED, 0, "PERSIST-ACTIVE-REQUEUED", true}
		}
		return ServiceTransition{s, 0, "PERSIST-JOBS", true}
	}
	return no
}

// ModificationOnChange reports whether a change of state from → to raises
// JobModification: every change does, except those into ERROR and
// TRANSFERRED (DELIV-MODIFICATION-EVENTS,
// DELIV-NO-MODIFICATION-ERROR-TRANSFERRED). A change to a final state is a
// change like any other, but nothing is delivered for a final job.
func ModificationOnChange(from, to model.JobState) bool {
	if from == to {
		return false
	}
	return to != model.BG_JOB_STATE_ERROR && to != model.BG_JOB_STATE_TRANSFERRED && !to.IsFinal()
}
