package scenario_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

func TestAttemptsContradictingOtherOptionsIsASyntaxError(t *testing.T) {
	for src, want := range map[string]string{
		"remote http://x attempts=503 status=404\n":  "attempts and status both script the attempts",
		"remote http://x attempts=503 transient=2\n": "attempts and transient both script the attempts",
		"remote http://x attempts=503,soon\n":        "attempts takes HTTP statuses",
		"remote http://x attempts=503,700\n":         "HTTP status 700 is not in 100-599",
	} {
		_, err := scenario.Parse("test.bits", []byte(src))
		var se *scenario.SyntaxError
		if assert.True(t, errors.As(err, &se), "%q: %v", src, err) {
			assert.Contains(t, err.Error(), want, src)
		}
	}
}

// checkerSetup runs a job of app "updater" through a 503 and a transfer on
// a manual clock, with a class Notifier named.
func checkerSetup(t *testing.T) (*sim.Service, *scenario.Checker, model.Job) {
	t.Helper()
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	r, err := sim.Sequence(100, 503)
	require.NoError(t, err)
	require.NoError(t, svc.SetRemote("http://srv/f", r))
	app, err := svc.StartApp("updater", model.Account{Name: "alice"})
	require.NoError(t, err)
	job, err := app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile("http://srv/f", `C:\dl\f`))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{}))
	require.NoError(t, job.Resume())
	c := scenario.NewChecker(svc)
	c.NameJob("job1", job)
	c.NameClass("Notifier", model.MustParseGUID("{6C1F4A52-3B8D-4E0F-9A27-5D6E7F809A1B}"))
	return svc, c, job
}

func TestCheckerChecksExpectationsFromGo(t *testing.T) {
	svc, c, _ := checkerSetup(t)
	require.NoError(t, svc.RunUntilIdle())
	for expect, ok := range map[string]bool{
		"job1 state TRANSIENT_ERROR":     true,
		"job1 state TRANSFERRED":         false,
		"job1 interface updater":         true,
		"job1 interface none":            false,
		"job1 clsid NULL":                true,
		"job1 no JobTransferred":         true,
		"job1 no JobError":               true,
		"job1 JobTransferred -> updater": false,
	} {
		ch, err := c.Check(expect)
		require.NoError(t, err, expect)
		assert.Equal(t, ok, ch.OK, "%s: want %s, got %s", expect, ch.Want, ch.Got)
	}
	mark := svc.LastSeq()
	require.NoError(t, svc.Advance(rulesRetryDelay))
	ch, err := c.Check("job1 JobTransferred -> updater x1")
	require.NoError(t, err)
	assert.True(t, ch.OK, "want %s, got %s", ch.Want, ch.Got)
	ch, err = c.CheckSince(svc.LastSeq(), "job1 no JobTransferred")
	require.NoError(t, err)
	assert.True(t, ch.OK, "nothing new after the last event")
	ch, err = c.CheckSince(mark, "job1 no JobTransferred")
	require.NoError(t, err)
	assert.False(t, ch.OK, "the delivery came after the mark")
	assert.Equal(t, "no deliveries", ch.Want)
	assert.Equal(t, "1 delivery", ch.Got)
}

// rulesRetryDelay is BITS's default MinimumRetryDelay: 600 seconds.
const rulesRetryDelay = 600 * time.Second

func TestCheckerRejectsUnknownNames(t *testing.T) {
	_, c, _ := checkerSetup(t)
	for _, expect := range []string{"job2 state QUEUED", "job1 JobTransferred -> nobody", "job1 clsid Other", "job1 stat QUEUED"} {
		_, err := c.Check(expect)
		var se *scenario.SyntaxError
		assert.True(t, errors.As(err, &se), "%q: %v", expect, err)
	}
}

func TestCheckerResultRendersLikeTheCLI(t *testing.T) {
	svc, c, _ := checkerSetup(t)
	require.NoError(t, svc.RunUntilIdle())
	require.NoError(t, svc.Advance(rulesRetryDelay))
	res := c.Result(0)
	var text bytes.Buffer
	require.NoError(t, res.WriteText(&text))
	assert.Equal(t, "t+10m0s    BITS         -> updater      JobTransferred job1                          S_OK\n", text.String())
	var svg, mermaid bytes.Buffer
	require.NoError(t, res.WriteSVG(&svg))
	assert.Contains(t, svg.String(), "JobTransferred job1")
	require.NoError(t, res.WriteMermaid(&mermaid))
	assert.Contains(t, mermaid.String(), "participant p_updater as updater (alice)")
	assert.Empty(t, c.Result(svc.LastSeq()).Steps, "nothing after the last event")
}

func TestFromTraceNamesWhatItIsGiven(t *testing.T) {
	id := model.MustParseGUID("{11111111-2222-3333-4444-555555555555}")
	clsid := model.MustParseGUID("{6C1F4A52-3B8D-4E0F-9A27-5D6E7F809A1B}")
	start := sim.DefaultStart
	events := []model.Event{
		{Seq: 1, Time: start, Job: id, Kind: model.EventJobTransferred, Target: model.Target{Kind: model.TargetObject, App: "A"}, User: "alice", Result: model.RPC_S_SERVER_UNAVAILABLE},
		{Seq: 2, Time: start, Job: id, Kind: model.EventJobTransferred, Target: model.Target{Kind: model.TargetCLSID, CLSID: clsid, Instance: 1, App: "x"}, User: "alice", Result: model.S_OK},
	}
	res := scenario.FromTrace(events, start, map[model.GUID]string{id: "job1"}, map[model.GUID]string{clsid: "Notifier"})
	var text bytes.Buffer
	require.NoError(t, res.WriteText(&text))
	assert.Equal(t, "t+0s       BITS         -x A            JobTransferred job1                          RPC_S_SERVER_UNAVAILABLE\n"+
		"t+0s       BITS         -> Notifier#1   JobTransferred job1                          S_OK\n", text.String())
	require.Len(t, res.Participants, 3)
	assert.Equal(t, scenario.Participant{Name: "A", Kind: "app", User: "alice"}, res.Participants[0])
}

// A Checker reads what a notification carried from the service's own
// trace: the ranges of a FileRangesTransferred and their spacing.
func TestCheckerReadsWhatANotificationCarried(t *testing.T) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	require.NoError(t, svc.SetRemote("http://srv/f", sim.Remote{Size: 2048}))
	app, err := svc.StartApp("updater", model.Account{Name: "alice"})
	require.NoError(t, err)
	job, err := app.CreateJob("od", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}))
	require.NoError(t, job.AddFile("http://srv/f", `C:\dl\f`))
	require.NoError(t, job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED))
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{}))
	c := scenario.NewChecker(svc)
	c.NameJob("od", job)
	files, err := job.EnumFiles()
	require.NoError(t, err)
	f6 := files[0]
	require.NoError(t, f6.RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 100}}))
	require.NoError(t, svc.Advance(time.Second))
	require.NoError(t, f6.RequestFileRanges([]model.FileRange{{InitialOffset: 100, Length: 100}}))
	require.NoError(t, svc.Advance(time.Second))
	for expect, ok := range map[string]bool{
		"od FileRangesTransferred x1 ranges 0+100":   true,
		"od FileRangesTransferred x1 ranges 100+100": true,
		"od FileRangesTransferred reported 0+200":    true,
		"od FileRangesTransferred spaced 1s":         true,
		"od FileRangesTransferred spaced 2s":         false,
		"od FileRangesTransferred ranges 0+200":      false,
		"od state -> !E_ACCESSDENIED":                true,
		"od state -> E_ACCESSDENIED":                 false,
	} {
		ch, err := c.Check(expect)
		require.NoError(t, err, expect)
		assert.Equal(t, ok, ch.OK, "%s: want %s, got %s", expect, ch.Want, ch.Got)
	}
}
