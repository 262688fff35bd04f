package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Family groups rules by the part of BITS they describe. A rule ID starts with
// its family followed by a hyphen, e.g. "OBJ-LAST-WRITER-WINS".
type Family string

// The rule families. Every rule belongs to exactly one.
const (
	FamilyFlags   Family = "FLAGS"   // SetNotifyFlags: defaults, masks, DISABLE
	FamilyObject  Family = "OBJ"     // the callback object of SetNotifyInterface
	FamilyCLSID   Family = "CLSID"   // BITS_JOB_PROPERTY_NOTIFICATION_CLSID
	FamilyPrec    Family = "PREC"    // precedence and fallback between object, CLSID and command line
	FamilyCmdLine Family = "CMD"     // SetNotifyCmdLine
	FamilyDeliv   Family = "DELIV"   // delivery guarantees: at-least-once, retries, ordering, concurrency
	FamilyState   Family = "STATE"   // the job state machine, timers and the HRESULTs of illegal calls
	FamilyPersist Family = "PERSIST" // what survives a service restart
	FamilySec     Family = "SEC"     // users, owners, administrators and service accounts
	FamilyLimit   Family = "LIMIT"   // group-policy limits and string lengths
	FamilyFile    Family = "FILE"    // files, validation, ranges
)

// Families lists every family in catalogue order.
func Families() []Family {
	return []Family{FamilyFlags, FamilyObject, FamilyCLSID, FamilyPrec, FamilyCmdLine,
		FamilyDeliv, FamilyState, FamilyPersist, FamilySec, FamilyLimit, FamilyFile}
}

var familyTitles = map[Family]string{
	FamilyFlags:   "SetNotifyFlags: defaults, masks, DISABLE",
	FamilyObject:  "the callback object of SetNotifyInterface",
	FamilyCLSID:   "the notification CLSID (IBackgroundCopyJob5)",
	FamilyPrec:    "precedence and fallback between object, CLSID and command line",
	FamilyCmdLine: "SetNotifyCmdLine",
	FamilyDeliv:   "delivery: at-least-once, retries, ordering, concurrency",
	FamilyState:   "the job state machine, timers and illegal calls",
	FamilyPersist: "what survives a service restart",
	FamilySec:     "users, owners, administrators and service accounts",
	FamilyLimit:   "group-policy limits and string lengths",
	FamilyFile:    "files, validation and ranges",
}

// Title describes the family in a few words.
func (f Family) Title() string { return familyTitles[f] }

// ParseFamily accepts a family name in any case ("obj", "OBJ").
func ParseFamily(s string) (Family, error) {
	up := Family(strings.ToUpper(strings.TrimSpace(s)))
	for _, f := range Families() {
		if f == up {
			return f, nil
		}
	}
	return "", fmt.Errorf("rules: unknown family %q (want one of %v)", s, Families())
}

// Status says how sure we are of a rule.
type Status int

const (
	// Documented rules are stated in Microsoft's documentation.
	Documented Status = iota + 1
	// Observed rules are seen in behaviour: Wine's conformance tests written
	// against Windows, field reports, or runs of a real service.
	Observed
	// Assumed rules are our decision where the documentation is silent; the
	// rule's Decision says what we chose and why.
	Assumed
)

// String returns "documented", "observed" or "assumed".
func (s Status) String() string {
	switch s {
	case Documented:
		return "documented"
	case Observed:
		return "observed"
	case Assumed:
		return "assumed"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// MarshalText encodes the status as its name.
func (s Status) MarshalText() ([]byte, error) {
	switch s {
	case Documented, Observed, Assumed:
		return []byte(s.String()), nil
	}
	return nil, fmt.Errorf("rules: invalid status %d", int(s))
}

// UnmarshalText decodes a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for _, c := range []Status{Documented, Observed, Assumed} {
		if strings.EqualFold(string(b), c.String()) {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("rules: unknown status %q", b)
}

// Rule is one statement of BITS behaviour.
type Rule struct {
	// ID is stable and unique: the family, a hyphen, and a few upper-case
	// words joined by hyphens.
	ID string `json:"id"`
	// Family is the prefix of ID.
	Family Family `json:"family"`
	// Statement is one sentence, in our own words, that a test can check.
	Statement string `json:"statement"`
	// Source is the page the rule comes from, as a MicrosoftDocs repository
	// path, e.g. "MicrosoftDocs/sdk-api:sdk-api-src/content/bits/nf-bits-ibackgroundcopyjob-setnotifyflags.md".
	Source string `json:"source"`
	// Status says whether the documentation states the rule, it was observed,
	// or we assumed it.
	Status Status `json:"status"`
	// Decision explains an Observed rule (where it was seen) or an Assumed one
	// (what we chose, and why). Empty for Documented rules.
	Decision string `json:"decision,omitempty"`
	// Variants are the readings of a rule the documentation leaves open,
	// the default (this rule's Statement) first; empty for a settled rule.
	Variants []Variant `json:"variants,omitempty"`
	// NoVariant says, for an Observed or Assumed rule without variants, why
	// no other reading is plausible.
	NoVariant string `json:"noVariant,omitempty"`
}

// All returns every rule, sorted by family (in Families order) and then by ID.
// The slice is a copy: changing it does not change the rulebook.
func All() []Rule {
	out := make([]Rule, len(catalogue))
	for i, r := range catalogue {
		out[i] = r.clone()
	}
	order := map[Family]int{}
	for i, f := range Families() {
		order[f] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Family != out[j].Family {
			return order[out[i].Family] < order[out[j].Family]
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ByFamily returns the rules of one family, sorted by ID.
func ByFamily(f Family) []Rule {
	var out []Rule
	for _, r := range All() {
		if r.Family == f {
			out = append(out, r)
		}
	}
	return out
}

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	for _, r := range catalogue {
		if r.ID == id {
			return r.clone(), true
		}
	}
	return Rule{}, false
}

// clone returns r with its own copy of the variants, so that a caller
// changing what All or Lookup returned cannot change the rulebook.
func (r Rule) clone() Rule {
	r.Variants = slices.Clone(r.Variants)
	return r
}
