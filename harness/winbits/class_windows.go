//go:build windows

package winbits

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// classArg is the first argument of a class server: the command line the
// backend registers as the class's LocalServer32 is
//
//	"<binary>" -bitssim-class <events file> <CLSID>
//
// to which COM appends -Embedding; the behavior is in the JSON file
// behaviorFile names.
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
	if len(args) < 2 {
		return nil, fmt.Errorf("want %s <events file> <CLSID>", classArg)
	}
	clsid, err := model.ParseGUID(args[1])
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(behaviorFile(args[0], clsid))
	if err != nil {
		return nil, err
	}
	cfg := &classServerConfig{events: args[0], clsid: clsid}
	if err := json.Unmarshal(raw, &cfg.behavior); err != nil {
		return nil, err
	}
	return cfg, nil
}

// behaviorFile is where registerClass leaves a class's behavior for its
// server: the LocalServer32 command line has no room for it (Wine reads
// at most MAX_PATH characters of it).
func behaviorFile(events string, clsid model.GUID) string {
	return events + "." + clsid.String() + ".json"
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

// runClassServer is the test class server: it serves the CLSID with
// ServeClass, each instance a callback object that records its calls in
// the events file and answers as the behavior says, and exits after 10 s
// without live instances.
func runClassServer(cfg *classServerConfig) int {
	f, err := os.OpenFile(cfg.events, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 3
	}
	w := &classWriter{f: f}
	w.put(classLine{Server: os.Getpid(), CLSID: cfg.clsid})
	var mu sync.Mutex
	next := countInstances(cfg.events, cfg.clsid)
	srv, err := ServeClass(cfg.clsid, func() (any, error) {
		mu.Lock()
		next++
		n := next
		mu.Unlock()
		w.put(classLine{Created: true, CLSID: cfg.clsid, Instance: n})
		return (&helperCallback{b: cfg.behavior, sink: func(begin bool, e *helperEvent) {
			w.put(classLine{Begin: begin, CLSID: cfg.clsid, Instance: n, Event: e})
		}}).object(), nil
	})
	if err != nil {
		debugf("class server: %v", err)
		return 2
	}
	srv.Wait(10 * time.Second)
	_ = srv.Close()
	return 0
}

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

// registeredClass is a class the backend registered.
type registeredClass struct {
	scope Scope
	clsid model.GUID
}

// registerClass registers a test class served by this binary with
// RegisterServer: HKLM when it is writable (visible to every account,
// including BITS activating as the job's owner), otherwise HKCU.
func registerClass(exe, events string, clsid model.GUID, b harness.Behavior) (*registeredClass, error) {
	data, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(behaviorFile(events, clsid), data, 0o644); err != nil {
		return nil, err
	}
	cmd := fmt.Sprintf(`"%s" %s "%s" %s`, exe, classArg, events, clsid)
	scope, err := RegisterServer(ServerRegistration{CLSID: clsid, Name: "bitssim test callback class", Command: cmd})
	if err != nil {
		return nil, err
	}
	return &registeredClass{scope: scope, clsid: clsid}, nil
}

func (c *registeredClass) unregister() { _ = UnregisterServer(c.clsid, model.GUID{}, c.scope) }

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
	p, hr := com.CreateInstance(clsid, bitsabi.IIDCallback)
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
