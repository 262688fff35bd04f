package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// validSnapshot is a snapshot a real service wrote: jobs in several states,
// with files, a command line and errors.
func validSnapshot(t testing.TB) *snapshot {
	svc, err := New(Options{Clock: Manual, Seed: 5})
	require.NoError(t, err)
	defer svc.Close()
	require.NoError(t, svc.SetRemote("https://x.test/bad", Remote{TransientFailures: 100}))
	app, err := svc.StartApp("a", model.Account{Name: "alice"})
	require.NoError(t, err)
	for i, url := range []string{"https://x.test/ok", "https://x.test/bad", ""} {
		j, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, j.SetNotifyCmdLine(`C:\n.exe`, "n.exe 1"))
		if url != "" {
			require.NoError(t, j.AddFile(url, `C:\dl\f`))
			require.NoError(t, j.Resume(), "job %d", i)
		}
	}
	require.NoError(t, svc.Advance(time.Hour))
	svc.mu.Lock()
	defer svc.mu.Unlock()
	return svc.snapshotLocked()
}

// loadAndUse loads data as a service's store, and when it loads, calls
// every getter on every job and file, runs the timers, restarts and
// closes. It must never panic or hang.
func loadAndUse(t *testing.T, data []byte) error {
	st := NewMemoryStore()
	require.NoError(t, st.Save(data))
	svc, err := New(Options{Clock: Manual, Store: st})
	if err != nil {
		assert.Nil(t, svc)
		return err
	}
	defer svc.Close()
	app, err := svc.StartApp("fuzz", model.LocalSystem)
	require.NoError(t, err)
	js, err := app.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	require.NoError(t, err)
	for _, j := range js {
		_, _ = j.GetType()
		_, _ = j.GetState()
		_, _ = j.GetProgress()
		_, _ = j.GetTimes()
		_, _ = j.GetError()
		_, _ = j.GetErrorCount()
		_, _ = j.GetOwner()
		_, _ = j.GetDisplayName()
		_, _ = j.GetDescription()
		_, _ = j.GetPriority()
		_, _ = j.GetNotifyFlags()
		_, _ = j.GetNotifyInterface()
		_, _, _ = j.GetNotifyCmdLine()
		_, _ = j.GetNotifyCLSID()
		_, _ = j.GetMinimumRetryDelay()
		_, _ = j.GetNoProgressTimeout()
		_, _ = j.GetMaximumDownloadTime()
		for id := model.JobPropertyID(1); id <= 12; id++ {
			_, _ = j.GetProperty(id)
		}
		fs, _ := j.EnumFiles()
		for _, f := range fs {
			_, _ = f.GetRemoteName()
			_, _ = f.GetLocalName()
			_, _ = f.GetProgress()
			_, _ = f.GetTemporaryName()
			_, _ = f.GetValidationState()
			_, _ = f.IsDownloadedFromPeer()
			_, _ = f.GetFilledFileRanges()
		}
	}
	require.NoError(t, svc.RunUntilIdle())
	require.NoError(t, svc.Advance(100*24*time.Hour))
	require.NoError(t, svc.Restart())
	return nil
}

func TestLoadValidSnapshotFromAService(t *testing.T) {
	require.NoError(t, loadAndUse(t, encodeSnapshot(validSnapshot(t))))
}

// The values adversarial testing found, each in a snapshot with a valid
// checksum: priority 7 used to panic in New; state 42, job type 9 and two
// jobs with one ID used to load. Each is an error naming the job and field.
func TestLoadRejectsInvalidFieldsNamingJobAndField(t *testing.T) {
	for _, c := range []struct {
		name  string
		spoil func(s *snapshot)
		want  string
	}{
		{"priority 7", func(s *snapshot) { s.Jobs[1].Priority = 7 }, "job 1 ({"},
		{"state 42", func(s *snapshot) { s.Jobs[0].State = 42 }, "State: 42 is not a job state"},
		{"type 9", func(s *snapshot) { s.Jobs[0].Type = 9 }, "Type: 9 is not a job type"},
		{"duplicate ID", func(s *snapshot) { s.Jobs[2].ID = s.Jobs[0].ID }, "ID: the same ID as job 0"},
		{"final state", func(s *snapshot) { s.Jobs[0].State = model.BG_JOB_STATE_CANCELLED }, "final jobs are not persisted"},
		{"time after MaxTime", func(s *snapshot) { s.Jobs[0].LastActivity = MaxTime.Add(time.Hour) }, "LastActivity:"},
		{"negative delay", func(s *snapshot) { s.Jobs[0].MinimumRetryDelay = -1 }, "MinimumRetryDelay: negative"},
		{"NUL in name", func(s *snapshot) { s.Jobs[0].DisplayName = "a\x00b" }, "DisplayName:"},
		{"bad file", func(s *snapshot) { s.Jobs[0].Files[0].LocalName = "relative" }, "file 0: RemoteName/LocalName: local name \"relative\" is not a full path"},
		{"bad kind", func(s *snapshot) { s.Jobs[0].Owner.Kind = 9 }, "Owner: 9 is not an account kind"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := validSnapshot(t)
			require.Len(t, s.Jobs, 3)
			c.spoil(s)
			st := NewMemoryStore()
			require.NoError(t, st.Save(encodeSnapshot(s)))
			svc, err := New(Options{Clock: Manual, Store: st})
			require.Error(t, err)
			assert.Nil(t, svc)
			assert.ErrorContains(t, err, "memory store")
			assert.ErrorContains(t, err, c.want)
			assert.ErrorIs(t, err, model.E_INVALIDARG)
		})
	}
}

// FuzzLoadSnapshot feeds what decodes to New and uses the service: decode →
// New → every getter → timers → Restart → Close.
func FuzzLoadSnapshot(f *testing.F) {
	f.Add(encodeSnapshot(validSnapshot(f)))
	f.Add(encodeSnapshot(fullSnapshot()))
	f.Add(smallEncoding())
	enc := encodeSnapshot(validSnapshot(f))
	f.Add(enc[frameHeaderLen : len(enc)-frameCRCLen])
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, in := range [][]byte{b, framePayload(b)} {
			_ = loadAndUse(t, in)
		}
	})
}
