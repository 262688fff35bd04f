package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requiredIDs are the rule IDs other packages refer to; they must exist with
// exactly these spellings.
var requiredIDs = []string{
	"FLAGS-DEFAULT", "FLAGS-VERSION-MASK", "FLAGS-INVALID-NOTIMPL", "FLAGS-FINAL-STATE", "FLAGS-DISABLE",
	"FLAGS-DISABLE-COMBINABLE", "FLAGS-ZERO", "FLAGS-FILTER", "FLAGS-CMDLINE-SUBSET", "FLAGS-GET-NULL-ARG",

	"OBJ-NOT-PERSISTED", "OBJ-LAST-WRITER-WINS", "OBJ-NULL-CLEARS", "OBJ-FINAL-STATE", "OBJ-DEFAULT-NONE",
	"OBJ-DISCOVER-DEAD", "OBJ-NO-CALLBACK-INTERFACE", "OBJ-CLEAR-BEFORE-EXIT",

	"CLSID-LAST-WRITER-WINS", "CLSID-NULL-CLEARS", "CLSID-PERSISTED", "CLSID-INSTANCE-REUSED",
	"CLSID-INSTANCE-REPLACED", "CLSID-ACTIVATION-FAILURE", "CLSID-REQUIRES-JOB5", "CLSID-FLAGS-APPLY",
	"CLSID-OUT-OF-PROCESS", "CLSID-OWNER-CONTEXT", "CLSID-DEFAULT-NULL",

	"PREC-OBJECT-FIRST", "PREC-FALLBACK-MISSING", "PREC-FALLBACK-DISCONNECTED", "PREC-CMDLINE-LAST",
	"PREC-CMDLINE-ON-FAILURE", "PREC-OBJECT-OVER-CLSID-APPS",

	"CMD-EVENTS", "CMD-ONLY-IF-NOT-DELIVERED", "CMD-METHOD-NOT-RECALLED", "CMD-RERUN-NONZERO-EXIT",
	"CMD-ONCE-BITS15", "CMD-NEVER-SERVICE-ACCOUNT", "CMD-USER-CONTEXT", "CMD-STRING-TOO-LONG", "CMD-CLEAR-NULL",
	"CMD-PARAMS-WITHOUT-PROGRAM", "CMD-DEFAULT-EMPTY", "CMD-FINAL-STATE", "CMD-AFTER-EVENT", "CMD-NO-SHELL",
	"CMD-REQUIRES-JOB2",

	"DELIV-AT-LEAST-ONCE", "DELIV-AFTER-REGISTRATION", "DELIV-RETRY-UNTIL-OK", "DELIV-RETRY-INTERVAL",
	"DELIV-SFALSE-SUCCESS", "DELIV-BOTH-FAIL-RETRY", "DELIV-FILE-SERIALIZED", "DELIV-FILE-BEFORE-JOB",
	"DELIV-MODIFICATION-EVENTS", "DELIV-NO-MODIFICATION-ERROR-TRANSFERRED", "DELIV-MODIFICATION-LOSSY",
	"DELIV-MODIFICATION-RATE", "DELIV-MODIFICATION-FAILURE-IGNORED", "DELIV-FOUR-PER-USER",
	"DELIV-NO-JOBERROR-TRANSIENT", "DELIV-RANGES-ON-DEMAND", "DELIV-REENTRANT", "DELIV-REGISTRANT-CONTEXT",
	"DELIV-NO-CROSS-JOB-ORDER", "DELIV-MODIFICATION-MAY-TRAIL",

	"STATE-INITIAL-SUSPENDED", "STATE-RESUME-EMPTY", "STATE-RESUME-QUEUED", "STATE-RESUME-ACTIVE-NOOP",
	"STATE-RESUME-FROM-ERROR", "STATE-RESUME-TRANSFERRED", "STATE-FINAL-IMMUTABLE", "STATE-CANCEL",
	"STATE-COMPLETE-DOWNLOAD", "STATE-PARTIAL-COMPLETE", "STATE-COMPLETE-UPLOAD", "STATE-SUSPEND",
	"STATE-SUSPEND-TRANSFERRED", "STATE-TRANSIENT-RETRY", "STATE-NO-PROGRESS-TIMEOUT", "STATE-RETRY-DELAY-MIN",
	"STATE-RETRY-DELAY-DEFAULT", "STATE-NO-PROGRESS-DEFAULT", "STATE-INACTIVITY-CANCEL", "STATE-MAX-DOWNLOAD-TIME",
	"STATE-FATAL-ERROR", "STATE-GET-ERROR-UNAVAILABLE", "STATE-FINAL-NOT-ENUMERATED", "STATE-GETJOB-FINAL",
	"STATE-GETJOB-UNKNOWN", "STATE-TRANSFERRED-TIME", "STATE-PRIORITY-INVALID",

	"PERSIST-JOBS", "PERSIST-OBJECT-DROPPED", "PERSIST-CLSID-KEPT", "PERSIST-FLAGS-KEPT", "PERSIST-CMDLINE-KEPT",
	"PERSIST-SETTINGS-KEPT", "PERSIST-ACTIVE-REQUEUED", "PERSIST-REDELIVER", "PERSIST-CLSID-INSTANCE-DROPPED",

	"SEC-OWNER-ONLY", "SEC-GETJOB-OTHER-USER", "SEC-ENUM-ALL-ADMIN", "SEC-ADMIN-MODIFY", "SEC-TAKEOWNERSHIP-ADMIN",
	"SEC-TAKEOWNERSHIP-REMOVES-CMDLINE", "SEC-TAKEOWNERSHIP-OWNER", "SEC-CALLBACK-REGISTRANT",

	"LIMIT-JOBS-PER-USER", "LIMIT-JOBS-PER-MACHINE", "LIMIT-FILES-PER-JOB", "LIMIT-RANGES-PER-FILE",
	"LIMIT-ADMIN-EXEMPT", "LIMIT-DISPLAY-NAME", "LIMIT-DESCRIPTION", "LIMIT-UPLOAD-ONE-FILE",

	"FILE-VALIDATION-PENDING", "FILE-VALIDATION-FALSE-ORIGIN", "FILE-VALIDATION-FALSE-PEER",
	"FILE-NOT-AVAILABLE-UNTIL-COMPLETE", "FILE-FIFO", "FILE-ERROR-STOPS-JOB", "FILE-RANGES-SUSPEND",
	"FILE-TEMPORARY-NAME", "FILE-ADD-FINAL-STATE",
}

// hresults are the values the statements must quote next to each HRESULT name.
var hresults = map[string]string{
	"S_FALSE":                            "0x00000001",
	"E_NOTIMPL":                          "0x80004001",
	"E_NOINTERFACE":                      "0x80004002",
	"E_FAIL":                             "0x80004005",
	"E_PENDING":                          "0x8000000A",
	"E_ACCESSDENIED":                     "0x80070005",
	"E_INVALIDARG":                       "0x80070057",
	"RPC_S_SERVER_UNAVAILABLE":           "0x800706BA",
	"REGDB_E_CLASSNOTREG":                "0x80040154",
	"CO_E_SERVER_EXEC_FAILURE":           "0x80080005",
	"BG_E_NOT_FOUND":                     "0x80200001",
	"BG_E_INVALID_STATE":                 "0x80200002",
	"BG_E_EMPTY":                         "0x80200003",
	"BG_E_ERROR_INFORMATION_UNAVAILABLE": "0x8020000F",
	"BG_E_NETWORK_DISCONNECTED":          "0x80200010",
	"BG_S_PARTIAL_COMPLETE":              "0x00200017",
	"BG_S_UNABLE_TO_DELETE_FILES":        "0x0020001A",
	"BG_E_TOO_MANY_FILES":                "0x8020001C",
	"BG_E_STRING_TOO_LONG":               "0x80200021",
	"BG_E_TOO_MANY_JOBS_PER_USER":        "0x80200049",
	"BG_E_TOO_MANY_JOBS_PER_MACHINE":     "0x80200050",
	"BG_E_TOO_MANY_FILES_IN_JOB":         "0x80200051",
	"BG_E_TOO_MANY_RANGES_IN_FILE":       "0x80200052",
	"BG_E_VALIDATION_FAILED":             "0x80200053",
	"BG_E_MAXDOWNLOAD_TIMEOUT":           "0x80200054",
	"BG_E_HTTP_ERROR_404":                "0x80190194",
}

var (
	idPattern      = regexp.MustCompile(`^[A-Z]+(-[A-Z0-9]+)+$`)
	sentenceBreak  = regexp.MustCompile(`[.!?]\s+[A-Z]`)
	hresultPattern = regexp.MustCompile(`\b(?:E|S|BG_E|BG_S|CO_E|REGDB_E|RPC_S|RPC_E)_[A-Z0-9_]+\b`)
	sourcePrefixes = []string{
		"MicrosoftDocs/sdk-api:sdk-api-src/content/",
		"MicrosoftDocs/win32:desktop-src/Bits/",
		"wine-mirror/wine:",
	}
)

func TestCatalogueIDsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range catalogue {
		assert.False(t, seen[r.ID], "duplicate rule ID %s", r.ID)
		seen[r.ID] = true
	}
}

func TestCatalogueHasRequiredIDs(t *testing.T) {
	for _, id := range requiredIDs {
		_, ok := Lookup(id)
		assert.True(t, ok, "required rule %s is missing", id)
	}
}

func TestCatalogueSize(t *testing.T) {
	assert.GreaterOrEqual(t, len(catalogue), 90)
	assert.GreaterOrEqual(t, len(catalogue), len(requiredIDs))
}

func TestEveryFamilyHasRules(t *testing.T) {
	for _, f := range Families() {
		assert.GreaterOrEqual(t, len(ByFamily(f)), 3, "family %s", f)
	}
}

func TestCatalogueIDsMatchFamily(t *testing.T) {
	known := map[Family]bool{}
	for _, f := range Families() {
		known[f] = true
	}
	for _, r := range catalogue {
		assert.Regexp(t, idPattern, r.ID)
		assert.True(t, known[r.Family], "%s: unknown family %q", r.ID, r.Family)
		assert.True(t, strings.HasPrefix(r.ID, string(r.Family)+"-"), "%s: family %s", r.ID, r.Family)
	}
}

func TestCatalogueStatementsAreOneSentence(t *testing.T) {
	seen := map[string]string{}
	for _, r := range catalogue {
		s := r.Statement
		if !assert.NotEmpty(t, s, r.ID) {
			continue
		}
		assert.True(t, strings.HasSuffix(s, "."), "%s: statement must end with a full stop", r.ID)
		assert.Equal(t, strings.TrimSpace(s), s, "%s: stray whitespace", r.ID)
		assert.NotContains(t, s, "\n", r.ID)
		assert.False(t, sentenceBreak.MatchString(s), "%s: statement has more than one sentence", r.ID)
		assert.NotContains(t, s, "e.g.", "%s: write 'for example' so the sentence check stays simple", r.ID)
		if other, dup := seen[s]; dup {
			t.Errorf("%s repeats the statement of %s", r.ID, other)
		}
		seen[s] = r.ID
	}
}

func TestCatalogueStatementsQuoteHRESULTValues(t *testing.T) {
	for _, r := range catalogue {
		for _, name := range hresultPattern.FindAllString(r.Statement, -1) {
			if name == "S_OK" {
				continue
			}
			value, ok := hresults[name]
			if !assert.True(t, ok, "%s: HRESULT %s missing from the test table", r.ID, name) {
				continue
			}
			assert.Contains(t, r.Statement, value, "%s: %s must be quoted with its value", r.ID, name)
		}
	}
}

func TestCatalogueSources(t *testing.T) {
	for _, r := range catalogue {
		ok := false
		for _, p := range sourcePrefixes {
			if strings.HasPrefix(r.Source, p) && len(r.Source) > len(p) {
				ok = true
			}
		}
		assert.True(t, ok, "%s: source %q", r.ID, r.Source)
		if strings.HasPrefix(r.Source, "MicrosoftDocs/") {
			assert.True(t, strings.HasSuffix(r.Source, ".md"), "%s: source %q", r.ID, r.Source)
		}
		if strings.HasPrefix(r.Source, "wine-mirror/") {
			assert.Equal(t, Observed, r.Status, "%s: rules taken from Wine's tests are observed", r.ID)
		}
	}
}

func TestCatalogueStatusAndDecision(t *testing.T) {
	for _, r := range catalogue {
		switch r.Status {
		case Documented:
			assert.Empty(t, r.Decision, "%s: documented rules carry no decision", r.ID)
		case Observed, Assumed:
			if assert.NotEmpty(t, strings.TrimSpace(r.Decision), "%s: %s rule needs a decision", r.ID, r.Status) {
				assert.True(t, strings.HasSuffix(r.Decision, "."), "%s: decision must end with a full stop", r.ID)
			}
		default:
			t.Errorf("%s: invalid status %d", r.ID, int(r.Status))
		}
	}
}

func TestAllIsSortedCopy(t *testing.T) {
	all := All()
	require.Len(t, all, len(catalogue))

	order := map[Family]int{}
	for i, f := range Families() {
		order[f] = i
	}
	assert.True(t, sort.SliceIsSorted(all, func(i, j int) bool {
		if all[i].Family != all[j].Family {
			return order[all[i].Family] < order[all[j].Family]
		}
		return all[i].ID < all[j].ID
	}))

	id := all[0].ID
	all[0].Statement = "changed."
	all[0].ID = "CHANGED-ID"
	r, ok := Lookup(id)
	require.True(t, ok)
	assert.NotEqual(t, "changed.", r.Statement)
	_, ok = Lookup("CHANGED-ID")
	assert.False(t, ok)
	assert.Equal(t, id, All()[0].ID)
}

func TestByFamily(t *testing.T) {
	total := 0
	for _, f := range Families() {
		rs := ByFamily(f)
		total += len(rs)
		for i, r := range rs {
			assert.Equal(t, f, r.Family)
			if i > 0 {
				assert.Less(t, rs[i-1].ID, r.ID)
			}
		}
	}
	assert.Equal(t, len(catalogue), total)
	assert.Empty(t, ByFamily(Family("NOPE")))
}

func TestLookup(t *testing.T) {
	r, ok := Lookup("OBJ-LAST-WRITER-WINS")
	require.True(t, ok)
	assert.Equal(t, FamilyObject, r.Family)
	assert.Equal(t, Documented, r.Status)

	r, ok = Lookup("FLAGS-DEFAULT")
	require.True(t, ok)
	assert.Equal(t, Observed, r.Status)
	assert.Contains(t, r.Statement, "0x0003")

	_, ok = Lookup("NOPE-NOTHING")
	assert.False(t, ok)
	_, ok = Lookup("obj-last-writer-wins")
	assert.False(t, ok, "IDs are case-sensitive")
}

func TestParseFamily(t *testing.T) {
	f, err := ParseFamily("obj")
	require.NoError(t, err)
	assert.Equal(t, FamilyObject, f)

	f, err = ParseFamily(" CMD ")
	require.NoError(t, err)
	assert.Equal(t, FamilyCmdLine, f)

	_, err = ParseFamily("nope")
	assert.Error(t, err)
}

func TestStatusJSONRoundTrip(t *testing.T) {
	for _, s := range []Status{Documented, Observed, Assumed} {
		b, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, `"`+s.String()+`"`, string(b))
		var back Status
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, s, back)
	}

	var s Status
	require.NoError(t, json.Unmarshal([]byte(`"ASSUMED"`), &s))
	assert.Equal(t, Assumed, s)
	assert.Error(t, json.Unmarshal([]byte(`"guessed"`), &s))
	_, err := json.Marshal(Status(0))
	assert.Error(t, err)
	assert.Equal(t, "Status(42)", Status(42).String())
}

func TestRuleJSONRoundTrip(t *testing.T) {
	for _, r := range catalogue {
		b, err := json.Marshal(r)
		require.NoError(t, err, r.ID)
		var back Rule
		require.NoError(t, json.Unmarshal(b, &back), r.ID)
		assert.Equal(t, r, back)
		if r.Decision == "" {
			assert.NotContains(t, string(b), `"decision"`, r.ID)
		}
	}
}

func ExampleLookup() {
	r, ok := Lookup("FLAGS-FINAL-STATE")
	fmt.Println(ok, r.Family, r.Status)
	fmt.Println(r.Statement)
	// Output:
	// true FLAGS documented
	// SetNotifyFlags on a job in the CANCELLED or ACKNOWLEDGED state fails with BG_E_INVALID_STATE (0x80200002) and leaves the flags unchanged.
}

func init() {
	hresults["RPC_S_CALL_FAILED"] = "0x800706BE"
	hresults["RPC_E_DISCONNECTED"] = "0x80010108"
	hresults["RPC_X_NULL_REF_POINTER"] = "0x800706F4"
}
