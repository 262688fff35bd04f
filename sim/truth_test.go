package sim_test

// Tests of the rules corrected and added when the rulebook was read again
// against Microsoft's pages (issue 11, part B). Each expectation is the
// rule's statement written out literally.

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

func TestTruthGetErrorUntilTransferring(t *testing.T) {
	// Rules: STATE-GET-ERROR-UNAVAILABLE
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Remote{Size: 2048, Latency: 5 * time.Second,
		TransientFailures: 1, TransientError: model.HTTPError(503)}))
	require.NoError(t, svc.SetRemote(smtURL("gone.bin"), sim.NotFound()))
	app := smtApp(t, svc, "app", smtAlice)

	// A new job has met no error.
	j := smtJob(t, app, "flaky", model.BG_JOB_TYPE_DOWNLOAD)
	_, err := j.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE, "a new job")

	smtAdd(t, j, "flaky.bin")
	require.NoError(t, j.Resume())
	smtAdvance(t, svc, 5*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
	e, err := j.GetError()
	require.NoError(t, err, "TRANSIENT_ERROR")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	require.NoError(t, j.Suspend())
	require.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j))
	e, err = j.GetError()
	require.NoError(t, err, "SUSPENDED after TRANSIENT_ERROR")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	require.NoError(t, j.Resume())
	require.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j))
	e, err = j.GetError()
	require.NoError(t, err, "QUEUED after Resume")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_CONNECTING, smtState(t, j), "the remote takes 5 s to connect")
	e, err = j.GetError()
	require.NoError(t, err, "CONNECTING after Resume")
	assert.Equal(t, model.HRESULT(0x801901F7), e.Code)

	smtAdvance(t, svc, 5*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	_, err = j.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE, "the job entered TRANSFERRING since the error")

	// ERROR, then Suspend (which keeps ERROR or moves to SUSPENDED,
	// depending on STATE-SUSPEND-ERROR's reading): still readable.
	bad := smtJob(t, app, "gone", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, bad, "gone.bin")
	require.NoError(t, bad.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, bad))
	require.NoError(t, bad.Suspend())
	e, err = bad.GetError()
	require.NoError(t, err, "after Suspend of an ERROR job")
	assert.Equal(t, model.HRESULT(0x80190194), e.Code)
}

func TestTruthNetworkLossAndRestore(t *testing.T) {
	// Rules: STATE-NETWORK-LOSS, STATE-TRANSIENT-RETRY, DELIV-NO-JOBERROR-TRANSIENT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("slow.bin"), sim.Remote{Size: 10000, Rate: 1000}))
	require.NoError(t, svc.SetRemote(smtURL("a.bin"), sim.Remote{Size: 100}))
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Unavailable(1, 100)))
	app := smtApp(t, svc, "app", smtAlice)
	var c smtCounter
	mk := func(name, file string) model.Job {
		j := smtJob(t, app, name, model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, file)
		require.NoError(t, j.SetNotifyInterface(c.object()))
		require.NoError(t, j.SetMinimumRetryDelay(60*time.Second))
		return j
	}
	transferring := mk("transferring", "slow.bin")
	require.NoError(t, transferring.Resume())
	smtAdvance(t, svc, 2*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, transferring))
	transient := mk("transient", "flaky.bin")
	require.NoError(t, transient.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND))
	require.NoError(t, transient.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, transient))
	queued := mk("queued", "a.bin")
	require.NoError(t, queued.Resume())
	require.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, queued))
	suspended := mk("suspended", "a.bin")

	require.True(t, svc.Connected(), "a service starts connected")
	require.NoError(t, svc.SetNetwork(false))
	assert.False(t, svc.Connected())
	for _, j := range []model.Job{transferring, queued} {
		assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
		e, err := j.GetError()
		require.NoError(t, err)
		assert.Equal(t, model.HRESULT(0x80200010), e.Code, "BG_E_NETWORK_DISCONNECTED")
	}
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, suspended))
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, transient))

	// No retry while the network is down, and no JobError.
	smtAdvance(t, svc, 24*time.Hour)
	for _, j := range []model.Job{transferring, queued, transient} {
		assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
		e, err := j.GetError()
		require.NoError(t, err)
		assert.Equal(t, model.HRESULT(0x80200010), e.Code, "BG_E_NETWORK_DISCONNECTED")
	}
	// A job resumed while the network is down cannot connect either.
	require.NoError(t, suspended.Resume())
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, suspended))
	assert.Equal(t, 0, c.jobErrors)
	assert.Empty(t, smtEvents(svc, transferring.GetId(), model.EventJobError))

	require.NoError(t, svc.SetNetwork(true))
	for _, j := range []model.Job{transferring, queued, transient, suspended} {
		assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, j), "every TRANSIENT_ERROR job is QUEUED")
	}
	smtAdvance(t, svc, time.Minute)
	for _, j := range []model.Job{transferring, queued, transient, suspended} {
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	}
	assert.Equal(t, 0, c.jobErrors)
	assert.Equal(t, 4, c.transferred)
	require.NoError(t, svc.SetNetwork(true), "setting the state the network has changes nothing")
}

func TestTruthNetworkLossAcrossRestart(t *testing.T) {
	// Rules: STATE-NETWORK-LOSS, STATE-TRANSIENT-RETRY
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("a.bin"), sim.Remote{Size: 100}))
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "waits", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "a.bin")
	require.NoError(t, svc.SetNetwork(false))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))

	require.NoError(t, svc.Restart())
	smtAdvance(t, svc, time.Hour)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j), "still no network after the restart: no retry")

	require.NoError(t, svc.SetNetwork(true))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))

	// Down, restart, and the service comes back with the network up.
	k := smtJob(t, app, "requeued", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, k, "a.bin")
	require.NoError(t, svc.SetNetwork(false))
	require.NoError(t, k.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, k))
	require.NoError(t, svc.SetNetwork(true))
	require.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, k))
	require.NoError(t, svc.SetNetwork(false))
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, k), "a QUEUED job loses the network too")
	require.NoError(t, svc.Restart())
	require.NoError(t, svc.SetNetwork(true))
	smtRun(t, svc)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, k))
}

func TestTruthNoRetryOnDiskLockOrZeroBandwidth(t *testing.T) {
	// Rules: STATE-TRANSIENT-RETRY
	locked := sim.Remote{Size: 100, TransientFailures: 1, TransientError: model.BG_E_DESTINATION_LOCKED}
	for _, tc := range []struct {
		name   string
		opts   sim.Options
		remote sim.Remote
	}{
		{"disk lock", sim.Options{}, locked},
		{"MaxInternetBandwidth 0", sim.Options{Limits: &rules.Limits{ZeroInternetBandwidth: true}}, sim.Unavailable(1, 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := smtService(t, tc.opts)
			defer svc.Close()
			require.NoError(t, svc.SetRemote(smtURL("f.bin"), tc.remote))
			j := smtJob(t, smtApp(t, svc, "app", smtAlice), "f", model.BG_JOB_TYPE_DOWNLOAD)
			smtAdd(t, j, "f.bin")
			require.NoError(t, j.SetMinimumRetryDelay(5*time.Second))
			require.NoError(t, j.Resume())
			smtRun(t, svc)
			require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
			smtAdvance(t, svc, time.Hour)
			assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j), "BITS does not retry")
			n, err := j.GetErrorCount()
			require.NoError(t, err)
			assert.Equal(t, uint32(1), n, "one attempt only")
			require.NoError(t, j.Resume(), "a client may resume it")
			smtRun(t, svc)
			assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
		})
	}
	// The default policy retries a 503 after MinimumRetryDelay.
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("f.bin"), sim.Unavailable(1, 100)))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "f", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "f.bin")
	require.NoError(t, j.SetMinimumRetryDelay(5*time.Second))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))
	smtAdvance(t, svc, 5*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
}

func TestTruthRetryDelayLongerThanNoProgressTimeout(t *testing.T) {
	// Rules: STATE-RETRY-DELAY-OVER-TIMEOUT
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("flaky.bin"), sim.Unavailable(1, 100)))
	app := smtApp(t, svc, "app", smtAlice)
	for _, tc := range []struct {
		delay, timeout time.Duration
		want           model.JobState
	}{
		{120 * time.Second, 60 * time.Second, model.BG_JOB_STATE_ERROR},
		{60 * time.Second, 60 * time.Second, model.BG_JOB_STATE_TRANSIENT_ERROR},
		{30 * time.Second, 60 * time.Second, model.BG_JOB_STATE_TRANSIENT_ERROR},
	} {
		j := smtJob(t, app, "j", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, j.AddFile(smtURL("flaky.bin"), smtLocal(tc.delay.String())))
		var c smtCounter
		require.NoError(t, j.SetNotifyInterface(c.object()))
		require.NoError(t, j.SetMinimumRetryDelay(tc.delay))
		require.NoError(t, j.SetNoProgressTimeout(tc.timeout))
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		assert.Equal(t, tc.want, smtState(t, j), "MinimumRetryDelay %v, NoProgressTimeout %v", tc.delay, tc.timeout)
		if tc.want == model.BG_JOB_STATE_ERROR {
			assert.Equal(t, 1, c.jobErrors, "entering ERROR produces JobError")
		}
	}
}

// truthSlowJob creates a download job of one 10,000-byte file served at
// 1,000 bytes a second, with the property prop enabled (0: none).
func truthSlowJob(t *testing.T, svc *sim.Service, app *sim.App, name string, prop model.JobPropertyID) model.Job {
	t.Helper()
	require.NoError(t, svc.SetRemote(smtURL(name), sim.Remote{Size: 10000, Rate: 1000}))
	j := smtJob(t, app, name, model.BG_JOB_TYPE_DOWNLOAD)
	if prop != 0 {
		require.NoError(t, j.SetProperty(prop, model.JobPropertyValue{Enable: true}))
	}
	smtAdd(t, j, name)
	return j
}

func TestTruthDynamicContentRestartsFromTheBeginning(t *testing.T) {
	// Rules: PERSIST-DYNAMIC-CONTENT, PERSIST-JOBS
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	dynamic := truthSlowJob(t, svc, app, "dynamic", model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT)
	normal := truthSlowJob(t, svc, app, "normal", 0)
	for _, j := range []model.Job{dynamic, normal} {
		require.NoError(t, j.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND)) // both transfer at once
		require.NoError(t, j.Resume())
	}
	smtAdvance(t, svc, 3*time.Second)
	require.Equal(t, uint64(3000), smtProgress(t, dynamic).BytesTransferred)
	require.Equal(t, uint64(3000), smtProgress(t, normal).BytesTransferred)

	// Interrupted by a loss of network connectivity.
	require.NoError(t, svc.SetNetwork(false))
	assert.Equal(t, uint64(0), smtProgress(t, dynamic).BytesTransferred, "the dynamic download starts again")
	assert.Equal(t, uint64(3000), smtProgress(t, normal).BytesTransferred, "the other keeps its progress")
	require.NoError(t, svc.SetNetwork(true))
	smtAdvance(t, svc, 2*time.Second)
	require.Equal(t, uint64(2000), smtProgress(t, dynamic).BytesTransferred, "from byte 0")
	require.Equal(t, uint64(5000), smtProgress(t, normal).BytesTransferred)

	// Interrupted by a restart.
	require.NoError(t, svc.Restart())
	assert.Equal(t, uint64(0), smtProgress(t, dynamic).BytesTransferred, "the dynamic download starts again")
	assert.Equal(t, uint64(5000), smtProgress(t, normal).BytesTransferred, "PERSIST-JOBS: progress survives")

	// Interrupted by Suspend.
	smtAdvance(t, svc, 2*time.Second)
	require.Equal(t, uint64(2000), smtProgress(t, dynamic).BytesTransferred)
	require.NoError(t, dynamic.Suspend())
	assert.Equal(t, uint64(0), smtProgress(t, dynamic).BytesTransferred)
	require.NoError(t, dynamic.Resume())
	smtAdvance(t, svc, 10*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, dynamic))
	assert.Equal(t, uint64(10000), smtProgress(t, dynamic).BytesTransferred)
}

func TestTruthHighPerformanceLosesProgressOnPowerLoss(t *testing.T) {
	// Rules: PERSIST-HIGH-PERFORMANCE, PERSIST-JOBS
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	fast := truthSlowJob(t, svc, app, "fast", model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE)
	normal := truthSlowJob(t, svc, app, "normal", 0)
	idle := truthSlowJob(t, svc, app, "idle", model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE)
	for _, j := range []model.Job{fast, normal, idle} {
		require.NoError(t, j.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND))
		require.NoError(t, j.Resume())
	}
	smtAdvance(t, svc, 4*time.Second)
	require.NoError(t, idle.Suspend())
	for _, j := range []model.Job{fast, normal, idle} {
		require.Equal(t, uint64(4000), smtProgress(t, j).BytesTransferred)
	}

	// An orderly restart keeps everyone's progress.
	require.NoError(t, svc.Restart())
	for _, j := range []model.Job{fast, normal, idle} {
		assert.Equal(t, uint64(4000), smtProgress(t, j).BytesTransferred, "after Restart")
	}
	smtRun(t, svc)

	// A power loss during the transfer: the HIGH_PERFORMANCE job that was
	// transferring starts again.
	require.NoError(t, svc.PowerLoss())
	assert.Equal(t, uint64(0), smtProgress(t, fast).BytesTransferred, "HIGH_PERFORMANCE, transferring: progress lost")
	assert.Equal(t, uint64(4000), smtProgress(t, normal).BytesTransferred, "a normal job keeps its progress")
	assert.Equal(t, uint64(4000), smtProgress(t, idle).BytesTransferred, "HIGH_PERFORMANCE but SUSPENDED: not transferring")
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, smtState(t, fast))
	smtAdvance(t, svc, 10*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, fast))
	assert.Equal(t, uint64(10000), smtProgress(t, fast).BytesTransferred)
}

// truthRanges records the FileRangesTransferred calls of an object.
type truthRanges struct {
	calls [][]model.FileRange
	times []time.Time
	svc   *sim.Service
}

func (r *truthRanges) object() *model.CallbackFuncs {
	return &model.CallbackFuncs{
		OnFileRangesTransferred: func(_ model.Job, _ model.File, rs []model.FileRange) error {
			r.calls = append(r.calls, rs)
			r.times = append(r.times, r.svc.Now())
			return nil
		},
	}
}

func TestTruthRangesReportedOnceAndNotTwice(t *testing.T) {
	// Rules: DELIV-RANGES-REPORTED, DELIV-RANGES-ON-DEMAND
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("od.bin"), sim.Remote{Size: 1000}))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "od", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}))
	smtAdd(t, j, "od.bin")
	require.NoError(t, j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED))
	rec := &truthRanges{svc: svc}
	require.NoError(t, j.SetNotifyInterface(rec.object()))
	f := smtFiles(t, j)[0]

	require.NoError(t, f.RequestFileRanges([]model.FileRange{{InitialOffset: 100, Length: 100}}))
	smtRun(t, svc)
	require.Equal(t, [][]model.FileRange{{{InitialOffset: 100, Length: 100}}}, rec.calls)

	// 0-300 overlaps the 100-200 already downloaded: BITS does not
	// download it twice, so it reports 0-100 and 200-300.
	smtAdvance(t, svc, time.Second)
	require.NoError(t, f.RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 300}}))
	smtRun(t, svc)
	require.Len(t, rec.calls, 2)
	assert.Equal(t, []model.FileRange{{InitialOffset: 0, Length: 100}, {InitialOffset: 200, Length: 100}}, rec.calls[1])
	filled, err := f.GetFilledFileRanges()
	require.NoError(t, err)
	assert.Equal(t, []model.FileRange{{InitialOffset: 0, Length: 300}}, filled)

	// Asking again for what is there transfers nothing and reports nothing.
	smtAdvance(t, svc, time.Second)
	require.NoError(t, f.RequestFileRanges([]model.FileRange{{InitialOffset: 50, Length: 200}}))
	smtRun(t, svc)
	assert.Len(t, rec.calls, 2)
}

func TestTruthRangesPacedByMinimumNotificationInterval(t *testing.T) {
	// Rules: DELIV-RANGES-INTERVAL, DELIV-RANGES-REPORTED, DELIV-RANGES-ON-DEMAND
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("slow.bin"), sim.Remote{Size: 10000, Rate: 1000}))
	app := smtApp(t, svc, "app", smtAlice)
	start := svc.Now()
	mk := func(name string, interval time.Duration) (model.Job, *truthRanges) {
		j := smtJob(t, app, name, model.BG_JOB_TYPE_DOWNLOAD)
		if interval > 0 {
			require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS,
				model.JobPropertyValue{DWORD: uint32(interval / time.Millisecond)}))
		}
		require.NoError(t, j.AddFile(smtURL("slow.bin"), smtLocal(name)))
		require.NoError(t, j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED))
		rec := &truthRanges{svc: svc}
		require.NoError(t, j.SetNotifyInterface(rec.object()))
		require.NoError(t, j.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND))
		require.NoError(t, j.Resume())
		return j, rec
	}
	def, defRec := mk("default", 0)
	paced, pacedRec := mk("paced", 3*time.Second)
	smtAdvance(t, svc, 10*time.Second)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, def))
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, paced))

	// 1,000 bytes arrive every second; the default 500 ms lets every
	// second's range through on its own.
	require.Len(t, defRec.calls, 10)
	for i, rs := range defRec.calls {
		assert.Equal(t, []model.FileRange{{InitialOffset: uint64(i) * 1000, Length: 1000}}, rs, "call %d", i)
		assert.Equal(t, start.Add(time.Duration(i+1)*time.Second), defRec.times[i], "call %d", i)
	}
	// With 3 s, the calls come at 1 s, 4 s, 7 s and 10 s, each with the
	// ranges since the call before.
	assert.Equal(t, [][]model.FileRange{
		{{InitialOffset: 0, Length: 1000}},
		{{InitialOffset: 1000, Length: 3000}},
		{{InitialOffset: 4000, Length: 3000}},
		{{InitialOffset: 7000, Length: 3000}},
	}, pacedRec.calls)
	assert.Equal(t, []time.Time{start.Add(time.Second), start.Add(4 * time.Second), start.Add(7 * time.Second),
		start.Add(10 * time.Second)}, pacedRec.times)
	assert.Len(t, smtEvents(svc, paced.GetId(), model.EventJobTransferred), 1)
}

func TestTruthUploadReplyTransferredAfterTheReply(t *testing.T) {
	// Rules: DELIV-UPLOAD-REPLY-TRANSFERRED
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	// The simulator transfers the upload and its reply as one transfer of
	// Size bytes: here 10 s at 1,000 bytes a second.
	require.NoError(t, svc.SetRemote(smtURL("reply.asp"), sim.Remote{Size: 10000, Rate: 1000}))
	require.NoError(t, svc.SetRemote(smtURL("broken.asp"), sim.NotFound()))
	app := smtApp(t, svc, "app", smtAlice)
	mk := func(name string) (model.Job, *smtCounter) {
		j := smtJob(t, app, name, model.BG_JOB_TYPE_UPLOAD_REPLY)
		smtAdd(t, j, name)
		var c smtCounter
		require.NoError(t, j.SetNotifyInterface(c.object()))
		require.NoError(t, j.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND))
		require.NoError(t, j.Resume())
		return j, &c
	}
	j, c := mk("reply.asp")
	bad, cb := mk("broken.asp")
	smtAdvance(t, svc, 9*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRING, smtState(t, j), "the reply is not all there")
	assert.Equal(t, 0, c.transferred, "no JobTransferred before the reply is transferred")
	smtAdvance(t, svc, time.Second)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))
	assert.Equal(t, 1, c.transferred)

	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, bad))
	assert.Equal(t, 0, cb.transferred, "no reply, no JobTransferred")
	assert.Equal(t, 1, cb.jobErrors)
}

func TestTruthNoProgressTimeoutBeyondInactivityCancels(t *testing.T) {
	// Rules: STATE-NO-PROGRESS-OVER-INACTIVITY, STATE-INACTIVITY-CANCEL, DELIV-NO-JOBERROR-TRANSIENT
	const day = 24 * time.Hour
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	require.NoError(t, svc.SetRemote(smtURL("down.bin"), sim.HTTPStatus(503, 100)))
	j := smtJob(t, smtApp(t, svc, "app", smtAlice), "down", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "down.bin")
	var c smtCounter
	require.NoError(t, j.SetNotifyInterface(c.object()))
	require.NoError(t, j.SetMinimumRetryDelay(day))
	require.NoError(t, j.SetNoProgressTimeout(100*day))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j))

	smtAdvance(t, svc, 90*day-time.Minute)
	assert.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, smtState(t, j), "retried every day, without progress")
	n, err := j.GetErrorCount()
	require.NoError(t, err)
	assert.Greater(t, n, uint32(80), "BITS kept retrying")
	smtAdvance(t, svc, time.Minute)
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, j), "cancelled once the 90-day JobInactivityTimeout is exceeded")
	assert.Equal(t, 0, c.jobErrors, "cancelled, never in ERROR: no JobError")
	assert.Empty(t, smtEvents(svc, j.GetId(), model.EventJobError))
}

func TestTruthCompleteWhoseRenameFailsCanBeCalledAgain(t *testing.T) {
	// Rules: STATE-COMPLETE-RENAME-FAILS, STATE-COMPLETE-DOWNLOAD
	sharingViolation := model.HRESULTFromWin32(32) // ERROR_SHARING_VIOLATION
	require.Equal(t, model.HRESULT(0x80070020), sharingViolation)
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "locked", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, j, "a.bin")
	smtAdd(t, j, "b.bin")
	var c smtCounter
	require.NoError(t, j.SetNotifyInterface(c.object()))
	require.NoError(t, j.Resume())
	smtRun(t, svc)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))

	require.NoError(t, svc.SetLocalFileError(`c:\DL\B.BIN`, sharingViolation), "names compare without case")
	_, err := j.Complete()
	smtIsHR(t, err, sharingViolation, "Complete fails with the rename error")
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j), "the job stays TRANSFERRED")
	jobs, err := app.EnumJobs(0)
	require.NoError(t, err)
	assert.Contains(t, smtIDs(jobs), j.GetId(), "and in the transfer queue")
	_, err = app.GetJob(j.GetId())
	assert.NoError(t, err)

	// The same again while the file is still held.
	_, err = j.Complete()
	smtIsHR(t, err, sharingViolation)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j))

	// The application fixes the problem and calls Complete again.
	require.NoError(t, svc.SetLocalFileError(smtLocal("b.bin"), model.S_OK))
	hr, err := j.Complete()
	require.NoError(t, err)
	assert.Equal(t, model.S_OK, hr)
	assert.Equal(t, model.BG_JOB_STATE_ACKNOWLEDGED, smtState(t, j))
	assert.Equal(t, 1, c.transferred)

	// Cancel is the other way out.
	k := smtJob(t, app, "cancelled", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, k, "c.bin")
	require.NoError(t, k.Resume())
	smtRun(t, svc)
	require.NoError(t, svc.SetLocalFileError(smtLocal("c.bin"), model.E_ACCESSDENIED))
	_, err = k.Complete()
	smtIsHR(t, err, model.E_ACCESSDENIED)
	require.NoError(t, k.Cancel())
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, k))

	err = svc.SetLocalFileError("", model.E_ACCESSDENIED)
	smtIsHR(t, err, model.E_INVALIDARG, "an empty name is bad input")
}

func TestTruthFailedNotificationIsNotTheJobsError(t *testing.T) {
	// Rules: DELIV-FAILURE-NOT-JOB-ERROR
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	svc.SetCommandHandler(func(sim.Launch) (int, error) {
		return 0, model.HRESULTFromWin32(2) // ERROR_FILE_NOT_FOUND: the program cannot be started
	})
	require.NoError(t, svc.SetRemote(smtURL("gone.bin"), sim.NotFound()))
	unregistered := model.MustParseGUID("{5B0E6C1D-0000-4000-8000-00000000C1A5}")
	app := smtApp(t, svc, "app", smtAlice)
	failing := &model.CallbackFuncs{
		OnJobTransferred: func(model.Job) error { return model.E_FAIL },
		OnJobError:       func(model.Job, model.JobError) error { return model.E_FAIL },
	}
	setUp := func(j model.Job) {
		require.NoError(t, j.SetNotifyInterface(failing))
		require.NoError(t, j.SetNotifyCLSID(unregistered))
		require.NoError(t, j.SetNotifyCmdLine(`C:\missing.exe`, "x"))
		require.NoError(t, j.SetMinimumRetryDelay(5*time.Second))
	}

	ok := smtJob(t, app, "ok", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, ok, "a.bin")
	setUp(ok)
	bad := smtJob(t, app, "bad", model.BG_JOB_TYPE_DOWNLOAD)
	smtAdd(t, bad, "gone.bin")
	setUp(bad)
	require.NoError(t, ok.Resume())
	require.NoError(t, bad.Resume())
	smtRun(t, svc)
	smtAdvance(t, svc, time.Minute) // several failed rounds

	for _, e := range smtEvents(svc, ok.GetId(), model.EventJobTransferred) {
		require.True(t, e.Result.Failed(), "precondition: every JobTransferred failed")
	}
	require.NotEmpty(t, smtEvents(svc, ok.GetId(), model.EventJobTransferred))
	require.NotEmpty(t, smtEvents(svc, bad.GetId(), model.EventJobError))

	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, ok), "the state does not change")
	_, err := ok.GetError()
	smtIsHR(t, err, model.BG_E_ERROR_INFORMATION_UNAVAILABLE, "no error recorded for the failed JobTransferred")

	assert.Equal(t, model.BG_JOB_STATE_ERROR, smtState(t, bad))
	e, err := bad.GetError()
	require.NoError(t, err)
	assert.Equal(t, model.HRESULT(0x80190194), e.Code, "still the transfer error")
	assert.Equal(t, model.BG_ERROR_CONTEXT_REMOTE_FILE, e.Context)
	assert.NotEqual(t, model.ErrorContext(3), e.Context, "never BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION")
}

func TestTruthSTACallbackReenteredDuringCOMCalls(t *testing.T) {
	// Rules: DELIV-STA-REENTRY, DELIV-REENTRANT
	for _, sta := range []bool{true, false} {
		t.Run(map[bool]string{true: "STA", false: "MTA"}[sta], func(t *testing.T) {
			svc := smtService(t, sim.Options{Version: model.BITS5_0}) // no MinimumNotificationInterval pacing
			defer svc.Close()
			app := smtApp(t, svc, "app", smtAlice)
			app.SetSingleThreadedApartment(sta)
			j := smtJob(t, app, "j", model.BG_JOB_TYPE_DOWNLOAD)
			require.NoError(t, j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_JOB_MODIFICATION))
			var calls, depth, maxDepth int
			require.NoError(t, j.SetNotifyInterface(&model.CallbackFuncs{
				OnJobModification: func(job model.Job) error {
					calls++
					depth++
					maxDepth = max(maxDepth, depth)
					defer func() { depth-- }()
					if calls == 1 {
						// A COM call that modifies the job, then one that reads it.
						if err := job.SetDescription("changed inside the callback"); err != nil {
							return err
						}
						if _, err := job.GetProgress(); err != nil {
							return err
						}
					}
					return nil
				},
			}))
			require.NoError(t, j.SetDescription("changed outside"))
			smtRun(t, svc)
			assert.Equal(t, 2, calls, "two modifications, two calls")
			if sta {
				assert.Equal(t, 2, maxDepth, "the second JobModification arrived during the first call's COM call")
			} else {
				assert.Equal(t, 1, maxDepth, "an MTA object is not re-entered: the second call waits for the first")
			}
			evs := smtEvents(svc, j.GetId(), model.EventJobModification)
			assert.Len(t, evs, 2)
		})
	}
}

func TestTruthVariantsOfTheNewOpenRules(t *testing.T) {
	// Rules: DELIV-FAILURE-NOT-JOB-ERROR, DELIV-RANGES-INTERVAL, SEC-GETJOB-OTHER-USER, FLAGS-VERSION-MASK
	t.Run("FLAGS-VERSION-MASK", func(t *testing.T) {
		for _, tc := range []struct {
			v       model.Version
			variant string
			ok      bool
		}{
			{model.BITS2_5, rules.VarFileTransferredFrom30, false},
			{model.BITS3_0, rules.VarFileTransferredFrom30, true},
			{model.BITS3_0, rules.VarFileTransferredFrom40, false},
			{model.BITS4_0, rules.VarFileTransferredFrom40, true},
			{model.BITS5_0, rules.VarFileTransferredFrom40, true},
		} {
			svc := smtService(t, sim.Options{Version: tc.v, Variants: rules.Selection{"FLAGS-VERSION-MASK": tc.variant}})
			j := smtJob(t, smtApp(t, svc, "a", smtAlice), "j", model.BG_JOB_TYPE_DOWNLOAD)
			err := j.SetNotifyFlags(0x1F)
			if tc.ok {
				assert.NoError(t, err, "0x1F on BITS %v under %s", tc.v, tc.variant)
			} else {
				smtIsHR(t, err, model.E_NOTIMPL, "0x1F on BITS %v under %s", tc.v, tc.variant)
				assert.NoError(t, j.SetNotifyFlags(0x0F), "0x0F on BITS %v under %s", tc.v, tc.variant)
			}
			svc.Close()
		}
	})
	t.Run("DELIV-FAILURE-NOT-JOB-ERROR=recorded", func(t *testing.T) {
		svc := smtService(t, sim.Options{Variants: rules.Selection{"DELIV-FAILURE-NOT-JOB-ERROR": rules.VarRecorded}})
		defer svc.Close()
		j := smtJob(t, smtApp(t, svc, "app", smtAlice), "ok", model.BG_JOB_TYPE_DOWNLOAD)
		smtAdd(t, j, "a.bin")
		require.NoError(t, j.SetNotifyInterface(&model.CallbackFuncs{
			OnJobTransferred: func(model.Job) error { return model.E_FAIL },
		}))
		require.NoError(t, j.Resume())
		smtRun(t, svc)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, smtState(t, j), "the state stays")
		e, err := j.GetError()
		require.NoError(t, err, "the failure is the job's error")
		assert.Equal(t, model.ErrorContext(3), e.Context, "BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION")
		assert.Equal(t, model.HRESULT(0x80004005), e.Code, "E_FAIL, what the callback returned")
		n, err := j.GetErrorCount()
		require.NoError(t, err)
		assert.Equal(t, uint32(0), n, "no transfer error was counted")
	})
	t.Run("DELIV-RANGES-INTERVAL=not-paced", func(t *testing.T) {
		svc := smtService(t, sim.Options{Variants: rules.Selection{"DELIV-RANGES-INTERVAL": rules.VarNotPaced}})
		defer svc.Close()
		require.NoError(t, svc.SetRemote(smtURL("slow.bin"), sim.Remote{Size: 5000, Rate: 1000}))
		j := smtJob(t, smtApp(t, svc, "app", smtAlice), "paced", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 3000}))
		smtAdd(t, j, "slow.bin")
		require.NoError(t, j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_FILE_RANGES_TRANSFERRED))
		rec := &truthRanges{svc: svc}
		require.NoError(t, j.SetNotifyInterface(rec.object()))
		require.NoError(t, j.Resume())
		smtAdvance(t, svc, 5*time.Second)
		assert.Len(t, rec.calls, 5, "one call per second's range, the 3 s interval notwithstanding")
	})
	t.Run("SEC-GETJOB-OTHER-USER=not-found", func(t *testing.T) {
		svc := smtService(t, sim.Options{Variants: rules.Selection{"SEC-GETJOB-OTHER-USER": rules.VarNotFound}})
		defer svc.Close()
		j := smtJob(t, smtApp(t, svc, "a", smtAlice), "hers", model.BG_JOB_TYPE_DOWNLOAD)
		_, err := smtApp(t, svc, "b", smtBob).GetJob(j.GetId())
		smtIsHR(t, err, model.BG_E_NOT_FOUND)
		_, err = smtApp(t, svc, "admin", smtAdmin).GetJob(j.GetId())
		assert.NoError(t, err, "an administrator still gets it")
	})
}

func TestTruthTakeOwnershipRemovesCredentialsCertificateAndHeaders(t *testing.T) {
	// Rules: SEC-TAKEOWNERSHIP-REMOVES-SECRETS, SEC-TAKEOWNERSHIP-REMOVES-CMDLINE
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "a", smtAlice), "hers", model.BG_JOB_TYPE_DOWNLOAD)
	opts, ok := j.(model.JobHTTPOptions)
	require.True(t, ok, "the simulator's jobs implement IBackgroundCopyJobHttpOptions")
	creds, ok := j.(model.JobCredentials)
	require.True(t, ok, "and the credentials of IBackgroundCopyJob2")

	const headers = "X-Update-Channel: beta\r\n"
	require.NoError(t, opts.SetCustomHeaders(headers))
	require.NoError(t, opts.SetClientCertificateByName(model.BG_CERT_STORE_LOCATION_CURRENT_USER, "MY", "example, updater"))
	require.NoError(t, creds.SetCredentials(model.Credentials{Target: model.BG_AUTH_TARGET_SERVER,
		Scheme: model.BG_AUTH_SCHEME_BASIC, UserName: "alice", Password: "secret"}))
	require.NoError(t, j.SetNotifyCmdLine(`C:\n.exe`, "x"))
	got, err := opts.GetCustomHeaders()
	require.NoError(t, err)
	require.Equal(t, headers, got)
	cert, err := opts.GetClientCertificate()
	require.NoError(t, err)
	require.Equal(t, model.ClientCertificate{StoreLocation: model.BG_CERT_STORE_LOCATION_CURRENT_USER, StoreName: "MY",
		SubjectName: "example, updater"}, cert)

	// Only the owner may read or set them, administrators included.
	adminApp := smtApp(t, svc, "admin", smtAdmin)
	aj, err := adminApp.GetJob(j.GetId())
	require.NoError(t, err)
	_, err = aj.(model.JobHTTPOptions).GetCustomHeaders()
	smtIsHR(t, err, model.E_ACCESSDENIED, "an administrator who is not the owner")

	require.NoError(t, aj.TakeOwnership())
	aopts, acreds := aj.(model.JobHTTPOptions), aj.(model.JobCredentials)
	got, err = aopts.GetCustomHeaders()
	require.NoError(t, err)
	assert.Equal(t, "", got, "the custom headers are gone")
	_, err = aopts.GetClientCertificate()
	smtIsHR(t, err, model.RPC_X_BAD_STUB_DATA, "the client certificate is gone")
	hr, err := acreds.RemoveCredentials(model.BG_AUTH_TARGET_SERVER, model.BG_AUTH_SCHEME_BASIC)
	require.NoError(t, err)
	assert.Equal(t, model.S_FALSE, hr, "no credentials are left to remove")
	program, params, err := aj.GetNotifyCmdLine()
	require.NoError(t, err)
	assert.Equal(t, "", program+params, "and the command line")
}

func TestTruthCredentialsHeadersCertificateBadInput(t *testing.T) {
	// Rules: none (bad input of the IBackgroundCopyJob2 and HttpOptions methods)
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	j := smtJob(t, smtApp(t, svc, "a", smtAlice), "j", model.BG_JOB_TYPE_DOWNLOAD)
	opts, creds := j.(model.JobHTTPOptions), j.(model.JobCredentials)
	long := func(n int) string { return strings.Repeat("a", n) }
	smtIsHR(t, opts.SetCustomHeaders(long(16384)), model.BG_E_STRING_TOO_LONG)
	smtIsHR(t, opts.SetClientCertificateByName(99, "MY", "x"), model.E_NOTIMPL)
	smtIsHR(t, opts.SetClientCertificateByName(0, long(256), "x"), model.BG_E_STRING_TOO_LONG)
	smtIsHR(t, opts.SetClientCertificateByName(0, "MY", ""), model.E_INVALIDARG)
	smtIsHR(t, creds.SetCredentials(model.Credentials{Target: 9, Scheme: 1}), model.BG_E_INVALID_AUTH_TARGET)
	smtIsHR(t, creds.SetCredentials(model.Credentials{Target: 1, Scheme: 9}), model.BG_E_INVALID_AUTH_SCHEME)
	smtIsHR(t, creds.SetCredentials(model.Credentials{Target: 1, Scheme: 1, UserName: long(301)}), model.BG_E_USERNAME_TOO_LARGE)
	smtIsHR(t, creds.SetCredentials(model.Credentials{Target: 1, Scheme: 1, Password: long(301)}), model.BG_E_PASSWORD_TOO_LARGE)
	got, err := opts.GetCustomHeaders()
	require.NoError(t, err)
	assert.Equal(t, "", got, "nothing was stored")
	hr, err := creds.RemoveCredentials(1, 1)
	require.NoError(t, err)
	assert.Equal(t, model.S_FALSE, hr)
	old := smtService(t, sim.Options{Version: model.BITS2_0})
	defer old.Close()
	oj := smtJob(t, smtApp(t, old, "a", smtAlice), "j", model.BG_JOB_TYPE_DOWNLOAD)
	smtIsHR(t, oj.(model.JobHTTPOptions).SetCustomHeaders("X: y\r\n"), model.E_NOINTERFACE, "HttpOptions needs BITS 2.5")
}
