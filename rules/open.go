package rules

import "github.com/bitssim/bitssim/model"

// Decision functions of calls whose answer depends on an open question.

// CheckGetJob returns the HRESULT of GetJob by caller for a job owned by
// owner in state s: BG_E_NOT_FOUND for a CANCELLED or ACKNOWLEDGED job
// (STATE-GETJOB-FINAL, unless its found reading), then E_ACCESSDENIED for
// another user's job (SEC-GETJOB-OTHER-USER, or BG_E_NOT_FOUND under its
// not-found reading; unless SEC-OWNER-ONLY's reads-allowed reading lets
// anyone read), S_OK otherwise.
func CheckGetJob(caller, owner model.Account, s model.JobState, sel Selection) model.HRESULT {
	if s.IsFinal() && !sel.Is("STATE-GETJOB-FINAL", VarFound) {
		return model.BG_E_NOT_FOUND
	}
	if hr := CheckAccess(caller, owner, false); hr.Failed() && !sel.Is("SEC-OWNER-ONLY", VarReadsAllowed) {
		if sel.Is("SEC-GETJOB-OTHER-USER", VarNotFound) {
			return model.BG_E_NOT_FOUND // the job is hidden, as from EnumJobs
		}
		return hr
	}
	return model.S_OK
}

// CheckSetNotifyCLSID returns the HRESULT of setting
// BITS_JOB_PROPERTY_NOTIFICATION_CLSID to clsid on a job in state s, where
// registered says whether a class is registered for it: BG_E_INVALID_STATE
// on a final job (CLSID-FINAL-STATE, unless its accepted reading), and
// REGDB_E_CLASSNOTREG for an unregistered CLSID under CLSID-SET-UNCHECKED's
// checked-up-front reading; S_OK otherwise (GUID_NULL clears).
func CheckSetNotifyCLSID(s model.JobState, clsid model.GUID, registered bool, sel Selection) model.HRESULT {
	if s.IsFinal() && !sel.Is("CLSID-FINAL-STATE", VarAccepted) {
		return model.BG_E_INVALID_STATE
	}
	if !clsid.IsNull() && !registered && sel.Is("CLSID-SET-UNCHECKED", VarCheckedUpFront) {
		return model.REGDB_E_CLASSNOTREG
	}
	return model.S_OK
}

// StateAfterRestart returns the state a job in state s has after a
// service restart: a job that was CONNECTING or TRANSFERRING is QUEUED
// (PERSIST-ACTIVE-REQUEUED), or TRANSIENT_ERROR under its transient-error
// reading; every other state is kept (PERSIST-JOBS).
func StateAfterRestart(s model.JobState, sel Selection) model.JobState {
	next := OnServiceEvent(s, EvRestart).Next
	if next != s && sel.Is("PERSIST-ACTIVE-REQUEUED", VarTransientError) {
		return model.BG_JOB_STATE_TRANSIENT_ERROR
	}
	return next
}

// OwedAfterRestart reports whether, after a service restart, a job in
// state s is owed the notification of that state (JobTransferred for
// TRANSFERRED, JobError for ERROR) even if it was delivered before: only
// under PERSIST-REDELIVER's all-after-restart reading. A notification not
// yet delivered stays owed under every reading.
func OwedAfterRestart(s model.JobState, sel Selection) bool {
	return (s == model.BG_JOB_STATE_TRANSFERRED || s == model.BG_JOB_STATE_ERROR) &&
		sel.Is("PERSIST-REDELIVER", VarAllAfterRestart)
}

// ActivationAccount returns the account BITS activates the notification
// CLSID's server as: the job's owner (CLSID-OWNER-CONTEXT), the user who
// last set the CLSID under its setter reading, or the class's AppID RunAs
// under its appid-runas reading (the owner when the class names none; runAs
// nil).
func ActivationAccount(owner, setter model.Account, runAs *model.Account, sel Selection) model.Account {
	switch sel.Of("CLSID-OWNER-CONTEXT") {
	case VarSetter:
		if setter.Name != "" {
			return setter
		}
	case VarAppIDRunAs:
		if runAs != nil {
			return *runAs
		}
	}
	return owner
}

// CheckActivation returns the HRESULT of activating a class registered
// only as an in-process server when inProcessOnly is true:
// REGDB_E_CLASSNOTREG (CLSID-OUT-OF-PROCESS), or S_OK under its
// in-process-activated reading. Local-server classes always give S_OK.
func CheckActivation(inProcessOnly bool, sel Selection) model.HRESULT {
	if inProcessOnly && !sel.Is("CLSID-OUT-OF-PROCESS", VarInProcessActivate) {
		return model.REGDB_E_CLASSNOTREG
	}
	return model.S_OK
}

// TakeOwnershipClearsCLSID reports whether TakeOwnership removes the
// notification CLSID: not by default (SEC-TAKEOWNERSHIP-CLSID), yes under
// its cleared reading.
func TakeOwnershipClearsCLSID(sel Selection) bool {
	return sel.Is("SEC-TAKEOWNERSHIP-CLSID", VarCleared)
}

// OwedOnLeave reports whether a JobTransferred or JobError still owed when
// the job leaves TRANSFERRED or ERROR for state to stays owed: never
// (DELIV-RETRY-STOPS-ON-LEAVE), or until a final state under its continues
// reading.
func OwedOnLeave(to model.JobState, sel Selection) bool {
	return !to.IsFinal() && sel.Is("DELIV-RETRY-STOPS-ON-LEAVE", VarContinues)
}

// OwedDeliverable reports whether an owed notification of kind
// (JobTransferred or JobError) may be delivered while the job is in state
// s: in the state it reports, or in any state that is not final once it is
// kept owed on leaving (OwedOnLeave).
func OwedDeliverable(kind model.EventKind, s model.JobState, sel Selection) bool {
	switch kind {
	case model.EventJobTransferred:
		if s == model.BG_JOB_STATE_TRANSFERRED {
			return true
		}
	case model.EventJobError:
		if s == model.BG_JOB_STATE_ERROR {
			return true
		}
	default:
		return !s.IsFinal()
	}
	return OwedOnLeave(s, sel)
}
