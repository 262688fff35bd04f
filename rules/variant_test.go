package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenQuestionsNameExistingRules(t *testing.T) {
	for id := range openQuestions {
		r, ok := Lookup(id)
		if assert.True(t, ok, "open question for unknown rule %s", id) {
			assert.NotEqual(t, Documented, r.Status, "%s: a documented rule is not an open question; lower its status or drop the variants", id)
		}
	}
	for id := range settled {
		r, ok := Lookup(id)
		if assert.True(t, ok, "settled reason for unknown rule %s", id) {
			assert.False(t, r.IsOpen(), "%s has variants and a reason why it has none", id)
		}
	}
}

// The issue's definition of done: every assumed (or observed) rule has
// variants or a written reason why not.
func TestEveryUndocumentedRuleHasVariantsOrAReason(t *testing.T) {
	for _, r := range All() {
		if r.Status == Documented {
			assert.Empty(t, r.Variants, "%s", r.ID)
			continue
		}
		assert.True(t, r.IsOpen() || strings.TrimSpace(r.NoVariant) != "",
			"%s (%s) needs variants or a NoVariant reason", r.ID, r.Status)
	}
}

func TestVariantsAreWellFormed(t *testing.T) {
	seenStatement := map[string]string{}
	for _, r := range Uncertain() {
		require.GreaterOrEqual(t, len(r.Variants), 2, r.ID)
		assert.Equal(t, r.Statement, r.Variants[0].Statement, "%s: the default variant is the rule's statement", r.ID)
		names := map[string]bool{}
		for _, v := range r.Variants {
			assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9.]+)*$`, v.Name, "%s: variant names are lower-case and hyphenated", r.ID)
			assert.False(t, names[v.Name], "%s: two variants named %s", r.ID, v.Name)
			names[v.Name] = true
			s := v.Statement
			assert.True(t, strings.HasSuffix(s, "."), "%s/%s: statement ends with a full stop", r.ID, v.Name)
			assert.False(t, sentenceBreak.MatchString(s), "%s/%s: one sentence", r.ID, v.Name)
			assert.NotEmpty(t, strings.TrimSpace(v.Reasoning), "%s/%s: reasoning", r.ID, v.Name)
			for _, hr := range hresultPattern.FindAllString(s, -1) {
				if hr == "S_OK" {
					continue
				}
				value, ok := hresults[hr]
				if assert.True(t, ok, "%s/%s: %s missing from the test table", r.ID, v.Name, hr) {
					assert.Contains(t, s, value, "%s/%s: %s must be quoted with its value", r.ID, v.Name, hr)
				}
			}
			if other, dup := seenStatement[s]; dup {
				t.Errorf("%s/%s repeats the statement of %s", r.ID, v.Name, other)
			}
			seenStatement[s] = r.ID + "/" + v.Name
		}
	}
}

// Every Var constant the code selects on is the name of a variant, so a
// typo in a decision function cannot silently select nothing.
func TestVariantConstantsNameVariants(t *testing.T) {
	all := map[string]bool{}
	for _, r := range Uncertain() {
		for _, v := range r.Variants {
			all[v.Name] = true
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "questions.go", nil, 0)
	require.NoError(t, err)
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Var") || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		name, err := strconv.Unquote(lit.Value)
		require.NoError(t, err)
		assert.True(t, all[name], "%s = %q names no variant", vs.Names[0].Name, name)
		n++
		return true
	})
	assert.Greater(t, n, 20)
}

func TestSelectionValidate(t *testing.T) {
	assert.NoError(t, Selection(nil).Validate())
	assert.NoError(t, Selection{"PREC-FAILURE-KEEPS-OBJECT": VarFallsBackToCLSID}.Validate())

	err := Selection{"PREC-FAILURE-KEEP-OBJECT": VarFallsBackToCLSID}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did you mean PREC-FAILURE-KEEPS-OBJECT")

	err = Selection{"FLAGS-FILTER": "x"}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no variants")

	err = Selection{"PREC-FAILURE-KEEPS-OBJECT": "nope"}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "keeps-object, falls-back-to-clsid")
}

func TestSelectionOf(t *testing.T) {
	var none Selection
	assert.Equal(t, "keeps-object", none.Of("PREC-FAILURE-KEEPS-OBJECT"))
	assert.True(t, none.Is("PREC-FAILURE-KEEPS-OBJECT", "keeps-object"))
	s := none.With("PREC-FAILURE-KEEPS-OBJECT", "falls-back-to-clsid")
	assert.Equal(t, "falls-back-to-clsid", s.Of("PREC-FAILURE-KEEPS-OBJECT"))
	assert.Nil(t, none, "With copies")
	assert.Equal(t, "", none.Of("FLAGS-FILTER"), "a settled rule has no variant")
}

func TestSelectionStringParseRoundTrip(t *testing.T) {
	s := Selection{"STATE-RESUME-TRANSFERRED": "bg-e-empty", "PREC-FAILURE-KEEPS-OBJECT": "falls-back-to-clsid", "FLAGS-ZERO": "accepted"}
	assert.Equal(t, "PREC-FAILURE-KEEPS-OBJECT=falls-back-to-clsid,STATE-RESUME-TRANSFERRED=bg-e-empty", s.String())
	back, err := ParseSelection(s.String())
	require.NoError(t, err)
	assert.Equal(t, s.Normalized(), back)

	none, err := ParseSelection("defaults")
	require.NoError(t, err)
	assert.Nil(t, none)
	assert.Equal(t, "defaults", none.String())

	_, err = ParseSelection("PREC-FAILURE-KEEPS-OBJECT")
	assert.ErrorContains(t, err, "RULE-ID=name")
	_, err = ParseSelection("FLAGS-ZERO=accepted,flags-zero=rejected")
	assert.ErrorContains(t, err, "two variants")
}

func TestEachVariantCoversEveryReading(t *testing.T) {
	seen := map[string]bool{}
	sels := EachVariant()
	require.Nil(t, sels[0], "the defaults come first")
	for _, s := range sels {
		require.NoError(t, s.Validate())
		for _, r := range Uncertain() {
			seen[r.ID+"="+s.Of(r.ID)] = true
		}
	}
	for _, r := range Uncertain() {
		for _, v := range r.Variants {
			assert.True(t, seen[r.ID+"="+v.Name], "%s=%s is never selected", r.ID, v.Name)
		}
	}
}

func TestTheIssuesOpenQuestionsHaveVariants(t *testing.T) {
	for _, id := range []string{
		"PREC-FAILURE-KEEPS-OBJECT", "CLSID-OWNER-CONTEXT", "DELIV-ONCE-AFTER-SUCCESS", "PERSIST-REDELIVER",
		"STATE-SUSPEND-TRANSFERRED", "STATE-SUSPEND-ERROR", "STATE-RESUME-TRANSFERRED", "CLSID-ACTIVATION-FAILURE",
		"PREC-CMDLINE-LAST", "OBJ-NO-CALLBACK-INTERFACE", "DELIV-SFALSE-SUCCESS", "DELIV-RETRY-INTERVAL",
		"PERSIST-ACTIVE-REQUEUED", "CMD-PARAMS-WITHOUT-PROGRAM", "LIMIT-DISPLAY-NAME", "FLAGS-ZERO",
		"FLAGS-STATE-CHECK-FIRST", "OBJ-DISCOVER-DEAD", "CLSID-OUT-OF-PROCESS", "CLSID-FINAL-STATE",
	} {
		r, ok := Lookup(id)
		require.True(t, ok, id)
		assert.True(t, r.IsOpen(), "%s has variants", id)
	}
	owner, _ := Lookup("CLSID-OWNER-CONTEXT")
	assert.Equal(t, []string{"job-owner", "setter", "appid-runas"}, owner.VariantNames())
	resume, _ := Lookup("STATE-RESUME-TRANSFERRED")
	assert.Equal(t, []string{"ok-stays", "bg-e-empty", "requeued"}, resume.VariantNames())
}

func TestAllAndLookupCopyTheVariants(t *testing.T) {
	r, ok := Lookup("STATE-RESUME-TRANSFERRED")
	require.True(t, ok)
	r.Variants[1].Name = "changed"
	for _, all := range All() {
		if all.ID == r.ID {
			all.Variants[2].Name = "changed too"
		}
	}
	again, _ := Lookup("STATE-RESUME-TRANSFERRED")
	assert.Equal(t, []string{"ok-stays", "bg-e-empty", "requeued"}, again.VariantNames())
}
