package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// SetNotifyCmdLine with a program and no parameters succeeds and reads
// back as that program and an empty parameters string.
//
// Rules: CMD-NULL-PARAMS
func TestCmdLineWithoutParameters(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	job := ntJob(t, ntApp(t, svc, "a", ntAlice), "j", 1)
	require.NoError(t, job.SetNotifyCmdLine(`C:\notify.exe`, ""))
	prog, params, err := job.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Equal(t, `C:\notify.exe`, prog)
	assert.Equal(t, "", params)
}

// IBackgroundCopyJob2 exists from BITS 1.5: the oldest profile has the
// command line.
//
// Rules: CMD-REQUIRES-JOB2
func TestCmdLineOnBITS15(t *testing.T) {
	svc := ntManual(t, model.BITS1_5)
	defer svc.Close()
	job := ntJob(t, ntApp(t, svc, "a", ntAlice), "j", 1)
	require.NoError(t, job.SetNotifyCmdLine(`C:\notify.exe`, `C:\notify.exe x`))
	ntResume(t, svc, job)
	require.Len(t, svc.Launches(), 1)
	assert.Equal(t, `C:\notify.exe x`, svc.Launches()[0].Parameters)
}

// A JobModification may come after the job's JobTransferred: with a 5 s
// notification interval the last progress of a 3 s transfer is reported
// after the job is TRANSFERRED and JobTransferred has been called.
//
// Rules: DELIV-MODIFICATION-MAY-TRAIL
func TestModificationMayTrailJobTransferred(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "a", ntAlice)
	require.NoError(t, svc.SetRemote("http://host/slow", sim.Remote{Size: 3000, Rate: 1000}))
	job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile("http://host/slow", `C:\d\slow`))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_MODIFICATION))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{}))
	// One JobModification per 5 s at most: the last progress waits.
	require.NoError(t, job.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 5000}))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.Advance(20*time.Second))
	evs := ntEvents(svc, job, model.EventJobTransferred, model.EventJobModification)
	jt := -1
	for i, e := range evs {
		if e.Kind == model.EventJobTransferred {
			jt = i
		}
	}
	require.GreaterOrEqual(t, jt, 0, "JobTransferred delivered")
	require.Less(t, jt, len(evs)-1, "a JobModification follows JobTransferred: %v", evs)
	assert.Equal(t, model.EventJobModification, evs[len(evs)-1].Kind)
}

// Notifications of different jobs come in no fixed order: a job created
// later but with a higher priority is transferred, and notified, first.
//
// Rules: DELIV-NO-CROSS-JOB-ORDER
func TestNoOrderAcrossJobs(t *testing.T) {
	svc := ntManual(t, 0)
	defer svc.Close()
	app := ntApp(t, svc, "a", ntAlice)
	for _, url := range []string{"http://host/first", "http://host/second"} {
		require.NoError(t, svc.SetRemote(url, sim.Remote{Size: 1000, Rate: 1000}))
	}
	first, err := app.CreateJob("first", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	second, err := app.CreateJob("second", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, first.AddFile("http://host/first", `C:\d\1`))
	require.NoError(t, second.AddFile("http://host/second", `C:\d\2`))
	require.NoError(t, second.SetPriority(model.BG_JOB_PRIORITY_HIGH))
	for _, j := range []model.Job{first, second} {
		require.NoError(t, j.SetNotifyInterface(&model.CallbackFuncs{}))
	}
	require.NoError(t, first.Resume())
	require.NoError(t, second.Resume())
	require.NoError(t, svc.Advance(time.Minute))
	var order []model.GUID
	for _, e := range svc.Trace() {
		if e.Kind == model.EventJobTransferred {
			order = append(order, e.Job)
		}
	}
	assert.Equal(t, []model.GUID{second.GetId(), first.GetId()}, order)
}

// Jobs of the service accounts transfer without any user logged on (the
// simulator has no logon sessions: such jobs always run).
//
// Rules: SEC-SERVICE-ACCOUNT-ALWAYS
func TestServiceAccountJobsTransfer(t *testing.T) {
	for _, acct := range []model.Account{model.LocalSystem, model.LocalService, model.NetworkService} {
		svc := ntManual(t, 0)
		job := ntJob(t, ntApp(t, svc, "svc", acct), "j", 1)
		ntResume(t, svc, job)
		st, err := job.GetState()
		require.NoError(t, err)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st, acct.Name)
		require.NoError(t, svc.Close())
	}
}
