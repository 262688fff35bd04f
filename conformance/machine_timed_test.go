package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// The automatic-clock exemption covers exactly the window a retry owns:
// DELIV-RETRY-INTERVAL ("retried after the retry delay") lets a retry owed
// at the last check run at any moment before the next step's own call,
// even when that step (a Complete, a restart, a new object) ends it. A
// command line seen for a job that had no retry pending, then or now, is
// still a break the oracle reports.
func TestDropTimedRetryOwedAtLastCheck(t *testing.T) {
	retried := model.GUID{1}
	quiet := model.GUID{2}
	cmd := func(job model.GUID) expected {
		return expected{job: job, kind: model.EventCommandLine, target: "cmdline", user: "alice"}
	}
	m := &machine{jobs: []*mJob{
		{id: retried, retryAt: 5 * time.Second, state: model.BG_JOB_STATE_TRANSFERRED},
		{id: quiet, state: model.BG_JOB_STATE_TRANSFERRED},
	}}
	// The check after Resume: the command line failed, a retry is owed.
	m.retriedAtCheck = m.retrying()
	require.True(t, m.retriedAtCheck[retried])
	require.False(t, m.retriedAtCheck[quiet])

	// Complete ends the retry (the oracle clears it), but the clock ran it
	// once more before Complete's call.
	m.jobs[0].retryAt = 0
	m.jobs[0].state = model.BG_JOB_STATE_ACKNOWLEDGED
	got := m.dropTimed([]expected{cmd(retried), cmd(quiet)})
	assert.Equal(t, []expected{cmd(quiet)}, got, "only the job whose retry was owed is the clock's to time")
	assert.Contains(t, compare(got, nil, false), "observed, not expected",
		"a command line for a job with no retry owed is still a break")

	// At the next check the retry is over: its job is no longer exempt.
	m.retriedAtCheck = m.retrying()
	got = m.dropTimed([]expected{cmd(retried)})
	assert.Equal(t, []expected{cmd(retried)}, got)
	assert.Contains(t, compare(got, nil, false), "observed, not expected")
}
