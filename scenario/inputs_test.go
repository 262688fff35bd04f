package scenario_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// AddFileSet, priorities outside the enumeration and IDs of no job, with
// the outcomes the rulebook states (LIMIT-UPLOAD-ONE-FILE,
// STATE-PRIORITY-INVALID, STATE-GETJOB-UNKNOWN).
func TestInputsOnlyAStatementCouldNotWrite(t *testing.T) {
	res := run(t, `user alice
start A as alice
remote http://s/f size=100
A: create job1
A: addfileset job1 http://s/f C:\dl\a http://s/f C:\dl\b
expect job1 files 0/2
A: create up upload
A: addfileset up http://s/f C:\dl\u1 http://s/f C:\dl\u2 -> BG_E_TOO_MANY_FILES
expect up files 0/0
A: setpriority job1 HIGH
A: setpriority job1 4 -> E_NOTIMPL
A: setpriority job1 0xFFFFFFFF -> E_NOTIMPL
expect job1 priority HIGH
A: getjob {0BADF00D-DEAD-4BEE-8F00-0000C0FFEE00} -> BG_E_NOT_FOUND
`)
	assert.False(t, res.Failed(), "%v", res.Failures())
	assert.Equal(t, 7, res.CheckCount())
}

func TestInputErrorsAreLocated(t *testing.T) {
	head := "start A as alice\nA: create j\n"
	for _, tc := range []struct{ src, want string }{
		{head + "A: addfileset j http://s/f C:\\a http://s/g\n", `test.bits:3:33: addfileset takes pairs of URL and local path (at "http://s/g")`},
		{head + "A: setpriority j URGENT\n", `test.bits:3:18: unknown priority (at "URGENT")`},
		{head + "A: getjob nope\n", `test.bits:3:11: unknown job "nope" (at "nope")`},
		{head + "network down\n", `test.bits:3:9: network is off or on (at "down")`},
		{head + "powerloss now\n", `test.bits:3:11: powerloss takes 0 argument(s) (at "now")`},
	} {
		_, err := scenario.Parse("test.bits", []byte(tc.src))
		if assert.Error(t, err, tc.src) {
			assert.Contains(t, err.Error(), tc.want, tc.src)
		}
	}
}

// The machine's statements need their capability, and a backend that
// declares it must implement the control interface too.
func TestMachineStatementsNeedTheirControl(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
network off
network on
powerloss
lockfile C:\dl\f
unlockfile C:\dl\f
`)
	need := sc.Needs()
	assert.True(t, need.Network)
	assert.True(t, need.PowerLoss)
	assert.True(t, need.LocalFiles)

	b := newSimBackend(t, sim.Options{})
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: b})
	require.NoError(t, err)
	assert.Empty(t, res.Skipped)
	assert.False(t, res.Failed(), "%v", res.Failures())

	caps := b.Capabilities()
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: plain{Backend: newSimBackend(t, sim.Options{}), caps: caps}})
	require.NoError(t, err)
	assert.Equal(t, "needs network control (harness.NetworkControl), power loss (harness.PowerControl), local file control (harness.LocalFileControl)", res.Skipped)

	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: plain{Backend: b, caps: harness.Capabilities{Version: model.BITS10_3}}})
	require.NoError(t, err)
	assert.Equal(t, "needs network control, power loss, local file control", res.Skipped)
}

// GetTimes as offsets from the start of the run: STATE-TRANSFERRED-TIME
// (the moment the job entered TRANSFERRED), none before.
func TestTimesCountFromTheStartOfTheRun(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
remote http://s/f size=2048 rate=1024
advance 5s
A: create job1
A: addfile job1 http://s/f C:\dl\f
expect job1 created 5s
expect job1 transferred none
A: resume job1
advance 10s
expect job1 transferred 7s
`)
	assert.True(t, sc.Needs().VirtualTime, "a time from the start needs the clock to move only as the script says")
	res, err := scenario.Run(sc)
	require.NoError(t, err)
	assert.False(t, res.Failed(), "%v", res.Failures())
	assert.Equal(t, 3, res.CheckCount())
	assert.False(t, parse(t, "start A as alice\nA: create j\nexpect j transferred none\n").Needs().VirtualTime)
}

// "-> !HRESULT": anything but that HRESULT, success included
// (CMD-REQUIRES-JOB2: IBackgroundCopyJob2 exists from BITS 1.5, so its
// methods never answer E_NOINTERFACE).
func TestAnythingButAnHRESULT(t *testing.T) {
	res := run(t, `user alice
start A as alice
A: create job1
A: getnotifycmdline job1 -> !E_NOINTERFACE
A: cancel job1
A: cancel job1 -> !E_NOINTERFACE
A: cancel job1 -> !BG_E_INVALID_STATE
`)
	require.Equal(t, 3, res.CheckCount())
	fails := res.Failures()
	require.Len(t, fails, 1, "only the call that returned the HRESULT it must not")
	assert.Equal(t, 7, fails[0].Line)
	assert.Equal(t, "anything but BG_E_INVALID_STATE", fails[0].Want)
	assert.Equal(t, "BG_E_INVALID_STATE", fails[0].Got)
}

// FILE-TEMPORARY-NAME: while a file transfers, its temporary file is in
// the destination directory.
func TestTemporaryNameIsInTheDestinationDirectory(t *testing.T) {
	res := run(t, `user alice
start A as alice
remote http://s/f size=1048576 rate=1024
A: create job1
A: addfile job1 http://s/f C:\dl\sub\f.bin
A: resume job1
advance 2s
expect job1 file 1 tempdir C:\dl\sub\
expect job1 file 1 tempdir C:\elsewhere\
`)
	require.Equal(t, 2, res.CheckCount())
	fails := res.Failures()
	require.Len(t, fails, 1)
	assert.Equal(t, 9, fails[0].Line)
	assert.Equal(t, `C:\dl\sub\`, fails[0].Got)
}

// A file's names, the remote one as the script wrote it also on a
// backend that serves the script's remotes from URLs of its own.
func TestFileNamesAsWritten(t *testing.T) {
	sc := parse(t, `user alice
start A as alice
remote http://s/f size=100
A: create job1
A: addfile job1 http://s/f C:\dl\f.bin
expect job1 file 1 remote http://s/f
expect job1 file 1 local C:\dl\f.bin
expect job1 file 1 local C:\dl\g.bin
`)
	for _, be := range []harness.Backend{newSimBackend(t, sim.Options{}), plain{Backend: newSimBackend(t, sim.Options{}), caps: harness.Capabilities{Version: model.BITS10_3}}} {
		res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: be})
		require.NoError(t, err)
		require.Empty(t, res.Skipped)
		require.Equal(t, 3, res.CheckCount())
		fails := res.Failures()
		require.Len(t, fails, 1, "%T", be)
		assert.Equal(t, 8, fails[0].Line)
		assert.Equal(t, `C:\dl\f.bin`, fails[0].Got)
	}
}

// expect interface any: an object, whoever's (CLSID-NOT-NOTIFY-INTERFACE
// under reports-instance: GetNotifyInterface returns the instance BITS
// activated, which is no app's).
func TestInterfaceAnyIsAnObjectWhoever(t *testing.T) {
	res := run(t, `user alice
start A as alice
A: create job1
expect job1 interface any
A: setnotifyinterface job1
expect job1 interface any
expect job1 interface A
`)
	require.Equal(t, 3, res.CheckCount())
	fails := res.Failures()
	require.Len(t, fails, 1)
	assert.Equal(t, 4, fails[0].Line)
	assert.Equal(t, "none", fails[0].Got)
}
