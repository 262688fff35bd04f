//go:build windows

package com

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// exporterEnv makes the test binary an exporter process: it exports one
// object and prints "<pid> <OBJREF in hex>", then waits for its standard
// input to close.
const exporterEnv = "BITSSIM_COM_TEST_EXPORTER"

// pidReuseEnv=1 runs TestWatchOwnerKeepsIdentity, a minute or two of
// process starts under Wine (scripts/wine-com-server.sh sets it).
const pidReuseEnv = "BITSSIM_COM_PID_REUSE"

func TestMain(m *testing.M) {
	if os.Getenv(exporterEnv) == "1" {
		os.Exit(runExporter())
	}
	os.Exit(m.Run())
}

const mshlflagsNormal = 0 // MSHLFLAGS_NORMAL

// iidEnumUnknown is IID_IEnumUnknown.
var iidEnumUnknown = model.MustParseGUID("{00000100-0000-0000-C000-000000000046}")

// runExporter is the exporter process: one object, which answers
// IEnumUnknown and IClassFactory (interfaces Wine's ole32 has proxies
// for, so that a QueryInterface through a proxy goes to this process),
// marshalled for another process.
func runExporter() int {
	if err := Init(); err != nil {
		fmt.Println("error", err)
		return 2
	}
	o := NewObject(counterVtbl, &counter{}, iidEnumUnknown, IIDClassFactory)
	data, err := marshal(o.Ptr(), mshlflagsNormal)
	if err != nil {
		fmt.Println("error", err)
		return 2
	}
	fmt.Printf("%d %x\n", os.Getpid(), data)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// marshal returns p's marshalled interface pointer (IUnknown, local
// context) with the given flags.
func marshal(p uintptr, flags uintptr) ([]byte, error) {
	var stream uintptr
	if h := hresult(syscall.SyscallN(procCreateStreamOnHGlobal.Addr(), 0, 1, uintptr(unsafe.Pointer(&stream)))); h.Failed() {
		return nil, fmt.Errorf("CreateStreamOnHGlobal: %w", h)
	}
	defer Pointer(stream).Release()
	if h := hresult(syscall.SyscallN(procCoMarshalInterface.Addr(), stream, uintptr(unsafe.Pointer(WinGUID(IIDUnknown))), p,
		mshctxLocal, 0, flags)); h.Failed() {
		return nil, fmt.Errorf("CoMarshalInterface: %w", h)
	}
	var hg uintptr
	if h := hresult(syscall.SyscallN(procGetHGlobalFromStream.Addr(), stream, uintptr(unsafe.Pointer(&hg)))); h.Failed() {
		return nil, fmt.Errorf("GetHGlobalFromStream: %w", h)
	}
	mem, _, _ := syscall.SyscallN(procGlobalLock.Addr(), hg)
	if mem == 0 {
		return nil, fmt.Errorf("GlobalLock: %w", model.E_OUTOFMEMORY)
	}
	defer syscall.SyscallN(procGlobalUnlock.Addr(), hg)
	// A standard OBJREF with its resolver strings: its size is in the
	// stream's seek position; 256 bytes are more than Wine writes.
	var pos uint64
	Pointer(stream).Call(slotStreamSeek, uintptr(0), uintptr(1 /* STREAM_SEEK_CUR */), uintptr(unsafe.Pointer(&pos)))
	return append([]byte(nil), unsafe.Slice((*byte)(foreign(mem)), pos)...), nil
}

var procCoUnmarshalInterface = modole32.NewProc("CoUnmarshalInterface")

// unmarshal makes the proxy of a marshalled interface pointer.
func unmarshal(data []byte) (*Unknown, error) {
	var stream uintptr
	if h := hresult(syscall.SyscallN(procCreateStreamOnHGlobal.Addr(), 0, 1, uintptr(unsafe.Pointer(&stream)))); h.Failed() {
		return nil, fmt.Errorf("CreateStreamOnHGlobal: %w", h)
	}
	s := Pointer(stream)
	defer s.Release()
	var n uint32
	if h := s.Call(4 /* ISequentialStream::Write */, unsafe.Pointer(&data[0]), uint32(len(data)), unsafe.Pointer(&n)); h.Failed() {
		return nil, fmt.Errorf("IStream::Write: %w", h)
	}
	if h := s.Call(slotStreamSeek, uintptr(0), uintptr(streamSeekSet), uintptr(0)); h.Failed() {
		return nil, fmt.Errorf("IStream::Seek: %w", h)
	}
	var p uintptr
	if h := hresult(syscall.SyscallN(procCoUnmarshalInterface.Addr(), stream, uintptr(unsafe.Pointer(WinGUID(IIDUnknown))),
		uintptr(unsafe.Pointer(&p)))); h.Failed() {
		return nil, fmt.Errorf("CoUnmarshalInterface: %w", h)
	}
	return Pointer(p), nil
}

// imported is one exporter's object as this process holds it.
type imported struct {
	n     int    // which exporter
	pid   uint32 // its process ID
	ref   ObjRef
	p     *Unknown
	watch *OwnerWatch
	hr    model.HRESULT // QueryInterface(IEnumUnknown) through the proxy
	hr2   model.HRESULT // and IClassFactory, when asked
}

// importFrom starts an exporter, takes its object (with a watch of its
// process when watch is set), asks the proxy for IEnumUnknown, and for
// IClassFactory too when askFactory says so for the exporter's process ID,
// and ends the exporter; the proxy (and the watch) stay held.
func importFrom(t *testing.T, n int, watch bool, askFactory func(pid uint32) bool) imported {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), exporterEnv+"=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "exporter %d", n)
	f := strings.Fields(line)
	require.Len(t, f, 2, "exporter %d: %q", n, line)
	pid, err := strconv.ParseUint(f[0], 10, 32)
	require.NoError(t, err)
	data, err := hex.DecodeString(f[1])
	require.NoError(t, err)
	p, err := unmarshal(data)
	require.NoError(t, err, "exporter %d", n)
	im := imported{n: n, pid: uint32(pid), p: p}
	if watch {
		w, err := WatchOwner(p.Ptr())
		require.NoError(t, err, "exporter %d", n)
		im.watch, im.ref = w, w.Ref()
	} else {
		im.ref, err = ObjRefOf(p.Ptr())
		require.NoError(t, err)
	}
	im.hr = query(p, iidEnumUnknown)
	if askFactory(im.pid) {
		im.hr2 = query(p, IIDClassFactory)
	}
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	return im
}

// query asks p for iid and releases what it gets.
func query(p *Unknown, iid model.GUID) model.HRESULT {
	q, h := p.QueryInterface(iid)
	if h.Succeeded() {
		q.Release()
	}
	return h
}

// release drops every proxy, then every watch.
func release(held []imported) {
	for _, im := range held {
		im.p.Release()
	}
	for _, im := range held {
		_ = im.watch.Close()
	}
}

// Under Wine a process that holds a proxy of an ended process's object
// gets that stale proxy for the object of a new process given the same
// process ID (Wine's OXID is the process ID; each apartment numbers its
// objects from 1), and a QueryInterface through it that the proxy has not
// cached fails with E_NOINTERFACE, for good (what the COM server's
// SetNotifyInterface answered now and then: issue 19). A watch of the
// owner's process, held with the proxy (WatchOwner), keeps the ID from
// being reused, so every new object gets a proxy of its own.
//
// First, without watches, exporters are started (and ended) and their
// objects asked for IEnumUnknown until one is given an earlier one's
// process ID: the proxy of the new object is then the old one's, and asked
// for IClassFactory (which no proxy of that identity has asked before) it
// answers E_NOINTERFACE. Then, with watches, as many exporters again and
// half more must each get a process ID no held object's process had, and
// a proxy that answers both interfaces.
func TestWatchOwnerKeepsIdentity(t *testing.T) {
	if !UnderWine() {
		t.Skip("Windows draws OXIDs at random: no identity is reused")
	}
	if os.Getenv(pidReuseEnv) != "1" {
		t.Skipf("%s=1 runs it (a minute or two of process starts)", pidReuseEnv)
	}
	require.NoError(t, Init())
	const most = 400
	var control []imported
	byPID := map[uint32]imported{}
	reusedAt := -1
	for n := 0; n < most && reusedAt < 0; n++ {
		im := importFrom(t, n, false, func(pid uint32) bool { _, seen := byPID[pid]; return seen })
		control = append(control, im)
		require.Equal(t, model.S_OK, im.hr, "exporter %d (process %d)", n, im.pid)
		old, ok := byPID[im.pid]
		byPID[im.pid] = im
		if !ok {
			continue
		}
		reusedAt = n
		t.Logf("without watches: exporter %d was given process ID %d, exporter %d's; identities %v and %v; "+
			"QueryInterface(IClassFactory) through the proxy, the exporter still running: %v", n, im.pid, old.n, old.ref, im.ref, im.hr2)
		if im.ref == old.ref {
			assert.Equal(t, model.E_NOINTERFACE, im.hr2, "the stale proxy asks the new process about an interface pointer it never issued")
		}
	}
	release(control)
	if reusedAt < 0 {
		t.Skipf("no process ID was reused in %d process starts", most)
	}

	var watched []imported
	defer func() { release(watched) }()
	heldPIDs := map[uint32]int{}
	for n := 0; n < reusedAt*3/2+1; n++ {
		im := importFrom(t, n, true, func(uint32) bool { return true })
		watched = append(watched, im)
		if old, ok := heldPIDs[im.pid]; ok {
			assert.Failf(t, "a watched process's ID was reused", "exporter %d got process ID %d of exporter %d", n, im.pid, old)
		}
		heldPIDs[im.pid] = n
		assert.True(t, im.watch.Watching())
		assert.Equal(t, im.pid, im.ref.WinePID(), "the OXID names the process")
		assert.Equal(t, model.S_OK, im.hr, "with watches: exporter %d (process %d, %v): IEnumUnknown", n, im.pid, im.ref)
		assert.Equal(t, model.S_OK, im.hr2, "with watches: exporter %d (process %d, %v): IClassFactory", n, im.pid, im.ref)
	}
	t.Logf("with watches: %d exporters, %d process IDs, every proxy answered", len(watched), len(heldPIDs))
}
