package sim_test

// Regression tests of the reliability issue (#15): bounded virtual time,
// validated options, one identity everywhere, no callback after Close,
// bounded retention. Expected outcomes are written from the rule
// statements and the documented limits, never computed by the code under
// test.

import (
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

const day = 24 * time.Hour

// The sequence adversarial testing found: advance 65535d, advance 20700d,
// create a job. The second advance would pass MaxTime, so it is refused;
// the service stays usable and nothing hangs.
func TestVirtualTimeAdvancePastMaxTimeIsRefusedAndNothingHangs(t *testing.T) {
	svc := smtService(t, sim.Options{})
	require.NoError(t, svc.Advance(65535*day))
	before := svc.Now()
	err := svc.Advance(20700 * day)
	require.ErrorIs(t, err, sim.ErrTimeLimit)
	assert.Equal(t, before, svc.Now(), "a refused Advance leaves the clock")
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, svc.RunUntilIdle())
	require.NoError(t, svc.AdvanceUntilIdle(time.Duration(math.MaxInt64)))
	assert.False(t, svc.Now().After(sim.MaxTime), "AdvanceUntilIdle stops at MaxTime")
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, j), "90 days without activity cancel the job")
	require.NoError(t, svc.Close())
}

// Near MaxTime the 90-day inactivity deadline lies beyond it: the timer
// never falls due (it used to wrap into the past and re-arm for ever).
func TestVirtualTimeDeadlinesBeyondMaxTimeNeverFallDue(t *testing.T) {
	svc := smtService(t, sim.Options{Start: sim.MaxTime.Add(-10 * day)})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, svc.RunUntilIdle())
	_, due := svc.NextDue()
	assert.False(t, due, "nothing falls due before MaxTime")
	require.NoError(t, svc.Advance(10*day), "Advance up to MaxTime itself is allowed")
	assert.Equal(t, sim.MaxTime, svc.Now())
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	assert.ErrorIs(t, svc.Advance(time.Nanosecond), sim.ErrTimeLimit)
}

// A single huge Advance used to skip the inactivity cancellation silently;
// now it is refused, and the largest allowed one cancels the job
// (STATE-INACTIVITY-CANCEL: 90 days without activity).
//
// Rules: STATE-INACTIVITY-CANCEL
func TestVirtualTimeHugeAdvanceDoesNotSkipInactivityCancel(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "j", model.BG_JOB_TYPE_DOWNLOAD)
	assert.ErrorIs(t, svc.Advance(time.Duration(math.MaxInt64)), sim.ErrTimeLimit)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	require.NoError(t, svc.Advance(sim.MaxTime.Sub(svc.Now())))
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, j))
}

// The automatic clock stops at MaxTime, and a service there still closes.
func TestVirtualTimeAutomaticClockStopsAtMaxTime(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Automatic, Start: sim.MaxTime.Add(-time.Nanosecond), Speed: sim.MaxSpeed})
	require.NoError(t, err)
	app := smtApp(t, svc, "app", smtAlice)
	smtJob(t, app, "j", model.BG_JOB_TYPE_DOWNLOAD)
	for i := 0; i < 100 && svc.Now().Before(sim.MaxTime); i++ {
		runtime.Gosched()
	}
	assert.False(t, svc.Now().After(sim.MaxTime))
	require.NoError(t, svc.Close())
}

func TestOptionsBadValuesAreErrorsNamingTheField(t *testing.T) {
	neg := rules.DefaultLimits
	neg.FilesPerJob = -1
	for field, opts := range map[string]sim.Options{
		"Speed NaN":             {Speed: math.NaN()},
		"Speed +Inf":            {Speed: math.Inf(1)},
		"Speed -Inf":            {Speed: math.Inf(-1)},
		"Speed 1e15":            {Speed: 1e15},
		"Speed 1e-4":            {Speed: 1e-4},
		"Speed -1":              {Speed: -1},
		"Start 1969":            {Start: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		"Start MaxTime":         {Start: sim.MaxTime},
		"TimeSlice -1s":         {TimeSlice: -time.Second},
		"TimeSlice 1ns":         {TimeSlice: time.Nanosecond},
		"ProgressInterval -1s":  {ProgressInterval: -time.Second},
		"ProgressInterval 1µs":  {ProgressInterval: time.Microsecond},
		"Limits.FilesPerJob -1": {Limits: &neg},
		"Version 0x0999":        {Version: model.Version(0x0999)},
		"Clock 7":               {Clock: sim.ClockMode(7)},
		"DefaultRemote -1s":     {DefaultRemote: &sim.Remote{Latency: -time.Second}},
	} {
		svc, err := sim.New(opts)
		if !assert.Error(t, err, field) {
			svc.Close()
			continue
		}
		assert.ErrorContains(t, err, "Options."+strings.Fields(field)[0], field)
	}
	for name, opts := range map[string]sim.Options{
		"MinSpeed":         {Clock: sim.Automatic, Speed: sim.MinSpeed},
		"MaxSpeed":         {Clock: sim.Automatic, Speed: sim.MaxSpeed},
		"Start MinTime":    {Clock: sim.Manual, Start: sim.MinTime},
		"MinInterval":      {Clock: sim.Manual, TimeSlice: sim.MinInterval, ProgressInterval: sim.MinInterval},
		"zero limits":      {Clock: sim.Manual, Limits: &rules.Limits{}},
		"negative limits?": {Clock: sim.Manual, TraceLimit: -1, LaunchLimit: -1},
	} {
		svc, err := sim.New(opts)
		if assert.NoError(t, err, name) {
			assert.NoError(t, svc.Close())
		}
	}
}

func TestOptionsBadValueIsInvalidArg(t *testing.T) {
	_, err := sim.New(sim.Options{Speed: math.NaN()})
	assert.ErrorIs(t, err, model.E_INVALIDARG)
}

// DELIV-FOUR-PER-USER: at most four callbacks of one user run at once,
// however the apps spell the user's name.
//
// Rules: DELIV-FOUR-PER-USER
func TestIdentityNotificationSlotsFoldUserNames(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Automatic, Seed: 15})
	require.NoError(t, err)
	defer svc.Close()
	release := make(chan struct{})
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	defer releaseAll()
	entered := make(chan string, 16)
	for i, name := range []string{"alice", "Alice", "ALICE", "aLiCe"} {
		app := ntApp(t, svc, name, model.Account{Name: name, Kind: model.AccountUser})
		for k := 0; k < 2; k++ {
			j := ntJob(t, app, name, 1)
			tag := name + string(rune('0'+i*2+k))
			require.NoError(t, j.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
				entered <- tag
				<-release
				return nil
			}}))
			require.NoError(t, j.Resume())
		}
	}
	for i := 0; i < 4; i++ {
		ntWait(t, entered, "one of the four callbacks")
	}
	assert.Equal(t, 4, svc.InFlight("ALICE"))
	// A fifth cannot enter while the four are blocked; bob is not held up.
	bobEntered := make(chan struct{}, 1)
	bob := ntApp(t, svc, "bob", ntBob)
	bj := ntJob(t, bob, "bob", 1)
	require.NoError(t, bj.SetNotifyInterface(&model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		bobEntered <- struct{}{}
		return nil
	}}))
	require.NoError(t, bj.Resume())
	ntWait(t, bobEntered, "bob's callback")
	select {
	case n := <-entered:
		t.Errorf("a fifth callback of alice (%s) entered while four were running", n)
	default:
	}
	releaseAll()
}

// LIMIT-JOBS-PER-USER: "sam" and "ſam" are one user with one quota.
//
// Rules: LIMIT-JOBS-PER-USER
func TestIdentityJobLimitFoldsUserNames(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	sam := smtApp(t, svc, "sam", model.Account{Name: "sam"})
	longS := smtApp(t, svc, "ſam", model.Account{Name: "ſam"})
	for i := 0; i < 60; i++ {
		smtJob(t, sam, "j", model.BG_JOB_TYPE_DOWNLOAD)
	}
	_, err := longS.CreateJob("one more", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.BG_E_TOO_MANY_JOBS_PER_USER, "the 61st job of sam, spelt ſam")
	js, err := longS.EnumJobs(0)
	require.NoError(t, err)
	assert.Len(t, js, 60, "ſam sees sam's jobs as its own")
}

// SEC-OWNER-ONLY: a user named like LocalSystem is not LocalSystem.
//
// Rules: SEC-OWNER-ONLY, SEC-GETJOB-OTHER-USER
func TestIdentityUserNamedLikeLocalSystemIsNotLocalSystem(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	system := smtApp(t, svc, "system", model.LocalSystem)
	j := smtJob(t, system, "update", model.BG_JOB_TYPE_DOWNLOAD)
	impostor := smtApp(t, svc, "impostor", model.Account{Name: `nt authority\system`, Kind: model.AccountUser})
	_, err := impostor.GetJob(j.GetId())
	smtIsHR(t, err, model.E_ACCESSDENIED, "GetJob by the impostor")
	js, err := impostor.EnumJobs(0)
	require.NoError(t, err)
	assert.Empty(t, js, "the impostor owns no job")
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
}

// SEC-ADMIN-MODIFY: an elevated administrator reads a LocalSystem job but
// gets E_ACCESSDENIED from every method that changes it.
//
// Rules: SEC-ADMIN-MODIFY
func TestAdminCannotModifyLocalSystemJob(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	system := smtApp(t, svc, "system", model.LocalSystem)
	mine := smtJob(t, system, "update", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, mine.SetDescription("by system"))
	admin := smtApp(t, svc, "admin", smtAdmin)
	j, err := admin.GetJob(mine.GetId())
	require.NoError(t, err, "the administrator may read it")
	d, err := j.GetDescription()
	require.NoError(t, err)
	assert.Equal(t, "by system", d)
	smtIsHR(t, j.SetDescription("by admin"), model.E_ACCESSDENIED, "SetDescription")
	smtIsHR(t, j.AddFile(smtURL("x"), smtLocal("x")), model.E_ACCESSDENIED, "AddFile")
	smtIsHR(t, j.Resume(), model.E_ACCESSDENIED, "Resume")
	smtIsHR(t, j.Cancel(), model.E_ACCESSDENIED, "Cancel")
	smtIsHR(t, j.TakeOwnership(), model.E_ACCESSDENIED, "TakeOwnership")
	d, err = mine.GetDescription()
	require.NoError(t, err)
	assert.Equal(t, "by system", d, "unchanged")
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, mine))
	owner, err := mine.GetOwner()
	require.NoError(t, err)
	assert.Equal(t, model.LocalSystem.Name, owner)
}

// SEC-ADMIN-MODIFY: a job created elevated needs an elevated caller, even
// its owner running unelevated.
//
// Rules: SEC-ADMIN-MODIFY, SEC-ENUM-ALL-ADMIN
func TestElevatedJobNeedsElevatedCaller(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	elevated := smtApp(t, svc, "elevated", smtAdmin)
	filtered := smtApp(t, svc, "filtered", model.Account{Name: smtAdmin.Name, Kind: model.AccountAdministrator, Unelevated: true})
	high := smtJob(t, elevated, "high", model.BG_JOB_TYPE_DOWNLOAD)
	low := smtJob(t, filtered, "low", model.BG_JOB_TYPE_DOWNLOAD)
	_, err := filtered.GetJob(high.GetId())
	smtIsHR(t, err, model.E_ACCESSDENIED, "GetJob unelevated")
	js, err := filtered.EnumJobs(0)
	require.NoError(t, err)
	assert.Equal(t, []model.GUID{low.GetId()}, smtIDs(js), "EnumJobs unelevated lists only the unelevated job")
	js, err = elevated.EnumJobs(0)
	require.NoError(t, err)
	assert.ElementsMatch(t, []model.GUID{high.GetId(), low.GetId()}, smtIDs(js))
	require.NoError(t, low.SetDescription("unelevated"))
	_, err = filtered.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	smtIsHR(t, err, model.E_ACCESSDENIED, "EnumJobs(ALL_USERS) unelevated: no administrator rights")
}

// Options.LaunchLimit keeps the last launches.
func TestLaunchesAreCappedByLaunchLimit(t *testing.T) {
	svc := smtService(t, sim.Options{LaunchLimit: 3})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	var ids []model.GUID
	for i := 0; i < 7; i++ {
		j := ntJob(t, app, "j", 1)
		require.NoError(t, j.SetNotifyCmdLine(`C:\tools\notify.exe`, ""))
		ntResume(t, svc, j)
		ids = append(ids, j.GetId())
	}
	ls := svc.Launches()
	require.Len(t, ls, 3)
	for i, l := range ls {
		assert.Equal(t, ids[4+i], l.Job, "launch %d is of the job %d", i, 4+i)
	}
}

// The server app BITS starts for a CLSID instance ends when BITS releases
// the instance (here: the job is acknowledged), so Apps does not grow.
func TestCLSIDServerEndsWhenInstanceIsReleased(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	clsid := model.MustParseGUID("{0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9}")
	require.NoError(t, svc.RegisterClass(clsid, func(*sim.App) (any, error) { return &model.CallbackFuncs{}, nil }))
	app := smtApp(t, svc, "app", smtAlice)
	for i := 0; i < 3; i++ {
		j := ntJob(t, app, "j", 1)
		require.NoError(t, j.SetNotifyCLSID(clsid))
		ntResume(t, svc, j)
		_, err := j.Complete()
		require.NoError(t, err)
		ntRun(t, svc)
	}
	names := []string{}
	for _, a := range svc.Apps() {
		names = append(names, a.Name())
	}
	assert.Equal(t, []string{"app"}, names, "only the client app still runs")
}

// Rules: LIMIT-STRING-NUL
func TestNULCharactersAreInvalidArgAndChangeNothing(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	_, err := app.CreateJob("a\x00b", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, err, model.E_INVALIDARG, "CreateJob with a NUL in the display name")
	js, err := app.EnumJobs(0)
	require.NoError(t, err)
	assert.Empty(t, js, "no job was created")

	j := smtJob(t, app, "name", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, j.SetDescription("description"))
	require.NoError(t, j.SetNotifyCmdLine(`C:\n.exe`, "n.exe 1"))
	smtIsHR(t, j.SetDisplayName("x\x00"), model.E_INVALIDARG, "SetDisplayName")
	smtIsHR(t, j.SetDescription("\x00"), model.E_INVALIDARG, "SetDescription")
	smtIsHR(t, j.SetNotifyCmdLine("C:\\n\x00.exe", ""), model.E_INVALIDARG, "SetNotifyCmdLine program")
	smtIsHR(t, j.SetNotifyCmdLine(`C:\n.exe`, "n.exe\x001"), model.E_INVALIDARG, "SetNotifyCmdLine parameters")
	name, err := j.GetDisplayName()
	require.NoError(t, err)
	assert.Equal(t, "name", name)
	d, err := j.GetDescription()
	require.NoError(t, err)
	assert.Equal(t, "description", d)
	p, a, err := j.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Equal(t, []string{`C:\n.exe`, "n.exe 1"}, []string{p, a})
}

// Rules: FILE-ADDFILESET-ATOMIC
func TestAddFileSetFailureAddsNoFile(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "j", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "first")
	before := smtTimes(t, j).ModificationTime
	require.NoError(t, svc.Advance(time.Minute))
	err := j.AddFileSet([]model.FileInfo{
		{RemoteName: smtURL("a"), LocalName: smtLocal("a")},
		{RemoteName: smtURL("b"), LocalName: smtLocal("b")},
		{RemoteName: smtURL("c"), LocalName: "relative"},
	})
	smtIsHR(t, err, model.E_INVALIDARG, "the third file has a relative local name")
	fs := smtFiles(t, j)
	require.Len(t, fs, 1, "the job keeps exactly the files it had")
	n, err := fs[0].GetLocalName()
	require.NoError(t, err)
	assert.Equal(t, smtLocal("first"), n)
	assert.Equal(t, before, smtTimes(t, j).ModificationTime, "a failed call does not touch the job")

	up := smtJob(t, app, "up", model.BG_JOB_TYPE_UPLOAD)
	err = up.AddFileSet([]model.FileInfo{
		{RemoteName: smtURL("a"), LocalName: smtLocal("a")},
		{RemoteName: smtURL("b"), LocalName: smtLocal("b")},
	})
	smtIsHR(t, err, model.BG_E_TOO_MANY_FILES, "two files in an upload job")
	assert.Empty(t, smtFiles(t, up))
}

// Rules: FILE-ADDFILESET-ATOMIC
func TestAddFileSetKeepsPrefixReading(t *testing.T) {
	svc := smtService(t, sim.Options{Variants: rules.Selection{"FILE-ADDFILESET-ATOMIC": rules.VarKeepsPrefix}})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "set", model.BG_JOB_TYPE_DOWNLOAD)
	err := j.AddFileSet([]model.FileInfo{
		{RemoteName: smtURL("1"), LocalName: smtLocal("1")},
		{RemoteName: smtURL("2"), LocalName: smtLocal("2")},
		{RemoteName: smtURL("3"), LocalName: "relative"},
		{RemoteName: smtURL("4"), LocalName: smtLocal("4")},
	})
	smtIsHR(t, err, model.E_INVALIDARG)
	fs := smtFiles(t, j)
	require.Len(t, fs, 2, "the files before the bad one are kept")
	for i, want := range []string{smtLocal("1"), smtLocal("2")} {
		got, err := fs[i].GetLocalName()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func TestStartAppRefusesAnUnknownAccountKind(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	_, err := svc.StartApp("x", model.Account{Name: "alice", Kind: model.AccountKind(9)})
	smtIsHR(t, err, model.E_INVALIDARG)
	assert.Empty(t, svc.Apps())
}
