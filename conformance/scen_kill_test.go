package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every further check of scen_kill_*.go adds to a rule's scenario: a
// check of a rule without one would never run.
func TestFurtherChecksHaveScenarios(t *testing.T) {
	assert.Empty(t, orphanChecks())
}
