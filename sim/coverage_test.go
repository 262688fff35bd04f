package sim_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/rules"
)

// notModeled lists the rules the simulator does not claim to keep, and why.
// Every other rule must be checked by a test of this package. The list is
// kept true both ways: a rule listed here that a test claims fails too.
var notModeled = map[string]string{
	"FLAGS-GET-NULL-ARG": "the Go API returns the flags as a value: there is no output pointer " +
		"to pass as NULL (the COM backend checks it)",
	"OBJ-GET-NULL-ARG": "the Go API returns the object as a value: there is no output pointer " +
		"to pass as NULL (the COM backend checks it)",
	"LIMIT-NULL-STRING-COM": "the Go API has no NULL string (an empty string is a string), and the " +
		"simulator is called in-process, where no COM proxy stands between caller and service",
	"SEC-OWNER-LOGOFF": "the simulator has no logon sessions: apps connect as users, but nobody " +
		"logs on or off, and every job may transfer",
	"FILE-CANCEL-DELETES": "the simulator keeps no files on disk, so there is nothing to observe " +
		"under the local names",
	"FILE-NOT-AVAILABLE-UNTIL-COMPLETE": "the simulator keeps no files on disk, so there is " +
		"nothing to observe under the local names",
}

// coverageClaim is one rule ID named on a "// Rules:" line.
type coverageClaim struct {
	id, test string
	pos      token.Position
}

// coverageRulesPrefix starts the comment line that lists the rules a test checks.
const coverageRulesPrefix = "// Rules:"

// coverageCollectClaims parses every test file of the package directory and
// returns the rule IDs of its "// Rules:" lines, with the test each belongs
// to. A Rules line must be the doc comment of, or inside, a Test, Example
// or Fuzz function; other placements are returned as problems. "// Rules:
// none ..." names no rule.
func coverageCollectClaims(t *testing.T) (claims []coverageClaim, problems []string) {
	t.Helper()
	paths, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	fset := token.NewFileSet()
	for _, path := range paths {
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		require.NoError(t, err)
		// The test function each comment belongs to: its doc comment, or a
		// comment inside its body.
		owner := func(c *ast.Comment) string {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv != nil || !coverageIsTestName(fn.Name.Name) {
					continue
				}
				start := fn.Pos()
				if fn.Doc != nil {
					start = fn.Doc.Pos()
				}
				if start <= c.Pos() && c.End() <= fn.End() {
					return fn.Name.Name
				}
			}
			return ""
		}
		for _, group := range f.Comments {
			for _, c := range group.List {
				if !strings.HasPrefix(c.Text, coverageRulesPrefix) {
					continue
				}
				pos := fset.Position(c.Pos())
				test := owner(c)
				if test == "" {
					problems = append(problems, fmt.Sprintf("%s: a Rules line outside any Test, Example or Fuzz function", pos))
					continue
				}
				list := strings.TrimSpace(strings.TrimPrefix(c.Text, coverageRulesPrefix))
				if strings.HasPrefix(list, "none") {
					continue
				}
				for _, id := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
					claims = append(claims, coverageClaim{id: strings.TrimSuffix(id, "."), test: test, pos: pos})
				}
			}
		}
	}
	return claims, problems
}

func coverageIsTestName(name string) bool {
	if strings.HasPrefix(name, "Example") {
		return true
	}
	for _, prefix := range []string{"Test", "Fuzz"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && (rest == "" || !('a' <= rest[0] && rest[0] <= 'z')) {
			return true
		}
	}
	return false
}

// Every rule of the rulebook is checked by some test of this package or
// listed in notModeled with the reason the simulator does not keep it;
// every rule ID a test names exists.
//
// Rules: none (this test checks the Rules lines of the others)
func TestEveryRuleIsTestedOrExcluded(t *testing.T) {
	all := rules.All()
	require.NotEmpty(t, all)
	known := make(map[string]rules.Rule, len(all))
	for _, r := range all {
		known[r.ID] = r
	}

	claims, problems := coverageCollectClaims(t)
	for _, p := range problems {
		t.Error(p)
	}
	tested := map[string][]string{} // rule → tests
	for _, c := range claims {
		if _, ok := known[c.id]; !ok {
			t.Errorf("%s: %s names rule %q, which is not in the rulebook (rules.All)", c.pos, c.test, c.id)
			continue
		}
		tested[c.id] = append(tested[c.id], c.test)
	}

	for id, reason := range notModeled {
		_, ok := known[id]
		assert.True(t, ok, "notModeled lists %q, which is not in the rulebook", id)
		assert.NotEmpty(t, strings.TrimSpace(reason), "notModeled[%q] needs a reason", id)
		if tests := tested[id]; len(tests) > 0 {
			t.Errorf("notModeled lists %s, but %s claim to test it: remove it from notModeled", id, strings.Join(coverageDedupe(tests), ", "))
		}
	}

	var uncovered []string
	for _, r := range all {
		if len(tested[r.ID]) == 0 && notModeled[r.ID] == "" {
			uncovered = append(uncovered, r.ID)
		}
	}
	t.Logf("%d rules: %d tested, %d not modelled, %d uncovered", len(all), len(all)-len(notModeled)-len(uncovered),
		len(notModeled), len(uncovered))
	if len(uncovered) > 0 {
		var sb strings.Builder
		for _, id := range uncovered {
			fmt.Fprintf(&sb, "\n  %-40s %s", id, known[id].Statement)
		}
		t.Errorf("%d rules are neither tested (no \"// Rules:\" line of a test in this package names them) "+
			"nor listed in notModeled:%s\n\nuncovered IDs: %s", len(uncovered), sb.String(), strings.Join(uncovered, " "))
	}
}

func coverageDedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
