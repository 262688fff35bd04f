package scenario

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repeatScript has a repeat block with {i} in two places, a comment and a
// when block of its own, and statements after it.
const repeatScript = `user alice
start A as alice
repeat 3
  A: create j{i} download "job {i}"   # a comment
  when version >= 3.0
    A: setdescription j{i} d{i}
  end
end
A: create k
expect j3 state SUSPENDED
`

// A repeat block's lines come out once per iteration, with {i} the
// iteration's number, each statement on its own line of the file.
func TestRepeatPlaysItsBodyNTimes(t *testing.T) {
	sc, err := Parse("r.bits", []byte(repeatScript))
	require.NoError(t, err)
	var got []string
	var lines []int
	for _, st := range sc.Stmts {
		if st.Verb == "create" || st.Verb == "setdescription" {
			got = append(got, st.Verb+" "+st.Args[0]+" "+st.Args[len(st.Args)-1])
			lines = append(lines, st.Line)
		}
	}
	assert.Equal(t, []string{
		"create j1 job 1", "setdescription j1 d1",
		"create j2 job 2", "setdescription j2 d2",
		"create j3 job 3", "setdescription j3 d3",
		"create k k",
	}, got)
	assert.Equal(t, []int{4, 6, 4, 6, 4, 6, 9}, lines)
	assert.Equal(t, `A: create j2 download "job 2"`, sc.Stmts[6].Text)
}

// A Plan of a script with a repeat block gives back the statements Parse
// makes: its reader plays the block again from the lines of the source.
func TestPlanPlaysRepeatBlocks(t *testing.T) {
	src := []byte(repeatScript + "repeat 2\nA: cancel j{i}\nend\n# trailing\n")
	sc, err := Parse("r.bits", src)
	require.NoError(t, err)
	p, err := Prepare("r.bits", bytes.NewReader(src))
	require.NoError(t, err)
	got, err := readPlan(p, "r.bits", src)
	require.NoError(t, err)
	require.Len(t, got, len(sc.Stmts))
	for i := range got {
		assert.Equal(t, sc.Stmts[i], got[i], "statement %d", i)
	}
	changed := bytes.Replace(src, []byte("repeat 3"), []byte("repeat 2"), 1)
	_, err = readPlan(p, "r.bits", changed)
	assert.ErrorContains(t, err, "changed after Prepare read it")
}

// A repeat's errors say where: no end, a repeat inside a repeat, a count
// that is not a whole number from 1, and a name made twice.
func TestRepeatErrorsAreLocated(t *testing.T) {
	head := "user alice\nstart A as alice\n"
	for _, tc := range []struct{ src, want string }{
		{head + "repeat 3\nA: create j{i}\n", `r.bits:3:1: this repeat has no end (at "repeat"); close the block with end`},
		{head + "repeat 3\nrepeat 2\nend\nend\n", `r.bits:4:1: a repeat inside a repeat (at "repeat")`},
		{head + "repeat 0\nend\n", `r.bits:3:8: the count of a repeat is a whole number from 1 to 1000000 (at "0")`},
		{head + "repeat many\nend\n", `r.bits:3:8: the count of a repeat is a whole number from 1 to 1000000 (at "many")`},
		{head + "repeat\nend\n", `r.bits:3:1: repeat takes 1 argument(s) (at "repeat")`},
		{head + "repeat 2\nA: create j\nend\n", `r.bits:4:11: job "j" already exists (at "j")`},
		{head + "repeat 2\nwhen has clsid\nend\n", `r.bits:3:1: this repeat has no end (at "repeat")`},
	} {
		_, err := Parse("r.bits", []byte(tc.src))
		if assert.Error(t, err, tc.src) {
			assert.Contains(t, err.Error(), tc.want, tc.src)
		}
	}
}

// LIMIT-JOBS-PER-USER with a repeat: sixty jobs, and the sixty-first
// fails with BG_E_TOO_MANY_JOBS_PER_USER.
func TestRepeatRunsSixtyJobs(t *testing.T) {
	sc, err := Parse("r.bits", []byte("user alice\nstart A as alice\nrepeat 60\nA: create j{i}\nend\n"+
		"A: create j61 -> BG_E_TOO_MANY_JOBS_PER_USER\nexpect j60 state SUSPENDED\n"))
	require.NoError(t, err)
	res, err := Run(sc)
	require.NoError(t, err)
	assert.False(t, res.Failed(), "%v", res.Failures())
	assert.Equal(t, 2, res.CheckCount())
}

// In a quoted string \0 is a NUL character and \" a quote; every other
// backslash stays as written (Windows paths), and an unquoted \0 is two
// characters.
func TestQuotedStringsHaveNUL(t *testing.T) {
	toks, _, err := lexCode("q.bits", 1, `A: setdescription j "a\0b" "C:\n\0.exe" "say \"hi\"" C:\0`)
	require.NoError(t, err)
	var got []string
	for _, tok := range toks {
		got = append(got, tok.text)
	}
	assert.Equal(t, []string{"A:", "setdescription", "j", "a\x00b", "C:\\n\x00.exe", `say "hi"`, `C:\0`}, got)
}

// A check in a repeat body is drawn after the round that made it, in the
// text log, Mermaid and SVG alike (placed by its line, each came after the
// last round); a Result decoded from JSON, which does not keep that order,
// still places checks by their lines.
func TestChecksInARepeatBodyFollowTheirRound(t *testing.T) {
	sc, err := Parse("r.bits", []byte("start A as alice\nrepeat 2\n  A: create j{i}\n  expect j{i} state SUSPENDED\nend\n"))
	require.NoError(t, err)
	res, err := Run(sc)
	require.NoError(t, err)
	require.False(t, res.Failed())

	inOrder := func(t *testing.T, out string, words ...string) {
		t.Helper()
		at := 0
		for _, w := range words {
			i := bytes.Index([]byte(out[at:]), []byte(w))
			require.GreaterOrEqual(t, i, 0, "%q after %q in:\n%s", w, out[:at], out)
			at += i + len(w)
		}
	}
	var text, mermaid, svg bytes.Buffer
	require.NoError(t, res.WriteText(&text))
	require.NoError(t, res.WriteMermaid(&mermaid))
	require.NoError(t, res.WriteSVG(&svg))
	inOrder(t, text.String(), "create j1", "expect j1 state SUSPENDED", "create j2", "expect j2 state SUSPENDED")
	inOrder(t, mermaid.String(), "create j1", "expect j1 state SUSPENDED", "create j2", "expect j2 state SUSPENDED")
	inOrder(t, svg.String(), "create j1", "expect j1 state SUSPENDED", "create j2", "expect j2 state SUSPENDED")

	back := *res
	back.Checks = append([]Check(nil), res.Checks...)
	for i := range back.Checks {
		back.Checks[i].afterSteps = 0 // as in a Result built outside the runner
	}
	text.Reset()
	require.NoError(t, back.WriteText(&text))
	inOrder(t, text.String(), "create j1", "create j2", "expect j1 state SUSPENDED", "expect j2 state SUSPENDED")
}
