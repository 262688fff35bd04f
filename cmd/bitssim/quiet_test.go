package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// quietScenario fails four checks of three kinds (a notification count, a
// state, a call's HRESULT, and a count over every job after the job was
// let go of), among passing ones.
const quietScenario = `user root admin
start A as root
remote http://s/f
A: create j1
A: addfile j1 http://s/f C:\dl\j1
A: setnotifyinterface j1 complete
A: resume j1
expect j1 JobTransferred -> A x2
expect j1 state TRANSFERRED
A: create j2
A: resume j2 -> BG_E_INVALID_STATE
A: cancel j2
expect j2 state CANCELLED
expect j1 state ACKNOWLEDGED
expect JobTransferred x3
`

// bitssim run -q prints the failed checks and nothing else on standard
// output, and the same failures with the count on standard error, byte
// for byte as before RunText stopped formatting what -q does not print.
func TestRunQuietGolden(t *testing.T) {
	path := writeScenario(t, quietScenario)
	code, out, errOut := runCLI("run", "-q", path)
	assert.Equal(t, exitFailed, code)
	wantOut := `FAIL PATH:8: expect j1 JobTransferred -> A x2
     expected 2 deliveries
     seen     1 delivery
FAIL PATH:9: expect j1 state TRANSFERRED
     expected TRANSFERRED
     seen     ACKNOWLEDGED
FAIL PATH:11: A: resume j2 -> BG_E_INVALID_STATE
     expected BG_E_INVALID_STATE
     seen     BG_E_EMPTY
FAIL PATH:15: expect JobTransferred x3
     expected 3 deliveries
     seen     1 delivery
`
	wantErr := `PATH:8: expectation failed: expect j1 JobTransferred -> A x2
    expected 2 deliveries
    seen     1 delivery
PATH:9: expectation failed: expect j1 state TRANSFERRED
    expected TRANSFERRED
    seen     ACKNOWLEDGED
PATH:11: expectation failed: A: resume j2 -> BG_E_INVALID_STATE
    expected BG_E_INVALID_STATE
    seen     BG_E_EMPTY
PATH:15: expectation failed: expect JobTransferred x3
    expected 3 deliveries
    seen     1 delivery
PATH: 4 of 6 checks failed
`
	assert.Equal(t, strings.ReplaceAll(wantOut, "PATH", path), out)
	assert.Equal(t, strings.ReplaceAll(wantErr, "PATH", path), errOut)
}
