package sim

import (
	"encoding/binary"
	"os"
	"testing"
	"time"
	"unsafe"

	"github.com/bitssim/bitssim/model"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// snapshotLocked collects the persisted state as a snapshot; s.mu is
// held. A save encodes the same without building it (encodeState).
func (s *Service) snapshotLocked() *snapshot {
	js := s.jobsInOrder()
	now := s.clock()
	snap := &snapshot{SavedAt: now, Jobs: make([]jobRecord, len(js))}
	for i, j := range js {
		snap.Jobs[i] = j.rec.toRecord()
		s.recordAttempt(j, &snap.Jobs[i], now)
	}
	return snap
}

// toRecord returns the snapshot form of r.
func (r *liveRecord) toRecord() jobRecord {
	var rec jobRecord
	r.recordInto(&rec, nil)
	return rec
}

// liveRoundTrip converts rec to the in-memory form and back.
func liveRoundTrip(rec *jobRecord) jobRecord {
	var r liveRecord
	r.fromRecord(rec, make([]liveFile, len(rec.Files)))
	return r.toRecord()
}

func TestLiveRecordKeepsEveryField(t *testing.T) {
	for i, rec := range fullSnapshot().Jobs {
		// The codec's test data has extreme times no service holds: bring
		// them into range, keeping every field non-zero.
		for k, p := range []*time.Time{&rec.Created, &rec.Modified, &rec.TransferCompleted,
			&rec.LastActivity, &rec.FirstTransientError, &rec.RetryDue} {
			if !p.IsZero() && !inRange(*p) {
				*p = time.Date(2030, 1, 2, 3, 4, 5, 6+k, time.UTC)
			}
		}
		assert.Equal(t, rec, liveRoundTrip(&rec), "job %d", i)
	}
}

// genServiceTime draws a time a service can hold (MinTime..MaxTime) or the
// zero time.
func genServiceTime() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		if rapid.Bool().Draw(t, "zero") {
			return time.Time{}
		}
		return time.Unix(0, rapid.Int64Range(MinTime.UnixNano(), MaxTime.UnixNano()).Draw(t, "ns")).UTC()
	})
}

func TestLiveRecordRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := genJob().Draw(t, "job")
		for _, p := range []*time.Time{&rec.Created, &rec.Modified, &rec.TransferCompleted,
			&rec.LastActivity, &rec.FirstTransientError, &rec.RetryDue} {
			*p = genServiceTime().Draw(t, "time")
		}
		if rapid.Bool().Draw(t, "bitsTempName") && len(rec.Files) > 0 {
			rec.Files[0].LocalName = `C:\dir\file.bin`
			rec.Files[0].TemporaryName = `C:\dir\BIT0A9F.tmp`
		}
		got := liveRoundTrip(&rec)
		if !assert.Equal(t, rec, got) {
			t.FailNow()
		}
	})
}

func TestVtimeZeroAndEpochDiffer(t *testing.T) {
	// MinTime is the Unix epoch, a valid virtual time: it must not read
	// back as "no time".
	assert.Equal(t, MinTime, vt(MinTime).Time())
	assert.True(t, vtime(0).Time().IsZero())
	assert.Equal(t, MaxTime, vt(MaxTime).Time())
	assert.False(t, vt(MinTime).IsZero())
}

func TestTempNameParsesBack(t *testing.T) {
	for _, local := range []string{`C:\dir\file.bin`, `/tmp/x`, `noslash`, `\\host\share\f`} {
		for _, n := range []uint16{0, 0x0A9F, 0xFFFF} {
			name := tempNameFor(local, n)
			got, ok := parseTempName(local, name)
			require.True(t, ok, name)
			assert.Equal(t, n, got, name)
		}
	}
	// Names of another form are kept as they are.
	var f liveFile
	f.LocalName = `C:\dir\file.bin`
	f.setTemporaryName(`C:\other\BIT0000.tmp`)
	assert.Equal(t, `C:\other\BIT0000.tmp`, f.TemporaryName())
	f.setTemporaryName(`C:\dir\bit0000.tmp`)
	assert.Equal(t, `C:\dir\bit0000.tmp`, f.TemporaryName())
	f.setTemporaryName(`C:\dir\BIT00A0.tmp`)
	assert.Equal(t, `C:\dir\BIT00A0.tmp`, f.TemporaryName())
	assert.Empty(t, f.more.tempName, "a name of the usual form keeps only its number")
}

// TestIdleJobIsSmall pins the sizes the memory target rests on: a job with
// its first file inline and its creator's handle fits the 416-byte size
// class, leaving room in 512 bytes for a callback object's registration.
func TestIdleJobIsSmall(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(job{}), uintptr(416))
	assert.LessOrEqual(t, unsafe.Sizeof(objectReg{}), uintptr(48))
}

// TestEncodeStateIsTheSnapshotsEncoding: a save streams the jobs through
// one scratch record; it writes exactly the bytes of the snapshot built in
// full, for a service with jobs in several states, with files, command
// lines, errors and a transfer in progress.
func TestEncodeStateIsTheSnapshotsEncoding(t *testing.T) {
	svc, err := New(Options{Clock: Manual, Seed: 5})
	require.NoError(t, err)
	defer svc.Close()
	require.NoError(t, svc.SetRemote("https://x.test/bad", Remote{TransientFailures: 100}))
	require.NoError(t, svc.SetRemote("https://x.test/slow", Remote{Size: 1 << 20, Rate: 1024}))
	app, err := svc.StartApp("a", model.Account{Name: "alice"})
	require.NoError(t, err)
	for i, url := range []string{"https://x.test/ok", "https://x.test/bad", "https://x.test/slow", ""} {
		j, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(t, err)
		require.NoError(t, j.SetNotifyCmdLine(`C:\n.exe`, "n.exe 1"))
		require.NoError(t, j.SetDescription("job"))
		if url != "" {
			require.NoError(t, j.AddFile(url, `C:\dl\f`))
			require.NoError(t, j.AddFile(url, `C:\dl\g`))
			require.NoError(t, j.Resume(), "job %d", i)
		}
	}
	require.NoError(t, svc.Advance(time.Minute))
	svc.mu.Lock()
	defer svc.mu.Unlock()
	snap := svc.snapshotLocked()
	require.Len(t, snap.Jobs, 4)
	assert.Equal(t, encodeSnapshot(snap), svc.encodeState())
}

// TestTemporaryNameSurvivesRestart: a temporary name kept as its random
// number reads the same before and after a restart, and has BITS's form.
func TestTemporaryNameSurvivesRestart(t *testing.T) {
	svc, err := New(Options{Clock: Manual, Seed: 9})
	require.NoError(t, err)
	defer svc.Close()
	require.NoError(t, svc.SetRemote("https://x.test/slow", Remote{Size: 1 << 20, Rate: 1024}))
	app, err := svc.StartApp("a", model.Account{Name: "alice"})
	require.NoError(t, err)
	j, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, j.AddFile("https://x.test/slow", `C:\dl\f.bin`))
	require.NoError(t, j.Resume())
	require.NoError(t, svc.Advance(time.Second))
	files, err := j.EnumFiles()
	require.NoError(t, err)
	before, err := files[0].GetTemporaryName()
	require.NoError(t, err)
	assert.Regexp(t, `^C:\\dl\\BIT[0-9A-F]{4}\.tmp$`, before)
	require.NoError(t, svc.Restart())
	after, err := files[0].GetTemporaryName()
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

// TestSchema3FilesLoad: snapshots written in schema 3 (testdata, written by
// the encoder of schema 3 from fullSnapshot and from a service's state)
// decode to what was written and load into a service; a later schema must
// keep this test passing (a migration), not regenerate its files.
func TestSchema3FilesLoad(t *testing.T) {
	full, err := os.ReadFile("testdata/snapshot-v3-full.bin")
	require.NoError(t, err)
	require.Equal(t, uint16(3), binary.LittleEndian.Uint16(full[8:]), "the file is schema 3")
	got, err := decodeSnapshot(full)
	require.NoError(t, err)
	assert.Equal(t, fullSnapshot(), got)

	svcFile, err := os.ReadFile("testdata/snapshot-v3-service.bin")
	require.NoError(t, err)
	st := NewMemoryStore()
	require.NoError(t, st.Save(svcFile))
	svc, err := New(Options{Clock: Manual, Store: st})
	require.NoError(t, err)
	defer svc.Close()
	app, err := svc.StartApp("a", model.Account{Name: "alice"})
	require.NoError(t, err)
	jobs, err := app.EnumJobs(0)
	require.NoError(t, err)
	require.Len(t, jobs, 3, "validSnapshot's three jobs")
	for _, j := range jobs {
		prog, params, err := j.GetNotifyCmdLine()
		require.NoError(t, err)
		assert.Equal(t, `C:\n.exe`, prog)
		assert.Equal(t, "n.exe 1", params)
	}
	require.NoError(t, svc.Restart(), "what loaded saves and loads again")
	again, err := app.EnumJobs(0)
	require.NoError(t, err)
	assert.Len(t, again, 3)
}
