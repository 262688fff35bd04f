package sim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A payload cut just before a one-byte field fails at that field: the
// decode error names "the field being read" (decodeError.field) and says
// the payload is truncated, as it does for a string cut short
// (TestSnapshotDecodeErrorNamesPosition). Found by mutation testing: a
// bool read past the end that returned false without an error let the
// decoder fail only at a later field.
func TestSnapshotDecodeErrorNamesCutBool(t *testing.T) {
	for _, tc := range []struct {
		field string
		set   func(j *jobRecord, v bool)
	}{
		{"PendingTransferred", func(j *jobRecord, v bool) { j.PendingTransferred = v }},
		{"PendingError", func(j *jobRecord, v bool) { j.PendingError = v }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			// A long display name before the cut keeps the job count
			// plausible, so that the decoder gets as far as the cut.
			payloadWith := func(v bool) []byte {
				j := defaultJob()
				j.DisplayName = strings.Repeat("n", 200)
				tc.set(&j, v)
				enc := encodeSnapshot(&snapshot{Jobs: []jobRecord{j}})
				return enc[frameHeaderLen : len(enc)-frameCRCLen]
			}
			f, tr := payloadWith(false), payloadWith(true)
			require.Len(t, tr, len(f), "the field's value does not change the payload's length")
			at := -1
			for i := range f {
				if f[i] != tr[i] {
					require.Equal(t, -1, at, "the payloads differ in one byte only")
					at = i
				}
			}
			require.GreaterOrEqual(t, at, 0, "the payloads differ")
			assert.True(t, bytes.Equal(f[:at], tr[:at]))

			_, err := decodeSnapshot(framePayload(f[:at]))
			require.Error(t, err)
			assert.EqualError(t, err, "sim: decode snapshot: job 0: "+tc.field+": truncated bool")
			assert.ErrorIs(t, err, errTruncated)
		})
	}
}

// An error in a job after one with files names the job alone, not a file:
// the position is "job 1: DisplayName", as the decode error's doc says
// ("-1 when not inside a job / file").
func TestSnapshotDecodeErrorAfterFilesNamesJobOnly(t *testing.T) {
	first := defaultJob()
	first.Files = []fileRecord{{RemoteName: strings.Repeat("f", 100)}, {RemoteName: strings.Repeat("g", 100)}}
	second := defaultJob()
	second.DisplayName = "MARKER-DISPLAY-NAME"
	enc := encodeSnapshot(&snapshot{Jobs: []jobRecord{first, second}})
	payload := enc[frameHeaderLen : len(enc)-frameCRCLen]
	at := bytes.Index(payload, []byte("MARKER"))
	require.Positive(t, at)

	_, err := decodeSnapshot(framePayload(payload[:at+3]))
	require.Error(t, err)
	assert.EqualError(t, err, "sim: decode snapshot: job 1: DisplayName: truncated string")
	assert.ErrorIs(t, err, errTruncated)
}
