package sim

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// appendJobV3 is the schema-3 encoding of a job, as builds before schema 4
// wrote it: the test of the schema-3 decoder.
func appendJobV3(b []byte, j *jobRecord) []byte {
	b = append(b, j.ID[:]...)
	b = binary.AppendUvarint(b, uint64(j.Type))
	b = appendAccount(b, j.Owner)
	b = binary.AppendUvarint(b, uint64(j.State))
	b = appendString(b, j.DisplayName)
	b = appendString(b, j.Description)
	b = binary.AppendUvarint(b, uint64(j.Priority))
	b = binary.AppendUvarint(b, uint64(j.NotifyFlags))
	b = appendString(b, j.CmdProgram)
	b = appendString(b, j.CmdParameters)
	b = appendAccount(b, j.CmdUser)
	b = append(b, j.NotifyCLSID[:]...)
	b = appendAccount(b, j.CLSIDSetter)
	b = binary.AppendVarint(b, int64(j.MinimumRetryDelay))
	b = binary.AppendVarint(b, int64(j.NoProgressTimeout))
	b = binary.AppendVarint(b, int64(j.MaximumDownloadTime))
	b = binary.AppendUvarint(b, uint64(j.CostFlags))
	b = appendBool(b, j.DynamicContent)
	b = appendBool(b, j.HighPerformance)
	b = binary.AppendUvarint(b, j.MaxDownloadSize)
	b = binary.AppendVarint(b, int64(j.MinimumNotificationInterval))
	b = appendBool(b, j.OnDemand)
	b = appendTime(b, j.Created)
	b = appendTime(b, j.Modified)
	b = appendTime(b, j.TransferCompleted)
	b = appendTime(b, j.LastActivity)
	b = appendTime(b, j.FirstTransientError)
	b = appendTime(b, j.RetryDue)
	b = binary.AppendVarint(b, int64(j.DownloadElapsed))
	b = appendBool(b, j.HasError)
	b = binary.AppendUvarint(b, uint64(j.Error.Context))
	b = binary.AppendUvarint(b, uint64(j.Error.Code))
	b = appendString(b, j.Error.File.RemoteName)
	b = appendString(b, j.Error.File.LocalName)
	b = appendString(b, j.Error.Description)
	b = appendString(b, j.Error.Protocol)
	b = binary.AppendUvarint(b, uint64(j.ErrorCount))
	b = appendBool(b, j.PendingTransferred)
	b = appendBool(b, j.PendingError)
	b = binary.AppendUvarint(b, uint64(len(j.Files)))
	for i := range j.Files {
		b = appendFile(b, &j.Files[i])
	}
	return b
}

// encodeSnapshotV3 is the schema-3 encoding of s, as builds before schema 4
// wrote it.
func encodeSnapshotV3(s *snapshot) []byte {
	b := beginFrame(0)
	binary.LittleEndian.PutUint16(b[8:], schemaVersion3)
	b = appendTime(b, s.SavedAt)
	b = binary.AppendUvarint(b, uint64(len(s.Jobs)))
	for i := range s.Jobs {
		b = appendJobV3(b, &s.Jobs[i])
	}
	return finishFrame(b)
}

// TestSchema3DecodesAsBefore: any snapshot in schema 3 decodes to what was
// encoded, and re-encodes in schema 4 to the same snapshot.
func TestSchema3DecodesAsBefore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := genSnapshot().Draw(t, "snapshot")
		got, err := decodeSnapshot(encodeSnapshotV3(want))
		require.NoError(t, err)
		assert.Equal(t, want, got)
		again, err := decodeSnapshot(encodeSnapshot(got))
		require.NoError(t, err)
		assert.Equal(t, want, again)
	})
}

// TestSchema3IsCanonicalToo: a schema-3 input decodes only if it is the
// one schema-3 encoding of what it decodes to.
func TestSchema3IsCanonicalToo(t *testing.T) {
	enc := encodeSnapshotV3(fullSnapshot())
	s, err := decodeSnapshot(enc)
	require.NoError(t, err)
	assert.Equal(t, enc, encodeSnapshotV3(s))
	dj := &snapshot{Jobs: []jobRecord{defaultJob()}}
	assert.Less(t, len(encodeSnapshot(dj)), len(encodeSnapshotV3(dj)), "schema 4 is smaller for a job at its defaults")
}

// TestSchema3FileIsWhatV3Writes: the schema-3 file in testdata is exactly
// what the schema-3 encoder writes, so the encoder above is schema 3.
func TestSchema3FileIsWhatV3Writes(t *testing.T) {
	full, err := readTestdata("snapshot-v3-full.bin")
	require.NoError(t, err)
	assert.Equal(t, full, encodeSnapshotV3(fullSnapshot()))
}

func readTestdata(name string) ([]byte, error) { return os.ReadFile("testdata/" + name) }
