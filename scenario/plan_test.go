package scenario

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// planSources are every example and test script.
func planSources(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"../examples/*.bits", "testdata/*.bits"} {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			out[f] = data
		}
	}
	require.NotEmpty(t, out)
	return out
}

// readPlan returns the statements a Plan gives back, read with the lines
// of src.
func readPlan(p *Plan, name string, src []byte) ([]Stmt, error) {
	d := newPlanReader(name, p, bytes.NewReader(src))
	var out []Stmt
	for {
		st, ok, err := d.next()
		if err != nil || !ok {
			return out, err
		}
		c := *st // the reader reuses its memory: copy what it gave
		c.Args = append(make([]string, 0, len(st.Args)), st.Args...)
		if st.opts != nil {
			c.opts = map[string]string{}
			for k, v := range st.opts {
				c.opts[k] = v
			}
		}
		if st.Expect != nil {
			e := *st.Expect
			e.Jobs = append([]string(nil), e.Jobs...)
			c.Expect = &e
		}
		out = append(out, c)
	}
}

// A Plan gives back exactly the statements Parse makes of the same
// source: the run it drives is the run of the parsed script.
func TestPlanGivesBackTheParsedStatements(t *testing.T) {
	for name, src := range planSources(t) {
		sc, err := Parse(name, src)
		require.NoError(t, err)
		p, err := Prepare(name, bytes.NewReader(src))
		require.NoError(t, err)
		assert.Equal(t, len(sc.Stmts), p.Statements(), name)
		header := *sc
		header.Stmts = nil
		assert.Equal(t, header, p.header, name)
		got, err := readPlan(p, name, src)
		require.NoError(t, err, name)
		require.Len(t, got, len(sc.Stmts), name)
		for i := range got {
			assert.Equal(t, sc.Stmts[i], got[i], "%s:%d", name, sc.Stmts[i].Line)
		}
	}
}

// Statements with what the encoding treats apart: quoted strings with an
// escaped quote (not in the line as written), comments, blank lines,
// options, an HRESULT, expect order and enumjobs.
func TestPlanKeepsEveryKindOfString(t *testing.T) {
	src := "version 10.3\n\n# a comment\nuser alice\nstart A as alice   # trailing comment\n" +
		"remote http://s/f size=10 status=404\n" +
		"A: create j1 download \"say \\\"hi\\\" twice\"\n" +
		"A: create j2\n" +
		"A: setdescription j1 \"a \\\"quoted\\\" word\"\n" +
		"  A: setnotifyinterface j1 fails on=JobError   \n" +
		"A: cancel j2\n" +
		"A: cancel j2 -> BG_E_INVALID_STATE\n" +
		"expect order j1 JobError then j1 JobModification\n" +
		"expect enumjobs A all j1\n" +
		"expect j1 no JobTransferred -> A failed as alice\n"
	sc, err := Parse("k.bits", []byte(src))
	require.NoError(t, err)
	p, err := Prepare("k.bits", strings.NewReader(src))
	require.NoError(t, err)
	assert.Contains(t, p.strs, `say "hi" twice`, "a string the line does not have is kept whole")
	got, err := readPlan(p, "k.bits", []byte(src))
	require.NoError(t, err)
	require.Len(t, got, len(sc.Stmts))
	for i := range got {
		assert.Equal(t, sc.Stmts[i], got[i], "line %d", sc.Stmts[i].Line)
	}
}

// A source that is not the one Prepare read is an error, never a panic
// nor a silent run of something else's statements; the error names it.
func TestPlanOfAnotherSourceIsAnError(t *testing.T) {
	src := "start A as alice\nA: create j\nA: setdescription j d\nexpect j state SUSPENDED\n"
	p, err := Prepare("c.bits", strings.NewReader(src))
	require.NoError(t, err)
	for _, other := range []string{
		"",                                 // empty
		"start A as alice\nA: create j\n",  // shorter
		src + "A: suspend j\n",             // longer
		strings.Replace(src, "j", "k", -1), // the same lengths, other names
		"start A as alice\nA: create jobnumber1\nA: setdescription j d\nexpect j state SUSPENDED\n",
	} {
		_, err := RunText("c.bits", strings.NewReader(other), io.Discard, RunOptions{Plan: p})
		require.Error(t, err, "%q", other)
		assert.Contains(t, err.Error(), "c.bits changed after Prepare read it")
	}
	res, err := RunText("c.bits", strings.NewReader(src), io.Discard, RunOptions{Plan: p})
	require.NoError(t, err)
	assert.Equal(t, 1, res.CheckCount())
	assert.False(t, res.Failed(), "%v", res.Failures())
}

// Whatever the source given with a Plan, RunText returns a Result or an
// error: it never panics.
func TestPlanWithAnySourceNeverPanics(t *testing.T) {
	srcs := planSources(t)
	names := make([]string, 0, len(srcs))
	for n := range srcs {
		names = append(names, n)
	}
	plans := map[string]*Plan{}
	for n, src := range srcs {
		p, err := Prepare(n, bytes.NewReader(src))
		require.NoError(t, err)
		plans[n] = p
	}
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.SampledFrom(names).Draw(t, "plan of")
		src := append([]byte(nil), srcs[rapid.SampledFrom(names).Draw(t, "source")]...)
		for n := rapid.IntRange(0, 4).Draw(t, "edits"); n > 0 && len(src) > 0; n-- {
			i := rapid.IntRange(0, len(src)-1).Draw(t, "at")
			switch rapid.IntRange(0, 2).Draw(t, "edit") {
			case 0:
				src[i] = rapid.SampledFrom([]byte(" \nj#\"x")).Draw(t, "byte")
			case 1:
				src = append(src[:i], src[i+1:]...)
			default:
				src = append(src[:i], append([]byte("x"), src[i:]...)...)
			}
		}
		p := plans[name]
		sc := p.header
		if sc.Automatic {
			t.Skip("the automatic clock waits for callbacks in real time")
		}
		_, _ = RunText(name, bytes.NewReader(src), io.Discard, RunOptions{Plan: p})
	})
}

// A job the script no longer names keeps its name in the log while it
// may still notify (here a transfer that fails twice, then succeeds after
// an advance); a finished one may be forgotten: the log is the same as
// without the Plan.
func TestPlanKeepsTheNamesOfJobsThatMayStillNotify(t *testing.T) {
	src := `start A as alice
remote http://s/slow transient=2
remote http://s/f
A: create late
A: addfile late http://s/slow C:\late
A: setminretrydelay late 60s
A: setnotifyinterface late complete
A: resume late
A: create done
A: addfile done http://s/f C:\done
A: setnotifyinterface done complete
A: resume done
advance 10m
expect JobTransferred x2
`
	p, err := Prepare("n.bits", strings.NewReader(src))
	require.NoError(t, err)
	var with, without bytes.Buffer
	res, err := RunText("n.bits", strings.NewReader(src), &with, RunOptions{Plan: p})
	require.NoError(t, err)
	assert.False(t, res.Failed(), "%v", res.Failures())
	_, err = RunText("n.bits", strings.NewReader(src), &without, RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, without.String(), with.String())
	assert.Contains(t, with.String(), "JobTransferred late", "the late job's notification, after its last mention, is named")
}
