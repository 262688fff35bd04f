package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bitssim/bitssim/rules"
)

func runRules(args []string, s streams) int {
	stdout, stderr := s.out, s.err
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the rules as a JSON array")
	family := fs.String("family", "", "only this family: "+familyList())
	status := fs.String("status", "", "only rules with this status: documented, observed or assumed")
	verbose := fs.Bool("v", false, "also print each rule's source, decision and variants in full")
	uncertain := fs.Bool("uncertain", false, "only the open rules: those with variants (readings a real BITS may follow)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s rules [--json] [--family F] [--status S] [--uncertain] [-v] [RULE-ID ...]\n\n", programName)
		fmt.Fprintf(fs.Output(), "Prints the rulebook. With rule IDs, prints those rules in full. An open rule lists its\n")
		fmt.Fprintf(fs.Output(), "variants, the default first; select another with 'bitssim run --variant ID=NAME' or a\n")
		fmt.Fprintf(fs.Output(), "scenario's 'variant ID NAME'.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, code, done := parseFlags(fs, args)
	if done {
		return code
	}
	selected, err := selectRules(*family, *status, pos)
	if err != nil {
		fmt.Fprintf(stderr, "%s rules: %v\n", programName, err)
		return exitUsage
	}
	if *uncertain {
		open := []rules.Rule{}
		for _, r := range selected {
			if r.IsOpen() {
				open = append(open, r)
			}
		}
		selected = open
	}
	if *asJSON {
		out := make([]jsonRule, 0, len(selected))
		for _, r := range selected {
			out = append(out, toJSONRule(r))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "%s rules: write: %v\n", programName, err)
			return exitUsage
		}
		return exitOK
	}
	printRules(stdout, selected, *verbose || len(pos) > 0)
	return exitOK
}

// jsonRule is a rule as rules --json prints it (lowerCamelCase, like every
// JSON output).
type jsonRule struct {
	ID        string        `json:"id"`
	Family    string        `json:"family"`
	Statement string        `json:"statement"`
	Source    string        `json:"source"`
	Status    string        `json:"status"`
	Decision  string        `json:"decision,omitempty"`
	NoVariant string        `json:"noVariant,omitempty"`
	Variants  []jsonVariant `json:"variants,omitempty"`
}

// jsonVariant is one reading of an open rule; the default comes first.
type jsonVariant struct {
	Name      string `json:"name"`
	Statement string `json:"statement"`
	Reasoning string `json:"reasoning,omitempty"`
	Default   bool   `json:"default,omitempty"`
}

func toJSONRule(r rules.Rule) jsonRule {
	status, _ := r.Status.MarshalText()
	out := jsonRule{ID: r.ID, Family: string(r.Family), Statement: r.Statement, Source: r.Source,
		Status: string(status), Decision: r.Decision, NoVariant: r.NoVariant}
	for i, v := range r.Variants {
		out.Variants = append(out.Variants, jsonVariant{Name: v.Name, Statement: v.Statement, Reasoning: v.Reasoning, Default: i == 0})
	}
	return out
}

func familyList() string { return strings.Join(familyNames(), ", ") }

func familyNames() []string {
	var names []string
	for _, f := range rules.Families() {
		names = append(names, string(f))
	}
	return names
}

// selectRules filters the rulebook; explicit IDs must all exist.
func selectRules(family, status string, ids []string) ([]rules.Rule, error) {
	all := rules.All()
	if len(ids) > 0 {
		var out []rules.Rule
		for _, id := range ids {
			r, ok := rules.Lookup(strings.ToUpper(id))
			if !ok {
				var known []string
				for _, r := range all {
					known = append(known, r.ID)
				}
				hint := didYouMean(strings.ToUpper(id), known)
				if hint == "" {
					hint = fmt.Sprintf(" (try '%s rules' for the list)", programName)
				}
				return nil, fmt.Errorf("no rule %q%s", id, hint)
			}
			out = append(out, r)
		}
		return out, nil
	}
	var fam rules.Family
	if family != "" {
		f, err := rules.ParseFamily(family)
		if err != nil {
			return nil, fmt.Errorf("unknown family %q%s", family, didYouMean(strings.ToUpper(family), familyNames()))
		}
		fam = f
	}
	var st rules.Status
	if status != "" {
		if err := st.UnmarshalText([]byte(status)); err != nil {
			return nil, err
		}
	}
	out := []rules.Rule{}
	for _, r := range all {
		if (fam == "" || r.Family == fam) && (st == 0 || r.Status == st) {
			out = append(out, r)
		}
	}
	return out, nil
}

// printRules prints rules grouped by family: one line per rule, or the
// full record with verbose.
func printRules(w io.Writer, rs []rules.Rule, verbose bool) {
	idWidth := 0
	for _, r := range rs {
		idWidth = max(idWidth, len(r.ID))
	}
	var last rules.Family
	counts := map[rules.Family]int{}
	for _, r := range rs {
		counts[r.Family]++
	}
	for _, r := range rs {
		if r.Family != last {
			if last != "" {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "%s — %s (%d)\n", r.Family, r.Family.Title(), counts[r.Family])
			last = r.Family
		}
		indent := strings.Repeat(" ", 2+idWidth+1+11+1)
		lines := wrap(r.Statement, max(40, 110-len(indent)))
		fmt.Fprintf(w, "  %-*s %-11s %s\n", idWidth, r.ID, r.Status, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "%s%s\n", indent, l)
		}
		if r.IsOpen() && !verbose {
			names := r.VariantNames()
			names[0] += " (default)"
			fmt.Fprintf(w, "%svariants: %s\n", indent, strings.Join(names, ", "))
		}
		if verbose {
			fmt.Fprintf(w, "%ssource: %s\n", indent, r.Source)
			if r.Decision != "" {
				for i, l := range wrap(r.Decision, max(40, 100-len(indent))) {
					label := "          "
					if i == 0 {
						label = "decision: "
					}
					fmt.Fprintf(w, "%s%s%s\n", indent, label, l)
				}
			}
			if r.NoVariant != "" {
				for i, l := range wrap(r.NoVariant, max(40, 100-len(indent))) {
					label := "            "
					if i == 0 {
						label = "no variant: "
					}
					fmt.Fprintf(w, "%s%s%s\n", indent, label, l)
				}
			}
			for i, v := range r.Variants {
				name := "variant " + v.Name
				if i == 0 {
					name += " (default)"
				}
				fmt.Fprintf(w, "%s%s:\n", indent, name)
				for _, l := range wrap(v.Statement, max(40, 96-len(indent))) {
					fmt.Fprintf(w, "%s    %s\n", indent, l)
				}
				for j, l := range wrap(v.Reasoning, max(40, 96-len(indent))) {
					label := "    "
					if j == 0 {
						label = "    why: "
					} else {
						label = "         "
					}
					fmt.Fprintf(w, "%s%s%s\n", indent, label, l)
				}
			}
			printRuleCheck(w, indent, r.ID)
		}
	}
	if len(rs) == 1 {
		fmt.Fprintln(w, "\n1 rule.")
		return
	}
	fmt.Fprintf(w, "\n%d rules.\n", len(rs))
}
