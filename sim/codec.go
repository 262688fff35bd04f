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
// The code lists a job's fields once, as runs of fields written together
// (fieldCoder.run); each schema is a table of runs (jobLayoutV3; jobHeadV4,
// jobFixedV4 and the groups of jobGroupsV4), and one walk of the table
// encodes, sizes or decodes a job.
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

// beginFrameIn is beginFrame in buf's memory when it has room for the
// header and n bytes, else in a new buffer.
func beginFrameIn(buf []byte, n int) []byte {
	if cap(buf) < frameOverhead+n {
		return beginFrame(n)
	}
	b := buf[:frameHeaderLen]
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
	r, err := openSnapshot(b)
	if err != nil {
		return nil, err
	}
	s := &snapshot{SavedAt: r.savedAt}
	if r.n > 0 {
		s.Jobs = make([]jobRecord, 0, r.n)
	}
	if err := r.each(func(_ int, j *jobRecord) error {
		s.Jobs = append(s.Jobs, *j)
		return nil
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// snapshotReader reads the jobs of a snapshot one at a time, as often as
// needed, without a slice of them all.
type snapshotReader struct {
	d       decoder
	start   int // the offset of the first job
	savedAt time.Time
	n       int // jobs
}

// openSnapshot checks the frame of b and reads the snapshot's header. b must
// not change while the reader is used (its strings are a copy).
func openSnapshot(b []byte) (*snapshotReader, error) {
	payload, err := unframe(b)
	if err != nil {
		return nil, err
	}
	r := &snapshotReader{d: decoder{b: payload, s: string(payload), job: -1, file: -1, v3: binary.LittleEndian.Uint16(b[8:]) == schemaVersion3}}
	r.savedAt = r.d.time("SavedAt")
	r.n = r.d.count("Jobs", minJobBytes)
	if r.d.err != nil {
		return nil, r.d.err
	}
	r.start = r.d.off
	return r, nil
}

// each decodes the jobs in order and calls fn with each, in one record
// that fn must not keep (it may keep the record's strings, files and
// ranges, which are the job's own). It returns the first error of the
// decoding or of fn; a decoding error after the last job (trailing bytes)
// comes after fn has seen every job.
func (r *snapshotReader) each(fn func(i int, j *jobRecord) error) error {
	d := &r.d
	d.off, d.err, d.job, d.file = r.start, nil, -1, -1
	var j jobRecord
	for i := 0; i < r.n; i++ {
		d.job = i
		j = jobRecord{}
		d.jobRecord(&j)
		if d.err != nil {
			return d.err
		}
		d.job = -1
		if err := fn(i, &j); err != nil {
			return err
		}
	}
	if d.off != len(d.b) {
		return frameError(errTrailing, fmt.Sprintf("%d trailing bytes in the payload", len(d.b)-d.off))
	}
	return nil
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

// appendJob appends the schema-4 encoding of j.
func appendJob(b []byte, j *jobRecord) []byte {
	c := fieldCoder{mode: coderAppend, b: b}
	c.job(j)
	b = binary.AppendUvarint(c.b, uint64(len(j.Files)))
	for i := range j.Files {
		b = appendFile(b, &j.Files[i])
	}
	return b
}

// jobLen is the exact length of appendJob's output, without the files.
func jobLen(j *jobRecord) int {
	c := fieldCoder{mode: coderSize}
	c.job(j)
	return c.n + uvarintLen(uint64(len(j.Files)))
}

// ---- the job's fields, as runs shared by the schemas ----

// jobRun names a run of a job's fields that every schema writing them
// writes together, in the same order and the same primitives (see the
// layouts at the top of this file); fieldCoder.run holds each run's fields.
type jobRun uint8

const (
	runHead              jobRun = iota // ID, Type, Owner, State, DisplayName
	runDescription                     // Description
	runPriority                        // Priority, NotifyFlags
	runCmdLine                         // CmdProgram, CmdParameters, CmdUser
	runCLSID                           // NotifyCLSID, CLSIDSetter
	runRetryTimeouts                   // MinimumRetryDelay, NoProgressTimeout, MaximumDownloadTime
	runJob5                            // CostFlags, DynamicContent, HighPerformance, MaxDownloadSize
	runNotifyInterval                  // MinimumNotificationInterval
	runOnDemand                        // OnDemand
	runCreated                         // Created, Modified
	runTransferCompleted               // TransferCompleted
	runLastActivity                    // LastActivity
	runRetryTimes                      // FirstTransientError, RetryDue, DownloadElapsed
	runError                           // HasError, Error, ErrorCount
	runPending                         // PendingTransferred, PendingError
)

// jobLayoutV3 is a schema-3 job (before its files): every run, always.
var jobLayoutV3 = [...]jobRun{runHead, runDescription, runPriority, runCmdLine, runCLSID, runRetryTimeouts,
	runJob5, runNotifyInterval, runOnDemand, runCreated, runTransferCompleted, runLastActivity, runRetryTimes,
	runError, runPending}

// A schema-4 job (before its files) is jobHeadV4, the groups byte,
// jobFixedV4, then the runs of each group in jobGroupsV4 whose bit the
// byte sets, in the table's order.
var (
	jobHeadV4  = [...]jobRun{runHead, runPriority}
	jobFixedV4 = [...]jobRun{runCreated, runLastActivity, runPending}
)

// jobGroupsV4 are the schema-4 groups, in bit order: the fields most jobs
// leave at their defaults, written only when one of them is not (set).
var jobGroupsV4 = [...]struct {
	bit  byte
	runs []jobRun
	set  func(j *jobRecord) bool
}{
	{groupDescription, []jobRun{runDescription}, func(j *jobRecord) bool { return j.Description != "" }},
	{groupCmdLine, []jobRun{runCmdLine}, func(j *jobRecord) bool {
		return j.CmdProgram != "" || j.CmdParameters != "" || j.CmdUser != (model.Account{})
	}},
	{groupCLSID, []jobRun{runCLSID}, func(j *jobRecord) bool {
		return !j.NotifyCLSID.IsNull() || j.CLSIDSetter != (model.Account{})
	}},
	{groupTimeouts, []jobRun{runRetryTimeouts, runNotifyInterval}, func(j *jobRecord) bool {
		return j.MinimumRetryDelay != rules.DefaultMinimumRetryDelay || j.NoProgressTimeout != rules.DefaultNoProgressTimeout ||
			j.MaximumDownloadTime != rules.DefaultMaximumDownloadTime || j.MinimumNotificationInterval != rules.MinimumNotificationInterval
	}},
	{groupJob5, []jobRun{runJob5, runOnDemand}, func(j *jobRecord) bool {
		return j.CostFlags != 0 || j.DynamicContent || j.HighPerformance || j.MaxDownloadSize != 0 || j.OnDemand
	}},
	{groupError, []jobRun{runError}, func(j *jobRecord) bool {
		return j.HasError || j.Error != (model.JobError{}) || j.ErrorCount != 0
	}},
	{groupProgress, []jobRun{runTransferCompleted, runRetryTimes}, func(j *jobRecord) bool {
		return !j.TransferCompleted.IsZero() || !j.FirstTransientError.IsZero() || !j.RetryDue.IsZero() || j.DownloadElapsed != 0
	}},
}

// What a fieldCoder does with the fields it visits.
const (
	coderAppend = iota // append them to b
	coderSize          // add their encoded length to n
	coderDecode        // read them from d
)

// fieldCoder walks a job's fields once, run by run, and appends, sizes or
// decodes each one, so that one list of fields serves the encoder, the
// size and the decoder of every schema.
type fieldCoder struct {
	mode int
	b    []byte   // coderAppend
	n    int      // coderSize
	d    *decoder // coderDecode
}

// job codes the fields of a schema-4 job before its files.
func (c *fieldCoder) job(j *jobRecord) {
	for _, r := range jobHeadV4 {
		c.run(r, j)
	}
	var g byte
	switch c.mode {
	case coderAppend:
		g = jobGroups(j)
		c.b = append(c.b, g)
	case coderSize:
		g = jobGroups(j)
		c.n++
	default:
		g = c.d.byte("groups")
		if g&^groupsAll != 0 {
			c.d.fail("groups", errInvalid, fmt.Sprintf("unknown groups %#x", g&^groupsAll))
		}
		// An absent group decodes as its defaults.
		j.MinimumRetryDelay, j.NoProgressTimeout = rules.DefaultMinimumRetryDelay, rules.DefaultNoProgressTimeout
		j.MaximumDownloadTime, j.MinimumNotificationInterval = rules.DefaultMaximumDownloadTime, rules.MinimumNotificationInterval
	}
	for _, r := range jobFixedV4 {
		c.run(r, j)
	}
	for i := range jobGroupsV4 {
		if grp := &jobGroupsV4[i]; g&grp.bit != 0 {
			for _, r := range grp.runs {
				c.run(r, j)
			}
		}
	}
	if c.mode == coderDecode && c.d.err == nil && jobGroups(j) != g {
		// A group written with every field at its default: not the one
		// encoding of this job.
		c.d.fail("groups", errInvalid, fmt.Sprintf("groups %#x written, %#x not at their defaults (non-canonical)", g, jobGroups(j)))
	}
}

// jobV3 codes the fields of a schema-3 job before its files.
func (c *fieldCoder) jobV3(j *jobRecord) {
	for _, r := range jobLayoutV3 {
		c.run(r, j)
	}
}

// jobGroups returns the schema-4 groups of j to write.
func jobGroups(j *jobRecord) byte {
	var g byte
	for i := range jobGroupsV4 {
		if jobGroupsV4[i].set(j) {
			g |= jobGroupsV4[i].bit
		}
	}
	return g
}

// run codes the fields of run r of j.
func (c *fieldCoder) run(r jobRun, j *jobRecord) {
	switch r {
	case runHead:
		c.guid("ID", &j.ID)
		c.u32("Type", (*uint32)(&j.Type))
		c.account("Owner", &j.Owner)
		c.u32("State", (*uint32)(&j.State))
		c.string("DisplayName", &j.DisplayName)
	case runDescription:
		c.string("Description", &j.Description)
	case runPriority:
		c.u32("Priority", (*uint32)(&j.Priority))
		c.u32("NotifyFlags", (*uint32)(&j.NotifyFlags))
	case runCmdLine:
		c.string("CmdProgram", &j.CmdProgram)
		c.string("CmdParameters", &j.CmdParameters)
		c.account("CmdUser", &j.CmdUser)
	case runCLSID:
		c.guid("NotifyCLSID", &j.NotifyCLSID)
		c.account("CLSIDSetter", &j.CLSIDSetter)
	case runRetryTimeouts:
		c.duration("MinimumRetryDelay", &j.MinimumRetryDelay)
		c.duration("NoProgressTimeout", &j.NoProgressTimeout)
		c.duration("MaximumDownloadTime", &j.MaximumDownloadTime)
	case runJob5:
		c.u32("CostFlags", &j.CostFlags)
		c.bool("DynamicContent", &j.DynamicContent)
		c.bool("HighPerformance", &j.HighPerformance)
		c.uvarint("MaxDownloadSize", &j.MaxDownloadSize)
	case runNotifyInterval:
		c.duration("MinimumNotificationInterval", &j.MinimumNotificationInterval)
	case runOnDemand:
		c.bool("OnDemand", &j.OnDemand)
	case runCreated:
		c.time("Created", &j.Created)
		c.time("Modified", &j.Modified)
	case runTransferCompleted:
		c.time("TransferCompleted", &j.TransferCompleted)
	case runLastActivity:
		c.time("LastActivity", &j.LastActivity)
	case runRetryTimes:
		c.time("FirstTransientError", &j.FirstTransientError)
		c.time("RetryDue", &j.RetryDue)
		c.duration("DownloadElapsed", &j.DownloadElapsed)
	case runError:
		c.bool("HasError", &j.HasError)
		c.u32("Error.Context", (*uint32)(&j.Error.Context))
		c.u32("Error.Code", (*uint32)(&j.Error.Code))
		c.string("Error.File.RemoteName", &j.Error.File.RemoteName)
		c.string("Error.File.LocalName", &j.Error.File.LocalName)
		c.string("Error.Description", &j.Error.Description)
		c.string("Error.Protocol", &j.Error.Protocol)
		c.u32("ErrorCount", &j.ErrorCount)
	case runPending:
		c.bool("PendingTransferred", &j.PendingTransferred)
		c.bool("PendingError", &j.PendingError)
	}
}

// The primitives of a fieldCoder, one per kind of field.

func (c *fieldCoder) string(field string, p *string) {
	switch c.mode {
	case coderAppend:
		c.b = appendString(c.b, *p)
	case coderSize:
		c.n += stringLen(*p)
	default:
		*p = c.d.string(field)
	}
}

func (c *fieldCoder) u32(field string, p *uint32) {
	switch c.mode {
	case coderAppend:
		c.b = binary.AppendUvarint(c.b, uint64(*p))
	case coderSize:
		c.n += uvarintLen(uint64(*p))
	default:
		*p = c.d.u32(field)
	}
}

func (c *fieldCoder) uvarint(field string, p *uint64) {
	switch c.mode {
	case coderAppend:
		c.b = binary.AppendUvarint(c.b, *p)
	case coderSize:
		c.n += uvarintLen(*p)
	default:
		*p = c.d.uvarint(field)
	}
}

func (c *fieldCoder) duration(field string, p *time.Duration) {
	switch c.mode {
	case coderAppend:
		c.b = binary.AppendVarint(c.b, int64(*p))
	case coderSize:
		c.n += varintLen(int64(*p))
	default:
		*p = c.d.duration(field)
	}
}

func (c *fieldCoder) bool(field string, p *bool) {
	switch c.mode {
	case coderAppend:
		c.b = appendBool(c.b, *p)
	case coderSize:
		c.n++
	default:
		*p = c.d.bool(field)
	}
}

func (c *fieldCoder) guid(field string, p *model.GUID) {
	switch c.mode {
	case coderAppend:
		c.b = append(c.b, p[:]...)
	case coderSize:
		c.n += len(p)
	default:
		*p = c.d.guid(field)
	}
}

func (c *fieldCoder) account(field string, p *model.Account) {
	switch c.mode {
	case coderAppend:
		c.b = appendAccount(c.b, *p)
	case coderSize:
		c.n += accountLen(*p)
	default:
		*p = c.d.account(field)
	}
}

func (c *fieldCoder) time(field string, p *time.Time) {
	switch c.mode {
	case coderAppend:
		c.b = appendTime(c.b, *p)
	case coderSize:
		c.n += timeLen(*p)
	default:
		*p = c.d.time(field)
	}
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
	c := fieldCoder{mode: coderDecode, d: d}
	if d.v3 {
		c.jobV3(j)
	} else {
		c.job(j)
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
