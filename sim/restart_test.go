package sim_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
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

// The tests of this file check what a service restart keeps and drops
// (the PERSIST-* rules), only through the public API: job getters, the
// trace, class factories and the store.

var (
	restartAlice  = model.Account{Name: "alice", Kind: model.AccountUser}
	restartBob    = model.Account{Name: "bob", Kind: model.AccountUser}
	restartAdmin  = model.Account{Name: "root", Kind: model.AccountAdministrator}
	restartCLSID  = model.MustParseGUID("{5A3D52D2-6E0C-4A4B-9F0E-1C2D3E4F5A6B}")
	restartCLSID2 = model.MustParseGUID("{0B8E1F44-2C71-4E0A-8D55-77A1C3E9B210}")
)

// restartManual starts a manual-clock service for one test.
func restartManual(t *testing.T, opts sim.Options) *sim.Service {
	t.Helper()
	opts.Clock = sim.Manual
	svc, err := sim.New(opts)
	require.NoError(t, err)
	return svc
}

// restartFileView is everything the API reports about one file.
type restartFileView struct {
	Remote, Local string
	Progress      model.FileProgress
	Temporary     string
	Valid         bool
	FromPeer      bool
	Filled        []model.FileRange
}

// restartJobView is everything the API reports about one job that a
// restart must keep. Times are formatted so that equal instants compare
// equal whatever their location or monotonic reading.
type restartJobView struct {
	ID          model.GUID
	Type        model.JobType
	Owner       string
	State       model.JobState
	DisplayName string
	Description string
	Priority    model.JobPriority
	Flags       model.NotifyFlags
	Program     string
	Parameters  string
	CLSID       model.GUID
	RetryDelay  time.Duration
	NoProgress  time.Duration
	MaxDownload time.Duration
	Progress    model.JobProgress
	Created     string
	Modified    string
	Completed   string
	ErrorCount  uint32
	Error       model.JobError
	ErrorResult model.HRESULT // S_OK when GetError succeeded, else its HRESULT
	CostFlags   uint32
	Dynamic     bool
	HighPerf    bool
	MaxSize     uint64
	MinNotify   uint32
	OnDemand    bool
	Files       []restartFileView
}

func restartTime(t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// restartRead reads every persisted field of j through the public API.
func restartRead(t *testing.T, j model.Job) restartJobView {
	t.Helper()
	var v restartJobView
	var err error
	v.ID = j.GetId()
	v.Type, err = j.GetType()
	require.NoError(t, err)
	v.Owner, err = j.GetOwner()
	require.NoError(t, err)
	v.State, err = j.GetState()
	require.NoError(t, err)
	v.DisplayName, err = j.GetDisplayName()
	require.NoError(t, err)
	v.Description, err = j.GetDescription()
	require.NoError(t, err)
	v.Priority, err = j.GetPriority()
	require.NoError(t, err)
	v.Flags, err = j.GetNotifyFlags()
	require.NoError(t, err)
	v.Program, v.Parameters, err = j.GetNotifyCmdLine()
	require.NoError(t, err)
	v.CLSID, err = j.GetNotifyCLSID()
	require.NoError(t, err)
	v.RetryDelay, err = j.GetMinimumRetryDelay()
	require.NoError(t, err)
	v.NoProgress, err = j.GetNoProgressTimeout()
	require.NoError(t, err)
	v.MaxDownload, err = j.GetMaximumDownloadTime()
	require.NoError(t, err)
	v.Progress, err = j.GetProgress()
	require.NoError(t, err)
	times, err := j.GetTimes()
	require.NoError(t, err)
	v.Created = restartTime(times.CreationTime)
	v.Modified = restartTime(times.ModificationTime)
	v.Completed = restartTime(times.TransferCompletionTime)
	v.ErrorCount, err = j.GetErrorCount()
	require.NoError(t, err)
	v.Error, err = j.GetError()
	v.ErrorResult = model.HRESULTOf(err)
	prop := func(id model.JobPropertyID) model.JobPropertyValue {
		p, err := j.GetProperty(id)
		require.NoError(t, err)
		return p
	}
	v.CostFlags = prop(model.BITS_JOB_PROPERTY_ID_COST_FLAGS).DWORD
	v.Dynamic = prop(model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT).Enable
	v.HighPerf = prop(model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE).Enable
	v.MaxSize = prop(model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE).Uint64
	v.MinNotify = prop(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS).DWORD
	v.OnDemand = prop(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE).Enable
	files, err := j.EnumFiles()
	require.NoError(t, err)
	for _, f := range files {
		var fv restartFileView
		fv.Remote, err = f.GetRemoteName()
		require.NoError(t, err)
		fv.Local, err = f.GetLocalName()
		require.NoError(t, err)
		fv.Progress, err = f.GetProgress()
		require.NoError(t, err)
		fv.Temporary, err = f.GetTemporaryName()
		require.NoError(t, err)
		fv.Valid, err = f.GetValidationState()
		require.NoError(t, err)
		fv.FromPeer, err = f.IsDownloadedFromPeer()
		require.NoError(t, err)
		fv.Filled, err = f.GetFilledFileRanges()
		require.NoError(t, err)
		v.Files = append(v.Files, fv)
	}
	return v
}

// restartText draws a string of n characters (each one UTF-16 unit, so
// the BITS length limits count them exactly).
func restartText(rng *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,;:!?'\"\\/%$éßøÆ日本語Ωж"
	letters := []rune(alphabet)
	var sb strings.Builder
	for range n {
		sb.WriteRune(letters[rng.Intn(len(letters))])
	}
	return sb.String()
}

func restartGUID(rng *rand.Rand) model.GUID {
	var g model.GUID
	rng.Read(g[:])
	g[6] = g[6]&0x0F | 0x40
	g[8] = g[8]&0x3F | 0x80
	return g
}

// What the acceptance test makes of each job before the restart.
type restartFate int

const (
	fateSuspended restartFate = iota // never resumed (maybe without files)
	fateSuspendedAgain
	fateTransferred
	fateError
	fateTransient
	fateQueued
	fateCancelled
	fateAcknowledged
	restartFates
)

// The acceptance test: a service with more than a thousand jobs of
// several owners, with random settings, files, states and callback
// objects, reads back every persisted field unchanged after a restart,
// through the handles it had and through fresh GetJob calls, with every
// callback object gone and every CLSID kept.
//
// Rules: PERSIST-JOBS, PERSIST-SETTINGS-KEPT, PERSIST-FLAGS-KEPT, PERSIST-CMDLINE-KEPT, PERSIST-CLSID-KEPT, CLSID-PERSISTED, PERSIST-OBJECT-DROPPED, OBJ-NOT-PERSISTED, PERSIST-ACTIVE-REQUEUED, PERSIST-FINAL-GONE, SEC-ENUM-ALL-ADMIN
func TestRestartKeepsEveryPersistedFieldOfAThousandJobs(t *testing.T) {
	const seed = 20260101
	const jobs = 1500
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	limits := rules.Limits{JobsPerUser: 100000, JobsPerMachine: 100000, FilesPerJob: 200, RangesPerFile: 500}
	svc := restartManual(t, sim.Options{Seed: seed, Limits: &limits})
	defer svc.Close()

	owners := []model.Account{restartAlice, restartBob, restartAdmin, model.LocalSystem}
	apps := make([]*sim.App, len(owners))
	for i, u := range owners {
		a, err := svc.StartApp(fmt.Sprintf("app-%d", i), u)
		require.NoError(t, err)
		apps[i] = a
	}
	adminApp, err := svc.StartApp("console", restartAdmin)
	require.NoError(t, err)

	type entry struct {
		job    model.Job
		app    *sim.App
		fate   restartFate
		object bool
	}
	entries := make([]*entry, 0, jobs)
	byFate := map[restartFate][]*entry{}
	types := []model.JobType{model.BG_JOB_TYPE_DOWNLOAD, model.BG_JOB_TYPE_DOWNLOAD, model.BG_JOB_TYPE_DOWNLOAD,
		model.BG_JOB_TYPE_UPLOAD, model.BG_JOB_TYPE_UPLOAD_REPLY}

	// Phase 1: create and configure every job, with time passing between
	// them so that creation and modification times differ.
	for i := range jobs {
		ow := rng.Intn(len(owners))
		app := apps[ow]
		typ := types[rng.Intn(len(types))]
		fate := restartFate(rng.Intn(int(restartFates)))
		j, err := app.CreateJob(restartText(rng, 1+rng.Intn(256)), typ)
		require.NoError(t, err)
		e := &entry{job: j, app: app, fate: fate}
		entries = append(entries, e)
		byFate[fate] = append(byFate[fate], e)

		require.NoError(t, j.SetDescription(restartText(rng, rng.Intn(1025))))
		require.NoError(t, j.SetPriority(model.JobPriority(rng.Intn(4))))
		require.NoError(t, j.SetNotifyFlags(model.NotifyFlags(rng.Intn(0x40))))
		if rng.Intn(2) == 0 {
			params := restartText(rng, rng.Intn(200))
			if rng.Intn(20) == 0 {
				params = restartText(rng, 4000)
			}
			require.NoError(t, j.SetNotifyCmdLine(`C:\Program Files\Notify\`+restartText(rng, 1+rng.Intn(40))+".exe", params))
		}
		if rng.Intn(2) == 0 {
			require.NoError(t, j.SetNotifyCLSID(restartGUID(rng)))
		}
		retry := time.Duration(5+rng.Intn(3600)) * time.Second
		require.NoError(t, j.SetMinimumRetryDelay(retry))
		noProgress := time.Duration(rng.Intn(30*24*3600)) * time.Second
		if fate == fateTransient || noProgress < retry && rng.Intn(2) == 0 {
			noProgress = retry + time.Duration(rng.Intn(30*24*3600))*time.Second
		}
		require.NoError(t, j.SetNoProgressTimeout(noProgress))
		maxDownload := time.Duration(0)
		if rng.Intn(4) != 0 {
			maxDownload = time.Duration(3600+rng.Intn(90*24*3600)) * time.Second
		}
		require.NoError(t, j.SetMaximumDownloadTime(maxDownload))
		require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: rng.Uint32()}))
		require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, model.JobPropertyValue{Enable: rng.Intn(2) == 0}))
		require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE, model.JobPropertyValue{Enable: rng.Intn(2) == 0}))
		require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, model.JobPropertyValue{Uint64: rng.Uint64()}))
		require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS,
			model.JobPropertyValue{DWORD: uint32(rng.Intn(60000))}))
		if fate == fateSuspended && typ == model.BG_JOB_TYPE_DOWNLOAD && rng.Intn(3) == 0 {
			require.NoError(t, j.SetProperty(model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}))
		}

		nfiles := rng.Intn(4)
		if typ.IsUpload() {
			nfiles = min(nfiles, 1) // LIMIT-UPLOAD-ONE-FILE
		}
		if fate != fateSuspended && nfiles == 0 {
			nfiles = 1
		}
		failing := rng.Intn(max(nfiles, 1))
		for k := range nfiles {
			url := fmt.Sprintf("https://files%d.example/job/%d/file%d.bin", ow, i, k)
			size := uint64(rng.Intn(1 << 20))
			remote := sim.Remote{Size: size, FromPeer: rng.Intn(4) == 0}
			switch {
			case fate == fateError && k == failing:
				remote = sim.NotFound()
			case fate == fateTransient && k == failing:
				remote = sim.HTTPStatus(503, size)
			}
			require.NoError(t, svc.SetRemote(url, remote))
			require.NoError(t, j.AddFile(url, fmt.Sprintf(`C:\Data\%s\job%d\file%d.bin`, owners[ow].Name, i, k)))
		}
		require.NoError(t, svc.Advance(time.Duration(rng.Intn(3000))*time.Millisecond))
	}

	// Phase 2: transfer, with time passing between jobs so that completion
	// times differ. Jobs that must stay in TRANSIENT_ERROR or QUEUED go
	// last, when the clock no longer moves.
	for _, e := range entries {
		switch e.fate {
		case fateTransferred, fateError, fateCancelled, fateAcknowledged:
			require.NoError(t, e.job.Resume())
			require.NoError(t, svc.Advance(time.Duration(rng.Intn(2000))*time.Millisecond))
		case fateSuspendedAgain:
			require.NoError(t, e.job.Resume())
			require.NoError(t, e.job.Suspend())
		}
	}
	require.NoError(t, svc.RunUntilIdle())
	for _, e := range byFate[fateTransferred] {
		if rng.Intn(3) == 0 {
			files, err := e.job.EnumFiles()
			require.NoError(t, err)
			require.NoError(t, files[0].SetValidationState(true))
		}
	}
	for _, e := range byFate[fateCancelled] {
		require.NoError(t, e.job.Cancel())
	}
	for _, e := range byFate[fateAcknowledged] {
		st, err := e.job.GetState()
		require.NoError(t, err)
		if st == model.BG_JOB_STATE_TRANSFERRED {
			_, err = e.job.Complete()
			require.NoError(t, err)
		} else {
			require.NoError(t, e.job.Cancel())
		}
	}
	for _, e := range byFate[fateTransient] {
		require.NoError(t, e.job.Resume())
	}
	require.NoError(t, svc.RunUntilIdle())

	// Callback objects on a quarter of the live jobs; some fail.
	var calls sync.Map
	for _, e := range entries {
		if e.fate == fateCancelled || e.fate == fateAcknowledged || rng.Intn(4) != 0 {
			continue
		}
		var result error
		if rng.Intn(3) == 0 {
			result = model.E_FAIL
		}
		id := e.job.GetId()
		require.NoError(t, e.job.SetNotifyInterface(&model.CallbackFuncs{
			OnJobTransferred: func(model.Job) error { calls.Store(id, true); return result },
			OnJobError:       func(model.Job, model.JobError) error { calls.Store(id, true); return result },
		}))
		e.object = true
	}
	require.NoError(t, svc.RunUntilIdle())
	for _, e := range byFate[fateQueued] {
		require.NoError(t, e.job.Resume())
	}

	// Every state the test means to cover is there.
	count := map[model.JobState]int{}
	for _, e := range entries {
		st, err := e.job.GetState()
		require.NoError(t, err)
		count[st]++
	}
	t.Logf("states before the restart: %v", count)
	for _, st := range []model.JobState{model.BG_JOB_STATE_SUSPENDED, model.BG_JOB_STATE_QUEUED,
		model.BG_JOB_STATE_TRANSFERRED, model.BG_JOB_STATE_ERROR, model.BG_JOB_STATE_TRANSIENT_ERROR,
		model.BG_JOB_STATE_CANCELLED, model.BG_JOB_STATE_ACKNOWLEDGED} {
		require.Positivef(t, count[st], "no job is %v before the restart", st)
	}
	require.Zero(t, count[model.BG_JOB_STATE_CONNECTING]+count[model.BG_JOB_STATE_TRANSFERRING],
		"the acceptance test restarts with no active job; PERSIST-ACTIVE-REQUEUED has its own test")

	before := map[model.GUID]restartJobView{}
	var live []*entry
	var gone []model.GUID
	for _, e := range entries {
		v := restartRead(t, e.job)
		if v.State.IsFinal() {
			gone = append(gone, v.ID)
			continue
		}
		before[v.ID] = v
		live = append(live, e)
		cb, err := e.job.GetNotifyInterface()
		require.NoError(t, err)
		require.Equal(t, e.object, cb != nil, "job %v: callback object registered before the restart", v.ID)
	}
	require.GreaterOrEqual(t, len(before), 1000)
	// The jobs exercise every field: a restart that lost one would show.
	variety := map[string]int{}
	for _, v := range before {
		variety["program"] += restartB2I(v.Program != "")
		variety["parameters"] += restartB2I(v.Parameters != "")
		variety["clsid"] += restartB2I(!v.CLSID.IsNull())
		variety["error"] += restartB2I(v.ErrorResult == model.S_OK)
		variety["error count"] += restartB2I(v.ErrorCount > 0)
		variety["completed time"] += restartB2I(v.Completed != "zero")
		variety["modified later"] += restartB2I(v.Modified != v.Created)
		variety["no max download"] += restartB2I(v.MaxDownload == 0)
		variety["dynamic"] += restartB2I(v.Dynamic)
		variety["on demand"] += restartB2I(v.OnDemand)
		variety["partial progress"] += restartB2I(v.Progress.FilesTransferred > 0 && v.Progress.FilesTransferred < v.Progress.FilesTotal)
		variety["upload"] += restartB2I(v.Type == model.BG_JOB_TYPE_UPLOAD)
		variety["upload-reply"] += restartB2I(v.Type == model.BG_JOB_TYPE_UPLOAD_REPLY)
		variety["no files"] += restartB2I(len(v.Files) == 0)
		for _, f := range v.Files {
			variety["temporary name"] += restartB2I(f.Temporary != "")
			variety["valid"] += restartB2I(f.Valid)
			variety["from peer"] += restartB2I(f.FromPeer)
			variety["size known"] += restartB2I(f.Progress.BytesTotal != model.BG_SIZE_UNKNOWN)
		}
		for _, ow := range owners {
			variety["owner "+ow.Name] += restartB2I(v.Owner == ow.Name)
		}
		for p := model.BG_JOB_PRIORITY_FOREGROUND; p <= model.BG_JOB_PRIORITY_LOW; p++ {
			variety["priority "+p.String()] += restartB2I(v.Priority == p)
		}
	}
	t.Logf("variety: %v", variety)
	for k, n := range variety {
		require.Positivef(t, n, "no live job has %s", k)
	}
	enumIDs := func() []model.GUID {
		js, err := adminApp.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
		require.NoError(t, err)
		ids := make([]model.GUID, len(js))
		for i, j := range js {
			ids[i] = j.GetId()
		}
		return ids
	}
	enumBefore := enumIDs()
	require.Len(t, enumBefore, len(before))

	require.NoError(t, svc.Restart())

	mismatches := 0
	check := func(ok bool) {
		if !ok {
			mismatches++
			if mismatches >= 10 {
				t.Fatalf("stopping after %d mismatches", mismatches)
			}
		}
	}
	for _, e := range live {
		want := before[e.job.GetId()]
		check(assert.Equal(t, want, restartRead(t, e.job), "job %v through the handle held across the restart", want.ID))
		fresh, err := e.app.GetJob(want.ID)
		require.NoError(t, err, "GetJob(%v) after the restart", want.ID)
		check(assert.Equal(t, want, restartRead(t, fresh), "job %v through GetJob after the restart", want.ID))

		cb, err := e.job.GetNotifyInterface()
		require.NoError(t, err)
		check(assert.Nil(t, cb, "job %v: the restart drops every callback object (PERSIST-OBJECT-DROPPED)", want.ID))
		cb, err = fresh.GetNotifyInterface()
		require.NoError(t, err)
		check(assert.Nil(t, cb, "job %v: the restart drops every callback object (PERSIST-OBJECT-DROPPED)", want.ID))
	}
	assert.ElementsMatch(t, enumBefore, enumIDs(), "EnumJobs(BG_JOB_ENUM_ALL_USERS) lists the same jobs after the restart")
	for _, id := range gone {
		_, err := adminApp.GetJob(id)
		check(assert.ErrorIs(t, err, model.BG_E_NOT_FOUND, "final job %v after the restart (PERSIST-FINAL-GONE)", id))
	}

	// The restarted service goes on working: queued jobs transfer.
	require.NoError(t, svc.RunUntilIdle())
	for _, e := range byFate[fateQueued] {
		st, err := e.job.GetState()
		require.NoError(t, err)
		assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st, "queued job %v transfers after the restart", e.job.GetId())
	}
}

// A job that is CONNECTING or TRANSFERRING when the service stops is QUEUED
// right after the restart, keeps its progress, and then transfers; a job
// that was QUEUED behind it stays QUEUED and a SUSPENDED one stays
// SUSPENDED.
//
// Rules: PERSIST-ACTIVE-REQUEUED, PERSIST-JOBS
func TestRestartRequeuesActiveJobs(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 2})
	defer svc.Close()
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)

	const slowURL = "https://slow.example/big.bin"
	require.NoError(t, svc.SetRemote(slowURL, sim.Remote{Size: 100_000, Rate: 1_000})) // 100 s
	const farURL = "https://far.example/x.bin"
	require.NoError(t, svc.SetRemote(farURL, sim.Remote{Size: 10, Latency: time.Hour}))

	transferring, err := app.CreateJob("transferring", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, transferring.AddFile(slowURL, `C:\d\big.bin`))
	connecting, err := app.CreateJob("connecting", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, connecting.SetPriority(model.BG_JOB_PRIORITY_FOREGROUND))
	require.NoError(t, connecting.AddFile(farURL, `C:\d\x.bin`))
	queued, err := app.CreateJob("queued", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, queued.AddFile("https://fast.example/a.bin", `C:\d\a.bin`))
	suspended, err := app.CreateJob("suspended", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, suspended.AddFile("https://fast.example/b.bin", `C:\d\b.bin`))

	require.NoError(t, transferring.Resume())
	require.NoError(t, connecting.Resume())
	require.NoError(t, svc.RunUntilIdle())
	require.NoError(t, queued.Resume())
	require.NoError(t, svc.Advance(10*time.Second))

	state := func(j model.Job) model.JobState {
		t.Helper()
		st, err := j.GetState()
		require.NoError(t, err)
		return st
	}
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, state(transferring))
	require.Equal(t, model.BG_JOB_STATE_CONNECTING, state(connecting))
	require.Equal(t, model.BG_JOB_STATE_QUEUED, state(queued), "one background job transfers at a time")
	require.Equal(t, model.BG_JOB_STATE_SUSPENDED, state(suspended))
	progress, err := transferring.GetProgress()
	require.NoError(t, err)
	require.Greater(t, progress.BytesTransferred, uint64(0))
	require.Less(t, progress.BytesTransferred, uint64(100_000))

	require.NoError(t, svc.Restart())

	assert.Equal(t, model.BG_JOB_STATE_QUEUED, state(transferring), "TRANSFERRING at the restart: QUEUED after it")
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, state(connecting), "CONNECTING at the restart: QUEUED after it")
	assert.Equal(t, model.BG_JOB_STATE_QUEUED, state(queued), "QUEUED keeps its state")
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, state(suspended), "SUSPENDED keeps its state")
	after, err := transferring.GetProgress()
	require.NoError(t, err)
	assert.Equal(t, progress, after, "transfer progress survives the restart (PERSIST-JOBS)")

	require.NoError(t, svc.Advance(3*time.Hour))
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, state(transferring), "the requeued job transfers after the restart")
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, state(connecting), "the requeued job transfers after the restart")
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, state(queued))
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, state(suspended))
	final, err := transferring.GetProgress()
	require.NoError(t, err)
	assert.Equal(t, model.JobProgress{BytesTotal: 100_000, BytesTransferred: 100_000, FilesTotal: 1, FilesTransferred: 1}, final)
}

// The time a job spent TRANSFERRING before a restart counts towards its
// maximum download time after it.
//
// Rules: STATE-MAX-DOWNLOAD-TIME, PERSIST-ACTIVE-REQUEUED
func TestRestartKeepsTimeSpentTransferring(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 3})
	defer svc.Close()
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	const url = "https://slow.example/big.bin"
	require.NoError(t, svc.SetRemote(url, sim.Remote{Size: 20_000, Rate: 100})) // 200 s
	job, err := app.CreateJob("limited", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.SetMaximumDownloadTime(100*time.Second))
	require.NoError(t, job.AddFile(url, `C:\d\big.bin`))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.Advance(80*time.Second))
	st, err := job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRING, st)

	require.NoError(t, svc.Restart())
	// 80 s before the restart and 30 s after it: 110 s spent CONNECTING or
	// TRANSFERRING, more than the 100 s allowed.
	require.NoError(t, svc.Advance(30*time.Second))

	st, err = job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, st)
	jobErr, err := job.GetError()
	if assert.NoError(t, err) {
		assert.Equal(t, model.BG_E_MAXDOWNLOAD_TIMEOUT, jobErr.Code)
	}
}

// A restart does not give a job in TRANSIENT_ERROR a fresh no-progress
// period: it goes to ERROR NoProgressTimeout after its first transient
// error, restart or not.
//
// Rules: STATE-NO-PROGRESS-TIMEOUT, PERSIST-ACTIVE-REQUEUED
func TestRestartKeepsNoProgressDeadline(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 4})
	defer svc.Close()
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	const url = "https://down.example/x.bin"
	require.NoError(t, svc.SetRemote(url, sim.HTTPStatus(503, 10)))
	job, err := app.CreateJob("stuck", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.SetMinimumRetryDelay(600*time.Second))
	require.NoError(t, job.SetNoProgressTimeout(1000*time.Second))
	require.NoError(t, job.AddFile(url, `C:\d\x.bin`))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle()) // first transient error at t0
	st, err := job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, st)

	require.NoError(t, svc.Advance(500*time.Second))
	st, err = job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, st, "t0+500 s: in TRANSIENT_ERROR, no retry due yet")
	require.NoError(t, svc.Restart())
	st, err = job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, st, "TRANSIENT_ERROR keeps its state (PERSIST-ACTIVE-REQUEUED)")

	require.NoError(t, svc.Advance(510*time.Second)) // t0+1010 s, no progress since t0
	st, err = job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, st, "no progress for more than NoProgressTimeout (1000 s) since the first transient error")
}

// A restart does not postpone the retry of a job in TRANSIENT_ERROR: BITS
// queues it again once MinimumRetryDelay has elapsed since the error.
//
// Rules: STATE-TRANSIENT-RETRY, PERSIST-ACTIVE-REQUEUED
func TestRestartKeepsRetryDue(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 5})
	defer svc.Close()
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	const url = "https://flaky.example/x.bin"
	require.NoError(t, svc.SetRemote(url, sim.Unavailable(1, 10))) // the first attempt fails, the second works
	job, err := app.CreateJob("flaky", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.SetMinimumRetryDelay(600*time.Second))
	require.NoError(t, job.AddFile(url, `C:\d\x.bin`))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle()) // transient error at t0
	st, err := job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSIENT_ERROR, st)

	require.NoError(t, svc.Advance(500*time.Second))
	require.NoError(t, svc.Restart())
	require.NoError(t, svc.Advance(110*time.Second)) // t0+610 s: the retry was due at t0+600 s

	st, err = job.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st, "the retry due 600 s after the transient error happened, and the second attempt succeeds")
}

// restartClass is a notification class that counts its activations and
// records the calls its instances get.
type restartClass struct {
	mu          sync.Mutex
	activations int
	hosts       []model.Account // the user each instance runs as
	transferred []int           // the instance number of each JobTransferred call
}

func (c *restartClass) factory(host *sim.App) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.activations++
	n := c.activations
	c.hosts = append(c.hosts, host.User())
	return &model.CallbackFuncs{OnJobTransferred: func(model.Job) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.transferred = append(c.transferred, n)
		return nil
	}}, nil
}

func (c *restartClass) snapshot() (activations int, transferred []int, hosts []model.Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.activations, append([]int(nil), c.transferred...), append([]model.Account(nil), c.hosts...)
}

// restartEvents returns the trace events of one kind for one job.
func restartEvents(svc *sim.Service, job model.GUID, kind model.EventKind) []model.Event {
	var out []model.Event
	for _, e := range svc.Trace() {
		if e.Job == job && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// A JobTransferred whose callback failed before a restart is delivered
// after it, to an instance of the job's notification CLSID since the
// restart dropped the object.
//
// Rules: PERSIST-REDELIVER, PERSIST-CLSID-KEPT, PERSIST-OBJECT-DROPPED, PREC-FALLBACK-MISSING, CLSID-OWNER-CONTEXT
func TestRestartRedeliversFailedJobTransferredToCLSID(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 6})
	defer svc.Close()
	class := &restartClass{}
	require.NoError(t, svc.RegisterClass(restartCLSID, class.factory))
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	job, err := app.CreateJob("redeliver", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.SetMinimumRetryDelay(60*time.Second))
	require.NoError(t, job.AddFile("https://example.test/a.bin", `C:\d\a.bin`))
	require.NoError(t, job.SetNotifyCLSID(restartCLSID))
	objectCalls := 0
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(model.Job) error { objectCalls++; return model.E_FAIL },
	}))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle())

	st, err := job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st)
	require.Equal(t, 1, objectCalls, "the object failed JobTransferred once before the restart")
	activations, _, _ := class.snapshot()
	require.Zero(t, activations, "the CLSID is not tried while the object answers (PREC-FAILURE-KEEPS-OBJECT)")
	seq := svc.Trace()[len(svc.Trace())-1].Seq

	require.NoError(t, svc.Restart())
	clsid, err := job.GetNotifyCLSID()
	require.NoError(t, err)
	assert.Equal(t, restartCLSID, clsid)
	cb, err := job.GetNotifyInterface()
	require.NoError(t, err)
	assert.Nil(t, cb)

	require.NoError(t, svc.Advance(60*time.Second)) // within the job's MinimumRetryDelay
	activations, transferred, hosts := class.snapshot()
	assert.Equal(t, 1, activations, "the CLSID is activated for the undelivered JobTransferred")
	assert.Equal(t, []int{1}, transferred, "the instance gets JobTransferred once")
	assert.Equal(t, []model.Account{restartAlice}, hosts, "the instance runs as the job's owner")
	assert.Equal(t, 1, objectCalls, "the dropped object is not called again")
	var got []string
	for _, e := range svc.TraceSince(seq) {
		if e.Kind == model.EventJobTransferred {
			got = append(got, fmt.Sprintf("%v %v %s %s", e.Target.Kind, e.Target.CLSID, e.User, e.Result.Name()))
		}
	}
	assert.Equal(t, []string{fmt.Sprintf("clsid %v alice S_OK", restartCLSID)}, got)
}

// A JobTransferred delivered successfully before a restart is not sent
// again after it, to the CLSID or anyone, until an object is registered
// again.
//
// Rules: PERSIST-REDELIVER, DELIV-ONCE-AFTER-SUCCESS, DELIV-AFTER-REGISTRATION, DELIV-AT-LEAST-ONCE
func TestRestartDoesNotResendDeliveredJobTransferred(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 7})
	defer svc.Close()
	class := &restartClass{}
	require.NoError(t, svc.RegisterClass(restartCLSID, class.factory))
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	job, err := app.CreateJob("delivered", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.AddFile("https://example.test/a.bin", `C:\d\a.bin`))
	require.NoError(t, job.SetNotifyCLSID(restartCLSID))
	require.NoError(t, job.SetNotifyCmdLine(`C:\bin\notify.exe`, "done"))
	first := 0
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(model.Job) error { first++; return nil }, // delivered, job left TRANSFERRED
	}))
	require.NoError(t, job.Resume())
	require.NoError(t, svc.RunUntilIdle())
	require.Equal(t, 1, first)
	require.Len(t, restartEvents(svc, job.GetId(), model.EventJobTransferred), 1)

	require.NoError(t, svc.Restart())
	require.NoError(t, svc.Advance(2*time.Hour)) // several MinimumRetryDelays

	st, err := job.GetState()
	require.NoError(t, err)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st)
	activations, _, _ := class.snapshot()
	assert.Zero(t, activations, "no CLSID activation for a notification already delivered")
	assert.Len(t, restartEvents(svc, job.GetId(), model.EventJobTransferred), 1, "JobTransferred is not sent again")
	assert.Empty(t, restartEvents(svc, job.GetId(), model.EventCommandLine), "nor the command line")
	assert.Empty(t, svc.Launches())

	second := 0
	require.NoError(t, job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(model.Job) error { second++; return nil },
	}))
	require.NoError(t, svc.RunUntilIdle())
	assert.Equal(t, 1, second, "an object registered again gets JobTransferred again")
	assert.Equal(t, 1, first)
}

// The CLSID instance BITS activated before a restart is not used after it:
// the next notification activates a second instance.
//
// Rules: PERSIST-CLSID-INSTANCE-DROPPED, CLSID-INSTANCE-REUSED, PERSIST-CLSID-KEPT, CLSID-PERSISTED
func TestRestartDropsCLSIDInstance(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 8})
	defer svc.Close()
	class := &restartClass{}
	require.NoError(t, svc.RegisterClass(restartCLSID, class.factory))
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	job, err := app.CreateJob("instances", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, job.SetNotifyCLSID(restartCLSID))
	round := func(n int) {
		t.Helper()
		require.NoError(t, job.AddFile(fmt.Sprintf("https://example.test/%d.bin", n), fmt.Sprintf(`C:\d\%d.bin`, n)))
		require.NoError(t, job.Resume())
		require.NoError(t, svc.RunUntilIdle())
		st, err := job.GetState()
		require.NoError(t, err)
		require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st)
	}

	round(1)
	round(2)
	activations, transferred, _ := class.snapshot()
	require.Equal(t, 1, activations, "one instance serves both notifications before the restart (CLSID-INSTANCE-REUSED)")
	require.Equal(t, []int{1, 1}, transferred)

	require.NoError(t, svc.Restart())
	clsid, err := job.GetNotifyCLSID()
	require.NoError(t, err)
	require.Equal(t, restartCLSID, clsid)
	seq := svc.Trace()[len(svc.Trace())-1].Seq
	round(3)

	activations, transferred, _ = class.snapshot()
	assert.Equal(t, 2, activations, "the restart released instance #1, so BITS activates a new one")
	assert.Equal(t, []int{1, 1, 2}, transferred, "the notification after the restart goes to instance #2")
	var targets []string
	for _, e := range svc.TraceSince(seq) {
		if e.Kind == model.EventJobTransferred {
			targets = append(targets, e.Target.String())
		}
	}
	assert.Equal(t, []string{fmt.Sprintf("clsid(%v#2)", restartCLSID)}, targets,
		"the trace numbers the activations of the CLSID: the instance after the restart is the second")
}

// Jobs that were CANCELLED or ACKNOWLEDGED before a restart do not come
// back: GetJob fails with BG_E_NOT_FOUND and EnumJobs does not list them.
//
// Rules: PERSIST-FINAL-GONE, STATE-GETJOB-FINAL, STATE-FINAL-NOT-ENUMERATED
func TestRestartFinalJobsGone(t *testing.T) {
	svc := restartManual(t, sim.Options{Seed: 9})
	defer svc.Close()
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	admin, err := svc.StartApp("admin", restartAdmin)
	require.NoError(t, err)

	cancelled, err := app.CreateJob("cancelled", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, cancelled.Cancel())
	acknowledged, err := app.CreateJob("acknowledged", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, acknowledged.AddFile("https://example.test/a.bin", `C:\d\a.bin`))
	require.NoError(t, acknowledged.Resume())
	require.NoError(t, svc.RunUntilIdle())
	hr, err := acknowledged.Complete()
	require.NoError(t, err)
	require.Equal(t, model.S_OK, hr)
	kept, err := app.CreateJob("kept", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)

	require.NoError(t, svc.Restart())

	for _, id := range []model.GUID{cancelled.GetId(), acknowledged.GetId()} {
		_, err := app.GetJob(id)
		assert.ErrorIs(t, err, model.BG_E_NOT_FOUND, "owner's GetJob(%v)", id)
		_, err = admin.GetJob(id)
		assert.ErrorIs(t, err, model.BG_E_NOT_FOUND, "administrator's GetJob(%v)", id)
	}
	mine, err := app.EnumJobs(0)
	require.NoError(t, err)
	all, err := admin.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	require.NoError(t, err)
	for _, list := range [][]model.Job{mine, all} {
		ids := make([]model.GUID, len(list))
		for i, j := range list {
			ids[i] = j.GetId()
		}
		assert.Equal(t, []model.GUID{kept.GetId()}, ids)
	}
}

// restartSetUp gives a job one of everything a restart must keep.
func restartSetUp(t *testing.T, j model.Job) {
	t.Helper()
	require.NoError(t, j.SetDescription("nightly package mirror"))
	require.NoError(t, j.SetPriority(model.BG_JOB_PRIORITY_LOW))
	require.NoError(t, j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_TRANSFERRED))
	require.NoError(t, j.SetNotifyCmdLine(`C:\Program Files\Mirror\notify.exe`, `--job "nightly"`))
	require.NoError(t, j.SetNotifyCLSID(restartCLSID2))
	require.NoError(t, j.SetMinimumRetryDelay(90*time.Second))
	require.NoError(t, j.SetNoProgressTimeout(2*time.Hour))
	require.NoError(t, j.SetMaximumDownloadTime(6*time.Hour))
}

// A service restarted with a FileStore saves its jobs in the file, and a
// new service on the same file (a new process after a reboot) loads them
// with every field, without the callback objects.
//
// Rules: PERSIST-JOBS, PERSIST-SETTINGS-KEPT, PERSIST-FLAGS-KEPT, PERSIST-CMDLINE-KEPT, PERSIST-CLSID-KEPT, PERSIST-OBJECT-DROPPED, PERSIST-FINAL-GONE
func TestRestartFileStoreSurvivesReboot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bits.db")
	svc := restartManual(t, sim.Options{Seed: 10, Store: sim.NewFileStore(path)})
	defer svc.Close()
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	require.NoError(t, svc.SetRemote("https://example.test/missing.bin", sim.NotFound()))

	var jobs []model.Job
	for i, url := range []string{"", "https://example.test/a.bin", "https://example.test/missing.bin"} {
		j, err := app.CreateJob(fmt.Sprintf("job %d", i), model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		restartSetUp(t, j)
		if url != "" {
			require.NoError(t, j.AddFile(url, fmt.Sprintf(`C:\d\%d.bin`, i)))
			require.NoError(t, j.Resume())
		}
		require.NoError(t, j.SetNotifyInterface(&model.CallbackFuncs{}))
		jobs = append(jobs, j)
	}
	gone, err := app.CreateJob("gone", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, gone.Cancel())
	require.NoError(t, svc.Advance(time.Minute))

	want := make([]restartJobView, len(jobs))
	for i, j := range jobs {
		want[i] = restartRead(t, j)
	}
	require.Equal(t, model.BG_JOB_STATE_SUSPENDED, want[0].State)
	require.Equal(t, model.BG_JOB_STATE_TRANSFERRED, want[1].State)
	require.Equal(t, model.BG_JOB_STATE_ERROR, want[2].State)

	require.NoError(t, svc.Restart())
	info, err := os.Stat(path)
	require.NoError(t, err, "Restart saved the state in the store's file")
	require.Positive(t, info.Size())
	for i, j := range jobs {
		assert.Equal(t, want[i], restartRead(t, j), "job %d after Restart", i)
	}
	require.NoError(t, svc.Close())

	// A new process: a new service and a new store on the same file.
	rebooted := restartManual(t, sim.Options{Seed: 11, Store: sim.NewFileStore(path)})
	defer rebooted.Close()
	app2, err := rebooted.StartApp("app", restartAlice)
	require.NoError(t, err)
	listed, err := app2.EnumJobs(0)
	require.NoError(t, err)
	var ids []model.GUID
	for _, j := range listed {
		ids = append(ids, j.GetId())
	}
	assert.ElementsMatch(t, []model.GUID{want[0].ID, want[1].ID, want[2].ID}, ids)
	for i := range jobs {
		j, err := app2.GetJob(want[i].ID)
		require.NoError(t, err, "job %d after the reboot", i)
		assert.Equal(t, want[i], restartRead(t, j), "job %d after the reboot", i)
		cb, err := j.GetNotifyInterface()
		require.NoError(t, err)
		assert.Nil(t, cb, "job %d: no callback object after the reboot", i)
	}
	_, err = app2.GetJob(gone.GetId())
	assert.ErrorIs(t, err, model.BG_E_NOT_FOUND)
}

// A store file that does not hold a valid snapshot makes New fail with an
// error that names the file, and leaves the file as it was: the service
// never starts empty over jobs it could not read.
//
// Rules: PERSIST-JOBS
func TestRestartCorruptStoreFileFailsNew(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	svc := restartManual(t, sim.Options{Seed: 12, Store: sim.NewFileStore(good)})
	defer svc.Close()
	app, err := svc.StartApp("app", restartAlice)
	require.NoError(t, err)
	for i := range 3 {
		j, err := app.CreateJob(fmt.Sprintf("job %d", i), model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, j.AddFile("https://example.test/a.bin", fmt.Sprintf(`C:\d\%d.bin`, i)))
	}
	require.NoError(t, svc.Restart())
	require.NoError(t, svc.Close())
	valid, err := os.ReadFile(good)
	require.NoError(t, err)
	require.Greater(t, len(valid), 40)

	flipped := bytes.Clone(valid)
	flipped[len(flipped)/2] ^= 0x40
	cases := map[string][]byte{
		"byte flipped": flipped,
		"truncated":    valid[:len(valid)-7],
		"empty":        {},
		"not a snapshot": []byte("this is not a bitssim snapshot, just some text " +
			"that happens to be long enough to have a header"),
		"trailing bytes": append(bytes.Clone(valid), 0),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bits.db")
			require.NoError(t, os.WriteFile(path, data, 0o600))
			s, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 13, Store: sim.NewFileStore(path)})
			if s != nil {
				defer s.Close()
			}
			require.Error(t, err, "New must not start over a store it cannot read")
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), path, "the error names the file")
			after, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			assert.Equal(t, data, after, "the unreadable file is left as it was")
		})
	}

	t.Run("unreadable path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bits.db")
		require.NoError(t, os.Mkdir(path, 0o700)) // a directory where the file should be
		s, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 14, Store: sim.NewFileStore(path)})
		if s != nil {
			defer s.Close()
		}
		require.Error(t, err)
		assert.Nil(t, s)
		assert.Contains(t, err.Error(), path, "the error names the file")
	})

	t.Run("valid file loads", func(t *testing.T) {
		s, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 15, Store: sim.NewFileStore(good)})
		require.NoError(t, err)
		defer s.Close()
		a, err := s.StartApp("app", restartAlice)
		require.NoError(t, err)
		js, err := a.EnumJobs(0)
		require.NoError(t, err)
		assert.Len(t, js, 3)
	})
}

func restartB2I(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A job that survives a restart is still cancelled once it has gone
// without activity for the inactivity timeout: at most 90 days after the
// restart, however the restart counts (STATE-INACTIVITY-CANCEL), and not
// before the timeout has passed since its last change.
//
// Rules: STATE-INACTIVITY-CANCEL, PERSIST-JOBS
func TestRestartKeepsTheInactivityCancel(t *testing.T) {
	svc := smtService(t, sim.Options{})
	defer svc.Close()
	app := smtApp(t, svc, "app", smtAlice)
	j := smtJob(t, app, "idle", model.BG_JOB_TYPE_DOWNLOAD)
	const day = 24 * time.Hour
	smtAdvance(t, svc, 10*day)
	require.NoError(t, svc.Restart())
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j), "PERSIST-JOBS: the job survives")
	smtAdvance(t, svc, 80*day-time.Second)
	assert.Equal(t, model.BG_JOB_STATE_SUSPENDED, smtState(t, j), "not yet 90 days since its last change")
	smtAdvance(t, svc, 10*day+2*time.Second)
	assert.Equal(t, model.BG_JOB_STATE_CANCELLED, smtState(t, j), "90 days after the restart, without activity")
}
