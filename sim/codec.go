package sim

// The persisted form of a snapshot: a compact, versioned, checksummed binary
// encoding written without reflection.
//
// Frame (integers in the frame are little-endian):
//
//	offset  size  field
//	0       8     magic "BITSSIM\x00"
//	8       2     schema version (uint16, schemaVersion)
//	10      8     payload length N (uint64)
//	18      N     payload
//	18+N    4     CRC-32C (Castagnoli) of the payload (uint32)
//
// Payload primitives:
//
//	uvarint   encoding/binary unsigned varint, minimal form only
//	varint    encoding/binary zig-zag varint, minimal form only
//	u32       uvarint that must fit in 32 bits (enums, flags, HRESULTs)
//	size      uvarint of v+1 (mod 2^64), so that the sentinel ^uint64(0)
//	          (BG_SIZE_UNKNOWN, BG_LENGTH_TO_EOF) takes one byte
//	bool      one byte, 0 or 1
//	string    uvarint byte length, then the bytes (not required to be UTF-8)
//	guid      16 bytes in model.GUID order (RFC 4122, not the Windows layout)
//	time      byte 0 for the zero time.Time; byte 1, varint Unix seconds,
//	          uvarint nanoseconds (< 1e9) otherwise. Decoded times are UTC.
//	duration  varint nanoseconds
//	account   string Name, varint Kind, bool Unelevated
//	ranges    uvarint count, then per range uvarint InitialOffset, size Length
//
// Payload, in order:
//
//	snapshot  time SavedAt, uvarint len(Jobs), jobs
//	job       (schema 4) guid ID, u32 Type, account Owner, u32 State,
//	          string DisplayName, u32 Priority, u32 NotifyFlags, byte groups,
//	          time Created, time Modified, time LastActivity,
//	          bool PendingTransferred, bool PendingError, then the groups
//	          whose bit is set in groups, in bit order:
//	            1<<0 description: string Description
//	            1<<1 command line: string CmdProgram, string CmdParameters,
//	                 account CmdUser
//	            1<<2 CLSID: guid NotifyCLSID, account CLSIDSetter
//	            1<<3 timeouts: duration MinimumRetryDelay,
//	                 duration NoProgressTimeout, duration MaximumDownloadTime,
//	                 duration MinimumNotificationInterval
//	            1<<4 Job5: u32 CostFlags, bool DynamicContent,
//	                 bool HighPerformance, uvarint MaxDownloadSize, bool OnDemand
//	            1<<5 error: bool HasError, u32 Error.Context, u32 Error.Code,
//	                 string Error.File.RemoteName, string Error.File.LocalName,
//	                 string Error.Description, string Error.Protocol,
//	                 u32 ErrorCount
//	            1<<6 progress: time TransferCompleted, time FirstTransientError,
//	                 time RetryDue, duration DownloadElapsed
//	          then uvarint len(Files), files.
//	          A group's bit is set exactly when one of its fields differs from
//	          its default: the zero value, and for the timeouts the defaults of
//	          a new job (rules.DefaultMinimumRetryDelay, DefaultNoProgressTimeout,
//	          DefaultMaximumDownloadTime, MinimumNotificationInterval), which an
//	          absent group decodes as.
//	job       (schema 3, still read) guid ID, u32 Type, account Owner, u32 State, string DisplayName,
//	          string Description, u32 Priority, u32 NotifyFlags,
//	          string CmdProgram, string CmdParameters, account CmdUser,
//	          guid NotifyCLSID, account CLSIDSetter, duration MinimumRetryDelay,
//	          duration NoProgressTimeout, duration MaximumDownloadTime,
//	          u32 CostFlags, bool DynamicContent, bool HighPerformance,
//	          uvarint MaxDownloadSize, duration MinimumNotificationInterval,
//	          bool OnDemand, time Created, time Modified,
//	          time TransferCompleted, time LastActivity,
//	          time FirstTransientError, time RetryDue, duration DownloadElapsed,
//	          bool HasError, u32 Error.Context, u32 Error.Code,
//	          string Error.File.RemoteName, string Error.File.LocalName,
//	          string Error.Description, string Error.Protocol,
//	          u32 ErrorCount, bool PendingTransferred, bool PendingError,
//	          uvarint len(Files), files
//	file      string RemoteName, string LocalName, ranges Ranges,
//	          ranges Requested, ranges Filled, size BytesTotal,
//	          uvarint BytesTransferred, bool Completed, string TemporaryName,
//	          bool ValidationSet, bool Valid, bool FromPeer,
//	          bool PendingFileTransferred, varint Attempts
//
// The encoding is canonical: every snapshot has exactly one encoding, and the
// decoder rejects anything else (non-minimal varints, a zero time written as
// non-zero, bools other than 0/1, trailing bytes), so whatever decodes
// re-encodes to the same bytes.
//
// Empty slices (Jobs, Files, Ranges, Requested, Filled) are written as a zero
// count, like nil ones, and decode as nil.
//
// Changing the payload in any way requires a new schemaVersion; a decoder
// rejects versions it does not know. Schema 3 files are still read (their
// jobs in the schema-3 layout above); they are written as schema 4.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

const (
	// schemaVersion is the version of the payload layout this build writes;
	// it also reads schemaVersion3.
	schemaVersion = 4 // 2: accounts carry Unelevated; 3: CLSIDSetter; 4: groups left at their defaults are omitted
	// schemaVersion3 is the previous layout, still read.
	schemaVersion3 = 3

	snapshotMagic  = "BITSSIM\x00"
	frameHeaderLen = 8 + 2 + 8
	frameCRCLen    = 4
	frameOverhead  = frameHeaderLen + frameCRCLen

	// The fewest payload bytes one element can take. Counts are checked
	// against them before anything is allocated, so a decoder never
	// allocates more than a small multiple of its input.
	minJobBytes   = 31 // schema 4, every group omitted (schema 3: 76)
	minFileBytes  = 14
	minRangeBytes = 2

	// Decoded files and ranges are carved out of shared slabs of at most
	// this many elements to save allocations.
	fileSlabLen  = 256
	rangeSlabLen = 256
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Kinds of decode failure; decode errors wrap exactly one of them.
var (
	errTruncated          = errors.New("truncated")
	errBadMagic           = errors.New("bad magic")
	errUnsupportedVersion = errors.New("unsupported schema version")
	errChecksum           = errors.New("checksum mismatch")
	errTrailing           = errors.New("trailing bytes")
	errInvalid            = errors.New("invalid value")
)

// decodeError is a decode failure with its position in the snapshot.
type decodeError struct {
	job, file int    // indexes from 0; -1 when not inside a job / file
	field     string // the field being read, or ""
	detail    string // e.g. "truncated string"
	kind      error  // one of the err* kinds above
}

func (e *decodeError) Error() string {
	var sb strings.Builder
	sb.WriteString("sim: decode snapshot: ")
	if e.job >= 0 {
		sb.WriteString("job ")
		sb.WriteString(strconv.Itoa(e.job))
		if e.file >= 0 {
			sb.WriteString(" file ")
			sb.WriteString(strconv.Itoa(e.file))
		}
		sb.WriteString(": ")
	}
	if e.field != "" {
		sb.WriteString(e.field)
		sb.WriteString(": ")
	}
	sb.WriteString(e.detail)
	return sb.String()
}

func (e *decodeError) Unwrap() error { return e.kind }

func frameError(kind error, detail string) error {
	return &decodeError{job: -1, file: -1, detail: detail, kind: kind}
}

// encodeSnapshot returns the framed encoding of s.
func encodeSnapshot(s *snapshot) []byte {
	return finishFrame(appendPayload(beginFrame(payloadSize(s)), s))
}

// beginFrame returns a frame header with room for a payload of about n
// bytes after it; append the payload, then call finishFrame.
func beginFrame(n int) []byte {
	b := make([]byte, frameHeaderLen, frameOverhead+n)
	copy(b, snapshotMagic)
	binary.LittleEndian.PutUint16(b[8:], schemaVersion)
	return b
}

// finishFrame completes a frame begun with beginFrame whose payload has
// been appended.
func finishFrame(b []byte) []byte {
	binary.LittleEndian.PutUint64(b[10:], uint64(len(b)-frameHeaderLen))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[frameHeaderLen:], castagnoli))
}

// framePayload wraps an already encoded payload in a frame. Tests use it to
// hand the payload decoder inputs with a valid header and checksum.
func framePayload(payload []byte) []byte {
	b := make([]byte, frameHeaderLen, frameOverhead+len(payload))
	copy(b, snapshotMagic)
	binary.LittleEndian.PutUint16(b[8:], schemaVersion)
	binary.LittleEndian.PutUint64(b[10:], uint64(len(payload)))
	b = append(b, payload...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(payload, castagnoli))
}

// unframe checks the frame of b and returns its payload.
func unframe(b []byte) ([]byte, error) {
	if len(b) < frameOverhead {
		if !strings.HasPrefix(snapshotMagic, string(b[:min(len(b), len(snapshotMagic))])) {
			return nil, frameError(errBadMagic, "bad magic (not a bitssim snapshot)")
		}
		return nil, frameError(errTruncated,
			fmt.Sprintf("truncated frame: %d bytes, need at least %d", len(b), frameOverhead))
	}
	if string(b[:8]) != snapshotMagic {
		return nil, frameError(errBadMagic, fmt.Sprintf("bad magic %q (not a bitssim snapshot)", b[:8]))
	}
	if v := binary.LittleEndian.Uint16(b[8:]); v != schemaVersion && v != schemaVersion3 {
		return nil, frameError(errUnsupportedVersion,
			fmt.Sprintf("unsupported schema version %d (this build reads versions %d and %d)", v, schemaVersion3, schemaVersion))
	}
	n := binary.LittleEndian.Uint64(b[10:])
	avail := uint64(len(b) - frameOverhead)
	if n > avail {
		return nil, frameError(errTruncated,
			fmt.Sprintf("truncated frame: payload length %d, only %d bytes present", n, avail))
	}
	if n < avail {
		return nil, frameError(errTrailing,
			fmt.Sprintf("%d trailing bytes after the checksum", avail-n))
	}
	payload := b[frameHeaderLen : frameHeaderLen+int(n)]
	want := binary.LittleEndian.Uint32(b[frameHeaderLen+int(n):])
	if got := crc32.Checksum(payload, castagnoli); got != want {
		return nil, frameError(errChecksum,
			fmt.Sprintf("checksum mismatch (stored %08x, computed %08x)", want, got))
	}
	return payload, nil
}

// decodeSnapshot decodes what encodeSnapshot encoded. It never panics, and
// it allocates at most a small multiple of len(b). Decoded strings share one
// copy of the payload (b itself is not retained); empty slices decode as nil;
// times decode in UTC.
func decodeSnapshot(b []byte) (*snapshot, error) {
	payload, err := unframe(b)
	if err != nil {
		return nil, err
	}
	d := decoder{b: payload, s: string(payload), job: -1, file: -1, v3: binary.LittleEndian.Uint16(b[8:]) == schemaVersion3}
	s := &snapshot{SavedAt: d.time("SavedAt")}
	if n := d.count("Jobs", minJobBytes); n > 0 {
		s.Jobs = make([]jobRecord, n)
		for i := range s.Jobs {
			d.job = i
			d.jobRecord(&s.Jobs[i])
			if d.err != nil {
				break
			}
		}
		d.job = -1
	}
	if d.err == nil && d.off != len(d.b) {
		d.err = frameError(errTrailing, fmt.Sprintf("%d trailing bytes in the payload", len(d.b)-d.off))
	}
	if d.err != nil {
		return nil, d.err
	}
	return s, nil
}

// ---- encoding ----

func appendPayload(b []byte, s *snapshot) []byte {
	b = appendTime(b, s.SavedAt)
	b = binary.AppendUvarint(b, uint64(len(s.Jobs)))
	for i := range s.Jobs {
		b = appendJob(b, &s.Jobs[i])
	}
	return b
}

// Groups of a schema-4 job: fields most jobs leave at their defaults,
// written only when one of them is not.
const (
	groupDescription = 1 << iota
	groupCmdLine
	groupCLSID
	groupTimeouts
	groupJob5
	groupError
	groupProgress
	groupsAll = 1<<iota - 1
)

// jobGroups returns the groups of j to write.
func jobGroups(j *jobRecord) byte {
	var g byte
	if j.Description != "" {
		g |= groupDescription
	}
	if j.CmdProgram != "" || j.CmdParameters != "" || j.CmdUser != (model.Account{}) {
		g |= groupCmdLine
	}
	if !j.NotifyCLSID.IsNull() || j.CLSIDSetter != (model.Account{}) {
		g |= groupCLSID
	}
	if j.MinimumRetryDelay != rules.DefaultMinimumRetryDelay || j.NoProgressTimeout != rules.DefaultNoProgressTimeout ||
		j.MaximumDownloadTime != rules.DefaultMaximumDownloadTime || j.MinimumNotificationInterval != rules.MinimumNotificationInterval {
		g |= groupTimeouts
	}
	if j.CostFlags != 0 || j.DynamicContent || j.HighPerformance || j.MaxDownloadSize != 0 || j.OnDemand {
		g |= groupJob5
	}
	if j.HasError || j.Error != (model.JobError{}) || j.ErrorCount != 0 {
		g |= groupError
	}
	if !j.TransferCompleted.IsZero() || !j.FirstTransientError.IsZero() || !j.RetryDue.IsZero() || j.DownloadElapsed != 0 {
		g |= groupProgress
	}
	return g
}

func appendJob(b []byte, j *jobRecord) []byte {
	b = append(b, j.ID[:]...)
	b = binary.AppendUvarint(b, uint64(j.Type))
	b = appendAccount(b, j.Owner)
	b = binary.AppendUvarint(b, uint64(j.State))
	b = appendString(b, j.DisplayName)
	b = binary.AppendUvarint(b, uint64(j.Priority))
	b = binary.AppendUvarint(b, uint64(j.NotifyFlags))
	g := jobGroups(j)
	b = append(b, g)
	b = appendTime(b, j.Created)
	b = appendTime(b, j.Modified)
	b = appendTime(b, j.LastActivity)
	b = appendBool(b, j.PendingTransferred)
	b = appendBool(b, j.PendingError)
	if g&groupDescription != 0 {
		b = appendString(b, j.Description)
	}
	if g&groupCmdLine != 0 {
		b = appendString(b, j.CmdProgram)
		b = appendString(b, j.CmdParameters)
		b = appendAccount(b, j.CmdUser)
	}
	if g&groupCLSID != 0 {
		b = append(b, j.NotifyCLSID[:]...)
		b = appendAccount(b, j.CLSIDSetter)
	}
	if g&groupTimeouts != 0 {
		b = binary.AppendVarint(b, int64(j.MinimumRetryDelay))
		b = binary.AppendVarint(b, int64(j.NoProgressTimeout))
		b = binary.AppendVarint(b, int64(j.MaximumDownloadTime))
		b = binary.AppendVarint(b, int64(j.MinimumNotificationInterval))
	}
	if g&groupJob5 != 0 {
		b = binary.AppendUvarint(b, uint64(j.CostFlags))
		b = appendBool(b, j.DynamicContent)
		b = appendBool(b, j.HighPerformance)
		b = binary.AppendUvarint(b, j.MaxDownloadSize)
		b = appendBool(b, j.OnDemand)
	}
	if g&groupError != 0 {
		b = appendBool(b, j.HasError)
		b = binary.AppendUvarint(b, uint64(j.Error.Context))
		b = binary.AppendUvarint(b, uint64(j.Error.Code))
		b = appendString(b, j.Error.File.RemoteName)
		b = appendString(b, j.Error.File.LocalName)
		b = appendString(b, j.Error.Description)
		b = appendString(b, j.Error.Protocol)
		b = binary.AppendUvarint(b, uint64(j.ErrorCount))
	}
	if g&groupProgress != 0 {
		b = appendTime(b, j.TransferCompleted)
		b = appendTime(b, j.FirstTransientError)
		b = appendTime(b, j.RetryDue)
		b = binary.AppendVarint(b, int64(j.DownloadElapsed))
	}
	b = binary.AppendUvarint(b, uint64(len(j.Files)))
	for i := range j.Files {
		b = appendFile(b, &j.Files[i])
	}
	return b
}

// jobLen is the exact length of appendJob's output, without the files.
func jobLen(j *jobRecord) int {
	g := jobGroups(j)
	n := 16 + 1 + 2 + // ID, groups, two bools
		uvarintLen(uint64(j.Type)) + accountLen(j.Owner) + uvarintLen(uint64(j.State)) +
		stringLen(j.DisplayName) + uvarintLen(uint64(j.Priority)) + uvarintLen(uint64(j.NotifyFlags)) +
		timeLen(j.Created) + timeLen(j.Modified) + timeLen(j.LastActivity) +
		uvarintLen(uint64(len(j.Files)))
	if g&groupDescription != 0 {
		n += stringLen(j.Description)
	}
	if g&groupCmdLine != 0 {
		n += stringLen(j.CmdProgram) + stringLen(j.CmdParameters) + accountLen(j.CmdUser)
	}
	if g&groupCLSID != 0 {
		n += 16 + accountLen(j.CLSIDSetter)
	}
	if g&groupTimeouts != 0 {
		n += varintLen(int64(j.MinimumRetryDelay)) + varintLen(int64(j.NoProgressTimeout)) +
			varintLen(int64(j.MaximumDownloadTime)) + varintLen(int64(j.MinimumNotificationInterval))
	}
	if g&groupJob5 != 0 {
		n += uvarintLen(uint64(j.CostFlags)) + 3 + uvarintLen(j.MaxDownloadSize)
	}
	if g&groupError != 0 {
		n += 1 + uvarintLen(uint64(j.Error.Context)) + uvarintLen(uint64(j.Error.Code)) +
			stringLen(j.Error.File.RemoteName) + stringLen(j.Error.File.LocalName) +
			stringLen(j.Error.Description) + stringLen(j.Error.Protocol) + uvarintLen(uint64(j.ErrorCount))
	}
	if g&groupProgress != 0 {
		n += timeLen(j.TransferCompleted) + timeLen(j.FirstTransientError) + timeLen(j.RetryDue) +
			varintLen(int64(j.DownloadElapsed))
	}
	return n
}

func appendFile(b []byte, f *fileRecord) []byte {
	b = appendString(b, f.RemoteName)
	b = appendString(b, f.LocalName)
	b = appendRanges(b, f.Ranges)
	b = appendRanges(b, f.Requested)
	b = appendRanges(b, f.Filled)
	b = binary.AppendUvarint(b, f.BytesTotal+1)
	b = binary.AppendUvarint(b, f.BytesTransferred)
	b = appendBool(b, f.Completed)
	b = appendString(b, f.TemporaryName)
	b = appendBool(b, f.ValidationSet)
	b = appendBool(b, f.Valid)
	b = appendBool(b, f.FromPeer)
	b = appendBool(b, f.PendingFileTransferred)
	return binary.AppendVarint(b, int64(f.Attempts))
}

func appendRanges(b []byte, rs []model.FileRange) []byte {
	b = binary.AppendUvarint(b, uint64(len(rs)))
	for _, r := range rs {
		b = binary.AppendUvarint(b, r.InitialOffset)
		b = binary.AppendUvarint(b, r.Length+1)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendAccount(b []byte, a model.Account) []byte {
	b = appendString(b, a.Name)
	b = binary.AppendVarint(b, int64(a.Kind))
	return appendBool(b, a.Unelevated)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// ---- sizes (exact, so that encodeSnapshot allocates once) ----

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

func varintLen(v int64) int { return uvarintLen(uint64(v<<1) ^ uint64(v>>63)) }

func stringLen(s string) int { return uvarintLen(uint64(len(s))) + len(s) }

func accountLen(a model.Account) int { return stringLen(a.Name) + varintLen(int64(a.Kind)) + 1 }

func timeLen(t time.Time) int {
	if t.IsZero() {
		return 1
	}
	return 1 + varintLen(t.Unix()) + uvarintLen(uint64(t.Nanosecond()))
}

func rangesLen(rs []model.FileRange) int {
	n := uvarintLen(uint64(len(rs)))
	for _, r := range rs {
		n += uvarintLen(r.InitialOffset) + uvarintLen(r.Length+1)
	}
	return n
}

// payloadSize is the exact length of appendPayload's output.
func payloadSize(s *snapshot) int {
	n := timeLen(s.SavedAt) + uvarintLen(uint64(len(s.Jobs)))
	for i := range s.Jobs {
		j := &s.Jobs[i]
		n += jobLen(j)
		for k := range j.Files {
			f := &j.Files[k]
			n += 5 + // bools
				stringLen(f.RemoteName) + stringLen(f.LocalName) + stringLen(f.TemporaryName) +
				rangesLen(f.Ranges) + rangesLen(f.Requested) + rangesLen(f.Filled) +
				uvarintLen(f.BytesTotal+1) + uvarintLen(f.BytesTransferred) +
				varintLen(int64(f.Attempts))
		}
	}
	return n
}

// ---- decoding ----

// decoder reads a payload. The first failure sticks in err; later reads
// return zero values.
type decoder struct {
	b         []byte
	s         string // b as one string; decoded strings are substrings of it
	off       int
	err       error
	job, file int // position, for error messages

	fileSlab  []fileRecord
	rangeSlab []model.FileRange

	v3 bool // the payload is schema 3
}

func (d *decoder) fail(field string, kind error, detail string) {
	if d.err == nil {
		d.err = &decodeError{job: d.job, file: d.file, field: field, detail: detail, kind: kind}
	}
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	b := d.b[d.off:]
	if len(b) > 0 && b[0] < 0x80 {
		d.off++
		return uint64(b[0])
	}
	var x uint64
	var shift uint
	for i, c := range b {
		if i == binary.MaxVarintLen64 {
			break
		}
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break
			}
			if c == 0 { // i > 0 here: a single 0 byte took the fast path
				d.fail(field, errInvalid, "non-minimal varint")
				return 0
			}
			d.off += i + 1
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	if len(b) < binary.MaxVarintLen64 && (len(b) == 0 || b[len(b)-1] >= 0x80) {
		d.fail(field, errTruncated, "truncated varint")
	} else {
		d.fail(field, errInvalid, "varint overflows 64 bits")
	}
	return 0
}

func (d *decoder) varint(field string) int64 {
	u := d.uvarint(field)
	return int64(u>>1) ^ -int64(u&1)
}

func (d *decoder) u32(field string) uint32 {
	v := d.uvarint(field)
	if v > math.MaxUint32 {
		d.fail(field, errInvalid, fmt.Sprintf("value %d overflows 32 bits", v))
		return 0
	}
	return uint32(v)
}

func (d *decoder) int(field string) int {
	v := d.varint(field)
	if int64(int(v)) != v {
		d.fail(field, errInvalid, fmt.Sprintf("value %d overflows int", v))
		return 0
	}
	return int(v)
}

func (d *decoder) duration(field string) time.Duration { return time.Duration(d.varint(field)) }

func (d *decoder) bool(field string) bool {
	if d.err != nil {
		return false
	}
	if d.off >= len(d.b) {
		d.fail(field, errTruncated, "truncated bool")
		return false
	}
	c := d.b[d.off]
	if c > 1 {
		d.fail(field, errInvalid, fmt.Sprintf("invalid bool %d", c))
		return false
	}
	d.off++
	return c == 1
}

func (d *decoder) string(field string) string {
	n := d.uvarint(field)
	if d.err != nil {
		return ""
	}
	if n > uint64(d.remaining()) {
		d.fail(field, errTruncated, "truncated string")
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) guid(field string) (g model.GUID) {
	if d.err != nil {
		return g
	}
	if d.remaining() < len(g) {
		d.fail(field, errTruncated, "truncated GUID")
		return g
	}
	d.off += copy(g[:], d.b[d.off:])
	return g
}

func (d *decoder) account(field string) model.Account {
	return model.Account{Name: d.string(field), Kind: model.AccountKind(d.int(field)), Unelevated: d.bool(field)}
}

func (d *decoder) time(field string) time.Time {
	if d.err != nil {
		return time.Time{}
	}
	if d.off >= len(d.b) {
		d.fail(field, errTruncated, "truncated time")
		return time.Time{}
	}
	flag := d.b[d.off]
	d.off++
	switch flag {
	case 0:
		return time.Time{}
	case 1:
	default:
		d.fail(field, errInvalid, fmt.Sprintf("invalid time flag %d", flag))
		return time.Time{}
	}
	sec := d.varint(field)
	nsec := d.uvarint(field)
	if d.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 {
		d.fail(field, errInvalid, fmt.Sprintf("nanoseconds %d out of range", nsec))
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec)).UTC()
	if t.IsZero() {
		d.fail(field, errInvalid, "zero time encoded as non-zero")
		return time.Time{}
	}
	return t
}

// count reads an element count and checks that the remaining input can hold
// that many elements of at least minBytes each.
func (d *decoder) count(field string, minBytes int) int {
	n := d.uvarint(field)
	if d.err != nil {
		return 0
	}
	if n > uint64(d.remaining()/minBytes) {
		d.fail(field, errTruncated, fmt.Sprintf("truncated: %d elements need at least %d bytes each, %d bytes left",
			n, minBytes, d.remaining()))
		return 0
	}
	return int(n)
}

// takeSlab returns n zeroed elements carved from *slab, refilling it with
// max(n, chunk) elements when it is short. The result's capacity is n, so
// appending to it never reaches a neighbour's elements.
func takeSlab[T any](slab *[]T, n, chunk int) []T {
	if len(*slab) < n {
		*slab = make([]T, max(n, chunk))
	}
	s := (*slab)[:n:n]
	*slab = (*slab)[n:]
	return s
}

// jobRecord decodes a job of the payload's schema.
func (d *decoder) jobRecord(j *jobRecord) {
	if d.v3 {
		d.jobRecordV3(j)
		return
	}
	j.ID = d.guid("ID")
	j.Type = model.JobType(d.u32("Type"))
	j.Owner = d.account("Owner")
	j.State = model.JobState(d.u32("State"))
	j.DisplayName = d.string("DisplayName")
	j.Priority = model.JobPriority(d.u32("Priority"))
	j.NotifyFlags = model.NotifyFlags(d.u32("NotifyFlags"))
	g := d.byte("groups")
	if g&^groupsAll != 0 {
		d.fail("groups", errInvalid, fmt.Sprintf("unknown groups %#x", g&^groupsAll))
	}
	j.Created = d.time("Created")
	j.Modified = d.time("Modified")
	j.LastActivity = d.time("LastActivity")
	j.PendingTransferred = d.bool("PendingTransferred")
	j.PendingError = d.bool("PendingError")
	if g&groupDescription != 0 {
		j.Description = d.string("Description")
	}
	if g&groupCmdLine != 0 {
		j.CmdProgram = d.string("CmdProgram")
		j.CmdParameters = d.string("CmdParameters")
		j.CmdUser = d.account("CmdUser")
	}
	if g&groupCLSID != 0 {
		j.NotifyCLSID = d.guid("NotifyCLSID")
		j.CLSIDSetter = d.account("CLSIDSetter")
	}
	j.MinimumRetryDelay, j.NoProgressTimeout = rules.DefaultMinimumRetryDelay, rules.DefaultNoProgressTimeout
	j.MaximumDownloadTime, j.MinimumNotificationInterval = rules.DefaultMaximumDownloadTime, rules.MinimumNotificationInterval
	if g&groupTimeouts != 0 {
		j.MinimumRetryDelay = d.duration("MinimumRetryDelay")
		j.NoProgressTimeout = d.duration("NoProgressTimeout")
		j.MaximumDownloadTime = d.duration("MaximumDownloadTime")
		j.MinimumNotificationInterval = d.duration("MinimumNotificationInterval")
	}
	if g&groupJob5 != 0 {
		j.CostFlags = d.u32("CostFlags")
		j.DynamicContent = d.bool("DynamicContent")
		j.HighPerformance = d.bool("HighPerformance")
		j.MaxDownloadSize = d.uvarint("MaxDownloadSize")
		j.OnDemand = d.bool("OnDemand")
	}
	if g&groupError != 0 {
		j.HasError = d.bool("HasError")
		j.Error.Context = model.ErrorContext(d.u32("Error.Context"))
		j.Error.Code = model.HRESULT(d.u32("Error.Code"))
		j.Error.File.RemoteName = d.string("Error.File.RemoteName")
		j.Error.File.LocalName = d.string("Error.File.LocalName")
		j.Error.Description = d.string("Error.Description")
		j.Error.Protocol = d.string("Error.Protocol")
		j.ErrorCount = d.u32("ErrorCount")
	}
	if g&groupProgress != 0 {
		j.TransferCompleted = d.time("TransferCompleted")
		j.FirstTransientError = d.time("FirstTransientError")
		j.RetryDue = d.time("RetryDue")
		j.DownloadElapsed = d.duration("DownloadElapsed")
	}
	if d.err == nil && jobGroups(j) != g {
		// A group written with every field at its default: not the one
		// encoding of this job.
		d.fail("groups", errInvalid, fmt.Sprintf("groups %#x written, %#x not at their defaults (non-canonical)", g, jobGroups(j)))
	}
	d.jobFiles(j)
}

// byte reads one byte.
func (d *decoder) byte(field string) byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail(field, errTruncated, "truncated byte")
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

// jobRecordV3 decodes a schema-3 job.
func (d *decoder) jobRecordV3(j *jobRecord) {
	j.ID = d.guid("ID")
	j.Type = model.JobType(d.u32("Type"))
	j.Owner = d.account("Owner")
	j.State = model.JobState(d.u32("State"))
	j.DisplayName = d.string("DisplayName")
	j.Description = d.string("Description")
	j.Priority = model.JobPriority(d.u32("Priority"))
	j.NotifyFlags = model.NotifyFlags(d.u32("NotifyFlags"))
	j.CmdProgram = d.string("CmdProgram")
	j.CmdParameters = d.string("CmdParameters")
	j.CmdUser = d.account("CmdUser")
	j.NotifyCLSID = d.guid("NotifyCLSID")
	j.CLSIDSetter = d.account("CLSIDSetter")
	j.MinimumRetryDelay = d.duration("MinimumRetryDelay")
	j.NoProgressTimeout = d.duration("NoProgressTimeout")
	j.MaximumDownloadTime = d.duration("MaximumDownloadTime")
	j.CostFlags = d.u32("CostFlags")
	j.DynamicContent = d.bool("DynamicContent")
	j.HighPerformance = d.bool("HighPerformance")
	j.MaxDownloadSize = d.uvarint("MaxDownloadSize")
	j.MinimumNotificationInterval = d.duration("MinimumNotificationInterval")
	j.OnDemand = d.bool("OnDemand")
	j.Created = d.time("Created")
	j.Modified = d.time("Modified")
	j.TransferCompleted = d.time("TransferCompleted")
	j.LastActivity = d.time("LastActivity")
	j.FirstTransientError = d.time("FirstTransientError")
	j.RetryDue = d.time("RetryDue")
	j.DownloadElapsed = d.duration("DownloadElapsed")
	j.HasError = d.bool("HasError")
	j.Error.Context = model.ErrorContext(d.u32("Error.Context"))
	j.Error.Code = model.HRESULT(d.u32("Error.Code"))
	j.Error.File.RemoteName = d.string("Error.File.RemoteName")
	j.Error.File.LocalName = d.string("Error.File.LocalName")
	j.Error.Description = d.string("Error.Description")
	j.Error.Protocol = d.string("Error.Protocol")
	j.ErrorCount = d.u32("ErrorCount")
	j.PendingTransferred = d.bool("PendingTransferred")
	j.PendingError = d.bool("PendingError")
	d.jobFiles(j)
}

// jobFiles decodes the files of a job.
func (d *decoder) jobFiles(j *jobRecord) {
	if n := d.count("Files", minFileBytes); n > 0 {
		j.Files = takeSlab(&d.fileSlab, n, min(fileSlabLen, d.remaining()/minFileBytes))
		for k := range j.Files {
			d.file = k
			d.fileRecord(&j.Files[k])
			if d.err != nil {
				break
			}
		}
		d.file = -1
	}
}

func (d *decoder) fileRecord(f *fileRecord) {
	f.RemoteName = d.string("RemoteName")
	f.LocalName = d.string("LocalName")
	f.Ranges = d.ranges("Ranges")
	f.Requested = d.ranges("Requested")
	f.Filled = d.ranges("Filled")
	f.BytesTotal = d.uvarint("BytesTotal") - 1
	f.BytesTransferred = d.uvarint("BytesTransferred")
	f.Completed = d.bool("Completed")
	f.TemporaryName = d.string("TemporaryName")
	f.ValidationSet = d.bool("ValidationSet")
	f.Valid = d.bool("Valid")
	f.FromPeer = d.bool("FromPeer")
	f.PendingFileTransferred = d.bool("PendingFileTransferred")
	f.Attempts = d.int("Attempts")
}

func (d *decoder) ranges(field string) []model.FileRange {
	n := d.count(field, minRangeBytes)
	if n == 0 {
		return nil
	}
	rs := takeSlab(&d.rangeSlab, n, min(rangeSlabLen, d.remaining()/minRangeBytes))
	for i := range rs {
		rs[i].InitialOffset = d.uvarint(field)
		rs[i].Length = d.uvarint(field) - 1
	}
	if d.err != nil {
		return nil
	}
	return rs
}
