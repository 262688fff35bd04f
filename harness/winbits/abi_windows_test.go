//go:build windows

package winbits

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// The ABI checks load bitsabi.dll, built with mingw-w64 from
// testdata/abi/bitsabi.c, whose interfaces come from the C headers made
// from the BITS IDL: the C compiler, not this package, decides the vtable
// order, the calling convention and the layout of BITS_JOB_PROPERTY_VALUE.
// scripts/wine-conformance.sh builds the DLL and runs these tests under
// Wine with BITSSIM_ABI_DLL set; without it they are skipped (and the
// script fails if they did not run).

// abiDLL loads the DLL BITSSIM_ABI_DLL names, or skips the test.
func abiDLL(t *testing.T) *syscall.DLL {
	t.Helper()
	path := os.Getenv("BITSSIM_ABI_DLL")
	if path == "" {
		t.Skip("BITSSIM_ABI_DLL is not set: build testdata/abi/bitsabi.c with x86_64-w64-mingw32-gcc (scripts/wine-conformance.sh does)")
	}
	abiOnce.Do(func() { abiLoaded, abiErr = syscall.LoadDLL(path) })
	require.NoError(t, abiErr, "BITSSIM_ABI_DLL=%s", path)
	return abiLoaded
}

// The DLL stays loaded for the life of the process: the Go wrappers of its
// stand-in objects release them from cleanups that run at a later GC.
var (
	abiOnce   sync.Once
	abiLoaded *syscall.DLL
	abiErr    error
)

func abiCall(t *testing.T, dll *syscall.DLL, name string, args ...uintptr) uintptr {
	t.Helper()
	p, err := dll.FindProc(name)
	require.NoError(t, err)
	r, _, _ := p.Call(args...)
	return r
}

// abiJobID is the ID the C stand-in job reports:
// {5AB1E000-0001-4000-8000-0000000000AB}.
var abiJobID = model.MustParseGUID("{5AB1E000-0001-4000-8000-0000000000AB}")

// TestABIPropertyBytes sets every BITS_JOB_PROPERTY_ID on a C stand-in
// IBackgroundCopyJob5 and checks the exact 16 bytes of the union the C
// SetProperty received (the member BITS_JOB_PROPERTY_VALUE documents for
// the ID, little-endian, the other bytes zero), and that GetProperty reads
// the value back.
func TestABIPropertyBytes(t *testing.T) {
	dll := abiDLL(t)
	var align uint32
	assert.Equal(t, uintptr(16), abiCall(t, dll, "AbiPropertySize", uintptr(unsafe.Pointer(&align))), "sizeof(BITS_JOB_PROPERTY_VALUE)")
	assert.Equal(t, uint32(8), align, "alignment of BITS_JOB_PROPERTY_VALUE")
	assert.Equal(t, uintptr(16), unsafe.Sizeof(bitsabi.PropertyValue{}))

	var p *com.Unknown
	require.Equal(t, uintptr(0), abiCall(t, dll, "AbiNewJob", uintptr(unsafe.Pointer(&p))), "AbiNewJob")
	require.NotNil(t, p)
	j := newJob(p, abiJobID)

	clsid := model.MustParseGUID("{01020304-0506-0708-090A-0B0C0D0E0F10}")
	cases := []struct {
		name  string
		id    model.JobPropertyID
		value model.JobPropertyValue
		bytes [16]byte
	}{
		{"COST_FLAGS (DWORD)", model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 0x80000011},
			[16]byte{0x11, 0x00, 0x00, 0x80}},
		{"NOTIFICATION_CLSID (GUID)", model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID, model.JobPropertyValue{ClsID: clsid},
			[16]byte{0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x08, 0x07, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10}},
		{"DYNAMIC_CONTENT (BOOL TRUE)", model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, model.JobPropertyValue{Enable: true},
			[16]byte{0x01}},
		{"HIGH_PERFORMANCE (BOOL TRUE)", model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE, model.JobPropertyValue{Enable: true},
			[16]byte{0x01}},
		{"MAX_DOWNLOAD_SIZE (UINT64)", model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, model.JobPropertyValue{Uint64: 0x0102030405060708},
			[16]byte{0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}},
		{"USE_STORED_CREDENTIALS (BG_AUTH_TARGET PROXY)", model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS,
			model.JobPropertyValue{Target: model.BG_AUTH_TARGET_PROXY}, [16]byte{0x02}},
		{"MINIMUM_NOTIFICATION_INTERVAL_MS (DWORD)", model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS,
			model.JobPropertyValue{DWORD: 2000}, [16]byte{0xD0, 0x07}},
		{"ON_DEMAND_MODE (BOOL TRUE)", model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true},
			[16]byte{0x01}},
		// A second value for the booleans and the target: FALSE is zero,
		// and SERVER is 1, which real BITS refuses for this property.
		{"ON_DEMAND_MODE (BOOL FALSE)", model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: false},
			[16]byte{}},
		{"USE_STORED_CREDENTIALS (BG_AUTH_TARGET SERVER)", model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS,
			model.JobPropertyValue{Target: model.BG_AUTH_TARGET_SERVER}, [16]byte{0x01}},
	}
	covered := map[model.JobPropertyID]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before [16]byte
			var gotID uint32
			n0 := abiCall(t, dll, "AbiRecorded", uintptr(c.id), uintptr(unsafe.Pointer(&before[0])), uintptr(unsafe.Pointer(&gotID)))
			require.NoError(t, j.SetProperty(c.id, c.value))
			var got [16]byte
			n := abiCall(t, dll, "AbiRecorded", uintptr(c.id), uintptr(unsafe.Pointer(&got[0])), uintptr(unsafe.Pointer(&gotID)))
			assert.Equal(t, n0+1, n, "SetProperty calls the C callee received")
			assert.Equal(t, uint32(c.id), gotID, "the property ID as the callee saw it")
			assert.Equal(t, c.bytes, got, "the bytes of BITS_JOB_PROPERTY_VALUE")
			back, err := j.GetProperty(c.id)
			require.NoError(t, err)
			assert.Equal(t, c.value, back, "GetProperty reads back what SetProperty sent")
			covered[c.id] = true
		})
	}
	for id := model.JobPropertyID(0); id < 16; id++ {
		if id.Valid() {
			assert.True(t, covered[id], "property %v has no ABI case", id)
		}
	}
	assert.Equal(t, uintptr(0), abiCall(t, dll, "AbiOverReleased"), "the stand-in job was released more than referenced")
}

// abiCallbackReport mirrors AbiCallbackReport in bitsabi.c.
type abiCallbackReport struct {
	QI           [5]uint32 // IUnknown, Callback, Callback2, Callback3, IBackgroundCopyJob (refused)
	Identity     [5]int32  // 1: the object itself came back; 2: *ppv was set to NULL
	AddRef       [2]uint32
	Release      [2]uint32
	Calls        [5]uint32 // JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred
	Refs         [3]int32  // the stand-in job, error and file, after the calls
	OverReleased int32
}

// driveCallback runs AbiDriveCallback on o. The report lives on the heap,
// pinned: the C driver writes it while Go callbacks run on this goroutine,
// whose stack may move.
func driveCallback(t *testing.T, dll *syscall.DLL, o *CallbackObject) abiCallbackReport {
	t.Helper()
	rep := new(abiCallbackReport)
	var pin runtime.Pinner
	pin.Pin(rep)
	defer pin.Unpin()
	require.Equal(t, uintptr(0), abiCall(t, dll, "AbiDriveCallback", uintptr(o.Pointer()), uintptr(unsafe.Pointer(rep))))
	return *rep
}

// abiSeen is what the Go callbacks received from the C driver.
type abiSeen struct {
	calls  []string
	jobIDs []model.GUID
	err    model.JobError
	files  []model.File
	ranges []model.FileRange
}

func (s *abiSeen) saw(name string, job model.Job) {
	s.calls = append(s.calls, name)
	if job != nil {
		s.jobIDs = append(s.jobIDs, job.GetId())
	}
}

// TestABICallbackObject has C call a Go callback object implementing
// IBackgroundCopyCallback3 through its vtable, and checks every answer.
func TestABICallbackObject(t *testing.T) {
	dll := abiDLL(t)
	seen := &abiSeen{}
	target := model.CallbackFuncs{
		OnJobTransferred: func(job model.Job) error { seen.saw("JobTransferred", job); return nil },
		OnJobError: func(job model.Job, e model.JobError) error {
			seen.saw("JobError", job)
			seen.err = e
			return nil
		},
		OnJobModification: func(job model.Job) error { seen.saw("JobModification", job); return model.E_FAIL },
		OnFileTransferred: func(job model.Job, f model.File) error {
			seen.saw("FileTransferred", job)
			seen.files = append(seen.files, f)
			return model.BG_E_NOT_FOUND
		},
		OnFileRangesTransferred: func(job model.Job, f model.File, r []model.FileRange) error {
			seen.saw("FileRangesTransferred", job)
			seen.files = append(seen.files, f)
			seen.ranges = r
			return nil
		},
	}
	o, err := NewCallbackObject(&target)
	require.NoError(t, err)
	defer o.Release()

	rep := driveCallback(t, dll, o)

	assert.Equal(t, [5]uint32{0, 0, 0, 0, uint32(model.E_NOINTERFACE)}, rep.QI,
		"QueryInterface: IUnknown, Callback, Callback2, Callback3 granted; IBackgroundCopyJob refused")
	assert.Equal(t, [5]int32{1, 1, 1, 1, 2}, rep.Identity,
		"every granted interface is the object itself; the refused one sets *ppv to NULL")
	// One reference from NewCallbackObject; AddRef and Release come
	// before the QueryInterface calls.
	assert.Equal(t, [2]uint32{2, 3}, rep.AddRef, "AddRef returns the new count")
	assert.Equal(t, [2]uint32{2, 1}, rep.Release, "Release returns the new count")
	assert.Equal(t, [5]uint32{0, 0, uint32(model.E_FAIL), uint32(model.BG_E_NOT_FOUND), 0}, rep.Calls,
		"each method returns the Go callback's HRESULT")
	assert.Equal(t, int32(0), rep.OverReleased, "a stand-in was released more than referenced")

	assert.Equal(t, []string{"JobTransferred", "JobError", "JobModification", "FileTransferred", "FileRangesTransferred"}, seen.calls)
	assert.Equal(t, []model.GUID{abiJobID, abiJobID, abiJobID, abiJobID, abiJobID}, seen.jobIDs, "the job each method received")
	assert.Equal(t, model.BG_ERROR_CONTEXT_REMOTE_FILE, seen.err.Context)
	assert.Equal(t, model.BG_E_HTTP_ERROR_404, seen.err.Code)
	assert.Equal(t, "abi: not found", seen.err.Description)
	assert.Equal(t, "http", seen.err.Protocol)
	assert.Equal(t, "http://abi.example/remote.bin", seen.err.File.RemoteName)
	assert.Equal(t, `C:\abi\local.bin`, seen.err.File.LocalName)
	require.Len(t, seen.files, 2)
	for _, f := range seen.files {
		remote, err := f.GetRemoteName()
		require.NoError(t, err)
		assert.Equal(t, "http://abi.example/remote.bin", remote)
		local, err := f.GetLocalName()
		require.NoError(t, err)
		assert.Equal(t, `C:\abi\local.bin`, local)
	}
	assert.Equal(t, []model.FileRange{{InitialOffset: 0, Length: 100}, {InitialOffset: 4096, Length: model.BG_LENGTH_TO_EOF}}, seen.ranges)
}

// abiPlain implements IBackgroundCopyCallback only.
type abiPlain struct{ calls int }

func (p *abiPlain) JobTransferred(model.Job) error           { p.calls++; return nil }
func (p *abiPlain) JobError(model.Job, model.JobError) error { p.calls++; return nil }
func (p *abiPlain) JobModification(model.Job) error          { p.calls++; return nil }

// TestABICallbackObjectLevels has C drive a Go object that implements only
// IBackgroundCopyCallback, and one that implements no callback at all.
func TestABICallbackObjectLevels(t *testing.T) {
	dll := abiDLL(t)

	plain := &abiPlain{}
	o, err := NewCallbackObject(plain)
	require.NoError(t, err)
	defer o.Release()
	rep := driveCallback(t, dll, o)
	noItf := uint32(model.E_NOINTERFACE)
	assert.Equal(t, [5]uint32{0, 0, noItf, noItf, noItf}, rep.QI, "IBackgroundCopyCallback only")
	assert.Equal(t, [5]int32{1, 1, 2, 2, 2}, rep.Identity)
	assert.Equal(t, [5]uint32{0, 0, 0, noItf, noItf}, rep.Calls, "the three IBackgroundCopyCallback methods, nothing else")
	assert.Equal(t, 3, plain.calls)

	none, err := NewCallbackObject(struct{}{})
	require.NoError(t, err)
	defer none.Release()
	rep = driveCallback(t, dll, none)
	assert.Equal(t, [5]uint32{0, noItf, noItf, noItf, noItf}, rep.QI, "IUnknown only")
	assert.Equal(t, [2]uint32{2, 3}, rep.AddRef)
	assert.Equal(t, [2]uint32{2, 1}, rep.Release)
	assert.Equal(t, int32(0), rep.OverReleased)
}
