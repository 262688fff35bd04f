package rules

import "github.com/bitssim/bitssim/model"

// The open questions of the rules added or re-sourced when the rulebook was
// read again against Microsoft's pages (issue 11, part B), merged into
// openQuestions and settled before the catalogue is built.

// Variant names of these rules.
const (
	// DELIV-RANGES-INTERVAL
	VarPaced    = "paced"
	VarNotPaced = "not-paced"
	// DELIV-FAILURE-NOT-JOB-ERROR
	VarNotRecorded = "not-recorded"
	VarRecorded    = "recorded"
	// SEC-GETJOB-OTHER-USER (VarNotFound is STATE-GETJOB-FINAL's name too)
	VarAccessDenied = "access-denied"
	// FLAGS-VERSION-MASK
	VarFileTransferredFrom30 = "file-transferred-from-3.0"
	VarFileTransferredFrom40 = "file-transferred-from-4.0"
)

var truthQuestionsAdded = addQuestions(map[string]openRule{
	"FLAGS-VERSION-MASK": {VarFileTransferredFrom30, []Variant{{
		Name:      VarFileTransferredFrom40,
		Statement: "SetNotifyFlags accepts exactly the flag bits of the installed BITS version: mask 0x0F on BITS 1.5 to 3.0, 0x1F on BITS 4.0 to 5.0, and 0x3F on BITS 10.1 and later.",
		Reasoning: "The only evidence that 0x10 is accepted is Wine's test_HttpOptions, which runs on Windows 7 and later (BITS 4.0 and later); nothing shows BITS 3.0 accepting it, and a version may declare a callback method before SetNotifyFlags accepts its flag.",
	}}},
	"DELIV-RANGES-INTERVAL": {VarPaced, []Variant{{
		Name:      VarNotPaced,
		Statement: "BITS calls FileRangesTransferred as soon as ranges have been transferred, whatever BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS says.",
		Reasoning: "The property page says the interval controls the timing of \"JobNotification\" and FileRangesTransferred notifications without saying how, and that a new rate may not apply at once; it may in practice pace only JobModification.",
	}}},
	"DELIV-FAILURE-NOT-JOB-ERROR": {VarNotRecorded, []Variant{{
		Name:      VarRecorded,
		Statement: "When a JobTransferred or JobError notification fails, the failure becomes the job's error in the context BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION (3), which GetError then reports, while the job's state stays the same.",
		Reasoning: "BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION exists for errors generated while BITS notifies the client, and GetError is the only place a context is reported.",
	}}},
	"SEC-GETJOB-OTHER-USER": {VarAccessDenied, []Variant{{
		Name:      VarNotFound,
		Statement: "GetJob by a non-administrator for a job owned by another user fails with BG_E_NOT_FOUND (0x80200001), as if the job did not exist.",
		Reasoning: "The User Account Control page says a standard user cannot enumerate other users' jobs, and EnumJobs hides them; GetJob may hide them the same way instead of admitting they exist.",
	}}},
}, map[string]string{
	"CLSID-GET-ROUND-TRIP": "A getter that returned anything but the value set (or GUID_NULL once cleared, as the property page allows) would make the property unusable; no source suggests another behaviour.",
})

// addQuestions merges open rules and settled reasons into the tables the
// catalogue is built from; it runs during package initialisation, after
// those tables and before init.
func addQuestions(open map[string]openRule, why map[string]string) bool {
	for id, q := range open {
		openQuestions[id] = q
	}
	for id, reason := range why {
		settled[id] = reason
	}
	return true
}

// RangesPaced reports whether FileRangesTransferred calls are paced by
// BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS (DELIV-RANGES-INTERVAL).
func RangesPaced(sel Selection) bool { return !sel.Is("DELIV-RANGES-INTERVAL", VarNotPaced) }

// NotificationFailureRecorded reports whether a failed notification of kind
// becomes the job's error, in the context
// BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION: only JobTransferred and
// JobError, and only under DELIV-FAILURE-NOT-JOB-ERROR's recorded reading.
func NotificationFailureRecorded(kind model.EventKind, sel Selection) bool {
	return (kind == model.EventJobTransferred || kind == model.EventJobError) &&
		sel.Is("DELIV-FAILURE-NOT-JOB-ERROR", VarRecorded)
}

// ValidNotifyFlagsWith returns the flags SetNotifyFlags accepts on BITS v
// under the selection: ValidNotifyFlags(v), except that under
// FLAGS-VERSION-MASK's file-transferred-from-4.0 reading BITS 3.0 does not
// accept BG_NOTIFY_FILE_TRANSFERRED (0x10) yet.
func ValidNotifyFlagsWith(v model.Version, sel Selection) model.NotifyFlags {
	mask := ValidNotifyFlags(v)
	if v < model.BITS4_0 && sel.Is("FLAGS-VERSION-MASK", VarFileTransferredFrom40) {
		mask &^= model.BG_NOTIFY_FILE_TRANSFERRED
	}
	return mask
}
