package rules

// gapRules are the questions the documentation leaves open that earlier
// versions of the rulebook answered only implicitly; each is an explicit
// assumed rule, most with variants (questions.go).
var gapRules = []Rule{
	{
		ID:        "CLSID-NOT-NOTIFY-INTERFACE",
		Family:    FamilyCLSID,
		Statement: "An instance BITS activated from the notification CLSID is not a registered callback object: GetNotifyInterface keeps returning what SetNotifyInterface last set (NULL if nothing), before and after the activation.",
		Source:    "MicrosoftDocs/sdk-api:sdk-api-src/content/bits/nf-bits-ibackgroundcopyjob-getnotifyinterface.md",
		Status:    Assumed,
		Decision:  "GetNotifyInterface is documented to return the interface pointer registered with SetNotifyInterface; the pages never say that an activated instance takes its place.",
	},
	{
		ID:        "CLSID-SET-UNCHECKED",
		Family:    FamilyCLSID,
		Statement: "SetProperty(BITS_JOB_PROPERTY_NOTIFICATION_CLSID) does not check that the class is registered: an unregistered CLSID is accepted with S_OK, and the failure shows only when BITS activates it (CLSID-ACTIVATION-FAILURE).",
		Source:    "MicrosoftDocs/sdk-api:sdk-api-src/content/bits5_0/nf-bits5_0-ibackgroundcopyjob5-setproperty.md",
		Status:    Assumed,
		Decision:  "SetProperty documents only S_OK, and a class may legitimately be registered after the job is set up (an installer registering its server later).",
	},
	{
		ID:        "SEC-TAKEOWNERSHIP-CLSID",
		Family:    FamilySec,
		Statement: "TakeOwnership keeps the notification CLSID: it still reads back unchanged and is activated, now in the new owner's context, for later notifications.",
		Source:    "MicrosoftDocs/sdk-api:sdk-api-src/content/bits1_5/nf-bits1_5-ibackgroundcopyjob2-takeownership.md",
		Status:    Assumed,
		Decision:  "The TakeOwnership page lists what it removes (credentials, the command line) and the CLSID is not among them.",
	},
	{
		ID:        "LIMIT-NULL-STRING-COM",
		Family:    FamilyLimit,
		Statement: "A NULL string argument sent through COM (for example to SetDisplayName) fails in the client's proxy with RPC_X_NULL_REF_POINTER (0x800706F4) before BITS sees it; called in-process, the method's documented E_INVALIDARG (0x80070057) applies.",
		Source:    "wine-mirror/wine:include/bits.idl",
		Status:    Observed,
		Decision:  "The IDL declares these parameters [in] LPCWSTR, which MIDL marshals as [ref] pointers that may not be NULL; seen under Wine 8.0 through its qmgr proxy. The Go model API has no NULL string: an empty string is sent as an empty string.",
		NoVariant: "The proxy's check is COM marshalling, fixed by the IDL; it does not depend on BITS.",
	},
}
