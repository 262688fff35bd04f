package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

func TestCheckAccess(t *testing.T) {
	bob := model.Account{Name: "bob"}
	assert.Equal(t, model.S_OK, CheckAccess(alice, alice))
	assert.Equal(t, model.S_OK, CheckAccess(model.Account{Name: "ALICE"}, alice), "names compare case-insensitively")
	assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(bob, alice))
	assert.Equal(t, model.S_OK, CheckAccess(admin, alice))
	assert.Equal(t, model.S_OK, CheckAccess(model.LocalSystem, alice))
	assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(model.NetworkService, alice))
}

func TestCheckEnumJobs(t *testing.T) {
	assert.Equal(t, model.S_OK, CheckEnumJobs(alice, 0))
	assert.Equal(t, model.E_ACCESSDENIED, CheckEnumJobs(alice, model.BG_JOB_ENUM_ALL_USERS))
	assert.Equal(t, model.S_OK, CheckEnumJobs(admin, model.BG_JOB_ENUM_ALL_USERS))
	assert.Equal(t, model.E_INVALIDARG, CheckEnumJobs(admin, 0x2))
}

func TestCheckTakeOwnership(t *testing.T) {
	assert.Equal(t, model.E_ACCESSDENIED, CheckTakeOwnership(alice, suspended))
	assert.Equal(t, model.S_OK, CheckTakeOwnership(admin, suspended))
	assert.Equal(t, model.BG_E_INVALID_STATE, CheckTakeOwnership(admin, cancelled))
}

func TestCheckValidationAndInterfaces(t *testing.T) {
	assert.Equal(t, model.E_PENDING, CheckValidation(transferring, false))
	assert.Equal(t, model.S_OK, CheckValidation(transferred, true))
	assert.Equal(t, model.BG_E_INVALID_STATE, CheckValidation(acknowledged, true))
	assert.Equal(t, model.E_NOINTERFACE, CheckJob5(model.BITS4_0))
	assert.Equal(t, model.S_OK, CheckJob5(model.BITS5_0))
}
