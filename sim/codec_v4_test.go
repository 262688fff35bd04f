package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// groupsSnapshot holds one job per combination of schema-4 groups: the
// first job of fullSnapshot with the fields of every group outside the
// combination at their defaults.
func groupsSnapshot() *snapshot {
	full := fullSnapshot()
	src := full.Jobs[0]
	s := &snapshot{SavedAt: full.SavedAt}
	def := defaultJob()
	for g := 0; g <= groupsAll; g++ {
		j := src
		j.ID[15] = byte(g)
		if g&groupDescription == 0 {
			j.Description = def.Description
		}
		if g&groupCmdLine == 0 {
			j.CmdProgram, j.CmdParameters, j.CmdUser = def.CmdProgram, def.CmdParameters, def.CmdUser
		}
		if g&groupCLSID == 0 {
			j.NotifyCLSID, j.CLSIDSetter = def.NotifyCLSID, def.CLSIDSetter
		}
		if g&groupTimeouts == 0 {
			j.MinimumRetryDelay, j.NoProgressTimeout = def.MinimumRetryDelay, def.NoProgressTimeout
			j.MaximumDownloadTime, j.MinimumNotificationInterval = def.MaximumDownloadTime, def.MinimumNotificationInterval
		}
		if g&groupJob5 == 0 {
			j.CostFlags, j.DynamicContent, j.HighPerformance, j.MaxDownloadSize, j.OnDemand = 0, false, false, 0, false
		}
		if g&groupError == 0 {
			j.HasError, j.Error, j.ErrorCount = def.HasError, def.Error, def.ErrorCount
		}
		if g&groupProgress == 0 {
			j.TransferCompleted, j.FirstTransientError, j.RetryDue, j.DownloadElapsed = def.TransferCompleted, def.FirstTransientError, def.RetryDue, def.DownloadElapsed
		}
		s.Jobs = append(s.Jobs, j)
	}
	return s
}

// The schema-4 files in testdata were written by the encoder before its
// field groups became a table: the encoder writes them byte for byte, and
// they decode to what was encoded.
func TestSchema4FilesAreWhatTheEncoderWrites(t *testing.T) {
	v3svc, err := readTestdata("snapshot-v3-service.bin")
	require.NoError(t, err)
	svc, err := decodeSnapshot(v3svc)
	require.NoError(t, err)
	for name, s := range map[string]*snapshot{
		"snapshot-v4-full.bin":    fullSnapshot(),
		"snapshot-v4-groups.bin":  groupsSnapshot(),
		"snapshot-v4-service.bin": svc,
	} {
		want, err := readTestdata(name)
		require.NoError(t, err)
		assert.Equal(t, want, encodeSnapshot(s), name)
		got, err := decodeSnapshot(want)
		require.NoError(t, err, name)
		assert.Equal(t, s, got, name)
	}
}

// The schema-3 layout of the table writes what the schema-3 encoder of
// older builds wrote (appendJobV3), and the sizes the table computes are
// the lengths of what it appends, in both schemas.
func TestJobTableWritesBothSchemas(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := genSnapshot().Draw(t, "snapshot")
		for i := range s.Jobs {
			j := &s.Jobs[i]
			noFiles := *j
			noFiles.Files = nil
			v3 := fieldCoder{mode: coderAppend}
			v3.jobV3(j)
			want := appendJobV3(nil, &noFiles)
			assert.Equal(t, want[:len(want)-1], v3.b, "schema 3, before the file count") // the count of no files is one byte
			size := fieldCoder{mode: coderSize}
			size.jobV3(j)
			assert.Equal(t, len(v3.b), size.n)
			assert.Equal(t, len(appendJob(nil, &noFiles)), jobLen(&noFiles))
		}
	})
}
