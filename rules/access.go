package rules

import "github.com/bitssim/bitssim/model"

// CheckAccess returns the HRESULT of caller touching a job whose owner
// created it (or took it over) with the token owner; write says whether
// the call changes the job (setters, AddFile*, Suspend, Resume, Cancel,
// Complete, TakeOwnership) or only reads it.
//
//   - A job created or taken over with an elevated token can be read or
//     changed only by an elevated caller: the owner itself running
//     unelevated gets E_ACCESSDENIED (SEC-ADMIN-MODIFY).
//   - The owner may otherwise do anything (SEC-CREATOR-OWNER).
//   - Anyone else needs administrator rights (SEC-OWNER-ONLY,
//     SEC-GETJOB-OTHER-USER); an administrator reads any job and changes
//     any job whose owner's token has no higher integrity level than its
//     own, so it can read but not change a LocalSystem job
//     (SEC-ADMIN-MODIFY). The page hedges ("many LocalSystem tokens"); we
//     give every service account the system level (model.Account.Integrity).
func CheckAccess(caller, owner model.Account, write bool) model.HRESULT {
	if owner.Elevated() && !caller.Elevated() {
		return model.E_ACCESSDENIED
	}
	if !caller.Same(owner) && !caller.IsAdmin() {
		return model.E_ACCESSDENIED
	}
	if write && caller.Integrity() < owner.Integrity() {
		return model.E_ACCESSDENIED
	}
	return model.S_OK
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
