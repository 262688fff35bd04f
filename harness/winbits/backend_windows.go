//go:build windows

package winbits

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// Options configure a Backend.
type Options struct {
	// Name is the backend's name in reports; "" means "wine" under Wine
	// and "windows" otherwise.
	Name string
	// MaxAdvance bounds the real wait of Advance: 200 ms under Wine (whose
	// BITS has no timers: no retry delay, no no-progress timeout, so a
	// longer wait would observe nothing more), 10 s otherwise.
	// BITSSIM_MAX_ADVANCE (a Go duration) overrides the default. On
	// Windows it is also Capabilities.MaxWait: a scenario that must advance
	// further is skipped as timing-dependent.
	MaxAdvance time.Duration
	// SettleTimeout bounds Settle (default 10 s).
	SettleTimeout time.Duration
	// Quiet is how long nothing may happen before Settle returns (default
	// 300 ms; 100 ms against a bitssim COM server, see Control).
	Quiet time.Duration
	// LocalFiles makes RemoteOK sources plain local files rather than
	// http://127.0.0.1 URLs. Default: under Wine (which copies non-HTTP
	// names as local files) true, otherwise false.
	LocalFiles *bool
	// Dirs are directories created so that the local names the suite
	// uses can be written (default C:\bitssim and C:\machine).
	Dirs []string
	// Control is the loopback address of the control plane of the bitssim
	// COM server that is the BITS under test, run with its manual clock
	// (default: $BITSSIM_CTL; empty: a real BITS). See serverControl.
	Control string
}

// ErrUnavailable wraps the error of a BITS service that cannot be reached.
var ErrUnavailable = errors.New("winbits: the BITS service is unavailable")

// Factory makes a Backend for each test; it skips the test when the BITS
// service cannot be reached and fails it on any other set-up error.
func Factory(opts Options) harness.Factory {
	return func(t harness.TB) harness.Backend {
		b, err := NewBackend(opts)
		if errors.Is(err, ErrUnavailable) {
			t.Skipf("%v", err)
		}
		if err != nil {
			t.Fatalf("winbits: new backend: %v", err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}
}

var (
	sharedOnce     sync.Once
	sharedMgr      *Manager
	sharedErr      error
	classProbeOnce sync.Once
	classProbeErr  error
)

// sharedManager connects once per process and probes the service.
func sharedManager() (*Manager, error) {
	sharedOnce.Do(func() {
		sharedMgr, sharedErr = Connect()
		if sharedErr == nil {
			if p := sharedMgr.Probe(); p.Err != nil {
				sharedErr = p.Err
			}
		}
		if sharedErr != nil {
			sharedErr = fmt.Errorf("%w: %w", ErrUnavailable, sharedErr)
		}
	})
	return sharedMgr, sharedErr
}

// ClassSupport reports whether this binary can serve the notification
// classes of Backend.RegisterClass here: it registers a test class and
// activates it once per process (see probeClass). nil means it can.
func ClassSupport() error {
	classProbeOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			classProbeErr = err
			return
		}
		dir, err := os.MkdirTemp("", "bitssim-class-probe-")
		if err != nil {
			classProbeErr = err
			return
		}
		defer os.RemoveAll(dir)
		classProbeErr = probeClass(exe, dir)
	})
	return classProbeErr
}

// Backend is the real BITS service (or Wine's) as a harness.Backend.
//
// The test process makes the API calls of every App through its own
// connection; each App also has a helper process (this binary re-executed,
// see MaybeRunHelper) that holds the App's callback objects: passing
// App.Callback(b) to SetNotifyInterface makes the helper register its
// object, so BITS calls that process, and Crash kills it. The trace is
// what the helpers' objects, the class servers and the command lines
// received, in the order it happened (each report is stamped where it
// happens: see eventOrder). Remote sources are local files
// and a loopback HTTP server; Advance waits for real (bounded) and Settle
// waits until the jobs are still and nothing has been heard for a while.
type Backend struct {
	name  string
	mgr   *Manager
	probe Probe
	opts  Options
	trace *harness.Trace
	dir   string
	exe   string

	ln      net.Listener
	srv     *http.Server
	baseURL string
	stop    chan struct{}

	mu        sync.Mutex
	apps      []*app
	jobs      []*trackedJob
	byID      map[model.GUID]*trackedJob
	remotes   int
	kinds     map[string]harness.RemoteKind
	tokens    int
	lastToken map[model.GUID]*cbToken
	cmds      int
	cmdByID   map[int]cmdInfo
	cmdUser   map[model.GUID]model.Account
	cmdOffset int64
	classes   []*registeredClass
	classEv   *classEvents
	activity  atomic.Int64
	closed    bool
	server    *serverControl // nil unless the BITS is a bitssim COM server
	account   *model.Account // against a server: the account its processes act as (mapApp)
	// Against a server, the reports its trace promises and those that
	// came (reports), the last server event read, and the server's app
	// names ("pid<N>") of the helpers.
	want, got  reports
	vtimes     virtualTimes // the server's times of the reports
	srvSeq     uint64
	helperApps map[string]bool

	// The trace in the order events happened (see eventOrder): every
	// source holds its events in order, and flush hands them to trace,
	// whose clock (eventTime) is the held event's stamp as a time.
	order     *eventOrder
	clock     counterClock
	flushMu   sync.Mutex
	eventTime time.Time      // guarded by flushMu
	local     *harness.Trace // calls of recorders in this process
	localSeen uint64         // the last event of local held; guarded by flushMu
}

type trackedJob struct {
	id      model.GUID
	job     model.Job
	creator *app
	slow    bool
	state   model.JobState
}

type cmdInfo struct {
	program, parameters string
}

var _ harness.Backend = (*Backend)(nil)

// NewBackend connects to BITS and starts the loopback HTTP server.
func NewBackend(opts Options) (*Backend, error) {
	mgr, err := sharedManager()
	if err != nil {
		return nil, err
	}
	_, wine := WineVersion()
	if opts.Name == "" {
		opts.Name = "windows"
		if wine {
			opts.Name = "wine"
		}
	}
	if opts.MaxAdvance == 0 {
		opts.MaxAdvance = 10 * time.Second
		if wine {
			opts.MaxAdvance = 200 * time.Millisecond
		}
		if d, err := time.ParseDuration(os.Getenv("BITSSIM_MAX_ADVANCE")); err == nil && d > 0 {
			opts.MaxAdvance = d
		}
	}
	if opts.SettleTimeout == 0 {
		opts.SettleTimeout = 10 * time.Second
	}
	if opts.Quiet == 0 {
		opts.Quiet = 300 * time.Millisecond
		if newServerControl(opts.Control) != nil {
			// A bitssim COM server delivers while the control plane's
			// request runs, and a helper reports each call before it
			// returns: the report is already on its way.
			opts.Quiet = 100 * time.Millisecond
		}
	}
	if opts.LocalFiles == nil {
		opts.LocalFiles = &wine
	}
	if opts.Dirs == nil {
		opts.Dirs = []string{`C:\bitssim`, `C:\machine`}
	}
	for _, d := range opts.Dirs {
		_ = os.MkdirAll(d, 0o755)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "bitssim-winbits-")
	if err != nil {
		return nil, err
	}
	b := &Backend{name: opts.Name, mgr: mgr, probe: mgr.Probe(), opts: opts,
		dir: dir, exe: exe, stop: make(chan struct{}), byID: map[model.GUID]*trackedJob{},
		kinds: map[string]harness.RemoteKind{}, lastToken: map[model.GUID]*cbToken{},
		cmdByID: map[int]cmdInfo{}, cmdUser: map[model.GUID]model.Account{},
		classEv: &classEvents{inflight: map[string]int{}, servers: map[int]bool{}},
		server:  newServerControl(opts.Control), order: &eventOrder{now: stamp}, clock: newCounterClock(),
		want: reports{}, got: reports{}, helperApps: map[string]bool{}}
	if b.server != nil {
		// What the server did before this backend owes it no report.
		if b.srvSeq, err = b.server.lastSeq(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
	b.trace = harness.NewTrace(func() time.Time { return b.eventTime })
	b.local = harness.NewTrace(func() time.Time { return b.clock.time(stamp()) })
	if err := b.serve(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return b, nil
}

// Name returns "wine" or "windows" (or Options.Name).
func (b *Backend) Name() string { return b.name }

// Capabilities are what the service offers: no virtual time; no restart
// (it would need the service control manager, and Wine's BITS keeps no
// jobs across one); CLSID when jobs have IBackgroundCopyJob5 and this
// binary can serve a registered class (ClassSupport); command lines when
// SetNotifyCmdLine works; no other users (every app runs as the current
// user); crashes (of helper processes); calls through COM; and, on
// Windows, waits bounded by Options.MaxAdvance (MaxWait).
//
// A bitssim COM server (Options.Control) runs the simulator's manual
// clock and restarts through its control plane: against it Advance moves
// virtual time exactly and Restart is a service restart through its
// store, so it has VirtualTime and Restart too (and no MaxWait).
func (b *Backend) Capabilities() harness.Capabilities {
	v := b.mgr.Version()
	clsid := b.probe.Job5 && v >= model.BITS5_0 && ClassSupport() == nil
	caps := harness.Capabilities{Version: v, CLSID: clsid, CommandLine: b.probe.CommandLine, Crash: true, COM: true}
	if b.server != nil {
		caps.VirtualTime, caps.Restart = true, true
		return caps
	}
	if _, wine := WineVersion(); !wine {
		caps.MaxWait = b.opts.MaxAdvance // Wine's BITS has no timers: no limit there
	}
	return caps
}

// Manager returns the backend's own connection to BITS.
func (b *Backend) Manager() *Manager { return b.mgr }

// StartApp starts a helper process for the app. user only labels the
// app's calls in the trace: every app runs as the current user (against a
// bitssim COM server, as the first app's user: see mapApp).
func (b *Backend) StartApp(name string, user model.Account) (harness.App, error) {
	a := &app{b: b, name: name, user: user}
	p, err := startHelper(a.event)
	if err != nil {
		return nil, err
	}
	a.proc = p
	b.mu.Lock()
	b.helperApps[strings.TrimPrefix(a.serverName(), "obj:")] = true
	b.mu.Unlock()
	if err := b.mapApp(a); err != nil {
		p.kill()
		return nil, err
	}
	a.alive.Store(true)
	b.mu.Lock()
	b.apps = append(b.apps, a)
	b.mu.Unlock()
	return a, nil
}

// RegisterClass registers a new class (a random CLSID) whose local server
// is this binary (see MaybeRunNotify): every instance COM asks it for is a
// callback object that records its calls and answers as b says. The
// registration is removed, and the servers are ended, by Close.
func (b *Backend) RegisterClass(behavior harness.Behavior) (model.GUID, error) {
	clsid := model.NewGUID()
	rc, err := registerClass(b.exe, b.classFile(), clsid, behavior)
	if err != nil {
		return model.GUID{}, err
	}
	b.mu.Lock()
	b.classes = append(b.classes, rc)
	b.mu.Unlock()
	return clsid, nil
}

func (b *Backend) classFile() string { return filepath.Join(b.dir, "classes.jsonl") }

// readClassEvents adds the calls the class instances recorded to the trace.
func (b *Backend) readClassEvents() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.classEv.read(b.classFile(), func(l classLine) {
		e := l.Event
		user := ""
		if t := b.byID[e.Job]; t != nil && t.creator != nil {
			user = t.creator.user.Name
		}
		if e.Result.Succeeded() {
			b.got["clsid"]++
		}
		b.order.hold("clsid", model.Event{Job: e.Job, Kind: e.Kind, File: e.File, Ranges: e.Ranges, Result: e.Result, User: user,
			Target: model.Target{Kind: model.TargetCLSID, App: "class-server", CLSID: l.CLSID, Instance: l.Instance}}, e.At)
		b.activity.Add(1)
	})
}

// Remote returns a source of the given kind: a local file (RemoteOK with
// Options.LocalFiles) or a URL of the loopback HTTP server, which serves
// size bytes (RemoteOK), 1024 bytes a second (RemoteSlow), HTTP 503
// (RemoteTransient) or HTTP 404 (RemoteFatal).
func (b *Backend) Remote(kind harness.RemoteKind, size uint64) (string, error) {
	b.mu.Lock()
	b.remotes++
	n := b.remotes
	b.mu.Unlock()
	var url string
	switch kind {
	case harness.RemoteOK:
		if *b.opts.LocalFiles {
			path := filepath.Join(b.dir, fmt.Sprintf("remote-%d.bin", n))
			if err := os.WriteFile(path, pattern(size), 0o644); err != nil {
				return "", err
			}
			url = path
		} else {
			url = fmt.Sprintf("%s/ok/%d?size=%d", b.baseURL, n, size)
		}
	case harness.RemoteSlow:
		url = fmt.Sprintf("%s/slow/%d?size=%d", b.baseURL, n, size)
		if b.server != nil {
			// A source's pace does not cross COM (the server asks a
			// loopback source for its status and size only): script the
			// server's simulator with it instead, 1024 bytes a second of
			// its virtual time, as this backend's own slow source.
			url = fmt.Sprintf("http://slow.bitssim.invalid/%d?size=%d", n, size)
			if err := b.server.remote(url, size, 1024); err != nil {
				return "", err
			}
		}
	case harness.RemoteTransient:
		url = fmt.Sprintf("%s/status/503/%d", b.baseURL, n)
	case harness.RemoteFatal:
		url = fmt.Sprintf("%s/status/404/%d", b.baseURL, n)
	default:
		return "", fmt.Errorf("winbits: unknown remote kind %v: %w", kind, model.E_INVALIDARG)
	}
	b.mu.Lock()
	b.kinds[url] = kind
	b.mu.Unlock()
	return url, nil
}

// remoteModTime is the Last-Modified of every remote source.
var remoteModTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// trickleReader reads at most 1024 bytes at a time, one second apart
// (the first read is immediate), until stop or done is closed.
type trickleReader struct {
	r     *bytes.Reader
	stop  <-chan struct{}
	done  <-chan struct{}
	reads int
}

func (t *trickleReader) Read(p []byte) (int, error) {
	if t.reads > 0 {
		select {
		case <-time.After(time.Second):
		case <-t.stop:
			return 0, io.ErrUnexpectedEOF
		case <-t.done:
			return 0, io.ErrUnexpectedEOF
		}
	}
	t.reads++
	return t.r.Read(p[:min(len(p), 1024)])
}

func (t *trickleReader) Seek(offset int64, whence int) (int64, error) {
	return t.r.Seek(offset, whence)
}

// trickleWriter flushes every write, so that each kilobyte leaves at once.
type trickleWriter struct {
	http.ResponseWriter
}

func (t *trickleWriter) Write(p []byte) (int, error) {
	n, err := t.ResponseWriter.Write(p)
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	return n, err
}

func pattern(size uint64) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i % 251)
	}
	return data
}

// serve starts the loopback HTTP server.
func (b *Backend) serve() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	b.ln = ln
	b.baseURL = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	// Real BITS asks HEAD and byte ranges (and fails a download without
	// range support); http.ServeContent answers both.
	mux.HandleFunc("/ok/", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseUint(r.URL.Query().Get("size"), 10, 32)
		w.Header().Set("Content-Type", "application/octet-stream") // no sniffing
		http.ServeContent(w, r, "", remoteModTime, bytes.NewReader(pattern(size)))
	})
	mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseUint(r.URL.Query().Get("size"), 10, 32)
		w.Header().Set("Content-Type", "application/octet-stream") // no sniffing read
		tw := &trickleWriter{ResponseWriter: w}
		tr := &trickleReader{r: bytes.NewReader(pattern(size)), stop: b.stop, done: r.Context().Done()}
		http.ServeContent(tw, r, "", remoteModTime, tr)
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/status/"), "/")
		code, err := strconv.Atoi(parts[0])
		if err != nil || code < 100 || code > 599 {
			code = http.StatusBadRequest
		}
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
		}
		http.Error(w, http.StatusText(code), code)
	})
	b.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return nil
}

// CommandLine returns this binary as the program, with parameters that
// make it record its run (see MaybeRunHelper) and exit with exitCodes.
func (b *Backend) CommandLine(exitCodes ...int) (string, string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cmds++
	codes := make([]string, len(exitCodes))
	for i, c := range exitCodes {
		codes[i] = strconv.Itoa(c)
	}
	if len(codes) == 0 {
		codes = []string{"0"}
	}
	params := fmt.Sprintf(`"%s" %s "%s" %d %s`, b.exe, notifyArg, b.notifyFile(), b.cmds, strings.Join(codes, ","))
	b.cmdByID[b.cmds] = cmdInfo{b.exe, params}
	return b.exe, params, nil
}

func (b *Backend) notifyFile() string { return filepath.Join(b.dir, "notify.jsonl") }

// ours reports whether program/parameters are a recorded command line of
// this backend.
func (b *Backend) ours(program, parameters string) bool {
	return strings.EqualFold(program, b.exe) && strings.Contains(parameters, " "+notifyArg+" ")
}

// readNotifications adds the recorded command-line runs to the trace.
func (b *Backend) readNotifications() {
	f, err := os.Open(b.notifyFile())
	if err != nil {
		return
	}
	defer f.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := f.Seek(b.cmdOffset, 0); err != nil {
		return
	}
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return // a partial line is read again next time
		}
		b.cmdOffset += int64(len(line))
		var rec notifyRecord
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		info := b.cmdByID[rec.ID]
		b.got["cmd"]++
		hr := model.S_OK
		if rec.Exit != 0 {
			hr = model.E_FAIL
		}
		b.order.hold("cmd", model.Event{Job: rec.Job, Kind: model.EventCommandLine, User: b.cmdUser[rec.Job].Name,
			Result: hr, ExitCode: rec.Exit,
			Target: model.Target{Kind: model.TargetCommandLine, Program: info.program, Parameters: received(rec, info)}}, rec.At)
		b.activity.Add(1)
	}
}

// Restart restarts the simulated service of a bitssim COM server
// (Options.Control); a real BITS cannot be restarted (E_NOTIMPL). As the
// simulator's own restart, it does not run the work the restart made due
// (a job requeued is still QUEUED when Restart returns: the next Settle or
// Advance runs it), so that the state right after the restart can be seen.
func (b *Backend) Restart() error {
	if b.server != nil {
		if err := b.server.restart(); err != nil {
			return err
		}
		b.settleQuiet()
		return nil
	}
	return fmt.Errorf("winbits: restarting the BITS service is not supported: %w", model.E_NOTIMPL)
}

// Advance waits min(d, Options.MaxAdvance) for real, then settles.
func (b *Backend) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("winbits: Advance(%v): %w", d, model.E_INVALIDARG)
	}
	if b.server != nil {
		if _, err := b.server.advance(d); err != nil {
			return err
		}
		return b.Settle()
	}
	time.Sleep(min(d, b.opts.MaxAdvance))
	return b.Settle()
}

// busy states: the service is working on the job.
func busy(s model.JobState) bool {
	return s == model.BG_JOB_STATE_QUEUED || s == model.BG_JOB_STATE_CONNECTING || s == model.BG_JOB_STATE_TRANSFERRING
}

// Settle waits until no job of the backend is queued, connecting or
// transferring (except jobs with a slow source, which take their time),
// no callback is running in a helper, and nothing changed for
// Options.Quiet; at most Options.SettleTimeout. Timing out is not an
// error: the suite then sees the states as they are.
func (b *Backend) Settle() error {
	if b.server != nil {
		return b.settleServer()
	}
	b.settleQuiet()
	return nil
}

// settleQuiet is Settle's wait for the backend to be still.
func (b *Backend) settleQuiet() {
	deadline := time.Now().Add(b.opts.SettleTimeout)
	lastChange := time.Now()
	lastSig := ""
	for {
		b.readNotifications()
		b.readClassEvents()
		sig, still := b.snapshot()
		if sig != lastSig {
			lastSig, lastChange = sig, time.Now()
		}
		if still && time.Since(lastChange) >= b.opts.Quiet {
			b.flush()
			return
		}
		if time.Now().After(deadline) {
			debugf("Settle timed out after %v: %s", b.opts.SettleTimeout, sig)
			b.flush()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// snapshot returns a signature of everything observable (job states,
// helper output, callbacks running) and whether the backend is still.
func (b *Backend) snapshot() (string, bool) {
	b.mu.Lock()
	jobs := append([]*trackedJob(nil), b.jobs...)
	apps := append([]*app(nil), b.apps...)
	b.mu.Unlock()
	var sb strings.Builder
	still := true
	for _, j := range jobs {
		if j.state.IsFinal() {
			continue
		}
		s, err := j.job.GetState()
		if err != nil {
			continue
		}
		j.state = s
		fmt.Fprintf(&sb, "%d", s)
		if busy(s) && !j.slow && b.server == nil { // a server's manual clock moves only when told
			still = false
		}
	}
	for _, a := range apps {
		n := a.proc.inflight.Load()
		if n > 0 && a.alive.Load() {
			still = false
		}
		fmt.Fprintf(&sb, "/%d:%d", a.proc.events.Load(), n)
	}
	b.mu.Lock()
	if b.classEv.running() > 0 {
		still = false
	}
	b.mu.Unlock()
	fmt.Fprintf(&sb, "/%d/%d", b.activity.Load(), len(b.local.Events()))
	return sb.String(), still
}

// Trace returns what the helpers' objects and the command lines observed.
func (b *Backend) Trace() []model.Event {
	b.flush()
	return b.trace.Events()
}

// Close cancels the jobs made through the backend, ends the helpers,
// stops the HTTP server and removes the temporary files.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	jobs := append([]*trackedJob(nil), b.jobs...)
	apps := append([]*app(nil), b.apps...)
	b.mu.Unlock()
	close(b.stop)
	for _, j := range jobs {
		if s, err := j.job.GetState(); err == nil && !s.IsFinal() {
			_ = j.job.Cancel()
		}
	}
	for _, a := range apps {
		if a.alive.Swap(false) {
			a.proc.kill()
		}
	}
	b.mu.Lock()
	for _, c := range b.classes {
		c.unregister()
	}
	b.classEv.read(b.classFile(), func(classLine) {})
	b.classEv.killServers()
	b.mu.Unlock()
	_ = b.srv.Close()
	_ = os.RemoveAll(b.dir)
	return nil
}

// track records a job made or opened through the backend, with the app
// that made it (or opened it first).
func (b *Backend) track(j model.Job, by *app) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byID[j.GetId()] != nil {
		return
	}
	t := &trackedJob{id: j.GetId(), job: j, creator: by, state: model.BG_JOB_STATE_SUSPENDED}
	b.byID[t.id] = t
	b.jobs = append(b.jobs, t)
}

// noteFile records the kind of source a file of the job uses.
func (b *Backend) noteFile(id model.GUID, url string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.kinds[url] == harness.RemoteSlow && b.byID[id] != nil {
		b.byID[id].slow = true
	}
}

// app is an application: API calls from the test process, callback
// objects in its helper process.
type app struct {
	b     *Backend
	name  string
	user  model.Account
	proc  *helperProc
	alive atomic.Bool
}

var _ harness.App = (*app)(nil)

func (a *app) Name() string        { return a.name }
func (a *app) User() model.Account { return a.user }

func (a *app) check() error {
	if !a.alive.Load() {
		return fmt.Errorf("app %q has ended: %w", a.name, model.RPC_E_DISCONNECTED)
	}
	return nil
}

// event records a call one of the app's objects received.
func (a *app) event(e model.Event, at int64) {
	e.Target = model.Target{Kind: model.TargetObject, App: a.name}
	e.User = a.user.Name
	if e.Result.Succeeded() {
		a.b.mu.Lock()
		a.b.got[a.serverName()]++
		a.b.mu.Unlock()
	}
	a.b.order.hold(a.serverName(), e, at)
	a.b.activity.Add(1)
}

func (a *app) wrap(j model.Job) *appJob {
	a.b.track(j, a)
	return &appJob{Job: j.(*Job), app: a}
}

func (a *app) CreateJob(displayName string, jobType model.JobType) (model.Job, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	j, err := a.b.mgr.CreateJob(displayName, jobType)
	if err != nil {
		return nil, err
	}
	return a.wrap(j), nil
}

func (a *app) GetJob(id model.GUID) (model.Job, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	j, err := a.b.mgr.GetJob(id)
	if err != nil {
		return nil, err
	}
	return a.wrap(j), nil
}

func (a *app) EnumJobs(flags model.EnumJobsFlags) ([]model.Job, error) {
	if err := a.check(); err != nil {
		return nil, err
	}
	jobs, err := a.b.mgr.EnumJobs(flags)
	if err != nil {
		return nil, err
	}
	out := make([]model.Job, len(jobs))
	for i, j := range jobs {
		out[i] = &appJob{Job: j.(*Job), app: a}
	}
	return out, nil
}

// Callback returns a token for an object the app's helper makes when the
// token is passed to SetNotifyInterface.
func (a *app) Callback(behavior harness.Behavior) model.Callback {
	a.b.mu.Lock()
	a.b.tokens++
	n := a.b.tokens
	a.b.mu.Unlock()
	return &cbToken{app: a, name: "obj" + strconv.Itoa(n), behavior: behavior}
}

// Exit makes the helper clear its registrations and exit.
func (a *app) Exit() error {
	if !a.alive.Swap(false) {
		return nil
	}
	err := a.proc.exit()
	a.b.forget(a)
	return err
}

// Crash kills the helper.
func (a *app) Crash() error {
	if !a.alive.Swap(false) {
		return nil
	}
	a.proc.kill()
	return nil
}

// forget drops the tokens of an app that exited cleanly.
func (b *Backend) forget(a *app) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, t := range b.lastToken {
		if t.app == a {
			delete(b.lastToken, id)
		}
	}
}

// cbToken stands for a callback object living in an app's helper process.
// Its methods cannot be called from the test process and return E_NOTIMPL.
type cbToken struct {
	app      *app
	name     string
	behavior harness.Behavior
}

var _ model.Callback = (*cbToken)(nil)

func (*cbToken) JobTransferred(model.Job) error           { return model.E_NOTIMPL }
func (*cbToken) JobError(model.Job, model.JobError) error { return model.E_NOTIMPL }
func (*cbToken) JobModification(model.Job) error          { return model.E_NOTIMPL }

// appJob is a job handle of an app.
type appJob struct {
	*Job
	app *app
}

func (j *appJob) AddFile(remoteURL, localName string) error {
	_ = os.MkdirAll(filepath.Dir(localName), 0o755)
	err := j.Job.AddFile(remoteURL, localName)
	if err == nil {
		j.app.b.noteFile(j.id, remoteURL)
	}
	return err
}

func (j *appJob) AddFileSet(files []model.FileInfo) error {
	for _, f := range files {
		_ = os.MkdirAll(filepath.Dir(f.LocalName), 0o755)
	}
	err := j.Job.AddFileSet(files)
	for _, f := range files {
		j.app.b.noteFile(j.id, f.RemoteName)
	}
	return err
}

// SetNotifyInterface registers a token's object from its app's helper
// process; anything else is handled by Job.SetNotifyInterface in this
// process.
func (j *appJob) SetNotifyInterface(obj any) error {
	b := j.app.b
	t, ok := obj.(*cbToken)
	if !ok {
		err := j.Job.SetNotifyInterface(obj)
		if err == nil {
			b.mu.Lock()
			delete(b.lastToken, j.id)
			b.mu.Unlock()
		}
		return err
	}
	if !t.app.alive.Load() {
		return fmt.Errorf("IBackgroundCopyJob::SetNotifyInterface: the object's application %q has ended: %w",
			t.app.name, model.RPC_S_SERVER_UNAVAILABLE)
	}
	behavior, err := json.Marshal(t.behavior)
	if err != nil {
		return err
	}
	rep, err := t.app.proc.request(60*time.Second, "register", t.name, j.id.String(), string(behavior))
	if err != nil {
		return fmt.Errorf("IBackgroundCopyJob::SetNotifyInterface: %w", err)
	}
	if rep.hr == model.BG_E_NOT_FOUND {
		// The helper cannot open a job in a final state (GetJob no longer
		// finds it); this handle still reaches it, so register a recorder
		// of the app from here and let BITS answer.
		rec := harness.NewRecorder(b.local, model.Target{Kind: model.TargetObject, App: t.app.name}, t.app.user, t.behavior)
		return j.Job.SetNotifyInterface(rec)
	}
	if rep.hr.Failed() {
		return fmt.Errorf("IBackgroundCopyJob::SetNotifyInterface (in %s): %s: %w", t.app.name, rep.msg, rep.hr)
	}
	b.mu.Lock()
	b.lastToken[j.id] = t
	b.mu.Unlock()
	return nil
}

// GetNotifyInterface returns the token whose object is registered, when
// BITS returns an object of another process and the last registration
// through the backend was a token's.
func (j *appJob) GetNotifyInterface() (model.Callback, error) {
	cb, err := j.Job.GetNotifyInterface()
	if err != nil || cb == nil {
		return cb, err
	}
	if _, remote := cb.(*RemoteCallback); remote {
		b := j.app.b
		b.mu.Lock()
		t := b.lastToken[j.id]
		b.mu.Unlock()
		if t != nil {
			return t, nil
		}
	}
	return cb, nil
}

// SetNotifyCmdLine appends the job's GUID to a recorded command line of
// the backend, so that its runs are attributed to the job.
func (j *appJob) SetNotifyCmdLine(program, parameters string) error {
	b := j.app.b
	ours := b.ours(program, parameters)
	if ours {
		parameters += " " + j.id.String()
	}
	err := j.Job.SetNotifyCmdLine(program, parameters)
	if err == nil {
		b.mu.Lock()
		b.cmdUser[j.id] = j.app.user
		b.mu.Unlock()
	}
	return err
}

// GetNotifyCmdLine hides the GUID SetNotifyCmdLine appended.
func (j *appJob) GetNotifyCmdLine() (string, string, error) {
	program, parameters, err := j.Job.GetNotifyCmdLine()
	if err == nil && j.app.b.ours(program, parameters) {
		parameters = strings.TrimSuffix(parameters, " "+j.id.String())
	}
	return program, parameters, err
}

// flush reads the sources kept in files and hands every held event to the
// trace in the order they happened (eventOrder), each with its stamp's
// time, or, against a bitssim COM server, with the virtual time of the
// server's call or run it reports (virtualTimes). Settle flushes once the backend is quiet, so that the sources are
// drained; Trace flushes what has arrived.
func (b *Backend) flush() {
	b.readNotifications()
	b.readClassEvents()
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	for _, e := range b.local.Events() {
		if e.Seq > b.localSeen {
			b.localSeen = e.Seq
			b.order.hold("", e, b.clock.ticks(e.Time))
		}
	}
	b.order.flush(func(src string, e model.Event, at int64) {
		b.eventTime = b.clock.time(at)
		if b.server != nil {
			b.mu.Lock()
			b.eventTime = b.vtimes.take(src, e)
			b.mu.Unlock()
		}
		b.trace.Add(e)
	})
}

// received returns the parameters a recorded command line received (its
// command line without the job's GUID the backend appended), or, from a
// record without them, the parameters the backend made.
func received(rec notifyRecord, info cmdInfo) string {
	if rec.CmdLine == "" {
		return info.parameters
	}
	return strings.TrimSuffix(rec.CmdLine, " "+rec.Job.String())
}

// serverName is the key of the app's helper in reports: "obj:pid<N>", N
// its process ID, which is how a bitssim COM server names the app of a
// client process.
func (a *app) serverName() string { return "obj:pid" + strconv.Itoa(a.proc.cmd.Process.Pid) }
