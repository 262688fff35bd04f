//go:build windows

package winbits

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// HelperEnv is the environment variable that makes a binary that calls
// MaybeRunHelper act as a helper application: HelperEnv=1.
const HelperEnv = "BITSSIM_HELPER"

// notifyArg is the first argument of a recorded command-line notification
// (see Backend.CommandLine).
const notifyArg = "-bitssim-notify"

// HelperArgs are the arguments the backend passes when it re-executes the
// running binary as a helper. A program that calls MaybeRunHelper at the
// start of main needs none; a test binary sets them, in an init function,
// to select a test that calls MaybeRunHelper, e.g.
// []string{"-test.run=^TestWinBITSHelper$"}.
var HelperArgs []string

// MaybeRunHelper turns the running binary into a helper process when it
// was started as one (HelperEnv=1), or into a recorded command line (see
// Backend.CommandLine), and exits; otherwise it returns at once.
//
// Call it after package initialization: from main, or from a test (see
// HelperArgs). COM calls into Go code made on threads Go did not create
// wait until every init function has returned, so a helper running inside
// an init function would hang on the first callback. MaybeRunNotify may
// run in an init function.
func MaybeRunHelper() {
	MaybeRunNotify()
	if classConfig != nil {
		os.Exit(runClassServer(classConfig))
	}
	if os.Getenv(HelperEnv) == "1" {
		os.Exit(HelperMain(os.Stdin, os.Stdout))
	}
}

// MaybeRunNotify runs a recorded command line and exits, when BITS started
// the binary as one ("<binary> -bitssim-notify ..."); and when COM started
// it as the server of a registered class ("<binary> -bitssim-class ...",
// see Backend.RegisterClass), it takes those arguments and replaces them
// with HelperArgs, for MaybeRunHelper to run the server later. Otherwise
// it returns at once. A test binary must call it from an init function,
// after setting HelperArgs and before the testing package rejects the
// unknown arguments.
func MaybeRunNotify() {
	switch {
	case len(os.Args) > 1 && os.Args[1] == notifyArg:
		os.Exit(runNotify(os.Args[2:]))
	case isClassServer():
		takeClassArgs()
	}
}

// The helper's line protocol. The backend writes commands, one a line:
//
//	register <seq> <object> <job GUID> <behavior JSON>
//	exit <seq>
//
// and the helper answers each with "ok <seq> <HRESULT> [message]". It
// writes "ready <pid>" once connected to BITS (or "fatal <error>"),
// "begin" when BITS calls one of its objects and "event <JSON>" when the
// call returns (a helperEvent: job, kind, file, ranges and result; the
// backend adds the target and the user).

// HelperMain runs the helper protocol on in and out and returns the exit
// code.
func HelperMain(in io.Reader, out io.Writer) int {
	w := &lineWriter{w: bufio.NewWriter(out)}
	m, err := Connect()
	if err != nil {
		w.printf("fatal %v", err)
		return 2
	}
	h := &helper{mgr: m, out: w, objects: map[string]*CallbackObject{}, jobs: map[model.GUID]model.Job{}}
	w.printf("ready %d", os.Getpid())
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		seq := f[1]
		switch f[0] {
		case "register":
			if len(f) != 5 {
				w.printf("ok %s 0x%08X bad register command", seq, uint32(model.E_INVALIDARG))
				continue
			}
			err := h.register(f[2], f[3], f[4])
			w.printf("ok %s 0x%08X %s", seq, uint32(model.HRESULTOf(err)), oneLine(err))
		case "exit":
			h.exit()
			w.printf("ok %s 0x%08X", seq, uint32(model.S_OK))
			return 0
		default:
			w.printf("ok %s 0x%08X unknown command %q", seq, uint32(model.E_NOTIMPL), f[0])
		}
	}
	return 0
}

// HelperLogEnv names a directory where each helper's standard error (its
// debugging output with BITSSIM_HELPER_DEBUG=1, and Wine's with
// BITSSIM_HELPER_WINEDEBUG) is also written whole, one helper-*.log file
// each; without it only the tail is kept, for error messages.
const HelperLogEnv = "BITSSIM_HELPER_LOG_DIR"

// debugging is BITSSIM_HELPER_DEBUG=1: helpers log to their stderr, which
// the backend keeps (the tail) for its error messages.
var debugging = os.Getenv("BITSSIM_HELPER_DEBUG") == "1"

// debugf logs to stderr when debugging.
func debugf(format string, args ...any) {
	if debugging {
		fmt.Fprintf(os.Stderr, "helper %d: "+format+"\n", append([]any{os.Getpid()}, args...)...)
	}
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

type lineWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
	_ = l.w.Flush()
}

type helper struct {
	mgr *Manager
	out *lineWriter

	mu      sync.Mutex
	objects map[string]*CallbackObject
	jobs    map[model.GUID]model.Job // jobs an object of ours was registered on
}

// register makes (or reuses) the callback object named name and registers
// it on the job, from this process.
func (h *helper) register(name, jobID, behavior string) error {
	id, err := model.ParseGUID(jobID)
	if err != nil {
		return fmt.Errorf("%v: %w", err, model.E_INVALIDARG)
	}
	var b harness.Behavior
	if err := json.Unmarshal([]byte(behavior), &b); err != nil {
		return fmt.Errorf("behavior: %v: %w", err, model.E_INVALIDARG)
	}
	h.mu.Lock()
	obj := h.objects[name]
	if obj == nil {
		obj, err = NewCallbackObject((&helperCallback{b: b, sink: h.sink}).object())
		if err != nil {
			h.mu.Unlock()
			return err
		}
		h.objects[name] = obj
	}
	h.mu.Unlock()
	debugf("register %s on %v: GetJob", name, id)
	job, err := h.mgr.GetJob(id)
	if err != nil {
		return err
	}
	debugf("register %s (%p) on %v: SetNotifyInterface", name, obj.Pointer(), id)
	defer debugf("register %s on %v: done", name, id)
	if err := job.SetNotifyInterface(obj); err != nil {
		return err
	}
	h.mu.Lock()
	h.jobs[id] = job
	h.mu.Unlock()
	return nil
}

// sink reports a call of one of the helper's objects on its output.
func (h *helper) sink(begin bool, e *helperEvent) {
	if begin {
		h.out.printf("begin")
		return
	}
	data, err := json.Marshal(e)
	if err != nil {
		debugf("event %+v: %v", e, err)
		data, _ = json.Marshal(helperEvent{Job: e.Job, Kind: e.Kind, Result: e.Result})
	}
	h.out.printf("event %s", data)
}

// exit clears the registrations that are still this process's, as a
// well-behaved application does before it exits (OBJ-CLEAR-BEFORE-EXIT).
func (h *helper) exit() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, job := range h.jobs {
		cb, err := job.GetNotifyInterface()
		if err != nil || cb == nil {
			continue
		}
		if _, ours := cb.(interface{ helper() *helperCallback }); ours {
			_ = job.SetNotifyInterface(nil)
		}
	}
	for _, o := range h.objects {
		o.Release()
	}
}

// helperEvent is what the helper reports of one call; the backend adds
// the target and the user.
type helperEvent struct {
	Job    model.GUID        `json:"job"`
	Kind   model.EventKind   `json:"kind"`
	File   string            `json:"file,omitempty"`
	Ranges []model.FileRange `json:"ranges,omitempty"`
	Result model.HRESULT     `json:"result"`
	// At is the performance counter when the call began (stamp), which
	// orders the events of all processes (eventOrder).
	At int64 `json:"at,omitempty"`
}

// helperCallback reports the calls it receives to its sink (begin when a
// call starts, the event when it ends) and answers as its Behavior says
// (the same rules as harness.Recorder).
type helperCallback struct {
	b     harness.Behavior
	sink  func(begin bool, e *helperEvent)
	calls atomic.Int64
}

var _ model.RangesCallback = (*helperCallback)(nil)

// object returns the callback with the interfaces Behavior.Interface names
// (as harness.Recorder.Object does): BITS asks the object which it has,
// and never calls a method it lacks.
func (c *helperCallback) object() any {
	switch c.b.Interface {
	case harness.BasicInterface:
		return basicHelper{c}
	case harness.Callback2Interface:
		return callback2Helper{basicHelper{c}}
	}
	return c
}

func (c *helperCallback) helper() *helperCallback { return c }

// basicHelper is a helperCallback with IBackgroundCopyCallback only.
type basicHelper struct{ c *helperCallback }

func (o basicHelper) helper() *helperCallback            { return o.c }
func (o basicHelper) JobTransferred(job model.Job) error { return o.c.JobTransferred(job) }
func (o basicHelper) JobError(job model.Job, e model.JobError) error {
	return o.c.JobError(job, e)
}
func (o basicHelper) JobModification(job model.Job) error { return o.c.JobModification(job) }

// callback2Helper adds IBackgroundCopyCallback2's FileTransferred.
type callback2Helper struct{ basicHelper }

func (o callback2Helper) FileTransferred(job model.Job, file model.File) error {
	return o.c.FileTransferred(job, file)
}

func (c *helperCallback) result(kind model.EventKind, file model.File, retried bool) model.HRESULT {
	var name string
	if file != nil {
		if n, err := file.GetLocalName(); err == nil {
			name = n
		}
	}
	return c.b.Result(kind, name, retried, func() int { return int(c.calls.Add(1)) })
}

func (c *helperCallback) note(at int64, job model.Job, kind model.EventKind, file model.File, ranges []model.FileRange, hr model.HRESULT) error {
	e := helperEvent{Kind: kind, Result: hr, Ranges: ranges, At: at}
	if job != nil {
		e.Job = job.GetId()
	}
	if file != nil {
		e.File, _ = file.GetLocalName()
	}
	debugf("event %+v", e)
	c.sink(false, &e)
	if hr.Succeeded() {
		return nil
	}
	return hr
}

// begin reports that a call began and returns its stamp.
func (c *helperCallback) begin() int64 {
	at := stamp()
	debugf("callback begins")
	c.sink(true, nil)
	return at
}

func (c *helperCallback) JobTransferred(job model.Job) error {
	at := c.begin()
	hr := c.result(model.EventJobTransferred, nil, true)
	if hr.Succeeded() && c.b.Complete && job != nil {
		if _, err := job.Complete(); err != nil {
			hr = model.HRESULTOf(err)
		}
	}
	return c.note(at, job, model.EventJobTransferred, nil, nil, hr)
}

func (c *helperCallback) JobError(job model.Job, _ model.JobError) error {
	at := c.begin()
	return c.note(at, job, model.EventJobError, nil, nil, c.result(model.EventJobError, nil, true))
}

func (c *helperCallback) JobModification(job model.Job) error {
	at := c.begin()
	return c.note(at, job, model.EventJobModification, nil, nil, c.result(model.EventJobModification, nil, false))
}

func (c *helperCallback) FileTransferred(job model.Job, file model.File) error {
	at := c.begin()
	return c.note(at, job, model.EventFileTransferred, file, nil, c.result(model.EventFileTransferred, file, true))
}

func (c *helperCallback) FileRangesTransferred(job model.Job, file model.File, ranges []model.FileRange) error {
	at := c.begin()
	return c.note(at, job, model.EventFileRangesTransferred, file, ranges, c.result(model.EventFileRangesTransferred, file, false))
}

// helperProc is the backend's side of one helper process.
type helperProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser

	reqMu   sync.Mutex // one request at a time
	mu      sync.Mutex
	seq     int
	pending map[int]chan helperReply

	inflight atomic.Int32
	events   atomic.Int64                  // lines of output seen, for quiet detection
	done     chan struct{}                 // closed when the helper's output ends
	onEvent  func(e model.Event, at int64) // at: the call's stamp
	stderr   *tailBuffer
	log      *os.File // the whole stderr (HelperLogEnv), or nil
}

// closeLog closes the helper's log file, once its stderr is copied.
func (p *helperProc) closeLog() {
	if p.log != nil {
		_ = p.log.Close()
	}
}

type helperReply struct {
	hr  model.HRESULT
	msg string
}

// startHelper re-executes the running binary as a helper and waits until
// it is connected to BITS.
func startHelper(onEvent func(e model.Event, at int64)) (*helperProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, HelperArgs...)
	cmd.Env = append(os.Environ(), HelperEnv+"=1")
	if d := os.Getenv("BITSSIM_HELPER_WINEDEBUG"); d != "" {
		cmd.Env = append(cmd.Env, "WINEDEBUG="+d)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &helperProc{cmd: cmd, stdin: stdin, pending: map[int]chan helperReply{}, done: make(chan struct{}),
		onEvent: onEvent, stderr: &tailBuffer{max: 65536}}
	cmd.Stderr = p.stderr
	if dir := os.Getenv(HelperLogEnv); dir != "" {
		// Best effort: a log that cannot be opened leaves the tail only.
		if f, err := os.CreateTemp(dir, "helper-*.log"); err == nil {
			p.log = f
			cmd.Stderr = io.MultiWriter(p.stderr, f)
		}
	}
	if err := cmd.Start(); err != nil {
		p.closeLog()
		return nil, fmt.Errorf("start helper %s: %w", exe, err)
	}
	ready := make(chan error, 1)
	go p.read(stdout, ready)
	select {
	case err := <-ready:
		if err != nil {
			p.kill()
			return nil, err
		}
	case <-time.After(60 * time.Second):
		p.kill()
		return nil, fmt.Errorf("helper did not start within 60 s (stderr: %s)", p.stderr)
	}
	return p, nil
}

func (p *helperProc) read(r io.Reader, ready chan<- error) {
	defer close(p.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	started := false
	for sc.Scan() {
		line := sc.Text()
		p.events.Add(1)
		if debugging {
			fmt.Fprintf(os.Stderr, "from helper %d: %s\n", p.cmd.Process.Pid, line)
		}
		kind, rest, _ := strings.Cut(line, " ")
		switch kind {
		case "ready":
			started = true
			ready <- nil
		case "fatal":
			if !started {
				ready <- fmt.Errorf("helper: %s", rest)
				return
			}
		case "begin":
			p.inflight.Add(1)
		case "event":
			var e helperEvent
			if err := json.Unmarshal([]byte(rest), &e); err == nil && p.onEvent != nil {
				p.onEvent(model.Event{Job: e.Job, Kind: e.Kind, File: e.File, Ranges: e.Ranges, Result: e.Result}, e.At)
			} else if err != nil {
				fmt.Fprintf(p.stderr, "bad event %q: %v\n", rest, err)
			}
			p.inflight.Add(-1)
		case "ok":
			f := strings.SplitN(rest, " ", 3)
			if len(f) < 2 {
				continue
			}
			seq, _ := strconv.Atoi(f[0])
			code, _ := strconv.ParseUint(strings.TrimPrefix(f[1], "0x"), 16, 32)
			rep := helperReply{hr: model.HRESULT(code)}
			if len(f) == 3 {
				rep.msg = f[2]
			}
			p.mu.Lock()
			ch := p.pending[seq]
			delete(p.pending, seq)
			p.mu.Unlock()
			if ch != nil {
				ch <- rep
			}
		}
	}
	p.inflight.Store(0)
	if !started {
		ready <- fmt.Errorf("helper exited before it was ready (stderr: %s)", p.stderr)
	}
}

// request sends one command and waits for its answer.
func (p *helperProc) request(timeout time.Duration, verb string, args ...string) (helperReply, error) {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	p.mu.Lock()
	p.seq++
	seq := p.seq
	ch := make(chan helperReply, 1)
	p.pending[seq] = ch
	p.mu.Unlock()
	line := strings.Join(append([]string{verb, strconv.Itoa(seq)}, args...), " ") + "\n"
	if _, err := io.WriteString(p.stdin, line); err != nil {
		return helperReply{}, fmt.Errorf("helper: %w: %w", err, model.RPC_S_SERVER_UNAVAILABLE)
	}
	select {
	case rep := <-ch:
		return rep, nil
	case <-p.done:
		return helperReply{}, fmt.Errorf("helper exited: %w", model.RPC_S_SERVER_UNAVAILABLE)
	case <-time.After(timeout):
		return helperReply{}, fmt.Errorf("helper did not answer %s within %v (stderr: %q): %w", verb, timeout, p.stderr, model.RPC_S_CALL_FAILED)
	}
}

// exit asks the helper to clear its registrations and exit, and waits.
func (p *helperProc) exit() error {
	_, err := p.request(30*time.Second, "exit")
	_ = p.stdin.Close()
	waited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); p.closeLog(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-waited
	}
	return err
}

// kill ends the helper abruptly (TerminateProcess) and waits for it.
func (p *helperProc) kill() {
	_ = p.cmd.Process.Kill()
	_ = p.stdin.Close()
	_ = p.cmd.Wait()
	p.closeLog()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

// notifyRecord is one run of a recorded command line.
type notifyRecord struct {
	ID   int        `json:"id"`
	Job  model.GUID `json:"job"`
	Exit int        `json:"exit"`
	// CmdLine is the command line the process received (GetCommandLineW):
	// the parameters BITS passed, unchanged.
	CmdLine string `json:"cmdLine,omitempty"`
	// At is the performance counter when the run started (stamp).
	At int64 `json:"at,omitempty"`
}

// runNotify is a recorded command-line notification:
//
//	-bitssim-notify <record file> <id> <exit codes> [<parameters a test added>...] [<job GUID>]
//
// (the backend appends the job's GUID last). It appends one JSON line to
// the record file, with the command line as received, and exits with the
// code of this run (the i-th run uses the i-th code; the last repeats).
func runNotify(args []string) int {
	at := stamp()
	if len(args) < 3 {
		return 2
	}
	file, idStr, codesStr := args[0], args[1], args[2]
	id, _ := strconv.Atoi(idStr)
	var codes []int
	for _, c := range strings.Split(codesStr, ",") {
		if n, err := strconv.Atoi(c); err == nil {
			codes = append(codes, n)
		}
	}
	var job model.GUID
	if len(args) > 3 {
		job, _ = model.ParseGUID(args[len(args)-1])
	}
	runs := 0
	if data, err := os.ReadFile(file); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			var r notifyRecord
			if json.Unmarshal([]byte(line), &r) == nil && r.ID == id {
				runs++
			}
		}
	}
	exit := 0
	if len(codes) > 0 {
		exit = codes[min(runs, len(codes)-1)]
	}
	data, _ := json.Marshal(notifyRecord{ID: id, Job: job, Exit: exit, CmdLine: commandLine(), At: at})
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 3
	}
	_, werr := f.Write(append(data, '\n'))
	if cerr := f.Close(); werr != nil || cerr != nil {
		return 3
	}
	return exit
}
