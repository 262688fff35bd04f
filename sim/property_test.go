package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// TestUseStoredCredentialsTarget: the union member of
// BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS is a BG_AUTH_TARGET, and only
// BG_AUTH_TARGET_PROXY is supported (BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED:
// "The property is only supported for proxy (BG_AUTH_TARGET_PROXY) targets").
func TestUseStoredCredentialsTarget(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "credentials", model.BG_JOB_TYPE_DOWNLOAD)
	id := model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS
	assert.NoError(t, j.SetProperty(id, model.JobPropertyValue{Target: model.BG_AUTH_TARGET_PROXY}))
	assert.ErrorIs(t, j.SetProperty(id, model.JobPropertyValue{Target: model.BG_AUTH_TARGET_SERVER}), model.BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED)
	assert.ErrorIs(t, j.SetProperty(id, model.JobPropertyValue{}), model.BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED, "no target")
	assert.ErrorIs(t, j.SetProperty(id, model.JobPropertyValue{Enable: true}), model.BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED,
		"Enable is not this property's member")
}
