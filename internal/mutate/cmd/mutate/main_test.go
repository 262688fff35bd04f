package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/internal/mutate"
)

func someMutants(t *testing.T) []mutate.Mutant {
	src := "package p\n\nfunc f(a, b int) bool {\n\tif a < b && a > 0 {\n\t\treturn a == 1\n\t}\n\treturn b >= 2\n}\n"
	ms, err := mutate.Generate("p.go", []byte(src))
	require.NoError(t, err)
	require.Greater(t, len(ms), 8)
	return ms
}

func TestShardsPartitionTheMutants(t *testing.T) {
	ms := someMutants(t)
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		o, err := parse([]string{"-shard", []string{"", "1/3", "2/3", "3/3"}[i]})
		require.NoError(t, err)
		part, err := selectMutants(ms, o)
		require.NoError(t, err)
		for _, m := range part {
			seen[m.Key]++
		}
	}
	assert.Len(t, seen, len(ms), "every mutant is in a shard")
	for k, n := range seen {
		assert.Equal(t, 1, n, "%s is in one shard only", k)
	}
}

func TestSampleIsFixedBySeed(t *testing.T) {
	ms := someMutants(t)
	pick := func(seed string) []string {
		o, err := parse([]string{"-sample", "4", "-seed", seed})
		require.NoError(t, err)
		part, err := selectMutants(ms, o)
		require.NoError(t, err)
		var keys []string
		for _, m := range part {
			keys = append(keys, m.Key)
		}
		return keys
	}
	assert.Len(t, pick("1"), 4)
	assert.Equal(t, pick("1"), pick("1"), "the same seed draws the same mutants")
	assert.NotEqual(t, pick("1"), pick("2"))
}

func TestOpsFilter(t *testing.T) {
	o, err := parse([]string{"-ops", "compare"})
	require.NoError(t, err)
	part, err := selectMutants(someMutants(t), o)
	require.NoError(t, err)
	require.NotEmpty(t, part)
	for _, m := range part {
		assert.Equal(t, mutate.Compare, m.Op)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-j", "0"}, {"-min", "2"}, {"-sample", "-1"}, {"extra"}} {
		_, err := parse(args)
		assert.Error(t, err, "%v", args)
	}
	o, err := parse([]string{"-shard", "4/3"})
	require.NoError(t, err)
	_, err = selectMutants(someMutants(t), o)
	assert.Error(t, err)
}

func TestKillRateAndSurvivors(t *testing.T) {
	ms := someMutants(t)
	rs := []result{{m: ms[0], out: killed}, {m: ms[1], out: killed}, {m: ms[2], out: survived}, {m: ms[3], out: stillborn}, {m: ms[4], out: equivalent}}
	var out bytes.Buffer
	o, err := parse([]string{"-min", "0.9", "-sample", "5"})
	require.NoError(t, err)
	err = summarize(&out, o, rs, mutate.Equivalents{}, ms, 0)
	var low errLowKillRate
	require.ErrorAs(t, err, &low, "2 of 3 is below 90%%")
	assert.InDelta(t, 2.0/3, low.rate, 1e-9)
	assert.Contains(t, out.String(), "kill rate 66.7% (2 of 3 non-equivalent mutants that compile)")
	assert.Contains(t, out.String(), ms[2].String())
	assert.Equal(t, 1, strings.Count(out.String(), "key: "), "only the survivor is listed")
}

// The list mode runs nothing and names every mutant of the simulator.
func TestListSim(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run([]string{"-dir", "../../../../sim", "-equivalents", "../../equivalent.txt", "-list", "-sample", "3"}, &out))
	assert.Equal(t, 3, strings.Count(out.String(), "key: "))
}

func TestSampleSurvivesAnEditElsewhere(t *testing.T) {
	ms := someMutants(t)
	o, err := parse([]string{"-sample", "4", "-seed", "1"})
	require.NoError(t, err)
	before, err := selectMutants(ms, o)
	require.NoError(t, err)
	// An edit elsewhere in the package adds mutants before these ones (and
	// moves them all down a line): the sample of the old ones must not change.
	src := "package p\n\nfunc g(x int) bool { return x > 3 || x == 7 }\n\nfunc f(a, b int) bool {\n\tif a < b && a > 0 {\n\t\treturn a == 1\n\t}\n\treturn b >= 2\n}\n"
	grown, err := mutate.Generate("p.go", []byte(src))
	require.NoError(t, err)
	require.Greater(t, len(grown), len(ms))
	after, err := selectMutants(grown, o)
	require.NoError(t, err)
	old := map[string]bool{}
	for _, m := range ms {
		old[m.Key] = true
	}
	var keptBefore, keptAfter []string
	for _, m := range before {
		keptBefore = append(keptBefore, m.Key)
	}
	for _, m := range after {
		if old[m.Key] {
			keptAfter = append(keptAfter, m.Key)
		}
	}
	// The new mutants can only push old ones out of the sample, never swap
	// one old mutant for another.
	assert.Subset(t, keptBefore, keptAfter, "the old mutants still drawn were drawn before")
}

func TestSuiteFlag(t *testing.T) {
	o, err := parse(nil)
	require.NoError(t, err)
	require.Len(t, o.suites, 2, "by default the conformance suite, then sim's own tests")
	assert.Equal(t, []string{"./conformance/"}, o.suites[0].pkgs)
	assert.Equal(t, "^TestSim(AutomaticClock|Versions)?$", o.suites[0].run)
	assert.Equal(t, []string{"./sim/"}, o.suites[1].pkgs)
	assert.Equal(t, ".", o.suites[1].run)

	o, err = parse([]string{"-suite", "./a/,./b/:^TestX$"})
	require.NoError(t, err)
	require.Len(t, o.suites, 1, "a -suite replaces the defaults")
	assert.Equal(t, []string{"./a/", "./b/"}, o.suites[0].pkgs)
	assert.Equal(t, "^TestX$", o.suites[0].run)

	for _, bad := range []string{"./a/", ":x", "./a/:", " : "} {
		_, err := parse([]string{"-suite", bad})
		assert.Error(t, err, "-suite %q", bad)
	}
}

// With two suites the report gives the first suite's rate alone as well as
// the rate of both; -min holds the rate of both.
func TestKillRateBySuite(t *testing.T) {
	ms := someMutants(t)
	rs := []result{{m: ms[0], out: killed, by: 0}, {m: ms[1], out: killed, by: 1}, {m: ms[2], out: killed, by: 1}, {m: ms[3], out: survived}}
	o, err := parse([]string{"-min", "0.75", "-sample", "4"})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, summarize(&out, o, rs, mutate.Equivalents{}, ms, 0), "3 of 4 meets 75%%")
	assert.Contains(t, out.String(), "suite 1 alone (go test ./conformance/ -run '^TestSim(AutomaticClock|Versions)?$'): kill rate 25.0% (1 of 4)")
	assert.Contains(t, out.String(), "kill rate 75.0% (3 of 4 non-equivalent mutants that compile)")
	assert.Contains(t, out.String(), "standard error of the sample's rate: 21.7 points", "sqrt(0.75*0.25/4) = 0.2165")
}

// The per-mutant timeout is derived from the test binaries' own run time,
// which go test prints, not from the wall time of the build and run.
func TestTestTime(t *testing.T) {
	out := "ok  \tgithub.com/bitssim/bitssim/conformance\t1.810s\n--- FAIL: TestX\nFAIL\tgithub.com/bitssim/bitssim/sim\t2.5s\nok  \tgithub.com/bitssim/bitssim/model\t(cached)\n"
	assert.Equal(t, 2500*time.Millisecond, testTime(out))
	assert.Zero(t, testTime("# github.com/bitssim/bitssim/sim\nsim/x.go:1: syntax error\nFAIL\tgithub.com/bitssim/bitssim/sim [build failed]\n"))
}
