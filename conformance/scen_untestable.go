package conformance

// Rules no backend can check, and why (see markUntestable).
func init() {
	markUntestable("CLSID-OUT-OF-PROCESS",
		"harness.Backend.RegisterClass registers only out-of-process (local server) classes; no backend-neutral "+
			"call registers an in-process-only class, so the REGDB_E_CLASSNOTREG of such a registration cannot be provoked")
	markUntestable("DELIV-MODIFICATION-LOSSY",
		"permits BITS to drop JobModification calls without requiring it: any number of calls from none to one per modification keeps the rule, so no observation can fail it")
	markUntestable("DELIV-MODIFICATION-MAY-TRAIL",
		"permits a JobModification after JobTransferred without requiring one: every order of the two keeps the rule, so no observation can fail it")
	markUntestable("DELIV-NO-CROSS-JOB-ORDER",
		"promises no order between jobs: every interleaving of two jobs' notifications keeps the rule, so no observation can fail it")
	markUntestable("FILE-CANCEL-DELETES",
		"whether files exist on disk under their local or temporary names is outside the API: no method reports it, and the harness has no file-system view")
	markUntestable("FILE-NOT-AVAILABLE-UNTIL-COMPLETE",
		"whether a file exists under its local name before Complete is outside the API: no method reports it, and the harness has no file-system view")
	markUntestable("FILE-VALIDATION-FALSE-PEER",
		"no backend can make a peer serve a file: harness.Remote only makes origin servers (ok, transient, fatal, slow), so IsDownloadedFromPeer is never true")
	markUntestable("FLAGS-GET-NULL-ARG",
		"the Go API returns the flags as a value (GetNotifyFlags() (NotifyFlags, error)): there is no output pointer a caller could pass as NULL, on any backend")
	markUntestable("LIMIT-NULL-STRING-COM",
		"the model API has no NULL string: an empty Go string is sent as an empty string, so no backend "+
			"can be handed a NULL through it (winbits' own tests cover what it sends)")
	markUntestable("OBJ-GET-NULL-ARG",
		"the Go API returns the object as a value (GetNotifyInterface() (Callback, error)): there is no output pointer a caller could pass as NULL, on any backend")
	markUntestable("SEC-OWNER-LOGOFF",
		"no backend can log the job's owner on or off: the harness control plane starts and stops applications, not logon sessions")
	markUntestable("DELIV-STA-REENTRY",
		"the page says BITS can call an STA callback again during its COM calls, not that it must, so no run "+
			"can show a backend breaks it; the harness's applications are all in the multithreaded apartment "+
			"(the simulator keeps the rule: sim TestTruthSTACallbackReenteredDuringCOMCalls)")
}
