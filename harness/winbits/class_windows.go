//go:build windows

package winbits

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// classArg is the first argument of a class server: the command line the
// backend registers as the class's LocalServer32 is
//
//	"<binary>" -bitssim-class <events file> <CLSID> <behavior, base64 JSON>
//
// to which COM appends -Embedding.
const classArg = "-bitssim-class"

// classConfig is set when the binary was started as a class server.
var classConfig *classServerConfig

type classServerConfig struct {
	events   string
	clsid    model.GUID
	behavior harness.Behavior
}

// parseClassArgs reads the class server's arguments (after classArg).
func parseClassArgs(args []string) (*classServerConfig, error) {
	if len(args) < 3 {
		return nil, fmt.Errorf("want %s <events file> <CLSID> <behavior>", classArg)
	}
	clsid, err := model.ParseGUID(args[1])
	if err != nil {
		return nil, err
	}
	raw, err := base64.RawURLEncoding.DecodeString(args[2])
	if err != nil {
		return nil, err
	}
	cfg := &classServerConfig{events: args[0], clsid: clsid}
	if err := json.Unmarshal(raw, &cfg.behavior); err != nil {
		return nil, err
	}
	return cfg, nil
}

// classLine is one line of a backend's class events file.
type classLine struct {
	// Server is the process ID of a class server that started.
	Server int `json:"server,omitempty"`
	// Begin: an instance was called; the matching Event follows.
	Begin bool `json:"begin,omitempty"`
	// Instance numbers the instances of CLSID from 1 (set with Created,
	// Begin and Event).
	CLSID    model.GUID `json:"clsid"`
	Instance int        `json:"instance,omitempty"`
	// Created: COM asked the server for a new instance.
	Created bool         `json:"created,omitempty"`
	Event   *helperEvent `json:"event,omitempty"`
}

// classWriter appends lines to the events file, one write per line.
type classWriter struct {
	mu sync.Mutex
	f  *os.File
}

func (w *classWriter) put(l classLine) {
	data, err := json.Marshal(l)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.f.Write(append(data, '\n'))
}

// runClassServer is the class server: it registers a class factory for the
// CLSID, makes an instance (a callback object that records its calls in the
// events file and answers as the behavior says) for every CreateInstance,
// and exits after 10 s without live instances.
func runClassServer(cfg *classServerConfig) int {
	f, err := os.OpenFile(cfg.events, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 3
	}
	w := &classWriter{f: f}
	w.put(classLine{Server: os.Getpid(), CLSID: cfg.clsid})
	if err := InitCOM(); err != nil {
		debugf("class server: %v", err)
		return 2
	}
	base := countInstances(cfg.events, cfg.clsid)
	fac := &classFactory{vtbl: &factoryVtbl, cfg: cfg, w: w, next: int64(base)}
	fac.refs.Store(1)
	fac.lastIdle.Store(time.Now().UnixNano())
	facRegistry.Lock()
	facRegistry.m[facAddr(fac)] = fac
	facRegistry.Unlock()
	var cookie uint32
	r, _, _ := syscall.SyscallN(procCoRegisterClassObject.Addr(), uintptr(unsafe.Pointer(winGUID(cfg.clsid))),
		uintptr(unsafe.Pointer(fac)), clsctxLocalServer, regclsMultipleUse, uintptr(unsafe.Pointer(&cookie)))
	if hr := model.HRESULT(uint32(r)); hr.Failed() {
		debugf("class server: CoRegisterClassObject: %v", hr)
		return 2
	}
	for {
		time.Sleep(500 * time.Millisecond)
		if fac.live.Load() == 0 && fac.locks.Load() == 0 &&
			time.Since(time.Unix(0, fac.lastIdle.Load())) > 10*time.Second {
			break
		}
	}
	_, _, _ = syscall.SyscallN(procCoRevokeClassObject.Addr(), uintptr(cookie))
	return 0
}

const regclsMultipleUse = 1

// countInstances counts the instances of clsid the events file records.
func countInstances(path string, clsid model.GUID) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var l classLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Created && l.CLSID == clsid {
			n++
		}
	}
	return n
}

// classFactory is IClassFactory, made in Go like CallbackObject.
type classFactory struct {
	vtbl *[5]uintptr // must be the first field
	refs atomic.Int32

	cfg      *classServerConfig
	w        *classWriter
	next     int64
	live     atomic.Int32
	locks    atomic.Int32
	lastIdle atomic.Int64
	mu       sync.Mutex
}

var factoryVtbl [5]uintptr

func init() {
	factoryVtbl[slotUnknown.QueryInterface] = syscall.NewCallback(facQueryInterface)
	factoryVtbl[slotUnknown.AddRef] = syscall.NewCallback(facAddRef)
	factoryVtbl[slotUnknown.Release] = syscall.NewCallback(facRelease)
	factoryVtbl[slotClassFactory.CreateInstance] = syscall.NewCallback(facCreateInstance)
	factoryVtbl[slotClassFactory.LockServer] = syscall.NewCallback(facLockServer)
}

var facRegistry = struct {
	sync.Mutex
	m map[uintptr]*classFactory
}{m: map[uintptr]*classFactory{}}

func facAddr(f *classFactory) uintptr { return uintptr(unsafe.Pointer(f)) }

func facQueryInterface(this *classFactory, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return uintptr(model.E_POINTER)
	}
	*ppv = 0
	if riid == nil {
		return uintptr(model.E_INVALIDARG)
	}
	switch modelGUID(riid) {
	case iidUnknown, iidClassFactory:
		this.refs.Add(1)
		*ppv = facAddr(this)
		return uintptr(model.S_OK)
	}
	return uintptr(model.E_NOINTERFACE)
}

func facAddRef(this *classFactory) uintptr { return uintptr(this.refs.Add(1)) }

// facRelease never frees the factory: it lives as long as the server.
func facRelease(this *classFactory) uintptr { return uintptr(max(this.refs.Add(-1), 0)) }

func facCreateInstance(this *classFactory, outer *unknown, riid *windows.GUID, ppv *uintptr) uintptr {
	if ppv == nil {
		return uintptr(model.E_POINTER)
	}
	*ppv = 0
	if outer != nil {
		return uintptr(model.CLASS_E_NOAGGREGATION)
	}
	this.mu.Lock()
	this.next++
	n := int(this.next)
	this.mu.Unlock()
	cb := &helperCallback{b: this.cfg.behavior, sink: func(begin bool, e *helperEvent) {
		this.w.put(classLine{Begin: begin, CLSID: this.cfg.clsid, Instance: n, Event: e})
	}}
	obj, err := NewCallbackObject(cb)
	if err != nil {
		return uintptr(model.HRESULTOf(err))
	}
	this.live.Add(1)
	obj.onFree = func() {
		this.live.Add(-1)
		this.lastIdle.Store(time.Now().UnixNano())
	}
	this.w.put(classLine{Created: true, CLSID: this.cfg.clsid, Instance: n})
	defer obj.Release()
	return cbQueryInterface(obj, riid, ppv)
}

func facLockServer(this *classFactory, lock uintptr) uintptr {
	if int32(lock) != 0 {
		this.locks.Add(1)
	} else {
		this.locks.Add(-1)
		this.lastIdle.Store(time.Now().UnixNano())
	}
	return uintptr(model.S_OK)
}

// registeredClass is a class the backend registered.
type registeredClass struct {
	root  registry.Key
	clsid model.GUID
}

// registerClass writes the LocalServer32 registration of a class served by
// this binary, under HKLM\Software\Classes when it is writable (visible to
// every account, including BITS activating as the job's owner), otherwise
// under HKCU\Software\Classes.
func registerClass(exe, events string, clsid model.GUID, b harness.Behavior) (*registeredClass, error) {
	data, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	cmd := fmt.Sprintf(`"%s" %s "%s" %s %s`, exe, classArg, events, clsid, base64.RawURLEncoding.EncodeToString(data))
	var lastErr error
	for _, root := range []registry.Key{registry.LOCAL_MACHINE, registry.CURRENT_USER} {
		path := `Software\Classes\CLSID\` + clsid.String()
		k, _, err := registry.CreateKey(root, path, registry.ALL_ACCESS)
		if err != nil {
			lastErr = err
			continue
		}
		err = k.SetStringValue("", "bitssim test callback class")
		k.Close()
		if err != nil {
			lastErr = err
			continue
		}
		ls, _, err := registry.CreateKey(root, path+`\LocalServer32`, registry.ALL_ACCESS)
		if err != nil {
			lastErr = err
			_ = registry.DeleteKey(root, path)
			continue
		}
		err = ls.SetStringValue("", cmd)
		ls.Close()
		if err != nil {
			lastErr = err
			unregisterKey(root, clsid)
			continue
		}
		return &registeredClass{root: root, clsid: clsid}, nil
	}
	return nil, fmt.Errorf("register class %v: %w", clsid, lastErr)
}

func unregisterKey(root registry.Key, clsid model.GUID) {
	path := `Software\Classes\CLSID\` + clsid.String()
	_ = registry.DeleteKey(root, path+`\LocalServer32`)
	_ = registry.DeleteKey(root, path)
}

func (c *registeredClass) unregister() { unregisterKey(c.root, c.clsid) }

// classEvents reads the class events file from offset: the events the
// instances recorded, how many calls are running, and the servers' PIDs.
type classEvents struct {
	offset   int64
	inflight map[string]int
	servers  map[int]bool
}

func (ce *classEvents) read(path string, add func(l classLine)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if _, err := f.Seek(ce.offset, 0); err != nil {
		return
	}
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		ce.offset += int64(len(line))
		var l classLine
		if json.Unmarshal([]byte(line), &l) != nil {
			continue
		}
		key := l.CLSID.String() + "#" + strconv.Itoa(l.Instance)
		switch {
		case l.Server != 0:
			ce.servers[l.Server] = true
		case l.Begin:
			ce.inflight[key]++
		case l.Event != nil:
			ce.inflight[key]--
			add(l)
		}
	}
}

func (ce *classEvents) running() int {
	n := 0
	for _, v := range ce.inflight {
		n += max(v, 0)
	}
	return n
}

// killServers ends the class servers the events file names.
func (ce *classEvents) killServers() {
	for pid := range ce.servers {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	}
}

// probeClass registers a class, activates it with CoCreateInstance as BITS
// would and asks the instance for IBackgroundCopyCallback; it reports
// whether this binary can serve notification classes here.
func probeClass(exe, dir string) error {
	clsid := model.NewGUID()
	events := dir + `\probe-classes.jsonl`
	rc, err := registerClass(exe, events, clsid, harness.Behavior{})
	if err != nil {
		return err
	}
	defer rc.unregister()
	p, hr := createInstance(clsid, iidCallback)
	ce := &classEvents{inflight: map[string]int{}, servers: map[int]bool{}}
	defer func() {
		ce.read(events, func(classLine) {})
		ce.killServers()
	}()
	if hr.Failed() {
		return fmt.Errorf("CoCreateInstance of a registered test class: %w", hr)
	}
	p.Release()
	return nil
}

// isClassServer reports whether os.Args make this process a class server.
func isClassServer() bool { return len(os.Args) > 1 && os.Args[1] == classArg }

// takeClassArgs sets classConfig from os.Args and replaces them with
// HelperArgs, so that a test binary reaches the test that calls
// MaybeRunHelper.
func takeClassArgs() {
	cfg, err := parseClassArgs(os.Args[2:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "winbits class server: %v\n", err)
		os.Exit(2)
	}
	classConfig = cfg
	os.Args = append([]string{os.Args[0]}, HelperArgs...)
}
