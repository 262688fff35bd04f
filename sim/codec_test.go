package sim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// fullSnapshot returns a snapshot in which every field of every record is
// set to a non-zero value (TestCodecFullSnapshotHasNoZeroFields checks it, so
// that a field added to record.go and forgotten by the codec shows up here).
func fullSnapshot() *snapshot {
	return &snapshot{
		SavedAt: time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC),
		Jobs: []jobRecord{
			{
				ID:                          model.MustParseGUID("{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}"),
				Type:                        model.BG_JOB_TYPE_UPLOAD_REPLY,
				Owner:                       model.Account{Name: `CONTOSO\alice`, Kind: model.AccountAdministrator, Unelevated: true},
				State:                       model.BG_JOB_STATE_TRANSIENT_ERROR,
				DisplayName:                 "Nightly update ☃",
				Description:                 "Downloads the nightly build",
				Priority:                    model.BG_JOB_PRIORITY_LOW,
				NotifyFlags:                 model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_FILE_RANGES_TRANSFERRED,
				CmdProgram:                  `C:\Program Files\Contoso\notify.exe`,
				CmdParameters:               `notify.exe --job {0F1E2D3C}`,
				CmdUser:                     model.Account{Name: `CONTOSO\bob`, Kind: model.AccountNetworkService, Unelevated: true},
				NotifyCLSID:                 model.MustParseGUID("{11223344-5566-7788-99AA-BBCCDDEEFF00}"),
				CLSIDSetter:                 model.Account{Name: "root", Kind: model.AccountAdministrator, Unelevated: true},
				MinimumRetryDelay:           45 * time.Second,
				NoProgressTimeout:           36 * time.Hour,
				MaximumDownloadTime:         -7 * time.Minute, // negative on purpose: varints are signed
				CostFlags:                   0x80000001,
				DynamicContent:              true,
				HighPerformance:             true,
				MaxDownloadSize:             1 << 40,
				MinimumNotificationInterval: 750 * time.Millisecond,
				OnDemand:                    true,
				Created:                     time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC),
				Modified:                    time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
				TransferCompleted:           time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), // before the epoch
				LastActivity:                time.Date(2026, 2, 2, 2, 2, 2, 2, time.UTC),
				FirstTransientError:         time.Date(9999, 12, 31, 23, 59, 59, 1, time.UTC),
				RetryDue:                    time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC),
				DownloadElapsed:             90 * time.Minute,
				HasError:                    true,
				Error: model.JobError{
					Context:     model.BG_ERROR_CONTEXT_REMOTE_FILE,
					Code:        model.HRESULT(0x80190194),
					File:        model.FileInfo{RemoteName: "https://example.com/a.cab", LocalName: `C:\tmp\a.cab`},
					Description: "HTTP 404",
					Protocol:    "https",
				},
				ErrorCount:         3,
				PendingTransferred: true,
				PendingError:       true,
				Files: []fileRecord{
					{
						RemoteName:             "https://example.com/a.cab",
						LocalName:              `C:\tmp\a.cab`,
						Ranges:                 []model.FileRange{{InitialOffset: 3, Length: 100}, {InitialOffset: 200, Length: model.BG_LENGTH_TO_EOF}},
						Requested:              []model.FileRange{{InitialOffset: 1 << 33, Length: 1}},
						Filled:                 []model.FileRange{{InitialOffset: 5, Length: 6}, {InitialOffset: 7, Length: 8}},
						BytesTotal:             model.BG_SIZE_UNKNOWN,
						BytesTransferred:       12345,
						Completed:              true,
						TemporaryName:          `C:\tmp\BIT1A2B.tmp`,
						ValidationSet:          true,
						Valid:                  true,
						FromPeer:               true,
						PendingFileTransferred: true,
						Attempts:               -2, // negative on purpose: varints are signed
					},
				},
			},
			{
				ID:                          model.MustParseGUID("{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}"),
				Type:                        model.JobType(0xFFFFFFFF),
				Owner:                       model.Account{Name: "x", Kind: model.AccountKind(-5), Unelevated: true},
				State:                       model.BG_JOB_STATE_SUSPENDED,
				DisplayName:                 "\xff\xfe not UTF-8",
				Description:                 "d",
				Priority:                    model.BG_JOB_PRIORITY_HIGH,
				NotifyFlags:                 model.BG_NOTIFY_DISABLE,
				CmdProgram:                  "p",
				CmdParameters:               "q",
				CmdUser:                     model.Account{Name: "y", Kind: model.AccountLocalSystem, Unelevated: true},
				NotifyCLSID:                 model.MustParseGUID("{00000000-0000-0000-0000-000000000001}"),
				CLSIDSetter:                 model.Account{Name: "carol", Kind: model.AccountAdministrator, Unelevated: true},
				MinimumRetryDelay:           time.Duration(1<<63 - 1),
				NoProgressTimeout:           time.Duration(-1 << 63),
				MaximumDownloadTime:         1,
				CostFlags:                   1,
				DynamicContent:              true,
				HighPerformance:             true,
				MaxDownloadSize:             ^uint64(0),
				MinimumNotificationInterval: 1,
				OnDemand:                    true,
				Created:                     time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), // one nanosecond after the zero time
				Modified:                    time.Unix(1, 0).UTC(),
				TransferCompleted:           time.Unix(-1, 0).UTC(),
				LastActivity:                time.Unix(0, 1).UTC(),
				FirstTransientError:         time.Unix(1<<40, 999999999).UTC(),
				RetryDue:                    time.Unix(1<<30, 1).UTC(),
				DownloadElapsed:             -1,
				HasError:                    true,
				Error: model.JobError{
					Context:     model.ErrorContext(0xFFFFFFFF),
					Code:        model.HRESULT(1),
					File:        model.FileInfo{RemoteName: "r", LocalName: "l"},
					Description: "e",
					Protocol:    "file",
				},
				ErrorCount:         0xFFFFFFFF,
				PendingTransferred: true,
				PendingError:       true,
				Files: []fileRecord{
					{
						RemoteName:             "r1",
						LocalName:              "l1",
						Ranges:                 []model.FileRange{{InitialOffset: ^uint64(0), Length: ^uint64(0) - 1}},
						Requested:              []model.FileRange{{InitialOffset: 1, Length: 4}},
						Filled:                 []model.FileRange{{InitialOffset: 2, Length: 3}},
						BytesTotal:             1,
						BytesTransferred:       ^uint64(0),
						Completed:              true,
						TemporaryName:          "t1",
						ValidationSet:          true,
						Valid:                  true,
						FromPeer:               true,
						PendingFileTransferred: true,
						Attempts:               1 << 40,
					},
					{
						RemoteName:             "r2",
						LocalName:              "l2",
						Ranges:                 []model.FileRange{{InitialOffset: 9, Length: 9}},
						Requested:              []model.FileRange{{InitialOffset: 8, Length: 8}},
						Filled:                 []model.FileRange{{InitialOffset: 7, Length: 7}},
						BytesTotal:             2,
						BytesTransferred:       1,
						Completed:              true,
						TemporaryName:          "t2",
						ValidationSet:          true,
						Valid:                  true,
						FromPeer:               true,
						PendingFileTransferred: true,
						Attempts:               3,
					},
				},
			},
		},
	}
}

// assertNoZeroFields fails for every zero-valued field (or slice element)
// reachable from v.
func assertNoZeroFields(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.IsZero() {
		t.Errorf("%s is zero: set it in fullSnapshot (and encode it)", path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		assertNoZeroFields(t, v.Elem(), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			assertNoZeroFields(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			assertNoZeroFields(t, v.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Array:
		// GUIDs: non-zero as a whole is enough.
	}
}

func TestCodecFullSnapshotHasNoZeroFields(t *testing.T) {
	assertNoZeroFields(t, reflect.ValueOf(fullSnapshot()), "snapshot")
}

func TestSnapshotRoundTripAllFields(t *testing.T) {
	want := fullSnapshot()
	enc := encodeSnapshot(want)
	assert.Equal(t, len(enc), cap(enc), "encodeSnapshot should allocate exactly once")

	got, err := decodeSnapshot(enc)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	for i := range got.Jobs {
		assert.Same(t, time.UTC, got.Jobs[i].Created.Location(), "job %d Created is UTC", i)
	}
	assert.Equal(t, enc, encodeSnapshot(got), "re-encoding gives the same bytes")
}

func TestSnapshotRoundTripEmpty(t *testing.T) {
	for name, s := range map[string]*snapshot{
		"zero":       {},
		"empty jobs": {Jobs: []jobRecord{}},
	} {
		t.Run(name, func(t *testing.T) {
			enc := encodeSnapshot(s)
			// magic, version, length, SavedAt flag, job count, CRC
			assert.Len(t, enc, frameOverhead+2)
			got, err := decodeSnapshot(enc)
			require.NoError(t, err)
			assert.True(t, got.SavedAt.IsZero())
			assert.Nil(t, got.Jobs, "empty slices decode as nil")
		})
	}
}

func TestSnapshotEmptySlicesDecodeAsNil(t *testing.T) {
	s := &snapshot{Jobs: []jobRecord{{Files: []fileRecord{{
		Ranges: []model.FileRange{}, Requested: []model.FileRange{}, Filled: []model.FileRange{},
	}}}, {Files: []fileRecord{}}}}
	got, err := decodeSnapshot(encodeSnapshot(s))
	require.NoError(t, err)
	want := &snapshot{Jobs: []jobRecord{{Files: []fileRecord{{}}}, {}}}
	assert.Equal(t, want, got)
}

func TestSnapshotTimesComeBackUTC(t *testing.T) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	in := time.Date(2026, 6, 1, 12, 0, 0, 42, zone)
	got, err := decodeSnapshot(encodeSnapshot(&snapshot{SavedAt: in}))
	require.NoError(t, err)
	assert.True(t, in.Equal(got.SavedAt))
	assert.Same(t, time.UTC, got.SavedAt.Location())

	// A zero time in another location is still the zero time.
	got, err = decodeSnapshot(encodeSnapshot(&snapshot{SavedAt: time.Time{}.In(zone)}))
	require.NoError(t, err)
	assert.True(t, got.SavedAt.IsZero())

	// The monotonic reading is dropped, the instant kept.
	now := time.Now()
	got, err = decodeSnapshot(encodeSnapshot(&snapshot{SavedAt: now}))
	require.NoError(t, err)
	assert.True(t, now.Equal(got.SavedAt))
}

func TestSnapshotDecodeDoesNotAliasInput(t *testing.T) {
	enc := encodeSnapshot(fullSnapshot())
	got, err := decodeSnapshot(enc)
	require.NoError(t, err)
	for i := range enc {
		enc[i] = 0xAA
	}
	assert.Equal(t, fullSnapshot(), got)
}

func TestSnapshotDecodedSlicesDoNotShareCapacity(t *testing.T) {
	// Files and ranges come from shared slabs; appending to one job's
	// slice must not overwrite another's.
	s := &snapshot{Jobs: []jobRecord{
		{Files: []fileRecord{{RemoteName: "a", Filled: []model.FileRange{{InitialOffset: 1, Length: 1}}}}},
		{Files: []fileRecord{{RemoteName: "b", Filled: []model.FileRange{{InitialOffset: 2, Length: 2}}}}},
	}}
	got, err := decodeSnapshot(encodeSnapshot(s))
	require.NoError(t, err)
	got.Jobs[0].Files = append(got.Jobs[0].Files, fileRecord{RemoteName: "x"})
	got.Jobs[0].Files[0].Filled = append(got.Jobs[0].Files[0].Filled, model.FileRange{InitialOffset: 9, Length: 9})
	assert.Equal(t, "b", got.Jobs[1].Files[0].RemoteName)
	assert.Equal(t, []model.FileRange{{InitialOffset: 2, Length: 2}}, got.Jobs[1].Files[0].Filled)
}

// defaultJob is a job whose fields are all zero but the timeouts, which
// have a new job's defaults: the smallest encoding of a job (schema 4
// omits every group).
func defaultJob() jobRecord {
	return jobRecord{MinimumRetryDelay: rules.DefaultMinimumRetryDelay, NoProgressTimeout: rules.DefaultNoProgressTimeout,
		MaximumDownloadTime: rules.DefaultMaximumDownloadTime, MinimumNotificationInterval: rules.MinimumNotificationInterval}
}

func TestCodecMinimumElementSizes(t *testing.T) {
	// The allocation bounds rely on these being true lower bounds.
	oneJob := encodeSnapshot(&snapshot{Jobs: []jobRecord{defaultJob()}})
	assert.Equal(t, frameOverhead+2+minJobBytes, len(oneJob))
	withFile := defaultJob()
	withFile.Files = []fileRecord{{}}
	oneFile := encodeSnapshot(&snapshot{Jobs: []jobRecord{withFile}})
	assert.Equal(t, len(oneJob)+minFileBytes, len(oneFile))
	withFile.Files = []fileRecord{{Filled: []model.FileRange{{}}}}
	oneRange := encodeSnapshot(&snapshot{Jobs: []jobRecord{withFile}})
	assert.Equal(t, len(oneFile)+minRangeBytes, len(oneRange))

	// What a decoder may allocate per input byte for each kind of element:
	// a job's record is at most 20 times its smallest encoding (schema 4
	// omits the groups left at their defaults; it was 16 in schema 3).
	assert.LessOrEqual(t, unsafe.Sizeof(jobRecord{})/minJobBytes, uintptr(20))
	assert.LessOrEqual(t, unsafe.Sizeof(fileRecord{})/minFileBytes, uintptr(16))
	assert.LessOrEqual(t, unsafe.Sizeof(model.FileRange{})/minRangeBytes, uintptr(16))
}

// ---- property ----

func genTime() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		switch rapid.IntRange(0, 3).Draw(t, "timeKind") {
		case 0:
			return time.Time{}
		case 1: // a plausible virtual time
			return time.Unix(rapid.Int64Range(1.7e9, 2e9).Draw(t, "sec"), rapid.Int64Range(0, 1e9-1).Draw(t, "nsec")).UTC()
		default: // anything at all
			return time.Unix(rapid.Int64().Draw(t, "sec"), rapid.Int64Range(0, 1e9-1).Draw(t, "nsec")).UTC()
		}
	})
}

func genString() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.String(),
		rapid.Custom(func(t *rapid.T) string { return string(rapid.SliceOf(rapid.Byte()).Draw(t, "bytes")) }),
		rapid.StringN(100, 300, -1),
	)
}

func genGUID() *rapid.Generator[model.GUID] {
	return rapid.Custom(func(t *rapid.T) (g model.GUID) {
		copy(g[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "guid"))
		return g
	})
}

func genAccount() *rapid.Generator[model.Account] {
	return rapid.Custom(func(t *rapid.T) model.Account {
		return model.Account{Name: genString().Draw(t, "name"), Kind: model.AccountKind(rapid.Int().Draw(t, "kind")), Unelevated: rapid.Bool().Draw(t, "unelevated")}
	})
}

func genDuration() *rapid.Generator[time.Duration] {
	return rapid.Custom(func(t *rapid.T) time.Duration { return time.Duration(rapid.Int64().Draw(t, "ns")) })
}

// nilIfEmpty mirrors the codec's choice: empty slices decode as nil.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func genRanges() *rapid.Generator[[]model.FileRange] {
	return rapid.Custom(func(t *rapid.T) []model.FileRange {
		r := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) model.FileRange {
			return model.FileRange{InitialOffset: rapid.Uint64().Draw(t, "off"), Length: rapid.Uint64().Draw(t, "len")}
		}), 0, 4).Draw(t, "ranges")
		return nilIfEmpty(r)
	})
}

func genFile() *rapid.Generator[fileRecord] {
	return rapid.Custom(func(t *rapid.T) fileRecord {
		return fileRecord{
			RemoteName:             genString().Draw(t, "RemoteName"),
			LocalName:              genString().Draw(t, "LocalName"),
			Ranges:                 genRanges().Draw(t, "Ranges"),
			Requested:              genRanges().Draw(t, "Requested"),
			Filled:                 genRanges().Draw(t, "Filled"),
			BytesTotal:             rapid.Uint64().Draw(t, "BytesTotal"),
			BytesTransferred:       rapid.Uint64().Draw(t, "BytesTransferred"),
			Completed:              rapid.Bool().Draw(t, "Completed"),
			TemporaryName:          genString().Draw(t, "TemporaryName"),
			ValidationSet:          rapid.Bool().Draw(t, "ValidationSet"),
			Valid:                  rapid.Bool().Draw(t, "Valid"),
			FromPeer:               rapid.Bool().Draw(t, "FromPeer"),
			PendingFileTransferred: rapid.Bool().Draw(t, "PendingFileTransferred"),
			Attempts:               rapid.Int().Draw(t, "Attempts"),
		}
	})
}

func genJob() *rapid.Generator[jobRecord] {
	return rapid.Custom(func(t *rapid.T) jobRecord {
		return jobRecord{
			ID:                          genGUID().Draw(t, "ID"),
			Type:                        model.JobType(rapid.Uint32().Draw(t, "Type")),
			Owner:                       genAccount().Draw(t, "Owner"),
			State:                       model.JobState(rapid.Uint32().Draw(t, "State")),
			DisplayName:                 genString().Draw(t, "DisplayName"),
			Description:                 genString().Draw(t, "Description"),
			Priority:                    model.JobPriority(rapid.Uint32().Draw(t, "Priority")),
			NotifyFlags:                 model.NotifyFlags(rapid.Uint32().Draw(t, "NotifyFlags")),
			CmdProgram:                  genString().Draw(t, "CmdProgram"),
			CmdParameters:               genString().Draw(t, "CmdParameters"),
			CmdUser:                     genAccount().Draw(t, "CmdUser"),
			NotifyCLSID:                 genGUID().Draw(t, "NotifyCLSID"),
			MinimumRetryDelay:           genDuration().Draw(t, "MinimumRetryDelay"),
			NoProgressTimeout:           genDuration().Draw(t, "NoProgressTimeout"),
			MaximumDownloadTime:         genDuration().Draw(t, "MaximumDownloadTime"),
			CostFlags:                   rapid.Uint32().Draw(t, "CostFlags"),
			DynamicContent:              rapid.Bool().Draw(t, "DynamicContent"),
			HighPerformance:             rapid.Bool().Draw(t, "HighPerformance"),
			MaxDownloadSize:             rapid.Uint64().Draw(t, "MaxDownloadSize"),
			MinimumNotificationInterval: genDuration().Draw(t, "MinimumNotificationInterval"),
			OnDemand:                    rapid.Bool().Draw(t, "OnDemand"),
			Created:                     genTime().Draw(t, "Created"),
			Modified:                    genTime().Draw(t, "Modified"),
			TransferCompleted:           genTime().Draw(t, "TransferCompleted"),
			LastActivity:                genTime().Draw(t, "LastActivity"),
			FirstTransientError:         genTime().Draw(t, "FirstTransientError"),
			RetryDue:                    genTime().Draw(t, "RetryDue"),
			DownloadElapsed:             genDuration().Draw(t, "DownloadElapsed"),
			HasError:                    rapid.Bool().Draw(t, "HasError"),
			Error: model.JobError{
				Context: model.ErrorContext(rapid.Uint32().Draw(t, "Error.Context")),
				Code:    model.HRESULT(rapid.Uint32().Draw(t, "Error.Code")),
				File: model.FileInfo{
					RemoteName: genString().Draw(t, "Error.File.RemoteName"),
					LocalName:  genString().Draw(t, "Error.File.LocalName"),
				},
				Description: genString().Draw(t, "Error.Description"),
				Protocol:    genString().Draw(t, "Error.Protocol"),
			},
			ErrorCount:         rapid.Uint32().Draw(t, "ErrorCount"),
			PendingTransferred: rapid.Bool().Draw(t, "PendingTransferred"),
			PendingError:       rapid.Bool().Draw(t, "PendingError"),
			Files:              nilIfEmpty(rapid.SliceOfN(genFile(), 0, 4).Draw(t, "Files")),
		}
	})
}

func genSnapshot() *rapid.Generator[*snapshot] {
	return rapid.Custom(func(t *rapid.T) *snapshot {
		return &snapshot{
			SavedAt: genTime().Draw(t, "SavedAt"),
			Jobs:    nilIfEmpty(rapid.SliceOfN(genJob(), 0, 6).Draw(t, "Jobs")),
		}
	})
}

func TestSnapshotRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := genSnapshot().Draw(t, "snapshot")
		enc := encodeSnapshot(want)
		assert.Equal(t, len(enc), cap(enc), "payloadSize is exact")
		got, err := decodeSnapshot(enc)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, enc, encodeSnapshot(got))
	})
}

// ---- corruption ----

func smallEncoding() []byte {
	s := fullSnapshot()
	s.Jobs = s.Jobs[:1]
	return encodeSnapshot(s)
}

func TestSnapshotDecodeRejectsEveryByteFlip(t *testing.T) {
	enc := smallEncoding()
	require.Less(t, len(enc), 1000)
	for i := range enc {
		for _, mask := range []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF} {
			bad := bytes.Clone(enc)
			bad[i] ^= mask
			_, err := decodeSnapshot(bad)
			if !assert.Error(t, err, "byte %d ^ %#x", i, mask) {
				continue
			}
			switch {
			case i < 8:
				assert.ErrorIs(t, err, errBadMagic, "byte %d", i)
			case i < 10:
				assert.ErrorIs(t, err, errUnsupportedVersion, "byte %d", i)
			case i < frameHeaderLen:
				assert.True(t, errors.Is(err, errTruncated) || errors.Is(err, errTrailing), "byte %d: %v", i, err)
			default:
				assert.ErrorIs(t, err, errChecksum, "byte %d", i)
			}
		}
	}
}

func TestSnapshotDecodeRejectsEveryTruncation(t *testing.T) {
	enc := smallEncoding()
	for n := 0; n < len(enc); n++ {
		_, err := decodeSnapshot(enc[:n])
		assert.ErrorIs(t, err, errTruncated, "length %d", n)
	}
	// A truncated payload inside a well-formed frame fails too.
	payload := enc[frameHeaderLen : len(enc)-frameCRCLen]
	for n := 0; n < len(payload); n++ {
		_, err := decodeSnapshot(framePayload(payload[:n]))
		assert.Error(t, err, "payload length %d", n)
	}
}

func TestSnapshotDecodeRejectsUnknownVersion(t *testing.T) {
	for _, v := range []uint16{0, 1, 2, 5, 7, 65535} {
		enc := smallEncoding()
		binary.LittleEndian.PutUint16(enc[8:], v)
		_, err := decodeSnapshot(enc)
		require.Error(t, err)
		assert.ErrorIs(t, err, errUnsupportedVersion)
		assert.ErrorContains(t, err, "schema version "+strconv.Itoa(int(v)))
	}
}

func TestSnapshotDecodeRejectsBadMagic(t *testing.T) {
	for _, in := range [][]byte{[]byte("{\"jobs\":[]}"), []byte("BITSSIN"), bytes.Repeat([]byte{0}, 64)} {
		_, err := decodeSnapshot(in)
		assert.ErrorIs(t, err, errBadMagic, "%q", in)
	}
}

func TestSnapshotDecodeRejectsTrailingBytes(t *testing.T) {
	enc := smallEncoding()
	for _, extra := range [][]byte{{0}, []byte("garbage"), enc} {
		_, err := decodeSnapshot(append(bytes.Clone(enc), extra...))
		assert.ErrorIs(t, err, errTrailing)
	}
	// Trailing bytes inside the payload, with a valid checksum.
	payload := enc[frameHeaderLen : len(enc)-frameCRCLen]
	_, err := decodeSnapshot(framePayload(append(bytes.Clone(payload), 0)))
	assert.ErrorIs(t, err, errTrailing)
	assert.ErrorContains(t, err, "1 trailing bytes in the payload")
}

func TestSnapshotDecodeErrorNamesPosition(t *testing.T) {
	// Long strings before the cut keep the job and file counts plausible,
	// so that the decoder gets as far as the cut.
	s := &snapshot{Jobs: make([]jobRecord, 5)}
	s.Jobs[0].Description = strings.Repeat("d", 500)
	s.Jobs[3].Files = []fileRecord{{RemoteName: strings.Repeat("f", 100)}, {RemoteName: "MARKER-REMOTE-NAME"}}
	payload := encodeSnapshot(s)[frameHeaderLen:]
	payload = payload[:len(payload)-frameCRCLen]
	at := bytes.Index(payload, []byte("MARKER"))
	require.Positive(t, at)

	_, err := decodeSnapshot(framePayload(payload[:at+3]))
	require.Error(t, err)
	assert.EqualError(t, err, "sim: decode snapshot: job 3 file 1: RemoteName: truncated string")
	assert.ErrorIs(t, err, errTruncated)
}

// payloadOf builds a payload by hand from pieces: []byte as is, string as a
// length-prefixed string, uint64 as a uvarint.
func payloadOf(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case []byte:
			b = append(b, v...)
		case string:
			b = appendString(b, v)
		case uint64:
			b = binary.AppendUvarint(b, v)
		default:
			panic(fmt.Sprintf("payloadOf: %T", p))
		}
	}
	return b
}

func TestSnapshotDecodeRejectsNonCanonicalAndInvalidValues(t *testing.T) {
	// A job at its defaults (every group omitted), as the encoder writes it.
	dj := defaultJob()
	zeroJob := encodeSnapshot(&snapshot{Jobs: []jobRecord{dj}})
	zeroJob = zeroJob[frameHeaderLen+2 : len(zeroJob)-frameCRCLen]
	require.Len(t, zeroJob, minJobBytes)
	// Offsets in zeroJob: ID 0..15, Type 16, Owner.Name 17, Owner.Kind 18,
	// Owner.Unelevated 19, State 20, DisplayName 21, Priority 22,
	// NotifyFlags 23, groups 24, Created 25, Modified 26, LastActivity 27,
	// PendingTransferred 28, PendingError 29, len(Files) 30.
	withJobByte := func(off int, v ...byte) []byte {
		j := append(append(bytes.Clone(zeroJob[:off]), v...), zeroJob[off+1:]...)
		return payloadOf([]byte{0}, uint64(1), j)
	}
	cases := []struct {
		name    string
		payload []byte
		kind    error
		msg     string
	}{
		{"non-minimal varint", payloadOf([]byte{0}, []byte{0x80, 0x00}), errInvalid, "Jobs: non-minimal varint"},
		{"varint overflow", payloadOf([]byte{0}, bytes.Repeat([]byte{0xFF}, 10), []byte{1}), errInvalid, "Jobs: varint overflows 64 bits"},
		{"varint overflow in 10th byte", payloadOf([]byte{0}, bytes.Repeat([]byte{0xFF}, 9), []byte{2}), errInvalid, "Jobs: varint overflows 64 bits"},
		{"truncated varint", payloadOf([]byte{0}, []byte{0x80}), errTruncated, "Jobs: truncated varint"},
		{"time flag 2", payloadOf([]byte{2}, uint64(0)), errInvalid, "SavedAt: invalid time flag 2"},
		{"zero time as non-zero", payloadOf([]byte{1}, binary.AppendVarint(nil, time.Time{}.Unix()), uint64(0), uint64(0)), errInvalid, "SavedAt: zero time encoded as non-zero"},
		{"nanoseconds out of range", payloadOf([]byte{1}, uint64(0), uint64(1e9), uint64(0)), errInvalid, "SavedAt: nanoseconds 1000000000 out of range"},
		{"huge job count", payloadOf([]byte{0}, uint64(1)<<62), errTruncated, "Jobs: truncated: 4611686018427387904 elements"},
		{"job count beyond input", payloadOf([]byte{0}, uint64(2), zeroJob), errTruncated, "Jobs: truncated: 2 elements need at least 31 bytes each, 31 bytes left"},
		{"uint32 overflow", withJobByte(16, 0x80, 0x80, 0x80, 0x80, 0x10), errInvalid, "job 0: Type: value 4294967296 overflows 32 bits"},
		{"bool 2", withJobByte(28, 2), errInvalid, "job 0: PendingTransferred: invalid bool 2"},
		{"unknown group", withJobByte(24, 0x80), errInvalid, "job 0: groups: unknown groups 0x80"},
		{"group at its defaults", payloadOf([]byte{0}, uint64(1), zeroJob[:24], []byte{groupDescription}, zeroJob[25:30], []byte{0}, zeroJob[30:]),
			errInvalid, "job 0: groups: groups 0x1 written, 0x0 not at their defaults (non-canonical)"},
		{"unelevated 2", withJobByte(19, 2), errInvalid, "job 0: Owner: invalid bool 2"},
		{"truncated GUID", func() []byte {
			// Job 0's long description keeps the job count plausible;
			// job 1 (its CLSID set, all else at defaults) is cut 2 bytes
			// into NotifyCLSID, which starts at byte 30 and is followed by
			// CLSIDSetter (3 bytes) and len(Files) (1).
			j0, j1 := defaultJob(), defaultJob()
			j0.Description = strings.Repeat("d", 200)
			j1.NotifyCLSID = model.GUID{1}
			enc := encodeSnapshot(&snapshot{Jobs: []jobRecord{j0, j1}})
			return enc[frameHeaderLen : len(enc)-frameCRCLen-(16-2+3+1)]
		}(), errTruncated, "job 1: NotifyCLSID: truncated GUID"},
		{"huge string", withJobByte(17, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F), errTruncated, "job 0: Owner: truncated string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeSnapshot(framePayload(c.payload))
			require.Error(t, err)
			assert.ErrorIs(t, err, c.kind)
			assert.ErrorContains(t, err, c.msg)
		})
	}
}

func TestSnapshotDecodeAllocationIsBounded(t *testing.T) {
	// Inputs that claim far more than they hold must fail without
	// allocating much more than they are long.
	inputs := [][]byte{
		framePayload(payloadOf([]byte{0}, uint64(1)<<40)),
		framePayload(payloadOf([]byte{0}, uint64(1), make([]byte, 16), []byte{0}, uint64(1)<<50)),
		func() []byte { // a thousand jobs claimed, one present
			zeroJob := encodeSnapshot(&snapshot{Jobs: []jobRecord{{}}})
			return framePayload(payloadOf([]byte{0}, uint64(1000), zeroJob[frameHeaderLen+2:len(zeroJob)-frameCRCLen]))
		}(),
	}
	for i, in := range inputs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := decodeSnapshot(in)
		runtime.ReadMemStats(&after)
		assert.Error(t, err, "input %d", i)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64*1024), "input %d allocated too much", i)
	}
}

// ---- fuzzing ----

func FuzzDecodeSnapshot(f *testing.F) {
	f.Add(encodeSnapshot(fullSnapshot()))
	f.Add(smallEncoding())
	f.Add(encodeSnapshot(&snapshot{}))
	f.Add([]byte{})
	f.Add([]byte(snapshotMagic))
	enc := smallEncoding()
	f.Add(enc[frameHeaderLen : len(enc)-frameCRCLen]) // a bare payload, framed below
	f.Fuzz(func(t *testing.T, b []byte) {
		// b as a whole encoding, and b as a payload inside a valid frame
		// (so that the fuzzer gets past the checksum).
		for _, in := range [][]byte{b, framePayload(b)} {
			s, err := decodeSnapshot(in)
			if err != nil {
				require.Nil(t, s)
				continue
			}
			if binary.LittleEndian.Uint16(in[8:]) == schemaVersion3 {
				require.Equal(t, in, encodeSnapshotV3(s), "decoded schema-3 input must re-encode in schema 3 to the same bytes")
				continue
			}
			require.Equal(t, in, encodeSnapshot(s), "decoded input must re-encode to the same bytes")
		}
	})
}

// ---- benchmark ----

func benchSnapshot(n int) *snapshot {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &snapshot{SavedAt: base.Add(48 * time.Hour), Jobs: make([]jobRecord, n)}
	for i := range s.Jobs {
		created := base.Add(time.Duration(i) * time.Second)
		s.Jobs[i] = jobRecord{
			ID:                          model.GUID{byte(i), byte(i >> 8), byte(i >> 16), 0x4A, 0x11, 0x22, 0x43, 0x33, 0x84, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA},
			Type:                        model.BG_JOB_TYPE_DOWNLOAD,
			Owner:                       model.Account{Name: fmt.Sprintf(`CONTOSO\user%03d`, i%500), Kind: model.AccountUser},
			State:                       model.JobState(i % 7),
			DisplayName:                 fmt.Sprintf("Contoso Updater - package %06d", i),
			Description:                 "Background download of a Contoso update package",
			Priority:                    model.BG_JOB_PRIORITY_NORMAL,
			NotifyFlags:                 model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR,
			CmdProgram:                  `C:\Program Files\Contoso\Updater\notify.exe`,
			CmdParameters:               fmt.Sprintf(`notify.exe /job %06d`, i),
			CmdUser:                     model.Account{Name: fmt.Sprintf(`CONTOSO\user%03d`, i%500), Kind: model.AccountUser},
			MinimumRetryDelay:           600 * time.Second,
			NoProgressTimeout:           14 * 24 * time.Hour,
			MaximumDownloadTime:         90 * 24 * time.Hour,
			MinimumNotificationInterval: 500 * time.Millisecond,
			Created:                     created,
			Modified:                    created.Add(3 * time.Minute),
			LastActivity:                created.Add(5 * time.Minute),
			DownloadElapsed:             2 * time.Minute,
			Files: []fileRecord{{
				RemoteName:       fmt.Sprintf("https://downloads.contoso.com/updates/2026/01/package-%06d.cab", i),
				LocalName:        fmt.Sprintf(`C:\ProgramData\Contoso\Updater\Downloads\package-%06d.cab`, i),
				BytesTotal:       uint64(1<<20 + i),
				BytesTransferred: uint64(i * 512),
				TemporaryName:    fmt.Sprintf(`C:\ProgramData\Contoso\Updater\Downloads\BIT%04X.tmp`, i&0xFFFF),
				Attempts:         1,
			}},
		}
	}
	return s
}

func BenchmarkSnapshotRoundTrip100k(b *testing.B) {
	s := benchSnapshot(100_000)
	size := len(encodeSnapshot(s))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := decodeSnapshot(encodeSnapshot(s))
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Jobs) != len(s.Jobs) {
			b.Fatalf("decoded %d jobs, want %d", len(got.Jobs), len(s.Jobs))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(size), "snapshot-bytes")
}
