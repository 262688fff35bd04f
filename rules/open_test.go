package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

func TestCheckGetJob(t *testing.T) {
	alice := model.Account{Name: "alice"}
	bob := model.Account{Name: "bob"}
	cancelled, queued := model.BG_JOB_STATE_CANCELLED, model.BG_JOB_STATE_QUEUED
	// STATE-GETJOB-FINAL: "fails with BG_E_NOT_FOUND (0x80200001)"; found: "returns S_OK".
	assert.Equal(t, model.BG_E_NOT_FOUND, CheckGetJob(alice, alice, cancelled, nil))
	assert.Equal(t, model.S_OK, CheckGetJob(alice, alice, cancelled, Selection{"STATE-GETJOB-FINAL": VarFound}))
	// SEC-GETJOB-OTHER-USER: E_ACCESSDENIED; SEC-OWNER-ONLY reads-allowed: the job can be read.
	assert.Equal(t, model.E_ACCESSDENIED, CheckGetJob(bob, alice, queued, nil))
	assert.Equal(t, model.S_OK, CheckGetJob(bob, alice, queued, Selection{"SEC-OWNER-ONLY": VarReadsAllowed}))
	assert.Equal(t, model.S_OK, CheckGetJob(alice, alice, queued, nil))
}

func TestCheckSetNotifyCLSID(t *testing.T) {
	x := model.MustParseGUID("{B175C1A5-0000-4000-8000-000000000001}")
	acked, suspended := model.BG_JOB_STATE_ACKNOWLEDGED, model.BG_JOB_STATE_SUSPENDED
	// CLSID-FINAL-STATE: BG_E_INVALID_STATE; accepted: S_OK.
	assert.Equal(t, model.BG_E_INVALID_STATE, CheckSetNotifyCLSID(acked, x, true, nil))
	assert.Equal(t, model.S_OK, CheckSetNotifyCLSID(acked, x, true, Selection{"CLSID-FINAL-STATE": VarAccepted}))
	// CLSID-SET-UNCHECKED: S_OK for an unregistered class; checked-up-front: REGDB_E_CLASSNOTREG (0x80040154).
	assert.Equal(t, model.S_OK, CheckSetNotifyCLSID(suspended, x, false, nil))
	assert.Equal(t, model.REGDB_E_CLASSNOTREG, CheckSetNotifyCLSID(suspended, x, false, Selection{"CLSID-SET-UNCHECKED": VarCheckedUpFront}))
	assert.Equal(t, model.S_OK, CheckSetNotifyCLSID(suspended, model.GUID_NULL, false, Selection{"CLSID-SET-UNCHECKED": VarCheckedUpFront}), "GUID_NULL clears")
}

func TestAfterRestart(t *testing.T) {
	tr := Selection{"PERSIST-ACTIVE-REQUEUED": VarTransientError}
	// "A job that was CONNECTING or TRANSFERRING … is QUEUED after the restart, and a job in any other state keeps its state."
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, StateAfterRestart(model.BG_JOB_STATE_TRANSFERRING, nil))
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, StateAfterRestart(model.BG_JOB_STATE_CONNECTING, nil))
	assert.Equal(t, model.BG_JOB_STATE_ERROR, StateAfterRestart(model.BG_JOB_STATE_ERROR, nil))
	// transient-error: "is TRANSIENT_ERROR after the restart".
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, StateAfterRestart(model.BG_JOB_STATE_TRANSFERRING, tr))
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, StateAfterRestart(model.BG_JOB_STATE_SUSPENDED, tr))

	all := Selection{"PERSIST-REDELIVER": VarAllAfterRestart}
	assert.False(t, OwedAfterRestart(model.BG_JOB_STATE_TRANSFERRED, nil))
	assert.True(t, OwedAfterRestart(model.BG_JOB_STATE_TRANSFERRED, all))
	assert.True(t, OwedAfterRestart(model.BG_JOB_STATE_ERROR, all))
	assert.False(t, OwedAfterRestart(model.BG_JOB_STATE_SUSPENDED, all))
}

func TestActivationAccount(t *testing.T) {
	owner, setter := model.Account{Name: "alice"}, model.Account{Name: "root", Kind: model.AccountAdministrator}
	interactive := model.Account{Name: "interactive"}
	// "in the security context of the job's owner"
	assert.Equal(t, owner, ActivationAccount(owner, setter, &interactive, nil))
	// setter: "the user who last set BITS_JOB_PROPERTY_NOTIFICATION_CLSID"
	assert.Equal(t, setter, ActivationAccount(owner, setter, &interactive, Selection{"CLSID-OWNER-CONTEXT": VarSetter}))
	// appid-runas: "as the class's AppID RunAs says … and as the job owner when the class names no RunAs"
	assert.Equal(t, interactive, ActivationAccount(owner, setter, &interactive, Selection{"CLSID-OWNER-CONTEXT": VarAppIDRunAs}))
	assert.Equal(t, owner, ActivationAccount(owner, setter, nil, Selection{"CLSID-OWNER-CONTEXT": VarAppIDRunAs}))
}

func TestCheckActivation(t *testing.T) {
	// "a class registered only as an in-process server fails activation with REGDB_E_CLASSNOTREG (0x80040154)"
	assert.Equal(t, model.REGDB_E_CLASSNOTREG, CheckActivation(true, nil))
	assert.Equal(t, model.S_OK, CheckActivation(false, nil))
	// in-process-activated: "is activated and receives the notification"
	assert.Equal(t, model.S_OK, CheckActivation(true, Selection{"CLSID-OUT-OF-PROCESS": VarInProcessActivate}))
}

func TestTakeOwnershipClearsCLSID(t *testing.T) {
	assert.False(t, TakeOwnershipClearsCLSID(nil), "TakeOwnership keeps the notification CLSID")
	assert.True(t, TakeOwnershipClearsCLSID(Selection{"SEC-TAKEOWNERSHIP-CLSID": VarCleared}), "TakeOwnership clears the notification CLSID")
}

func TestOwedOnLeave(t *testing.T) {
	cont := Selection{"DELIV-RETRY-STOPS-ON-LEAVE": VarContinues}
	// "BITS stops retrying … as soon as the job is no longer TRANSFERRED or ERROR"
	assert.False(t, OwedOnLeave(model.BG_JOB_STATE_QUEUED, nil))
	assert.False(t, OwedDeliverable(model.EventJobTransferred, model.BG_JOB_STATE_TRANSFERRING, nil))
	assert.True(t, OwedDeliverable(model.EventJobTransferred, model.BG_JOB_STATE_TRANSFERRED, nil))
	// continues: "until it is delivered or the job is CANCELLED or ACKNOWLEDGED"
	assert.True(t, OwedOnLeave(model.BG_JOB_STATE_QUEUED, cont))
	assert.False(t, OwedOnLeave(model.BG_JOB_STATE_CANCELLED, cont))
	assert.True(t, OwedDeliverable(model.EventJobError, model.BG_JOB_STATE_QUEUED, cont))
	assert.False(t, OwedDeliverable(model.EventJobError, model.BG_JOB_STATE_ACKNOWLEDGED, cont))
}
