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

// run parses src (see parse) and runs it on the simulator.
func run(t *testing.T, src string) *scenario.Result {
	t.Helper()
	res, err := scenario.Run(parse(t, src))
	require.NoError(t, err)
	return res
}

// eachExample runs f as a subtest for every file of examples/, read and
// parsed, and returns how many there are.
func eachExample(t *testing.T, f func(t *testing.T, path string, data []byte, sc *scenario.Script)) int {
	t.Helper()
	files, err := filepath.Glob("../examples/*.bits")
	require.NoError(t, err)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			sc, err := scenario.Parse(path, data)
			require.NoError(t, err)
			f(t, path, data, sc)
		})
	}
	return len(files)
}

// assertHolds reports every failed check of res.
func assertHolds(t *testing.T, path string, res *scenario.Result) {
	t.Helper()
	for _, c := range res.Failures() {
		t.Errorf("%s:%d: %s: expected %s, seen %s", path, c.Line, c.Text, c.Want, c.Got)
	}
}

func TestEveryExampleHolds(t *testing.T) {
	n := eachExample(t, func(t *testing.T, path string, _ []byte, sc *scenario.Script) {
		res, err := scenario.Run(sc)
		require.NoError(t, err)
		assert.NotEmpty(t, res.Checks, "an example checks something")
		assertHolds(t, path, res)
	})
	assert.GreaterOrEqual(t, n, 11, "at least one example per rule family")
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
	assert.Equal(t, "1 delivery", res.Checks[0].Got)
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
	for _, want := range []string{"A", "B", "BITS service", "Notifier#1", "RPC_S_SERVER_UNAVAILABLE", "JobTransferred job1\nS_OK",
		"crash", "✓ line 18: expect job1 JobTransferred -> A x1 failed"} {
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
		if len(sc.Stmts) > 200 || sc.Automatic {
			return // keep runs short: an await on the automatic clock may wait 10 s
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

func TestNewStatementErrorsAreLocated(t *testing.T) {
	head := "start A as alice\nA: create j\n"
	cases := []struct{ src, want string }{
		{head + "expect since m1 no JobTransferred\n", `test.bits:3:14: unknown mark "m1" (at "m1"); set it first: mark m1`},
		{head + "mark m\nmark m\n", `test.bits:4:6: mark "m" already set (at "m"); give the new mark another name`},
		{head + "expect order j JobTransferred\n", `test.bits:3:8: expect order needs at least two events (at "order"); write e.g. expect order job1 FileTransferred then job1 JobTransferred`},
		{head + "expect order j JobTransferred then\n", `test.bits:3:31: expect order needs an event before and after each then (at "then")`},
		{head + "expect j bytes 10\n", `test.bits:3:16: not a count of the form TRANSFERRED/TOTAL (at "10"); write e.g. 1024/4096 (bytes may be N/unknown)`},
		{head + "expect j error BG_E_NOPE\n", `test.bits:3:16: not an HRESULT (at "BG_E_NOPE")`},
		{head + "expect j error BG_E_HTTP_ERROR_404 SOMEWHERE\n", `test.bits:3:36: unknown error context (at "SOMEWHERE")`},
		{head + "expect j property COLOUR red\n", `test.bits:3:19: unknown job property (at "COLOUR")`},
		{head + "A: setproperty j DYNAMIC_CONTENT maybe\n", `test.bits:3:34: DYNAMIC_CONTENT takes true or false, not "maybe" (at "maybe"); write true or false`},
		{head + "expect enumjobs Z j\n", `test.bits:3:17: unknown app "Z" (at "Z")`},
		{head + "A: setnotifyinterface j on=JobTransferred\n", `on selects the calls that fail or hold: add fails, failfirst=N, return=HRESULT or hold`},
		{head + "A: setnotifyinterface j fails on=JobTransferred:2\n", `"JobTransferred:2": only FileTransferred and FileRangesTransferred take a file number (from 1)`},
		{head + "A: setnotifyinterface j return=NOPE\n", `return takes an HRESULT (S_FALSE, E_FAIL, 0x80070005), not "NOPE"`},
		{head + "A: setnotifyinterface j iface=full\n", `iface is basic, file, ranges or none, not "full"`},
		{head + "A: setnotifycmdline j C:\\p.exe does=reboot\n", `a program does complete or cancel, not "reboot"`},
		{head + "expect j JobTransferred file C:\\x\n", `only FileTransferred and FileRangesTransferred are for a file`},
		{head + "A: enumjobs mine\n", `enumjobs takes only the word all`},
		{"# only a comment\n", `test.bits:1:1: empty scenario: it has no statements`},
		{"clock automatic\n" + head + "advance 1m\n", `test.bits:4:9: advance needs the manual clock (at "1m")`},
		{"clock automatic\n" + head + "await held Z 4\n", `test.bits:4:12: unknown app or class "Z" (at "Z")`},
		{"clock automatic\n" + head + "expect inflight alice many\n", `test.bits:4:23: not a count (at "many")`},
		{"clock sundial\n", `test.bits:1:7: unknown clock (at "sundial")`},
		{head + "expect j priority URGENT\n", `test.bits:3:19: not a value for priority (at "URGENT"); use FOREGROUND, HIGH, NORMAL or LOW`},
		{head + "expect j retrydelay soon\n", `test.bits:3:21: not a value for retrydelay (at "soon")`},
		{head + "expect j file 0 peer true\n", `test.bits:3:15: not a file number (at "0")`},
		{head + "expect j file 1 colour red\n", `test.bits:3:17: unknown file property (at "colour"); check validation, peer, completed, bytes, ranges, tempdir, local or remote`},
		{head + "expect j file 1 ranges 0-100\n", `test.bits:3:24: not a value for ranges (at "0-100")`},
		{head + "A: addfileranges j http://s/f C:\\f 10\n", `a range is OFFSET+LENGTH or OFFSET+EOF, not "10"`},
		{head + "A: setvalidation j 1 maybe\n", `test.bits:3:22: not true or false (at "maybe")`},
	}
	for _, c := range cases {
		_, err := scenario.Parse("test.bits", []byte(c.src))
		var se *scenario.SyntaxError
		if assert.True(t, errors.As(err, &se), "%q: %v", c.src, err) {
			assert.Contains(t, err.Error(), c.want)
		}
	}
}

// The statements of the rulebook, checked with the new expectations; each
// expected value is the rule's statement, written literally.
func TestNewExpectationsFollowTheRules(t *testing.T) {
	// DELIV-FILE-BEFORE-JOB: FileTransferred for each file comes before
	// JobTransferred. CMD-USER-CONTEXT: the program runs as the user who set it.
	res := run(t, `user alice
start A as alice
remote http://s/a size=100
remote http://s/b size=300
A: create j
A: addfile j http://s/a C:\a
A: addfile j http://s/b C:\b
A: setnotifyflags j JOB_TRANSFERRED|FILE_TRANSFERRED
A: setnotifyinterface j
A: resume j
expect order j FileTransferred file C:\a then j FileTransferred file C:\b then j JobTransferred
expect order j JobTransferred then j FileTransferred file C:\a
expect j FileTransferred -> A as alice x2
expect j FileTransferred -> A as bob
expect j bytes 400/400
expect j files 2/2
expect j files 1/2
expect j error none
`)
	var got []bool
	for _, c := range res.Checks {
		got = append(got, c.OK)
	}
	assert.Equal(t, []bool{true, false, true, false, true, true, false, true}, got)
	assert.Equal(t, "1/2", res.Checks[6].Want)
	assert.Equal(t, "2/2", res.Checks[6].Got)
}

func TestMarksCountOnlyWhatFollows(t *testing.T) {
	// DELIV-RETRY-UNTIL-OK: a failing JobTransferred is called again after
	// the retry delay until it succeeds.
	res := run(t, `start A as alice
remote http://s/f
A: create j
A: addfile j http://s/f C:\f
A: setminretrydelay j 60s
A: setnotifyinterface j failfirst=3
A: resume j
advance 60s
mark m
expect since m no JobTransferred failed
advance 60s
expect since m JobTransferred failed x1
advance 60s
expect since m JobTransferred x1
expect j JobTransferred failed x3
`)
	for _, c := range res.Checks {
		assert.True(t, c.OK, "%s: want %s, got %s", c.Text, c.Want, c.Got)
	}
	assert.Len(t, res.Checks, 4)
}

func TestCallbackBehavioursPerMethod(t *testing.T) {
	// DELIV-SFALSE-SUCCESS: S_FALSE is a success. DELIV-RETRY-UNTIL-OK for
	// a JobError that fails with any HRESULT.
	res := run(t, `start A as alice
remote http://s/gone status=404
A: create j
A: addfile j http://s/gone C:\f
A: setnotifyinterface j return=0x80070005 on=JobError
A: resume j
expect j JobError -> A failed x1
expect j state ERROR
A: create k
A: addfile k http://s/gone C:\g
A: setnotifyinterface k return=S_FALSE
A: resume k
expect k JobError -> A x1
`)
	for _, c := range res.Checks {
		assert.True(t, c.OK, "%s: want %s, got %s", c.Text, c.Want, c.Got)
	}
	var results []string
	for _, s := range res.Steps {
		if s.Kind == scenario.StepNotify {
			results = append(results, s.Result.String())
		}
	}
	assert.Equal(t, []string{"E_ACCESSDENIED", "S_FALSE"}, results)
}

func TestVariantStatement(t *testing.T) {
	src := "variant PREC-FAILURE-KEEPS-OBJECT falls-back-to-clsid\nstart A as alice\nA: create j\n"
	sc, err := scenario.Parse("test.bits", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, "falls-back-to-clsid", sc.Variants()["PREC-FAILURE-KEEPS-OBJECT"])
	for _, c := range []struct{ src, want string }{
		{"variant PREC-FAILURE-KEEPS-OBJECT nope\n", `test.bits:1:35: rule PREC-FAILURE-KEEPS-OBJECT has no variant "nope" (want one of keeps-object, falls-back-to-clsid) (at "nope")`},
		{"variant PREC-FAILURE-KEEPS-OBJEC keeps-object\n", `test.bits:1:9: variant for unknown rule "PREC-FAILURE-KEEPS-OBJEC"; did you mean PREC-FAILURE-KEEPS-OBJECT?`},
		{"start A as alice\nvariant PREC-FAILURE-KEEPS-OBJECT keeps-object\n", `test.bits:2:1: variant must come before every statement but version and seed`},
		{"variant PREC-OBJECT-FIRST x\n", `test.bits:1:9: rule PREC-OBJECT-FIRST has no variants`},
	} {
		_, err := scenario.Parse("test.bits", []byte(c.src))
		var se *scenario.SyntaxError
		if assert.True(t, errors.As(err, &se), "%q: %v", c.src, err) {
			assert.Contains(t, err.Error(), c.want)
		}
	}
}

// Control characters in names reach no terminal and break no XML.
func TestControlCharactersAreNeutralised(t *testing.T) {
	src := "user \"al\x1b[31mice\"\nstart \"A\x1b]0;pwned\x07\" as \"al\x1b[31mice\"\n" +
		"A\x1b]0;pwned\x07: create \"j\x1b[2J\"\nexpect \"j\x1b[2J\" state TRANSFERRED\n"
	res := run(t, src)
	require.True(t, res.Failed())
	var text, mermaid, svg, js bytes.Buffer
	require.NoError(t, res.WriteText(&text))
	require.NoError(t, res.WriteMermaid(&mermaid))
	require.NoError(t, res.WriteSVG(&svg))
	require.NoError(t, res.WriteJSON(&js))
	for name, out := range map[string]string{"text": text.String(), "mermaid": mermaid.String(), "svg": svg.String(), "summary": res.Summary()} {
		assert.NotContains(t, out, "\x1b", name)
		assert.NotContains(t, out, "\x07", name)
	}
	assert.Contains(t, text.String(), `j\x1b[2J`, "shown, escaped")
	dec := xml.NewDecoder(&svg)
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "valid XML")
	}
	var decoded []any
	require.NoError(t, json.Unmarshal([]byte("["+js.String()+"]"), &decoded), "JSON escapes them itself")
}
