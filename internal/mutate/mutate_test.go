package mutate_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/internal/mutate"
)

const sample = `package p

import "example/model"

func f(n int, ok bool) error {
	if n < 4 && ok {
		n++
	} else {
		g()
	}
	for n > 0 {
		n--
	}
	x := 1
	_ = x
	return model.E_FAIL
}

func g() {}
`

func changes(ms []mutate.Mutant) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Op)+" "+m.Original+" -> "+m.Replacement)
	}
	return out
}

func TestGenerateEveryOperator(t *testing.T) {
	ms, err := mutate.Generate("p.go", []byte(sample))
	require.NoError(t, err)
	got := changes(ms)
	for _, want := range []string{
		"negate-condition n < 4 && ok -> !(n < 4 && ok)",
		"compare < -> <=",
		"logical && -> ||",
		"off-by-one 4 -> 5",
		"drop-statement n++ -> ",
		"drop-statement g() -> ",
		"swap-branches {\n\t\tn++\n\t} else {\n\t\tg()\n\t} -> {\n\t\tg()\n\t} else {\n\t\tn++\n\t}",
		"negate-condition n > 0 -> !(n > 0)",
		"compare > -> >=",
		"off-by-one 0 -> 1",
		"drop-statement n-- -> ",
		"drop-statement _ = x -> ",
		"hresult model.E_FAIL -> model.E_UNEXPECTED",
	} {
		assert.Contains(t, got, want)
	}
	// A definition is never dropped (the mutant could not compile), and the
	// constant of a definition is still mutated.
	assert.NotContains(t, got, "drop-statement x := 1 -> ")
	assert.Contains(t, got, "off-by-one 1 -> 2")
	assert.Len(t, got, 14)
}

func TestMutantPositionAndKey(t *testing.T) {
	ms, err := mutate.Generate("dir/p.go", []byte(sample))
	require.NoError(t, err)
	var cmp mutate.Mutant
	for _, m := range ms {
		if m.Op == mutate.Compare && m.Original == "<" {
			cmp = m
		}
	}
	assert.Equal(t, 6, cmp.Line)
	assert.Equal(t, 7, cmp.Col)
	assert.Equal(t, "f", cmp.Func)
	assert.Equal(t, `p.go f compare#1 "<" -> "<="`, cmp.Key)
	assert.Equal(t, `dir/p.go:6:7 compare: "<" -> "<="`, cmp.String())
	out, err := cmp.Apply([]byte(sample))
	require.NoError(t, err)
	assert.Contains(t, string(out), "if n <= 4 && ok {")
	assert.Equal(t, strings.Replace(sample, "n < 4", "n <= 4", 1), string(out))
}

func TestApplyRejectsOtherSource(t *testing.T) {
	ms, err := mutate.Generate("p.go", []byte(sample))
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	_, err = ms[0].Apply([]byte("package p\n"))
	assert.Error(t, err)
}

func TestGenerateRejectsBadSource(t *testing.T) {
	_, err := mutate.Generate("p.go", []byte("package p\nfunc {"))
	assert.ErrorContains(t, err, "mutate: parse")
}

// Every mutant of the simulator is a well-formed Go file that differs from
// the original exactly where the mutant says, and keys are unique.
func TestSimMutantsParse(t *testing.T) {
	dir := filepath.Join("..", "..", "sim")
	ms, err := mutate.Dir(dir)
	require.NoError(t, err)
	require.Greater(t, len(ms), 500)
	keys := map[string]bool{}
	for _, m := range ms {
		assert.False(t, keys[m.Key], "duplicate key %s", m.Key)
		keys[m.Key] = true
	}
	srcs := map[string][]byte{}
	rapid.Check(t, func(rt *rapid.T) {
		m := rapid.SampledFrom(ms).Draw(rt, "mutant")
		src, ok := srcs[m.File]
		if !ok {
			src, err = os.ReadFile(m.File)
			require.NoError(rt, err)
			srcs[m.File] = src
		}
		out, err := m.Apply(src)
		require.NoError(rt, err)
		assert.NotEqual(rt, string(src), string(out))
		_, err = parser.ParseFile(token.NewFileSet(), m.File, out, 0)
		assert.NoError(rt, err, "%s", m)
	})
}

func TestParseEquivalents(t *testing.T) {
	eq, err := mutate.ParseEquivalents([]byte(`# comment

job.go (*Service).run drop-statement#1 "s.q[0] = x{}" -> "" # only frees memory
a.go f compare#2 "a # b" -> "<=" # the " # " inside the quotes is part of the key
`))
	require.NoError(t, err)
	assert.Equal(t, mutate.Equivalents{
		`job.go (*Service).run drop-statement#1 "s.q[0] = x{}" -> ""`: "only frees memory",
		`a.go f compare#2 "a # b" -> "<="`:                            `the " # " inside the quotes is part of the key`,
	}, eq)

	for _, bad := range []string{
		`job.go f drop-statement#1 "x" -> ""`,   // no reason
		`job.go f drop-statement#1 "x" -> "" #`, // empty reason
		`not a key # reason`,                    // not a key
		"a.go f logical#1 \"&&\" -> \"||\" # r\na.go f logical#1 \"&&\" -> \"||\" # r", // twice
	} {
		_, err := mutate.ParseEquivalents([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// The reviewed equivalents file parses and every entry names a mutant the
// generator makes today.
func TestEquivalentsFileIsCurrent(t *testing.T) {
	data, err := os.ReadFile("equivalent.txt")
	require.NoError(t, err)
	eq, err := mutate.ParseEquivalents(data)
	require.NoError(t, err)
	ms, err := mutate.Dir(filepath.Join("..", "..", "sim"))
	require.NoError(t, err)
	keys := map[string]bool{}
	for _, m := range ms {
		keys[m.Key] = true
	}
	for k := range eq {
		assert.True(t, keys[k], "equivalent.txt: no mutant has key %s", k)
	}
}

func TestOperators(t *testing.T) {
	assert.Len(t, mutate.Operators(), 7)
}

// Files the build leaves out on this platform have no mutants: nothing
// could kill them.
func TestDirSkipsFilesOfOtherPlatforms(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.go"), []byte("package p\n\nfunc f() int { return 1 }\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b_plan9.go"), []byte("package p\n\nfunc g() int { return 1 }\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.go"), []byte("//go:build ignore\n\npackage p\n\nfunc h() int { return 1 }\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a_test.go"), []byte("package p\n\nfunc k() int { return 1 }\n"), 0o644))
	ms, err := mutate.Dir(dir)
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, filepath.Join(dir, "a.go"), ms[0].File)
}
