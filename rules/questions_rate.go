package rules

import "time"

// DELIV-MODIFICATION-RATE's open question (issue 14): the property page
// says BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS controls the
// timing of JobModification calls, and the rule reads it as at most one
// call per interval, but no page says when an interval starts.

// Variant names of DELIV-MODIFICATION-RATE.
const (
	// VarFromLastCall: the interval runs from the last call (the default).
	VarFromLastCall = "from-last-call"
	// VarFromFirstModification: a modification not yet reported starts
	// the interval, and the call comes at its end.
	VarFromFirstModification = "from-first-modification"
)

var rateQuestions = addQuestions(map[string]openRule{
	"DELIV-MODIFICATION-RATE": {VarFromLastCall, []Variant{{
		Name:      VarFromFirstModification,
		Statement: "On BITS 10.1 and later BITS reports a job's modifications one BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS (default 500 ms) after the first of them not yet reported, in one JobModification call that merges every modification made in between, so that even a lone modification waits one interval.",
		Reasoning: "A timer armed by the first change and fired at the end of the interval is the usual way to batch high-volume events; it keeps at most one call per interval and merges the changes as the page requires, and the page says only that the property controls the timing of the notifications, not when an interval starts.",
	}}},
}, nil)

// ModificationDue returns when BITS sends the JobModification for a
// modification made at now, on a job whose last JobModification was at
// last (the zero time for none) and whose interval is interval
// (DELIV-MODIFICATION-RATE, BITS 10.1 and later): under the default
// reading at once, or one interval after the last call when that is
// later; under from-first-modification one interval after now.
func ModificationDue(now, last time.Time, interval time.Duration, sel Selection) time.Time {
	if sel.Is("DELIV-MODIFICATION-RATE", VarFromFirstModification) {
		return now.Add(interval)
	}
	if last.IsZero() {
		return now
	}
	if next := last.Add(interval); next.After(now) {
		return next
	}
	return now
}
