package rules

import "github.com/bitssim/bitssim/model"

// CheckAccess returns the HRESULT of caller touching a job owned by owner:
// S_OK for the owner and for administrators (SEC-ADMIN-MODIFY),
// E_ACCESSDENIED for anyone else (SEC-OWNER-ONLY, SEC-GETJOB-OTHER-USER).
func CheckAccess(caller, owner model.Account) model.HRESULT {
	if caller.Same(owner) || caller.IsAdmin() {
		return model.S_OK
	}
	return model.E_ACCESSDENIED
}

// CheckEnumJobs returns the HRESULT of EnumJobs(flags): E_ACCESSDENIED when
// a non-administrator asks for all users (SEC-ENUM-ALL-ADMIN), E_INVALIDARG
// for unknown flag bits.
func CheckEnumJobs(caller model.Account, flags model.EnumJobsFlags) model.HRESULT {
	if flags&^model.BG_JOB_ENUM_ALL_USERS != 0 {
		return model.E_INVALIDARG
	}
	if flags&model.BG_JOB_ENUM_ALL_USERS != 0 && !caller.IsAdmin() {
		return model.E_ACCESSDENIED
	}
	return model.S_OK
}

// CheckTakeOwnership returns the HRESULT of TakeOwnership by caller:
// BG_E_INVALID_STATE on a final job, E_ACCESSDENIED unless the caller is an
// administrator (SEC-TAKEOWNERSHIP-ADMIN). On success the caller becomes
// the owner (SEC-TAKEOWNERSHIP-OWNER) and the command line is removed
// (SEC-TAKEOWNERSHIP-REMOVES-CMDLINE).
func CheckTakeOwnership(caller model.Account, state model.JobState) model.HRESULT {
	if hr := CheckModify(state); hr.Failed() {
		return hr
	}
	if !caller.IsAdmin() {
		return model.E_ACCESSDENIED
	}
	return model.S_OK
}

// CheckValidation returns the HRESULT of SetValidationState on a file:
// E_PENDING until the file is completely transferred
// (FILE-VALIDATION-PENDING), BG_E_INVALID_STATE on a final job.
func CheckValidation(state model.JobState, fileCompleted bool) model.HRESULT {
	if hr := CheckModify(state); hr.Failed() {
		return hr
	}
	if !fileCompleted {
		return model.E_PENDING
	}
	return model.S_OK
}

// CheckJob5 returns E_NOINTERFACE when BITS v has no IBackgroundCopyJob5
// (CLSID-REQUIRES-JOB5), S_OK otherwise.
func CheckJob5(v model.Version) model.HRESULT {
	if v < model.BITS5_0 {
		return model.E_NOINTERFACE
	}
	return model.S_OK
}
