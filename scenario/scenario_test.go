package scenario_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/scenario"
)

func run(t *testing.T, src string) *scenario.Result {
	t.Helper()
	sc, err := scenario.Parse("test.bits", []byte(src))
	require.NoError(t, err)
	res, err := scenario.Run(sc)
	require.NoError(t, err)
	return res
}

func TestEveryExampleHolds(t *testing.T) {
	files, err := filepath.Glob("../examples/*.bits")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 11, "at least one example per rule family")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			sc, err := scenario.Parse(f, data)
			require.NoError(t, err)
			res, err := scenario.Run(sc)
			require.NoError(t, err)
			assert.NotEmpty(t, res.Checks, "an example checks something")
			for _, c := range res.Failures() {
				t.Errorf("%s:%d: %s: expected %s, seen %s", f, c.Line, c.Text, c.Want, c.Got)
			}
		})
	}
}

func TestExamplesCoverEveryFamily(t *testing.T) {
	files, err := filepath.Glob("../examples/*.bits")
	require.NoError(t, err)
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		all.Write(data)
	}
	for _, fam := range []string{"FLAGS-", "OBJ-", "CLSID-", "PREC-", "CMD-", "DELIV-", "STATE-", "PERSIST-", "SEC-", "LIMIT-", "FILE-"} {
		assert.Contains(t, all.String(), fam, "no example names a %s rule", fam)
	}
}

func TestSyntaxErrorsAreLocated(t *testing.T) {
	cases := []struct {
		src  string
		want string
	}{
		{"start A as alice\nA: resme job1\n", `test.bits:2:4: unknown verb (at "resme"); did you mean "resume"?`},
		{"A: resume job1\n", `test.bits:1:1: unknown app "A" (at "A:"); start it first: start A as USER`},
		{"start A as alice\nA: resume job1\n", `test.bits:2:11: unknown job "job1" (at "job1"); create it first: APP: create job1`},
		{"start A as alice\nA: create j\nA: setnotifyflags j JOB_DONE\n", `test.bits:3:21: not notify flags (at "JOB_DONE"); write e.g. JOB_TRANSFERRED|JOB_ERROR or 0x3`},
		{"advance soon\n", `test.bits:1:9: not a duration (at "soon"); write e.g. 30s, 10m, 2h or 90d`},
		{"start A alice\n", `test.bits:1:9: start takes 3 argument(s) (at "alice"); usage: start APP as USER`},
		{"start A by alice\n", `test.bits:1:9: expected "as" (at "by"); write start A as USER`},
		{"start A as alice\nA: create j\nA: cancel j -> BG_E_NOPE\n", `test.bits:3:16: not an HRESULT (at "BG_E_NOPE"); use a name like BG_E_INVALID_STATE or a value like 0x80200002`},
		{"start A as alice\nA: create j\nexpect j state DONE\n", `test.bits:3:16: unknown job state (at "DONE"); use QUEUED, CONNECTING, TRANSFERRING, SUSPENDED, ERROR, TRANSIENT_ERROR, TRANSFERRED, ACKNOWLEDGED or CANCELLED`},
		{"remote http://x status=999\n", `test.bits:1:8: status takes an HTTP status 100-599, not "999" (at "http://x"); usage: remote URL [size=N] [rate=N] [latency=D] [status=NNN] [transient=N] [attempts=503,503,404,200] [peer]`},
		{"start A as alice\nA: create j \"unterminated\n", `test.bits:2:13: unterminated string (at "\"unterminated"); close it with a double quote; write \" for a quote inside`},
		{"restart now\n", `test.bits:1:9: restart takes 0 argument(s) (at "now"); usage: restart`},
		{"start A as alice\nversion 5.0\n", `test.bits:2:1: version must come before every other statement (at "version"); move it to the top of the script`},
		{"start A as alice\nA: create j\nA: setnotifyclsid j Nobody\n", `test.bits:3:21: unknown class "Nobody" (at "Nobody"); declare it with: class Nobody, or write NULL or a GUID`},
		{"restart -> E_FAIL\n", `test.bits:1:9: only app calls return an HRESULT (at "->"); remove "-> E_FAIL"`},
		{"user alice\nuser ALICE admin\n", `test.bits:2:6: user "ALICE" is already declared (account names ignore case) (at "ALICE"); declare each user once`},
		{"user sam\nuser ſam\n", `test.bits:2:6: user "ſam" is already declared (account names ignore case) (at "ſam"); declare each user once`},
	}
	for _, c := range cases {
		_, err := scenario.Parse("test.bits", []byte(c.src))
		var se *scenario.SyntaxError
		if assert.True(t, errors.As(err, &se), "%q: %v", c.src, err) {
			assert.Equal(t, c.want, err.Error())
		}
	}
}

func TestFailedExpectationSaysWhatWasExpectedAndSeen(t *testing.T) {
	res := run(t, `start A as alice
A: create j
expect j state TRANSFERRED
A: resume j
`)
	require.True(t, res.Failed())
	f := res.Failures()
	require.Len(t, f, 2)
	assert.Equal(t, 3, f[0].Line)
	assert.Equal(t, "TRANSFERRED", f[0].Want)
	assert.Equal(t, "SUSPENDED", f[0].Got)
	assert.Equal(t, 4, f[1].Line, "an unexpected failure of a call is a failed check")
	assert.Equal(t, "success", f[1].Want)
	assert.Contains(t, f[1].Got, "BG_E_EMPTY")
	assert.Contains(t, f[1].Got, `write "-> BG_E_EMPTY" to expect it`)
}

func TestCountsAndTargets(t *testing.T) {
	res := run(t, `start A as alice
class N
remote http://s/f
A: create j
A: addfile j http://s/f C:\f
A: setnotifyclsid j N
A: resume j
expect j JobTransferred -> N x2
expect j no JobTransferred -> N
expect j JobTransferred -> N#1 x1
expect j JobTransferred x1
`)
	var got []bool
	for _, c := range res.Checks {
		got = append(got, c.OK)
	}
	assert.Equal(t, []bool{false, false, true, true}, got)
	assert.Equal(t, "2 deliveries", res.Checks[0].Want)
	assert.Equal(t, "1 deliveries", res.Checks[0].Got)
}

func TestSVGIsWellFormed(t *testing.T) {
	data, err := os.ReadFile("../examples/06-object-dies-clsid-takes-over.bits")
	require.NoError(t, err)
	sc, err := scenario.Parse("seed", data)
	require.NoError(t, err)
	res, err := scenario.Run(sc)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, res.WriteSVG(&buf))
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var texts []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
			texts = append(texts, string(cd))
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"A", "B", "BITS service", "Notifier#1", "RPC_S_SERVER_UNAVAILABLE", "JobTransferred job1 = S_OK"} {
		assert.Contains(t, all, want)
	}
}

func TestMermaidAndJSON(t *testing.T) {
	res := run(t, `start A as alice
remote http://s/f
A: create j
A: addfile j http://s/f C:\f
A: setnotifyinterface j
A: resume j
crash A
`)
	var m bytes.Buffer
	require.NoError(t, res.WriteMermaid(&m))
	assert.True(t, strings.HasPrefix(m.String(), "sequenceDiagram\n"))
	assert.Contains(t, m.String(), "participant p_BITS as BITS service")
	assert.Contains(t, m.String(), "p_BITS->>p_A: t+0s JobTransferred j = S_OK")
	assert.Contains(t, m.String(), "Note over p_A: t+0s crash")
	var j bytes.Buffer
	require.NoError(t, res.WriteJSON(&j))
	var decoded struct {
		OK    bool
		Steps []struct{ Kind, At, Result string }
	}
	require.NoError(t, json.Unmarshal(j.Bytes(), &decoded))
	assert.True(t, decoded.OK)
	require.Len(t, decoded.Steps, len(res.Steps))
	assert.Equal(t, "control", decoded.Steps[0].Kind)
	assert.Equal(t, "0s", decoded.Steps[0].At)
	assert.Equal(t, "call", decoded.Steps[1].Kind)
	assert.Equal(t, "S_OK", decoded.Steps[1].Result)
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../examples/*.bits")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("start A as \"x\\\"\nA: create j -> \n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sc, err := scenario.Parse("fuzz.bits", src)
		if err != nil {
			var se *scenario.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("a parse error is not a SyntaxError: %v", err)
			}
			return
		}
		if len(sc.Stmts) > 200 {
			return // keep runs short
		}
		if _, err := scenario.Run(sc); err != nil {
			t.Fatalf("a parsed scenario failed to run: %v", err)
		}
	})
}

// Expectations still read a job after the app that created it ended.
func TestExpectAfterCreatorExited(t *testing.T) {
	res := run(t, "start A as alice\nA: create j\nexit A\nexpect j state SUSPENDED\nexpect j state SUSPENDED\n")
	for _, c := range res.Checks {
		assert.True(t, c.OK, "%s: expected %s, seen %s", c.Text, c.Want, c.Got)
	}
	assert.Len(t, res.Checks, 2)
}

// The README's tour of the language is examples/tour.bits, word for word.
func TestReadmeTourIsAnExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	tour, err := os.ReadFile("../examples/tour.bits")
	require.NoError(t, err)
	var body []string
	for _, line := range strings.Split(string(tour), "\n") {
		if !strings.HasPrefix(line, "# ") {
			body = append(body, line)
		}
	}
	assert.Contains(t, string(readme), "```\n"+strings.Join(body, "\n")+"```")
}
