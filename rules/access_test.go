package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

func TestCheckAccess(t *testing.T) {
	bob := model.Account{Name: "bob"}
	for _, write := range []bool{false, true} {
		assert.Equal(t, model.S_OK, CheckAccess(alice, alice, write))
		assert.Equal(t, model.S_OK, CheckAccess(model.Account{Name: "ALICE"}, alice, write), "names compare case-insensitively")
		assert.Equal(t, model.S_OK, CheckAccess(model.Account{Name: "Alice"}, alice, write))
		assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(bob, alice, write))
		assert.Equal(t, model.S_OK, CheckAccess(admin, alice, write))
		assert.Equal(t, model.S_OK, CheckAccess(model.LocalSystem, alice, write))
		assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(model.NetworkService, alice, write))
	}
}

func TestCheckAccessIdentityIsNameAndKind(t *testing.T) {
	// SEC-OWNER-ONLY: an ordinary user named like LocalSystem is not its owner.
	impostor := model.Account{Name: `NT AUTHORITY\SYSTEM`, Kind: model.AccountUser}
	assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(impostor, model.LocalSystem, true))
	assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(impostor, model.LocalSystem, false))
	// ſ folds to s: "ſam" is the owner "sam".
	assert.Equal(t, model.S_OK, CheckAccess(model.Account{Name: "ſam"}, model.Account{Name: "sam"}, true))
}

func TestCheckAccessAdministratorCannotModifyHigherIntegrityJobs(t *testing.T) {
	// SEC-ADMIN-MODIFY: "a client cannot modify jobs created by a token with
	// a higher integrity level", so an administrator cannot modify or delete
	// LocalSystem jobs; reading them stays allowed.
	for _, svc := range []model.Account{model.LocalSystem, model.LocalService, model.NetworkService} {
		assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(admin, svc, true), "admin changes %s's job", svc)
		assert.Equal(t, model.S_OK, CheckAccess(admin, svc, false), "admin reads %s's job", svc)
	}
	assert.Equal(t, model.S_OK, CheckAccess(model.LocalSystem, model.NetworkService, true), "equal integrity levels")
	assert.Equal(t, model.S_OK, CheckAccess(model.LocalSystem, admin, true))
}

func TestCheckAccessElevatedJobNeedsElevation(t *testing.T) {
	// SEC-ADMIN-MODIFY: a job created or taken over while elevated needs
	// elevation to be read or changed (E_ACCESSDENIED otherwise).
	unelevated := model.Account{Name: admin.Name, Kind: model.AccountAdministrator, Unelevated: true}
	for _, write := range []bool{false, true} {
		assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(unelevated, admin, write), "write=%v", write)
		assert.Equal(t, model.S_OK, CheckAccess(admin, unelevated, write), "the elevated owner on its unelevated job")
		assert.Equal(t, model.S_OK, CheckAccess(unelevated, unelevated, write), "an unelevated job for the unelevated owner")
		assert.Equal(t, model.E_ACCESSDENIED, CheckAccess(unelevated, alice, write), "no administrator rights unelevated")
	}
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
