package scenario_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// failedLines returns the lines of res's failed checks.
func failedLines(res *scenario.Result) []int {
	var out []int
	for _, c := range res.Failures() {
		out = append(out, c.Line)
	}
	return out
}

// checkedLines returns the lines of res's checks, passed or not.
func checkedLines(res *scenario.Result) []int {
	var out []int
	for _, c := range res.Checks {
		out = append(out, c.Line)
	}
	return out
}

// STATE-RESUME-QUEUED: Resume moves a job to QUEUED; the work due then
// transfers it. Under settle off the script sees the QUEUED job; settle
// does the work once, settle on after every statement again.
func TestSettleOffLeavesTheWorkToTheScript(t *testing.T) {
	res := run(t, `start A as alice
remote http://s/f.bin size=2048
A: create j
A: addfile j http://s/f.bin C:\dl\j.bin
settle off
A: resume j
expect j state QUEUED
expect j state QUEUED
settle
expect j state TRANSFERRED
A: create k
A: addfile k http://s/f.bin C:\dl\k.bin
A: resume k
expect k state QUEUED
settle on
expect k state TRANSFERRED
A: create m
A: addfile m http://s/f.bin C:\dl\m.bin
A: resume m
expect m state TRANSFERRED
`)
	assert.Empty(t, res.Failures())
	assert.Equal(t, 6, res.CheckCount())

	// Without settle off the runner does the work after resume: the
	// same expectation fails, so the statement is what makes it hold.
	res = run(t, `start A as alice
remote http://s/f.bin size=2048
A: create j
A: addfile j http://s/f.bin C:\dl\j.bin
A: resume j
expect j state QUEUED
`)
	assert.Equal(t, []int{6}, failedLines(res))
}

// The work of advance is its own: under settle off it still happens.
func TestSettleOffLeavesAdvanceAlone(t *testing.T) {
	res := run(t, `start A as alice
remote http://s/f.bin size=2048 rate=1024
A: create j
A: addfile j http://s/f.bin C:\dl\j.bin
settle off
A: resume j
expect j bytes 0/unknown
advance 1s
expect j bytes 1024/2048
`)
	assert.Empty(t, res.Failures())
}

func TestSettleOffNeedsVirtualTime(t *testing.T) {
	sc := parse(t, "start A as alice\nA: create j\nsettle off\nA: resume j\n")
	assert.True(t, sc.Needs().VirtualTime, "a state before the work is done holds only where the work waits")
	assert.False(t, parse(t, "start A as alice\nA: create j\nsettle\nsettle on\n").Needs().VirtualTime,
		"settle and settle on do what the runner does anyway")

	realTime := plain{Backend: newSimBackend(t, sim.Options{}), caps: harness.Capabilities{Version: model.BITS10_3}}
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: realTime})
	require.NoError(t, err)
	assert.Contains(t, res.Skipped, "virtual time")

	guarded := parse(t, "start A as alice\nA: create j\nwhen has virtual-time\n  settle off\n  A: resume j\n  expect j state QUEUED\nend\n")
	assert.False(t, guarded.Needs().VirtualTime)
	res, err = scenario.RunWith(guarded, scenario.RunOptions{Backend: realTime})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped, "the block does not run there")
}

func TestLanguageErrorsAreLocated(t *testing.T) {
	head := "start A as alice\nA: create j\n"
	for _, tc := range []struct{ src, want string }{
		{head + "settle sideways\n", `test.bits:3:8: expected "off" or "on" (at "sideways"); write settle off, settle on, or settle alone`},
		{head + "settle off now\n", `test.bits:3:12: settle takes 0 to 1 arguments (at "now")`},
		{"clock automatic\n" + head + "settle off\n", `test.bits:4:1: settle needs the manual clock (at "settle")`},
		{head + "A: settle\n", `settle is not an app's call`},
		{head + "setle off\n", `test.bits:3:1: unknown verb (at "setle")`},
		{head + "when variant PERSIST-REDELIVER is alll\nend\n", `test.bits:3:35: rule PERSIST-REDELIVER has no variant "alll" (want one of only-undelivered, all-after-restart) (at "alll")`},
		{head + "when variant FILE-FIFO is fast\nend\n", `test.bits:3:14: rule FILE-FIFO has no variants (at "FILE-FIFO")`},
		{head + "when variant PERSIST-REDELIVR is all-after-restart\nend\n", `(at "PERSIST-REDELIVR")`},
		{head + "when variant PERSIST-REDELIVER as all-after-restart\nend\n", `test.bits:3:32: a when on a reading is "when variant RULE-ID is NAME" (at "as")`},
		{head + "when has scripted-remote\nend\n", `unknown capability "scripted-remote" (use clsid, cmdline, restart, crash, users, virtual-time, network, powerloss, localfiles, com or scripted-remotes)`},
		{head + "expect j files in disorder\n", `test.bits:3:19: expect files takes one value (at "disorder")`},
		{head + "expect j protocol\n", `test.bits:3:10: expect protocol takes one value (at "protocol")`},
		{head + "await held A many\n", `test.bits:3:14: not a count (at "many")`},
	} {
		_, err := scenario.Parse("test.bits", []byte(tc.src))
		if assert.Error(t, err, tc.src) {
			assert.Contains(t, err.Error(), tc.want, tc.src)
		}
	}
}

// One script follows the readings of two open rules at once: each when
// variant block runs only under its reading, whichever way the run gets
// it (RunOptions.Variants, or the backend's).
func TestWhenVariantFollowsTheRunsReadings(t *testing.T) {
	sc := parse(t, `start A as alice
A: create j
when variant PERSIST-REDELIVER is all-after-restart
  when variant FLAGS-CHECKED-AT-DISPATCH is at-event
    expect j state SUSPENDED
  else
    expect j state SUSPENDED
  end
else
  expect j state SUSPENDED
end
`)
	assert.Nil(t, sc.Variants(), "a when variant is no variant statement: the script holds under every reading")
	for _, tc := range []struct {
		sel  rules.Selection
		line int
		log  string
	}{
		{nil, 10, "when variant PERSIST-REDELIVER is all-after-restart: no (PERSIST-REDELIVER=only-undelivered)"},
		{rules.Selection{"PERSIST-REDELIVER": "all-after-restart"}, 7, "when variant FLAGS-CHECKED-AT-DISPATCH is at-event: no (FLAGS-CHECKED-AT-DISPATCH=at-dispatch)"},
		{rules.Selection{"PERSIST-REDELIVER": "all-after-restart", "FLAGS-CHECKED-AT-DISPATCH": "at-event"}, 5,
			"when variant FLAGS-CHECKED-AT-DISPATCH is at-event: yes (FLAGS-CHECKED-AT-DISPATCH=at-event)"},
	} {
		res, err := scenario.RunWith(sc, scenario.RunOptions{Variants: tc.sel})
		require.NoError(t, err)
		assert.Equal(t, []int{tc.line}, checkedLines(res), "%v", tc.sel)
		var labels []string
		for _, s := range res.Steps {
			labels = append(labels, s.Label)
		}
		assert.Contains(t, labels, tc.log, "%v: the log says which branch ran", tc.sel)

		// The same readings from the backend the script runs on.
		so := sim.Options{Variants: tc.sel}
		res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: newSimBackend(t, so), Variants: tc.sel})
		require.NoError(t, err)
		assert.Equal(t, []int{tc.line}, checkedLines(res), "backend %v", tc.sel)
	}

	// A backend that follows another reading than the run's is skipped:
	// the blocks would check what it does not do.
	other := newSimBackend(t, sim.Options{Variants: rules.Selection{"PERSIST-REDELIVER": "all-after-restart"}})
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: other})
	require.NoError(t, err)
	assert.Equal(t, "needs variant only-undelivered of PERSIST-REDELIVER (the backend follows all-after-restart)", res.Skipped)
}

// FILE-ERROR-PROTOCOL: "http" for an http:// remote name, "file" for an
// SMB one; expect JOB protocol fails on another.
func TestExpectProtocol(t *testing.T) {
	res := run(t, `start A as alice
remote http://s/gone.bin status=404
remote \\server\share\gone.bin status=404
A: create web
A: addfile web http://s/gone.bin C:\dl\web.bin
A: resume web
expect web protocol http
expect web protocol HTTP
expect web protocol file
A: create smb
A: addfile smb \\server\share\gone.bin C:\dl\smb.bin
A: resume smb
expect smb protocol file
expect smb protocol http
A: create ok
expect ok protocol none
`)
	assert.Equal(t, []int{9, 14, 16}, failedLines(res))
	f := res.Failures()
	assert.Equal(t, "http", f[0].Got)
	assert.Equal(t, "file", f[1].Got)
	assert.Contains(t, f[2].Got, "BG_E_ERROR_INFORMATION_UNAVAILABLE", "no error: GetError's HRESULT")
}

// A remote of the backend's own stands for an http:// remote of the
// script; an SMB name needs a backend that serves it, and a when has
// scripted-remotes block runs only there.
func TestRemoteFormsOnABackendWithoutScriptedRemotes(t *testing.T) {
	ownRemotes := func() plain {
		b := newSimBackend(t, sim.Options{})
		return plain{Backend: b, caps: b.Capabilities()}
	}
	smb := parse(t, "start A as alice\nremote \\\\server\\share\\gone.bin status=404\n")
	res, err := scenario.RunWith(smb, scenario.RunOptions{Backend: ownRemotes()})
	require.NoError(t, err)
	assert.Equal(t, "needs scripted remotes (harness.RemoteScripter)", res.Skipped)

	sc := parse(t, `start A as alice
remote http://s/gone.bin status=404
A: create web
A: addfile web http://s/gone.bin C:\dl\web.bin
A: resume web
expect web protocol http
when has scripted-remotes
  remote \\server\share\gone.bin status=404
  A: create smb
  A: addfile smb \\server\share\gone.bin C:\dl\smb.bin
  A: resume smb
  expect smb protocol file
end
`)
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: ownRemotes()})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	assert.Equal(t, []int{6}, checkedLines(res), "the http:// part only")
	assert.Empty(t, res.Failures())

	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: newSimBackend(t, sim.Options{})})
	require.NoError(t, err)
	assert.Equal(t, []int{6, 12}, checkedLines(res))
	assert.Empty(t, res.Failures())

	fresh := newSimBackend(t, sim.Options{})
	smbOwn := smbRemotes{plain: plain{Backend: fresh, caps: fresh.Capabilities()}}
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: smbOwn})
	require.NoError(t, err)
	require.NotEmpty(t, res.Failures(), "a backend whose own remote is SMB cannot stand for an http:// one")
	assert.Contains(t, res.Failures()[0].Got, `is not http://`)

	// A script that does not read the protocol runs on such a backend (as
	// on winbits, whose own plain remotes are local files).
	plainScript, err := scenario.Parse("p.bits", []byte(`user alice
start A as alice
remote http://s/f.bin size=2048
A: create j
A: addfile j http://s/f.bin C:\dl\f.bin
A: resume j
expect j state TRANSFERRED
`))
	require.NoError(t, err)
	fresh = newSimBackend(t, sim.Options{})
	res, err = scenario.RunWith(plainScript, scenario.RunOptions{Backend: smbRemotes{plain: plain{Backend: fresh, caps: fresh.Capabilities()}}})
	require.NoError(t, err)
	require.Empty(t, res.Skipped)
	assert.Empty(t, res.Failures())
	assert.Equal(t, []int{7}, checkedLines(res))
}

// smbRemotes makes remotes of the backend's own with SMB names.
type smbRemotes struct{ plain }

func (b smbRemotes) Remote(kind harness.RemoteKind, size uint64) (string, error) {
	url, err := b.plain.Remote(kind, size)
	return `\\server\share\` + strings.TrimPrefix(url, "http://"), err
}
