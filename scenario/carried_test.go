package scenario_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// failuresByLine maps each failed check's line to it.
func failuresByLine(res *scenario.Result) map[int]scenario.Check {
	out := map[int]scenario.Check{}
	for _, c := range res.Failures() {
		out[c.Line] = c
	}
	return out
}

// A launch's program and parameters, as the backend recorded them
// (CMD-NO-SHELL: passed unchanged, %SystemRoot% not expanded).
func TestExpectWhatALaunchReceived(t *testing.T) {
	res := run(t, `user alice
start A as alice
remote http://s/f size=100
A: create j
A: addfile j http://s/f C:\dl\f
A: setnotifycmdline j C:\n.exe "C:\n.exe %SystemRoot% \"two words\" | more"
A: resume j
expect j CommandLine x1 program C:\n.exe parameters "C:\n.exe %SystemRoot% \"two words\" | more"
expect j CommandLine x1 program C:\n.exe
expect j CommandLine program C:\n.exe parameters "C:\n.exe C:\Windows \"two words\" | more"
expect j no CommandLine program C:\other.exe
expect order j JobTransferred then j CommandLine program C:\n.exe
`)
	f := failuresByLine(res)
	require.Len(t, f, 2, "%v", res.Failures())
	assert.Equal(t, "at least one of the deliveries", f[10].Want)
	assert.Equal(t, "no deliveries", f[10].Got, "the parameters arrived unexpanded")
	assert.Contains(t, f[12].Got, "never", "no JobTransferred: the job has no object")
}

// The ranges of each FileRangesTransferred (DELIV-RANGES-REPORTED: 0-300
// after 100-200 is reported without it), the ranges all the calls
// reported together, and their times and spacing.
func TestExpectRangesTimesAndSpacing(t *testing.T) {
	res := run(t, `user alice
start A as alice
remote http://s/f size=2048
A: create od
A: setproperty od ON_DEMAND_MODE true
A: addfile od http://s/f C:\dl\od
A: setnotifyflags od JOB_TRANSFERRED|JOB_ERROR|FILE_RANGES_TRANSFERRED
A: setnotifyinterface od
A: requestranges od 1 100+100
advance 1s
A: requestranges od 1 0+300
advance 1s
expect od FileRangesTransferred x1 ranges 100+100 at 0s
expect od FileRangesTransferred x1 ranges 200+100,0+100 at 1s
expect od FileRangesTransferred reported 0+300 spaced 1s
expect od FileRangesTransferred reported 0+200
expect od FileRangesTransferred spaced 2s
expect od FileRangesTransferred ranges 0+300
expect od FileRangesTransferred x1 at 500ms
`)
	f := failuresByLine(res)
	require.Len(t, f, 4, "%v", res.Failures())
	assert.Equal(t, "0+200", f[16].Want)
	assert.Equal(t, "0+300", f[16].Got)
	assert.Equal(t, "every two at least 2s apart", f[17].Want)
	assert.Equal(t, "the 1st and 2nd 1s apart (at 0s and 1s)", f[17].Got)
	assert.Equal(t, "no deliveries", f[18].Got, "no call reported 0-300 whole: 100-200 was not reported twice")
	assert.Equal(t, "1 delivery", f[19].Want)
	assert.Equal(t, "no deliveries", f[19].Got)
}

// A byte reported by two calls is named.
func TestReportedTwiceIsNamed(t *testing.T) {
	res := run(t, `user alice
start A as alice
remote http://s/f size=2048
A: create od
A: setproperty od ON_DEMAND_MODE true
A: addfile od http://s/f C:\dl\od
A: setnotifyflags od JOB_TRANSFERRED|JOB_ERROR|FILE_RANGES_TRANSFERRED
A: setnotifyinterface od
A: requestranges od 1 0+100
advance 1s
A: requestranges od 1 100+100
advance 1s
expect od FileRangesTransferred reported 0+200
expect od FileRangesTransferred reported 0+100,100+100
`)
	assert.False(t, res.Failed(), "%v", res.Failures())
}

// A getter that must fail: "-> HRESULT" after the getter, through APP's
// handle with "by APP" (SEC-OWNER-ONLY: bob lost the job to an
// administrator); "-> !HRESULT" for anything but it.
func TestExpectAGetterToFail(t *testing.T) {
	res := run(t, `user bob
user root admin
start B as bob
start R as root
remote http://s/f size=100
B: create lost
B: addfile lost http://s/f C:\dl\f
R: getjob lost
R: takeownership lost
expect lost state -> E_ACCESSDENIED by B
expect lost file 1 local -> E_ACCESSDENIED by B
expect lost property ID_COST_FLAGS -> E_ACCESSDENIED by B
expect lost created -> E_ACCESSDENIED by B
expect lost state -> !E_ACCESSDENIED by R
expect lost error -> BG_E_ERROR_INFORMATION_UNAVAILABLE
expect lost state -> E_ACCESSDENIED by R
expect lost description -> !E_ACCESSDENIED by B
expect lost owner -> BG_E_NOT_FOUND by B
`)
	f := failuresByLine(res)
	require.Len(t, f, 3, "%v", res.Failures())
	assert.Equal(t, "fails with E_ACCESSDENIED", f[16].Want)
	assert.Equal(t, "success", f[16].Got)
	assert.Equal(t, "anything but E_ACCESSDENIED", f[17].Want)
	assert.Equal(t, "fails with E_ACCESSDENIED", f[17].Got)
	assert.Equal(t, "fails with BG_E_NOT_FOUND", f[18].Want)
	assert.Equal(t, "fails with E_ACCESSDENIED", f[18].Got)
}

// Custom headers, a client certificate and credentials, read back
// (SEC-TAKEOWNERSHIP-REMOVES-SECRETS, LIMIT-CUSTOM-HEADERS).
func TestSecretsStatements(t *testing.T) {
	res := run(t, `user alice
user root admin
start A as alice
start R as root
A: create j
A: setcustomheaders j "X-A: 1" "X-B: 2"
expect j headers "X-A: 1" "X-B: 2"
A: setcustomheaders j "X-A: " length=16383 fill=é
expect j headers "X-A: " length=16383 fill=é
A: setcustomheaders j "X-A: " length=16384 -> BG_E_STRING_TOO_LONG
expect j headers "X-A: " length=16383 fill=a
A: setclientcert j LOCAL_MACHINE MY "my cert"
expect j clientcert BG_CERT_STORE_LOCATION_LOCAL_MACHINE MY "my cert"
A: setcredentials j SERVER BASIC alice secret
A: setcredentials j PROXY 9 alice secret -> BG_E_INVALID_AUTH_SCHEME
R: getjob j
R: takeownership j
expect j headers none by R
expect j clientcert none by R
expect j headers -> !E_ACCESSDENIED by R
R: removecredentials j SERVER BASIC -> S_FALSE
A: create k
A: setcredentials k PROXY NTLM alice secret
A: removecredentials k PROXY NTLM -> !S_FALSE
A: removeclientcert k
expect k clientcert CURRENT_USER MY x
`)
	f := failuresByLine(res)
	require.Len(t, f, 2, "%v", res.Failures())
	assert.Equal(t, `16383 characters: "X-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"…`, f[11].Want)
	assert.Equal(t, `16383 characters: "X-A: ééééééééééééééééééééééééééééééééééééééééééééééééééééééé"…`, f[11].Got)
	assert.Equal(t, `CURRENT_USER "MY" "x"`, f[26].Want)
	assert.Contains(t, f[26].Got, "RPC_X_BAD_STUB_DATA")
}

// The secrets need a backend whose jobs have them: one without skips the
// script, before it runs; `when has httpoptions` leaves them out there.
func TestSecretsNeedHTTPOptions(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
A: create j
A: setcustomheaders j "X-A: 1"
`)
	assert.True(t, sc.Needs().HTTPOptions)
	b, err := harness.NewSim(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer b.Close()
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: noHTTPOptions{b}})
	require.NoError(t, err)
	assert.Contains(t, res.Skipped, "HTTP options")

	sc = parse(t, `user alice
start A as alice
A: create j
when has httpoptions
  A: setcustomheaders j "X-A: 1"
  expect j headers "X-A: 1"
end
`)
	assert.False(t, sc.Needs().HTTPOptions)
	b2, err := harness.NewSim(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer b2.Close()
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: noHTTPOptions{b2}})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.False(t, res.Failed())
	assert.Zero(t, res.CheckCount(), "the block does not run there")
	res = run(t, `user alice
start A as alice
A: create j
when has httpoptions
  A: setcustomheaders j "X-A: 1"
  expect j headers "X-A: 1"
end
`)
	assert.Equal(t, 1, res.CheckCount(), "the block runs on the simulator itself")
}

// noHTTPOptions is a backend whose jobs have no HTTP options.
type noHTTPOptions struct{ harness.Backend }

func (b noHTTPOptions) Capabilities() harness.Capabilities {
	c := b.Backend.Capabilities()
	c.HTTPOptions = false
	return c
}

// A notification's time from the start of the run needs virtual time.
func TestAtNeedsVirtualTime(t *testing.T) {
	sc := parse(t, "start A as alice\nA: create j\nexpect j JobModification at 1s\n")
	assert.True(t, sc.Needs().VirtualTime)
	sc = parse(t, "start A as alice\nA: create j\nexpect j JobModification spaced 1s\n")
	assert.False(t, sc.Needs().VirtualTime, "spacing holds on any clock")
}

func TestCarriedAndSecretsErrorsAreLocated(t *testing.T) {
	head := "user alice\nstart A as alice\nA: create j\n"
	for _, tc := range []struct{ src, want string }{
		{head + "expect j JobTransferred program C:\\n.exe\n", `test.bits:4:25: only CommandLine notifications have a program and parameters (at "program"); drop program C:\n.exe`},
		{head + "expect j CommandLine ranges 0+10\n", `test.bits:4:22: only FileRangesTransferred notifications have ranges (at "ranges"); drop ranges 0+10`},
		{head + "expect j FileRangesTransferred ranges 0-10\n", `test.bits:4:39: a range is OFFSET+LENGTH or OFFSET+EOF, not "0-10" (at "0-10"); write e.g. 0+100,200+100`},
		{head + "expect j JobModification at soon\n", `test.bits:4:29: not a duration (at "soon"); write e.g. 500ms, 3s or 2m`},
		{head + "expect j JobModification spaced 0s\n", `test.bits:4:33: spaced needs a duration above zero (at "0s"); write e.g. spaced 500ms`},
		{head + "expect j no JobModification spaced 1s\n", `test.bits:4:13: spaced and reported say what the notifications were: not with no (at "JobModification"); drop no, or write x0`},
		{head + "expect j JobModification spaced\n", `test.bits:4:26: spaced needs a value (at "spaced")`},
		{head + "expect order j JobModification spaced 1s then j JobTransferred\n", `an event of expect order takes no no, count, mark, spaced or reported`},
		{head + "expect j state -> E_NOPE\n", `test.bits:4:19: not an HRESULT (at "E_NOPE"); use a name like E_ACCESSDENIED or a value like 0x80070005`},
		{head + "expect j state SUSPENDED -> E_ACCESSDENIED\n", `test.bits:4:16: a getter that must fail takes no value (at "SUSPENDED"); write expect JOB state -> HRESULT`},
		{head + "expect j enum -> E_ACCESSDENIED\n", `test.bits:4:10: unknown expectation (at "enum")`},
		{head + "expect j JobTransfered -> A\n", `test.bits:4:10: unknown expectation (at "JobTransfered")`},
		{head + "expect j file 0 local -> E_ACCESSDENIED\n", `test.bits:4:15: not a file number (at "0")`},
		{head + "expect j property NOPE -> E_ACCESSDENIED\n", `test.bits:4:19: unknown job property (at "NOPE")`},
		{head + "A: setcustomheaders j \"X-A: 1\" length=3\n", `test.bits:4:23: the headers are 8 characters already, more than length=3 (at "X-A: 1")`},
		{head + "A: setcustomheaders j \"X-A: 1\" fill=é\n", `fill= pads to a length=`},
		{head + "A: setcustomheaders j \"X-A: 1\" length=100 fill=ab\n", `fill=ab is not one character`},
		{head + "A: setcustomheaders j \"X-A: 1\" size=3\n", `test.bits:4:32: unknown option "size" (at "size=3"); options here: length, fill`},
		{head + "A: setclientcert j NOWHERE MY x\n", `test.bits:4:20: unknown certificate store location "NOWHERE" (at "NOWHERE")`},
		{head + "A: setcredentials j SERVER KERBEROS u p\n", `test.bits:4:28: unknown authentication scheme "KERBEROS" (at "KERBEROS")`},
		{head + "A: removecredentials j SOMEWHERE BASIC\n", `test.bits:4:24: unknown authentication target "SOMEWHERE" (at "SOMEWHERE")`},
		{head + "expect j clientcert MY x\n", `test.bits:4:10: expect clientcert takes a store location, a store and a subject, or none (at "clientcert")`},
		{head + "expect j headers\n", `test.bits:4:10: write at least one header (at "headers")`},
		{head + "expect j JobModification spacd 1s\n", `test.bits:4:26: unexpected word (at "spacd"); did you mean "spaced"? after the kind:`},
		{head + "expect j CommandLine paramters x\n", `test.bits:4:22: unexpected word (at "paramters"); did you mean "parameters"?`},
	} {
		_, err := scenario.Parse("test.bits", []byte(tc.src))
		var se *scenario.SyntaxError
		if assert.True(t, errors.As(err, &se), "%q: %v", tc.src, err) {
			assert.Contains(t, err.Error(), tc.want, tc.src)
		}
	}
}

// Each new expectation prints as it would be written, so a failed check
// of expect order names its events, and the plan keeps every field.
func TestNewExpectationsPrintAsWritten(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
A: create j
expect order j CommandLine program C:\n.exe parameters "a b" then j FileRangesTransferred ranges 0+10 at 2s
expect j state -> !E_ACCESSDENIED by A
expect j headers "X-A: 1"
expect j clientcert CURRENT_USER MY x
`)
	var got []string
	for _, st := range sc.Stmts {
		if st.Expect != nil {
			got = append(got, st.Expect.String())
		}
	}
	assert.Equal(t, []string{
		`order j CommandLine program "C:\\n.exe" parameters "a b" then j FileRangesTransferred ranges 0+10 at 2s`,
		`j state -> !E_ACCESSDENIED`,
		`j headers "X-A: 1\r\n"`,
		`j clientcert CURRENT_USER "MY" "x"`,
	}, got)
	assert.True(t, strings.HasSuffix(sc.Stmts[len(sc.Stmts)-2].Expect.Value, "\r\n"))
}

// A launch's program and parameters are the script's own only on a
// backend that runs the script's programs (harness.ProgramScripter):
// elsewhere the runner sets programs the backend makes, with their own
// parameters, so such an expectation could not fail there; the script is
// skipped instead.
func TestLaunchExpectationsNeedTheScriptsPrograms(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
remote http://s/f size=100
A: create j
A: addfile j http://s/f C:\dl\f
A: setnotifycmdline j C:\n.exe "C:\n.exe %SystemRoot%"
A: resume j
expect j CommandLine x1 program C:\n.exe parameters "C:\n.exe %SystemRoot%"
`)
	b, err := harness.NewSim(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer b.Close()
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: plain{b, b.Capabilities()}})
	require.NoError(t, err)
	assert.Contains(t, res.Skipped, "harness.ProgramScripter")
	b2, err := harness.NewSim(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	defer b2.Close()
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: b2})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.False(t, res.Failed(), "%v", res.Failures())
}
