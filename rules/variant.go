package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bitssim/bitssim/internal/textdist"
)

// Variant is one reading of a rule that Microsoft's documentation leaves
// open. A rule with variants lists its default (the likeliest reading, the
// one its Statement makes) first; each other variant is an alternative
// that a real BITS might implement instead.
type Variant struct {
	// Name is short, lower-case and hyphenated, unique within the rule,
	// e.g. "keeps-object".
	Name string `json:"name"`
	// Statement is the rule's statement under this reading, in one
	// checkable sentence.
	Statement string `json:"statement"`
	// Reasoning says why this reading is plausible.
	Reasoning string `json:"reasoning"`
}

// IsOpen reports whether the rule has more than one reading.
func (r Rule) IsOpen() bool { return len(r.Variants) > 1 }

// DefaultVariant returns the name of the rule's default reading, or "" for
// a rule without variants.
func (r Rule) DefaultVariant() string {
	if len(r.Variants) == 0 {
		return ""
	}
	return r.Variants[0].Name
}

// Variant returns the rule's variant of the given name.
func (r Rule) Variant(name string) (Variant, bool) {
	for _, v := range r.Variants {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// VariantNames returns the names of the rule's variants, default first.
func (r Rule) VariantNames() []string {
	out := make([]string, len(r.Variants))
	for i, v := range r.Variants {
		out[i] = v.Name
	}
	return out
}

// Uncertain returns the open rules: those with more than one variant, in
// the order of All. They are the questions a run against a real BITS
// answers.
func Uncertain() []Rule {
	var out []Rule
	for _, r := range All() {
		if r.IsOpen() {
			out = append(out, r)
		}
	}
	return out
}

// Selection chooses one variant per open rule: rule ID → variant name. A
// rule it does not name takes its default. The nil Selection selects every
// default. Decision functions and the simulator take a Selection; nothing
// outside package rules hard-codes an answer to an open question.
type Selection map[string]string

// Validate reports an unknown rule ID, a rule without variants, or an
// unknown variant name, with the names that would be accepted.
func (s Selection) Validate() error {
	ids := make([]string, 0, len(s))
	for id := range s {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		name := s[id]
		r, ok := Lookup(id)
		if !ok {
			return fmt.Errorf("rules: variant for unknown rule %q%s", id, suggestID(id))
		}
		if !r.IsOpen() {
			return fmt.Errorf("rules: rule %s has no variants", id)
		}
		if _, ok := r.Variant(name); !ok {
			return fmt.Errorf("rules: rule %s has no variant %q (want one of %s)", id, name, strings.Join(r.VariantNames(), ", "))
		}
	}
	return nil
}

// Of returns the name of the variant selected for the rule: the one s
// names, or the rule's default. It returns "" for an unknown rule.
func (s Selection) Of(id string) string {
	if name, ok := s[id]; ok {
		return name
	}
	return defaultVariant[id]
}

// Is reports whether the variant selected for the rule is name.
func (s Selection) Is(id, name string) bool { return s.Of(id) == name }

// With returns a copy of s that also selects name for the rule id.
func (s Selection) With(id, name string) Selection {
	out := make(Selection, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	out[id] = name
	return out
}

// Normalized returns a copy of s without the entries that select a
// default, so that two selections meaning the same compare equal. The
// result is nil when s selects only defaults.
func (s Selection) Normalized() Selection {
	var out Selection
	for id, name := range s {
		if defaultVariant[id] == name {
			continue
		}
		if out == nil {
			out = Selection{}
		}
		out[id] = name
	}
	return out
}

// String prints the non-default choices as "ID=name,ID=name", sorted, or
// "defaults".
func (s Selection) String() string {
	n := s.Normalized()
	if len(n) == 0 {
		return "defaults"
	}
	parts := make([]string, 0, len(n))
	for id, name := range n {
		parts = append(parts, id+"="+name)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// ParseSelection reads "ID=name" assignments separated by commas (the
// form String prints, and "defaults" or "" for none) and validates them.
func ParseSelection(text string) (Selection, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "defaults" {
		return nil, nil
	}
	s := Selection{}
	for _, part := range strings.Split(text, ",") {
		id, name, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("rules: variant %q: want RULE-ID=name", part)
		}
		id = strings.ToUpper(strings.TrimSpace(id))
		if _, dup := s[id]; dup {
			return nil, fmt.Errorf("rules: two variants for %s", id)
		}
		s[id] = strings.TrimSpace(name)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// EachVariant returns one Selection per non-default variant of every open
// rule (the defaults alone first), so that a test run once per element
// meets every reading of every open question at least once.
func EachVariant() []Selection {
	out := []Selection{nil}
	for _, r := range Uncertain() {
		for _, v := range r.Variants[1:] {
			out = append(out, Selection{r.ID: v.Name})
		}
	}
	return out
}

// suggestID returns "; did you mean X?" for the closest rule ID, if any.
func suggestID(id string) string {
	id = strings.ToUpper(id)
	best, bestD := "", 1<<30
	for _, r := range catalogue {
		if d := textdist.Distance(id, r.ID); d < bestD {
			best, bestD = r.ID, d
		}
	}
	if best != "" && bestD <= len(id)/3+1 {
		return "; did you mean " + best + "?"
	}
	return ""
}

// defaultVariant maps each open rule to its default variant's name.
var defaultVariant = map[string]string{}

func init() {
	catalogue = append(catalogue, gapRules...)
	for i := range catalogue {
		r := &catalogue[i]
		if vs, ok := openQuestions[r.ID]; ok {
			def := Variant{Name: vs.def, Statement: r.Statement, Reasoning: r.Decision}
			r.Variants = append([]Variant{def}, vs.alternatives...)
			defaultVariant[r.ID] = vs.def
		}
		if why, ok := settled[r.ID]; ok {
			r.NoVariant = why
		}
	}
}
