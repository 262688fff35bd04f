package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// DELIV-MODIFICATION-RATE under each reading: "counted from the last call,
// so that a modification made one interval or more after the last call is
// reported at once and those made sooner are merged into one call when the
// interval ends"; from-first-modification: "one interval after the first of
// them not yet reported".
func TestModificationDue(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	first := Selection{"DELIV-MODIFICATION-RATE": VarFromFirstModification}
	for _, tc := range []struct {
		name      string
		now, last time.Time
		sel       Selection
		want      time.Time
	}{
		{"no call yet: at once", t0, time.Time{}, nil, t0},
		{"an interval after the last call: at once", t0.Add(500 * ms), t0, nil, t0.Add(500 * ms)},
		{"long after the last call: at once", t0.Add(time.Hour), t0, nil, t0.Add(time.Hour)},
		{"sooner: when the interval ends", t0.Add(100 * ms), t0, nil, t0.Add(500 * ms)},
		{"from the first modification: one interval later", t0.Add(time.Hour), t0, first, t0.Add(time.Hour + 500*ms)},
		{"from the first modification, no call yet", t0, time.Time{}, first, t0.Add(500 * ms)},
	} {
		assert.Equal(t, tc.want, ModificationDue(tc.now, tc.last, 500*ms, tc.sel), tc.name)
	}
}
