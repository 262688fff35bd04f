package rules

// The open questions of the rulebook: for each rule whose truth the
// documentation leaves open, the name of the default reading (the rule's
// own Statement and Decision) and the plausible alternatives. A run
// against a real BITS reports which reading it matched.

// Variant names used by the decision functions and the simulator. Each is
// checked against the catalogue by the tests.
const (
	// FLAGS-CHECKED-AT-DISPATCH
	VarAtDispatch = "at-dispatch"
	VarAtEvent    = "at-event"
	// FLAGS-DISABLE-CMDLINE
	VarCmdLineSuppressed = "suppressed"
	VarCmdLineStillRuns  = "cmdline-still-runs"
	// FLAGS-STATE-CHECK-FIRST
	VarStateFirst = "state-first"
	VarFlagsFirst = "flags-first"
	// FLAGS-ZERO
	VarZeroAccepted = "accepted"
	VarZeroRejected = "rejected"
	// OBJ-DISCOVER-DEAD
	VarServerUnavailable = "server-unavailable"
	VarCallFailed        = "call-failed"
	VarDisconnected      = "disconnected"
	// OBJ-NO-CALLBACK-INTERFACE
	VarKeepsOld  = "keeps-old"
	VarClearsOld = "clears-old"
	// CLSID-ACTIVATION-FAILURE
	VarLikeFailedCallback = "like-failed-callback"
	VarLikeNoCLSID        = "like-no-clsid"
	// CLSID-OUT-OF-PROCESS
	VarLocalServerOnly   = "local-server-only"
	VarInProcessActivate = "in-process-activated"
	// CLSID-OWNER-CONTEXT
	VarJobOwner   = "job-owner"
	VarSetter     = "setter"
	VarAppIDRunAs = "appid-runas"
	// CLSID-FINAL-STATE
	VarInvalidState = "invalid-state"
	VarAccepted     = "accepted"
	// CLSID-SET-UNCHECKED
	VarUnchecked      = "unchecked"
	VarCheckedUpFront = "checked-up-front"
	// CLSID-NOT-NOTIFY-INTERFACE
	VarNotReported     = "not-reported"
	VarReportsInstance = "reports-instance"
	// PREC-FAILURE-KEEPS-OBJECT
	VarKeepsObject      = "keeps-object"
	VarFallsBackToCLSID = "falls-back-to-clsid"
	// PREC-CMDLINE-LAST
	VarCmdLineLast        = "cmdline-last"
	VarCmdLineBeforeCLSID = "cmdline-before-clsid"
	// FILE-ADDFILESET-ATOMIC
	VarNoneAdded   = "none-added"
	VarKeepsPrefix = "keeps-prefix"
	// CMD-LAUNCH-FAILURE
	VarRetried = "retried"
	VarDropped = "dropped"
	// CMD-PARAMS-WITHOUT-PROGRAM
	VarInvalidArg = "invalid-arg"
	VarClears     = "clears"
	// DELIV-ONCE-AFTER-SUCCESS
	VarNeverAgain       = "never-again"
	VarAgainNewInstance = "again-on-new-instance"
	// PERSIST-REDELIVER
	VarOnlyUndelivered = "only-undelivered"
	VarAllAfterRestart = "all-after-restart"
	// DELIV-RETRY-INTERVAL
	VarMinimumRetryDelay = "minimum-retry-delay"
	VarDefaultRetryDelay = "default-retry-delay"
	// DELIV-SFALSE-SUCCESS
	VarAnySuccess = "any-success"
	VarOnlySOK    = "only-s-ok"
	// STATE-RESUME-TRANSFERRED
	VarOKStays  = "ok-stays"
	VarEmpty    = "bg-e-empty"
	VarRequeued = "requeued"
	// STATE-SUSPEND-TRANSFERRED and STATE-SUSPEND-ERROR
	VarStays     = "stays"
	VarSuspended = "suspended"
	// STATE-GETJOB-FINAL
	VarNotFound = "not-found"
	VarFound    = "found"
	// PERSIST-ACTIVE-REQUEUED
	VarQueued         = "queued"
	VarTransientError = "transient-error"
	// SEC-OWNER-ONLY
	VarAllDenied    = "all-denied"
	VarReadsAllowed = "reads-allowed"
	// SEC-TAKEOWNERSHIP-CLSID
	VarKept    = "kept"
	VarCleared = "cleared"
	// LIMIT-DISPLAY-NAME
	VarStringTooLong = "string-too-long"
	// DELIV-RETRY-STOPS-ON-LEAVE
	VarStops     = "stops"
	VarContinues = "continues"
	// DELIV-MODIFICATION-SUSPENDED
	VarSent    = "sent"
	VarNotSent = "not-sent"
)

// openRule is the variants of one open rule: the default's name (its
// statement and reasoning are the rule's own) and the alternatives.
type openRule struct {
	def          string
	alternatives []Variant
}

var openQuestions = map[string]openRule{
	"FLAGS-CHECKED-AT-DISPATCH": {VarAtDispatch, []Variant{{
		Name:      VarAtEvent,
		Statement: "BITS decides when an event happens whether its flag is set: a TRANSFERRED or ERROR entry that happened while its flag was clear is never notified, even if the flag is set later.",
		Reasoning: "The SetNotifyFlags page says which events BITS notifies without saying when the flags are read; an event-driven implementation filters at the event.",
	}}},
	"FLAGS-DISABLE-CMDLINE": {VarCmdLineSuppressed, []Variant{{
		Name:      VarCmdLineStillRuns,
		Statement: "BG_NOTIFY_DISABLE mutes only the callback methods: with it set, a job whose flags also ask for TRANSFERRED or ERROR still launches its command line.",
		Reasoning: "The page says \"Event notification is disabled\" next to a list whose other entries speak of command-line callbacks separately; BITS may launch the command line from the state change itself, outside the event notification that DISABLE turns off.",
	}}},
	"FLAGS-STATE-CHECK-FIRST": {VarStateFirst, []Variant{{
		Name:      VarFlagsFirst,
		Statement: "SetNotifyFlags with invalid flags on a CANCELLED or ACKNOWLEDGED job fails with E_NOTIMPL (0x80004001): the argument is checked before the job's state.",
		Reasoning: "Validating arguments before touching the job is the common order in COM methods; the page lists both errors without an order.",
	}}},
	"FLAGS-ZERO": {VarZeroAccepted, []Variant{{
		Name:      VarZeroRejected,
		Statement: "SetNotifyFlags(0) fails with E_NOTIMPL (0x80004001) and leaves the flags unchanged.",
		Reasoning: "The page asks for one or more of the flags; zero names none of them, so BITS may count it among the values that are not valid.",
	}}},
	"OBJ-DISCOVER-DEAD": {VarServerUnavailable, []Variant{
		{
			Name:      VarCallFailed,
			Statement: "The call to a dead process's callback object fails with RPC_S_CALL_FAILED (0x800706BE); BITS drops the registration and falls back to the CLSID or the command line.",
			Reasoning: "A process that dies while BITS is connected to it can surface as a failed call rather than an unavailable server, depending on when the connection broke.",
		},
		{
			Name:      VarDisconnected,
			Statement: "The call to a dead process's callback object fails with RPC_E_DISCONNECTED (0x80010108); BITS drops the registration and falls back to the CLSID or the command line.",
			Reasoning: "COM reports RPC_E_DISCONNECTED when the object's server has disconnected its proxies, another way a dead client can show.",
		},
	}},
	"OBJ-NO-CALLBACK-INTERFACE": {VarKeepsOld, []Variant{{
		Name:      VarClearsOld,
		Statement: "SetNotifyInterface with an object that implements none of the callback interfaces fails with E_NOINTERFACE (0x80004002) and removes the previously registered object.",
		Reasoning: "Wine releases the old pointer before it checks the new one and keeps none; Windows may do the same.",
	}}},
	"CLSID-ACTIVATION-FAILURE": {VarLikeFailedCallback, []Variant{{
		Name:      VarLikeNoCLSID,
		Statement: "When activating the notification CLSID fails, BITS treats the job as having no CLSID for that notification: a JobTransferred or JobError falls through to the command line if one is set, and otherwise stays pending until a callback is registered, without a retry after MinimumRetryDelay.",
		Reasoning: "The page presents the CLSID as a fallback that BITS uses when it can; an activation that fails may leave nothing to retry, as when nothing is registered.",
	}}},
	"CLSID-OUT-OF-PROCESS": {VarLocalServerOnly, []Variant{{
		Name:      VarInProcessActivate,
		Statement: "BITS activates the notification CLSID with any registered server type, so a class registered only as an in-process server is activated and receives the notification.",
		Reasoning: "Activation with CLSCTX_ALL would load an in-process server; the page asks for an out-of-process server without saying that BITS refuses the others.",
	}}},
	"CLSID-OWNER-CONTEXT": {VarJobOwner, []Variant{
		{
			Name:      VarSetter,
			Statement: "BITS activates the notification CLSID instance in the security context of the user who last set BITS_JOB_PROPERTY_NOTIFICATION_CLSID.",
			Reasoning: "BITS impersonates the caller in SetProperty and may keep that identity for the activation; the setter can differ from the owner (an administrator).",
		},
		{
			Name:      VarAppIDRunAs,
			Statement: "BITS activates the notification CLSID as the class's AppID RunAs says (for example \"Interactive User\"), and as the job owner when the class names no RunAs.",
			Reasoning: "COM decides the identity of an out-of-process server from its AppID, and CLSID callback samples in circulation register RunAs \"Interactive User\"; no Microsoft page says whether BITS overrides it.",
		},
	}},
	"CLSID-FINAL-STATE": {VarInvalidState, []Variant{{
		Name:      VarAccepted,
		Statement: "Setting BITS_JOB_PROPERTY_NOTIFICATION_CLSID on a CANCELLED or ACKNOWLEDGED job returns S_OK and the CLSID reads back changed.",
		Reasoning: "SetProperty documents only S_OK, and a notification property of a job that will never notify again harms nothing.",
	}}},
	"CLSID-SET-UNCHECKED": {VarUnchecked, []Variant{{
		Name:      VarCheckedUpFront,
		Statement: "SetProperty(BITS_JOB_PROPERTY_NOTIFICATION_CLSID) with a CLSID that is not registered fails with REGDB_E_CLASSNOTREG (0x80040154) and leaves the CLSID unchanged.",
		Reasoning: "BITS could look the class up in the registry when the property is set, to fail early as SetNotifyInterface does for a bad object.",
	}}},
	"CLSID-NOT-NOTIFY-INTERFACE": {VarNotReported, []Variant{{
		Name:      VarReportsInstance,
		Statement: "Once BITS holds an instance activated from the notification CLSID, GetNotifyInterface returns S_OK and a non-NULL pointer to it.",
		Reasoning: "The callback page says BITS uses the activated object for further callbacks until it is disconnected or replaced by a new call to SetNotifyInterface, as if it sat in the slot SetNotifyInterface fills, which GetNotifyInterface reads.",
	}}},
	"PREC-FAILURE-KEEPS-OBJECT": {VarKeepsObject, []Variant{{
		Name:      VarFallsBackToCLSID,
		Statement: "When the registered object's JobTransferred or JobError returns a failure HRESULT, BITS keeps the object registered and offers the same notification to the CLSID instance before the command line and before retrying.",
		Reasoning: "The page's fallback sentence can be read as \"when the object cannot take the notification\", which a failure return also means.",
	}}},
	"PREC-CMDLINE-LAST": {VarCmdLineLast, []Variant{{
		Name:      VarCmdLineBeforeCLSID,
		Statement: "For a JOB_TRANSFERRED or JOB_ERROR event BITS tries the callback object first, then the command line, and activates the CLSID only when both are absent or have failed.",
		Reasoning: "The command line (BITS 1.5) predates the CLSID (BITS 5.0); a newer fallback may have been appended after the older ones.",
	}}},
	"CMD-LAUNCH-FAILURE": {VarRetried, []Variant{{
		Name:      VarDropped,
		Statement: "When the program cannot be started, BITS does not try that notification again: the command line failed for good for that event.",
		Reasoning: "The page documents the retry for a program that ran and failed; a missing program will not appear by itself, so BITS may give up.",
	}}},
	"CMD-PARAMS-WITHOUT-PROGRAM": {VarInvalidArg, []Variant{{
		Name:      VarClears,
		Statement: "SetNotifyCmdLine with a NULL or empty program and non-empty parameters returns S_OK and clears the command line.",
		Reasoning: "A NULL program is documented to clear the command line; BITS may ignore the parameters that come with it.",
	}}},
	"DELIV-ONCE-AFTER-SUCCESS": {VarNeverAgain, []Variant{{
		Name:      VarAgainNewInstance,
		Statement: "After JobTransferred or JobError has returned a success HRESULT, BITS delivers it again when it activates a new instance of the notification CLSID (after the old instance's process ended) while the job is still TRANSFERRED or ERROR.",
		Reasoning: "The documented at-least-once delivery to a newly registered object may extend to a newly activated CLSID instance, BITS's other way of getting a new callback.",
	}}},
	"PERSIST-REDELIVER": {VarOnlyUndelivered, []Variant{{
		Name:      VarAllAfterRestart,
		Statement: "After a service restart BITS delivers JobTransferred or JobError again for every job still TRANSFERRED or ERROR, whether or not it was delivered successfully before.",
		Reasoning: "Whether a notification was delivered may not be persisted; a restarted service that only knows the state would notify it again.",
	}}},
	"DELIV-RETRY-INTERVAL": {VarMinimumRetryDelay, []Variant{{
		Name:      VarDefaultRetryDelay,
		Statement: "BITS retries a failed JobTransferred, JobError or FileTransferred that involved no command line 600 seconds (the default MinimumRetryDelay) after the failed call, whatever the job's own MinimumRetryDelay.",
		Reasoning: "The callback pages call the interval arbitrary, which suggests a service-wide timer rather than the job's transfer retry setting.",
	}}},
	"DELIV-SFALSE-SUCCESS": {VarAnySuccess, []Variant{{
		Name:      VarOnlySOK,
		Statement: "Only S_OK (0) counts as delivered: a callback method that returns S_FALSE (0x00000001) or another success HRESULT is treated as failed and retried like a failure.",
		Reasoning: "The JobTransferred and JobError pages ask the method to return S_OK and say BITS calls it again until it does.",
	}}},
	"DELIV-RETRY-STOPS-ON-LEAVE": {VarStops, []Variant{{
		Name:      VarContinues,
		Statement: "BITS keeps retrying a failed JobTransferred or JobError after the job has left TRANSFERRED or ERROR for a state that is not final, until it is delivered or the job is CANCELLED or ACKNOWLEDGED.",
		Reasoning: "The pages bound the retries only by success; BITS may keep the owed notification until a final state ends the job.",
	}}},
	"DELIV-MODIFICATION-SUSPENDED": {VarSent, []Variant{{
		Name:      VarNotSent,
		Statement: "Changing a property of a SUSPENDED job produces no JobModification call.",
		Reasoning: "JobModification reports progress of an active job; BITS may not watch a suspended job at all.",
	}}},
	"STATE-RESUME-TRANSFERRED": {VarOKStays, []Variant{
		{
			Name:      VarEmpty,
			Statement: "Resume on a TRANSFERRED job whose files are all transferred fails with BG_E_EMPTY (0x80200003) and the job stays TRANSFERRED.",
			Reasoning: "Wine returns BG_E_EMPTY, counting only the files left to transfer.",
		},
		{
			Name:      VarRequeued,
			Statement: "Resume on a TRANSFERRED job whose files are all transferred returns S_OK, moves the job to QUEUED, and it reaches TRANSFERRED again with a new JobTransferred.",
			Reasoning: "Resume is documented to activate a job; a job with nothing left to do then finishes at once and is notified like any other.",
		},
	}},
	"STATE-SUSPEND-TRANSFERRED": {VarStays, []Variant{{
		Name:      VarSuspended,
		Statement: "Suspend on a TRANSFERRED job returns S_OK and moves it to SUSPENDED, BITS stops retrying its JobTransferred, and Resume brings it back to TRANSFERRED with a new JobTransferred.",
		Reasoning: "GetState may report SUSPENDED after Suspend as for every other non-final state; read this way, the sentence holds for jobs in error too (STATE-SUSPEND-ERROR's variant).",
	}}},
	"STATE-SUSPEND-ERROR": {VarStays, []Variant{{
		Name:      VarSuspended,
		Statement: "Suspend on a job in ERROR returns S_OK and moves it to SUSPENDED, and BITS stops retrying its JobError.",
		Reasoning: "GetState may report SUSPENDED after Suspend as for every other non-final state; read this way, the sentence holds for TRANSFERRED jobs too (STATE-SUSPEND-TRANSFERRED's variant).",
	}}},
	"STATE-GETJOB-FINAL": {VarNotFound, []Variant{{
		Name:      VarFound,
		Statement: "GetJob with the ID of a CANCELLED or ACKNOWLEDGED job returns S_OK and a job that reports its final state, until the service forgets it.",
		Reasoning: "The GetJob page mentions no state; BITS may keep a final job's record until cleanup.",
	}}},
	"PERSIST-ACTIVE-REQUEUED": {VarQueued, []Variant{{
		Name:      VarTransientError,
		Statement: "A job that was CONNECTING or TRANSFERRING when the service stopped is TRANSIENT_ERROR after the restart and resumes after its retry delay.",
		Reasoning: "An interrupted transfer is what BITS reports as a transient error after a network loss; a restart may be handled the same way.",
	}}},
	"SEC-OWNER-ONLY": {VarAllDenied, []Variant{{
		Name:      VarReadsAllowed,
		Statement: "A caller who is neither the job's owner nor an administrator can read the job's state and properties (GetState, GetDisplayName, GetProgress) but every method that changes it fails with E_ACCESSDENIED (0x80070005).",
		Reasoning: "The docs restrict adding files and changing properties; reading is not mentioned.",
	}}},
	"SEC-TAKEOWNERSHIP-CLSID": {VarKept, []Variant{{
		Name:      VarCleared,
		Statement: "TakeOwnership clears the notification CLSID, as it removes the previous owner's credentials.",
		Reasoning: "The CLSID names a server that runs in the previous owner's context; BITS may drop it with the other owner-specific settings.",
	}}},
	"FILE-ADDFILESET-ATOMIC": {VarNoneAdded, []Variant{{
		Name:      VarKeepsPrefix,
		Statement: "AddFileSet that fails on a bad file name keeps the files of the array before the bad one; only the count errors (BG_E_TOO_MANY_FILES (0x8020001C), BG_E_TOO_MANY_FILES_IN_JOB (0x80200051)) add nothing.",
		Reasoning: "Wine's AddFileSet adds the files one by one and stops at the first failure; the page promises \"none added\" only for BG_E_TOO_MANY_FILES.",
	}}},
	"LIMIT-DISPLAY-NAME": {VarInvalidArg, []Variant{{
		Name:      VarStringTooLong,
		Statement: "CreateJob with a display name longer than 256 characters fails with E_INVALIDARG (0x80070057), and SetDisplayName with one fails with BG_E_STRING_TOO_LONG (0x80200021).",
		Reasoning: "SetDisplayName lists BG_E_STRING_TOO_LONG among its errors, which only a too-long string can cause.",
	}}},
}

// settled says, for each Observed or Assumed rule without variants, why
// no other reading is plausible.
var settled = map[string]string{
	"FLAGS-DEFAULT":                      "Wine's conformance test asserts 0x0003 and passes on Windows; no other value has been seen.",
	"FLAGS-DISABLE-COMBINABLE":           "Wine's conformance test sets 0x1F with DISABLE and expects S_OK on Windows.",
	"OBJ-DEFAULT-NONE":                   "Wine's conformance test asserts a NULL interface on a new job, and passes on Windows.",
	"CLSID-DEFAULT-NULL":                 "GUID_NULL is the documented value for \"no CLSID\"; any other default would name a class nobody registered.",
	"CLSID-REQUIRES-JOB5":                "The property can only be set through IBackgroundCopyJob5, so without the interface there is no way to set it.",
	"CMD-NO-SHELL":                       "The page requires a full path, says variables are not expanded, and names CreateProcessAsUser, which runs no shell.",
	"CMD-NULL-PARAMS":                    "NULL parameters are documented as allowed; an empty string is the only way GetNotifyCmdLine can report them.",
	"DELIV-MODIFICATION-FAILURE-IGNORED": "Retrying a lossy, rate-limited progress event would contradict its purpose; no source suggests BITS does.",
	"DELIV-NO-CROSS-JOB-ORDER":           "A rule that promises nothing has no weaker alternative, and a stronger one would contradict the scheduler's documented lack of FIFO.",
	"PERSIST-CLSID-INSTANCE-DROPPED":     "A COM instance lives in a process connected to the old service process; nothing can carry it across a restart.",
	"PERSIST-CMDLINE-KEPT":               "The command line is a job property like the CLSID, which is documented to persist; losing it would make it useless for the reboot case it exists for.",
	"PERSIST-FINAL-GONE":                 "Final jobs are removed from the queue and the enumeration before any restart; restoring them would contradict that.",
	"PERSIST-FLAGS-KEPT":                 "The flags filter the persisted CLSID and command line; restoring those without the flags would change which events they get.",
	"PERSIST-SETTINGS-KEPT":              "These are job properties of jobs documented to survive reboots; no page lists them as lost.",
	"FILE-ADD-FINAL-STATE":               "Every other method of a final job answers BG_E_INVALID_STATE; no other code is documented for it.",
}
