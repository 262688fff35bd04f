package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAuthTarget: BG_AUTH_TARGET_SERVER is 1 and BG_AUTH_TARGET_PROXY is 2
// (bits.h), and each prints its name.
func TestAuthTarget(t *testing.T) {
	assert.Equal(t, AuthTarget(1), BG_AUTH_TARGET_SERVER)
	assert.Equal(t, AuthTarget(2), BG_AUTH_TARGET_PROXY)
	assert.Equal(t, "SERVER", BG_AUTH_TARGET_SERVER.String())
	assert.Equal(t, "PROXY", BG_AUTH_TARGET_PROXY.String())
	assert.Equal(t, "AuthTarget(9)", AuthTarget(9).String())
}
