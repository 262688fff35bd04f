package conformance

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// machineRules are the rules the state machine checks after every step.
var machineRules = map[string]bool{
	"FLAGS-FILTER": true, "FLAGS-DISABLE": true, "FLAGS-CHECKED-AT-DISPATCH": true, "FLAGS-FINAL-STATE": true,
	"FLAGS-INVALID-NOTIMPL": true, "OBJ-LAST-WRITER-WINS": true, "OBJ-DISCOVER-DEAD": true, "OBJ-NOT-PERSISTED": true,
	"OBJ-CLEAR-BEFORE-EXIT": true, "CLSID-LAST-WRITER-WINS": true, "CLSID-PERSISTED": true, "CLSID-INSTANCE-REUSED": true,
	"CLSID-INSTANCE-REPLACED": true, "CLSID-ACTIVATION-FAILURE": true, "PREC-OBJECT-FIRST": true,
	"PREC-FALLBACK-MISSING": true, "PREC-FALLBACK-DISCONNECTED": true, "PREC-CMDLINE-LAST": true,
	"PREC-CMDLINE-ON-FAILURE": true, "CMD-ONLY-IF-NOT-DELIVERED": true, "CMD-METHOD-NOT-RECALLED": true,
	"CMD-AFTER-EVENT": true, "CMD-USER-CONTEXT": true, "DELIV-AT-LEAST-ONCE": true, "DELIV-AFTER-REGISTRATION": true,
	"DELIV-RETRY-UNTIL-OK": true, "DELIV-RETRY-INTERVAL": true, "DELIV-BOTH-FAIL-RETRY": true,
	"DELIV-FILE-SERIALIZED": true, "DELIV-FILE-BEFORE-JOB": true, "DELIV-ONCE-AFTER-SUCCESS": true,
	"DELIV-RETRY-STOPS-ON-LEAVE": true, "DELIV-REGISTRANT-CONTEXT": true, "STATE-RESUME-QUEUED": true,
	"STATE-FINAL-IMMUTABLE": true, "STATE-CANCEL": true, "STATE-COMPLETE-DOWNLOAD": true,
	"STATE-PARTIAL-COMPLETE": true, "STATE-SUSPEND": true, "STATE-FATAL-ERROR": true, "STATE-TRANSIENT-RETRY": true,
	"PERSIST-JOBS": true, "PERSIST-OBJECT-DROPPED": true, "PERSIST-CLSID-KEPT": true, "PERSIST-FLAGS-KEPT": true,
	"PERSIST-CMDLINE-KEPT": true, "PERSIST-REDELIVER": true, "PERSIST-CLSID-INSTANCE-DROPPED": true,
	"SEC-OWNER-ONLY": true, "SEC-GETJOB-OTHER-USER": true, "SEC-ADMIN-MODIFY": true,
	"SEC-TAKEOWNERSHIP-REMOVES-CMDLINE": true, "SEC-CALLBACK-REGISTRANT": true,
}

// MachineRules lists the rules the state machine checks, sorted.
func MachineRules() []string {
	var out []string
	for id := range machineRules {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// retryDelay is the MinimumRetryDelay the machine gives every job (the
// smallest BITS allows), so that retries happen within a few steps.
const retryDelay = 5 * time.Second

// mApp is an application of the model.
type mApp struct {
	name  string
	user  model.Account
	app   harness.App
	alive bool // neither exited nor crashed
	dead  bool // crashed: calls to its objects fail
}

// mObj is a registered callback object.
type mObj struct {
	app   *mApp
	fails bool
}

// mClass is a callback class the machine may set as the CLSID.
type mClass struct {
	clsid      model.GUID
	registered bool
	fails      bool
	// activated counts the instances BITS activated, numbered from 1 as
	// harness.Backend.RegisterClass numbers them.
	activated int
}

// mFile is a file and the remote kind behind it.
type mFile struct {
	remote    harness.RemoteKind
	completed bool
	owedFT    bool
}

// mJob is the oracle's view of a job.
type mJob struct {
	id        model.GUID
	creator   *mApp
	handle    model.Job // from the creating app
	owner     model.Account
	state     model.JobState
	files     []*mFile
	flags     model.NotifyFlags
	obj       *mObj
	class     *mClass // nil: no CLSID
	inst      bool    // BITS holds an instance of class
	cmd       bool
	cmdUser   model.Account
	cmdExit   int
	owedJT    bool
	owedJE    bool
	retryAt   time.Duration // 0: no retry scheduled
	retryItem string        // the notification the retry is for
	instUser  string        // the account the held instance runs as
	// clsidSetter is the account that last set the CLSID.
	clsidSetter model.Account
	instN       int // the number of the held instance (CLSID-INSTANCE-REUSED)
	// cmdTookOver: the command line ran after a failed callback for the
	// current event (CMD-METHOD-NOT-RECALLED).
	cmdTookOver bool
	// forgotten: the job was final at a restart, so the service no longer
	// knows it (PERSIST-FINAL-GONE).
	forgotten bool
	// handles are the handles other apps got with GetJob: a final job can
	// still be read through them after its creator has gone.
	handles []mHandle
}

// mHandle is a job handle an app holds.
type mHandle struct {
	app *mApp
	h   model.Job
}

// reader returns a handle through which the oracle may read the job's
// state: the creator's, or another live app's with access.
func (j *mJob) reader() (model.Job, bool) {
	if j.creator.alive && rules.CheckAccess(j.creator.user, j.owner, false).Succeeded() {
		return j.handle, true
	}
	for _, h := range j.handles {
		if h.app.alive && rules.CheckAccess(h.app.user, j.owner, false).Succeeded() {
			return h.h, true
		}
	}
	return nil, false
}

// expected is one receiver observation the oracle predicts.
type expected struct {
	job       model.GUID
	kind      model.EventKind
	target    string // "object:app", "clsid:{…}#instance", "cmdline"
	user      string
	file      string // the local name, for FileTransferred
	delivered bool
}

// machineFile is the local name of a job's i-th file.
func machineFile(i int) string { return fmt.Sprintf(`C:\machine\%d.bin`, i) }

func (e expected) String() string {
	ok := "ok"
	if !e.delivered {
		ok = "failed"
	}
	file := ""
	if e.file != "" {
		file = " (" + e.file + ")"
	}
	return fmt.Sprintf("%v %v%s -> %s as %s: %s", e.kind, e.job, file, e.target, e.user, ok)
}

func keyOf(e model.Event) expected {
	t := "cmdline"
	switch e.Target.Kind {
	case model.TargetObject:
		t = "object:" + e.Target.App
	case model.TargetCLSID:
		t = fmt.Sprintf("clsid:%v#%d", e.Target.CLSID, e.Target.Instance)
	}
	x := expected{job: e.Job, kind: e.Kind, target: t, user: e.User, delivered: e.Delivered()}
	if e.Kind == model.EventFileTransferred {
		x.file = e.File
	}
	return x
}

// machine is one run of the state machine.
type machine struct {
	t        *rapid.T
	b        harness.Backend
	caps     harness.Capabilities
	variants rules.Selection // the readings of the open rules the oracle expects
	exact    bool
	now      time.Duration // virtual time since start
	apps     []*mApp
	observer *mApp // an administrator that never ends, to read states
	jobs     []*mJob
	classes  []*mClass
	want     []expected
	// optional are predictions a backend without exact virtual time may
	// or may not have made by now: the retries the oracle replays in
	// Advance, which such a backend's clock may run early or late.
	optional []expected
	// retriedAtCheck holds the jobs that had a retry pending at the last
	// check: on a clock without exact virtual time that retry may run at
	// any moment until the step that ends it (DELIV-RETRY-INTERVAL), even
	// just before that step's own call, so its attempts seen at the next
	// check are the clock's to time, not the oracle's.
	retriedAtCheck map[model.GUID]bool
	seen           int // trace events already compared
	// lastMod is each job's last JobModification call since the service
	// started, for DELIV-MODIFICATION-RATE.
	lastMod map[model.GUID]time.Time
	appSeq  int
	cmdOK   [2]cmdLine // exit 0, exit 1
}

type cmdLine struct{ program, params string }

var machineUsers = []model.Account{Alice, Alice, Bob, Admin}

// runMachine is the rapid property: a random sequence of operations, with
// the oracle checked after each.
func runMachine(rt *rapid.T, f harness.Factory, tb harness.TB) {
	b := f(tb)
	defer b.Close()
	m := &machine{t: rt, b: b, caps: b.Capabilities()}
	m.variants, _ = harness.BackendVariants(b)
	m.exact = m.caps.VirtualTime
	obs, err := b.StartApp("observer", Admin)
	if err != nil {
		rt.Fatalf("StartApp(observer): %v", err)
	}
	m.observer = &mApp{name: "observer", user: Admin, app: obs, alive: true}
	for i := 0; i < 2; i++ {
		m.startApp(machineUsers[i])
	}
	if m.caps.CLSID {
		for _, spec := range []mClass{{registered: true}, {registered: true, fails: true}, {registered: false}} {
			c := spec
			if c.registered {
				c.clsid, err = b.RegisterClass(harness.Behavior{Fail: c.fails})
				if err != nil {
					rt.Fatalf("RegisterClass: %v", err)
				}
			} else {
				c.clsid = model.NewGUID()
			}
			m.classes = append(m.classes, &c)
		}
	}
	if m.caps.CommandLine {
		for i, exit := range []int{0, 1} {
			p, a, err := b.CommandLine(exit)
			if err != nil {
				rt.Fatalf("CommandLine: %v", err)
			}
			m.cmdOK[i] = cmdLine{p, a}
		}
	}
	rt.Repeat(m.actions())
}

func (m *machine) actions() map[string]func(*rapid.T) {
	a := map[string]func(*rapid.T){
		"":                   m.check,
		"StartApp":           func(t *rapid.T) { m.startApp(rapid.SampledFrom(m.userChoices()).Draw(t, "user")) },
		"CreateJob":          m.createJob,
		"AddFile":            m.addFile,
		"SetNotifyFlags":     m.setFlags,
		"SetNotifyInterface": m.setObject,
		"ClearNotify":        m.clearObject,
		"Resume":             func(t *rapid.T) { m.op(t, rules.OpResume) },
		"Suspend":            func(t *rapid.T) { m.op(t, rules.OpSuspend) },
		"Cancel":             func(t *rapid.T) { m.op(t, rules.OpCancel) },
		"Complete":           func(t *rapid.T) { m.op(t, rules.OpComplete) },
		"AppExit":            m.appExit,
		"Advance":            m.advance,
		"OtherUser":          m.otherUser,
	}
	if m.caps.CLSID {
		a["SetNotifyCLSID"] = m.setCLSID
	}
	if m.caps.CommandLine {
		a["SetNotifyCmdLine"] = m.setCmdLine
	}
	if m.caps.Crash {
		a["AppCrash"] = m.appCrash
	}
	if m.caps.Restart {
		a["Restart"] = m.restart
	}
	if m.caps.Users {
		a["TakeOwnership"] = m.takeOwnership
	}
	return a
}

func (m *machine) userChoices() []model.Account {
	if m.caps.Users {
		return machineUsers
	}
	return machineUsers[:1]
}

func (m *machine) startApp(user model.Account) {
	m.appSeq++
	name := fmt.Sprintf("app%d", m.appSeq)
	a, err := m.b.StartApp(name, user)
	if err != nil {
		m.t.Fatalf("StartApp(%s): %v", name, err)
	}
	m.apps = append(m.apps, &mApp{name: name, user: user, app: a, alive: true})
}

func (m *machine) liveApps() []*mApp {
	var out []*mApp
	for _, a := range m.apps {
		if a.alive {
			out = append(out, a)
		}
	}
	return out
}

// drawApp draws a live app, starting one when none is left.
func (m *machine) drawApp(t *rapid.T) *mApp {
	live := m.liveApps()
	if len(live) == 0 {
		m.startApp(rapid.SampledFrom(m.userChoices()).Draw(t, "user"))
		live = m.liveApps()
	}
	return rapid.SampledFrom(live).Draw(t, "app")
}

// drawJob draws a job, creating one when there is none.
func (m *machine) drawJob(t *rapid.T) *mJob {
	if len(m.jobs) == 0 {
		m.createJob(t)
	}
	return rapid.SampledFrom(m.jobs).Draw(t, "job")
}

// handle returns a handle on j usable by app, and the error of getting it
// when the oracle expects one (to check).
func (m *machine) handle(t *rapid.T, app *mApp, j *mJob) (model.Job, bool) {
	if j.state.IsFinal() {
		// Only the creator's handle still reaches a final job, and only
		// while the creator may access it.
		if !j.creator.alive || rules.CheckAccess(j.creator.user, j.owner, false).Failed() {
			return nil, false
		}
		return j.handle, true
	}
	h, err := app.app.GetJob(j.id)
	want := rules.CheckGetJob(app.user, j.owner, j.state, m.variants)
	m.expectHR(fmt.Sprintf("%s GetJob", app.name), err, want)
	if err == nil && app != j.creator && len(j.handles) < 8 {
		j.handles = append(j.handles, mHandle{app, h})
	}
	// The handle may only be used to change the job if the caller may
	// (SEC-OWNER-ONLY: reading may be allowed where changing is not).
	return h, want.Succeeded() && rules.CheckAccess(app.user, j.owner, true).Succeeded()
}

func (m *machine) expectHR(what string, err error, want model.HRESULT) {
	got := model.HRESULTOf(err)
	if got.Failed() != want.Failed() || (want.Failed() && got != want) {
		m.t.Fatalf("%s: got %v, the rules give %v (%v)", what, got, want, err)
	}
}

// settle lets the backend work and the oracle predict the same.
func (m *machine) settle() {
	if err := m.b.Settle(); err != nil {
		m.t.Fatalf("Settle: %v", err)
	}
	for _, j := range m.jobs {
		m.transfer(j)
		m.deliver(j)
	}
}

func (m *machine) createJob(t *rapid.T) {
	app := m.drawApp(t)
	h, err := app.app.CreateJob("machine", model.BG_JOB_TYPE_DOWNLOAD)
	m.expectHR("CreateJob", err, model.S_OK)
	if err := h.SetMinimumRetryDelay(retryDelay); err != nil {
		t.Fatalf("SetMinimumRetryDelay: %v", err)
	}
	m.jobs = append(m.jobs, &mJob{id: h.GetId(), creator: app, handle: h, owner: app.user,
		state: model.BG_JOB_STATE_SUSPENDED, flags: rules.DefaultNotifyFlags})
	m.settle()
}

func (m *machine) addFile(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	kind := rapid.SampledFrom([]harness.RemoteKind{harness.RemoteOK, harness.RemoteOK, harness.RemoteTransient, harness.RemoteFatal}).Draw(t, "remote")
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	url, err := m.b.Remote(kind, 1000)
	if err != nil {
		t.Fatalf("Remote: %v", err)
	}
	err = h.AddFile(url, machineFile(len(j.files)))
	want := rules.CheckAddFiles(rules.DefaultLimits, m.caps.Version, app.user, j.state, model.BG_JOB_TYPE_DOWNLOAD, len(j.files), 1)
	m.expectHR("AddFile", err, want)
	if want.Succeeded() {
		j.files = append(j.files, &mFile{remote: kind})
	}
	m.settle()
}

func (m *machine) setFlags(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	flags := rapid.SampledFrom([]model.NotifyFlags{0, 0x1, 0x2, 0x3, 0x7, 0x13, 0x11, 0x40}).Draw(t, "flags")
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	err := h.SetNotifyFlags(flags)
	want := rules.CheckSetNotifyFlags(m.caps.Version, j.state, flags, m.variants)
	m.expectHR(fmt.Sprintf("SetNotifyFlags(%v)", flags), err, want)
	if want.Succeeded() {
		j.flags = flags
		m.kick(j)
	}
	m.settle()
}

func (m *machine) setObject(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	fails := rapid.Bool().Draw(t, "fails")
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	err := h.SetNotifyInterface(app.app.Callback(harness.Behavior{Fail: fails}))
	want := rules.CheckModify(j.state)
	m.expectHR("SetNotifyInterface", err, want)
	if want.Succeeded() {
		j.obj = &mObj{app: app, fails: fails}
		j.inst, j.cmdTookOver = false, false
		switch j.state {
		case model.BG_JOB_STATE_TRANSFERRED:
			j.owedJT = true
		case model.BG_JOB_STATE_ERROR:
			j.owedJE = true
		}
		j.retryAt = 0 // a new object gets what is owed at once
	}
	m.settle()
}

func (m *machine) clearObject(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	err := h.SetNotifyInterface(nil)
	want := rules.CheckModify(j.state)
	m.expectHR("SetNotifyInterface(nil)", err, want)
	if want.Succeeded() {
		j.obj = nil
	}
	m.settle()
}

func (m *machine) setCLSID(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	choice := rapid.IntRange(-1, len(m.classes)-1).Draw(t, "class")
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	var class *mClass
	clsid := model.GUID_NULL
	if choice >= 0 {
		class = m.classes[choice]
		clsid = class.clsid
	}
	err := h.SetNotifyCLSID(clsid)
	want := rules.CheckSetNotifyCLSID(j.state, clsid, class != nil && class.registered, m.variants)
	m.expectHR("SetNotifyCLSID", err, want)
	if want.Succeeded() {
		if j.class != class {
			j.inst = false
		}
		j.class = class
		j.clsidSetter = app.user
		if class == nil {
			j.clsidSetter = model.Account{}
		}
		m.kick(j)
	}
	m.settle()
}

func (m *machine) setCmdLine(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	choice := rapid.IntRange(-1, 1).Draw(t, "cmdline")
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	var err error
	if choice < 0 {
		err = h.SetNotifyCmdLine("", "")
	} else {
		err = h.SetNotifyCmdLine(m.cmdOK[choice].program, m.cmdOK[choice].params)
	}
	want := rules.CheckModify(j.state)
	m.expectHR("SetNotifyCmdLine", err, want)
	if want.Succeeded() {
		j.cmd = choice >= 0
		j.cmdExit = max(choice, 0)
		j.cmdUser = app.user
		m.kick(j)
	}
	m.settle()
}

func (m *machine) op(t *rapid.T, op rules.Op) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	var err error
	switch op {
	case rules.OpResume:
		err = h.Resume()
	case rules.OpSuspend:
		err = h.Suspend()
	case rules.OpCancel:
		err = h.Cancel()
	case rules.OpComplete:
		_, err = h.Complete()
	}
	tr := rules.Apply(j.state, op, j.facts(), m.variants)
	m.expectHR(op.String(), err, tr.Result)
	m.setState(j, tr.Next)
	m.settle()
}

func (j *mJob) facts() rules.JobFacts {
	done := 0
	for _, f := range j.files {
		if f.completed {
			done++
		}
	}
	return rules.JobFacts{Type: model.BG_JOB_TYPE_DOWNLOAD, Files: len(j.files), FilesTransferred: done}
}

// kick makes what j owes go out now, unless a retry is pending for a
// notification still owed: then everything waits for it
// (DELIV-RETRY-INTERVAL).
func (m *machine) kick(j *mJob) {
	if j.retryAt != 0 && j.retryAt > m.now && j.owes(j.retryItem, m.variants) {
		return
	}
	j.retryAt = 0
}

// owes reports whether the notification with key k is still owed.
func (j *mJob) owes(k string, sel rules.Selection) bool {
	for i, f := range j.files {
		if k == fmt.Sprint(model.EventFileTransferred, i) {
			return f.owedFT
		}
	}
	switch k {
	case fmt.Sprint(model.EventJobTransferred, -1):
		return j.owedJT && rules.OwedDeliverable(model.EventJobTransferred, j.state, sel)
	case fmt.Sprint(model.EventJobError, -1):
		return j.owedJE && rules.OwedDeliverable(model.EventJobError, j.state, sel)
	}
	return false
}

// setState moves the model job, keeping what is owed in step with the
// state (DELIV-RETRY-STOPS-ON-LEAVE).
func (m *machine) setState(j *mJob, to model.JobState) {
	if j.state == to {
		return
	}
	if j.state == model.BG_JOB_STATE_TRANSFERRED && !rules.OwedOnLeave(to, m.variants) {
		j.owedJT, j.cmdTookOver = false, false
	}
	if j.state == model.BG_JOB_STATE_ERROR && !rules.OwedOnLeave(to, m.variants) {
		j.owedJE, j.cmdTookOver = false, false
	}
	j.state = to
	switch to {
	case model.BG_JOB_STATE_TRANSFERRED:
		j.owedJT = true
		m.kick(j)
	case model.BG_JOB_STATE_ERROR:
		j.owedJE = true
		m.kick(j)
	}
	if to.IsFinal() {
		j.obj, j.inst, j.retryAt = nil, false, 0
		for _, f := range j.files {
			f.owedFT = false
		}
	}
}

// transfer predicts what the scheduler does with a QUEUED job: files in
// order, the first transient or fatal remote stops the job.
func (m *machine) transfer(j *mJob) {
	if j.state != model.BG_JOB_STATE_QUEUED {
		return
	}
	for _, f := range j.files {
		if f.completed {
			continue
		}
		switch f.remote {
		case harness.RemoteTransient:
			m.setState(j, model.BG_JOB_STATE_TRANSIENT_ERROR)
			return
		case harness.RemoteFatal:
			m.setState(j, model.BG_JOB_STATE_ERROR)
			return
		}
		f.completed = true
		f.owedFT = true
		m.kick(j) // a finished file makes BITS deliver at once
	}
	m.setState(j, model.BG_JOB_STATE_TRANSFERRED)
}

// registration is the rules' view of j's notification set-up.
func (m *machine) registration(j *mJob) rules.Registration {
	return rules.Registration{Version: m.caps.Version, Flags: j.flags, Object: j.obj != nil,
		CLSID: j.class != nil, Instance: j.inst, CmdLine: j.cmd, OwnerIsServiceAccount: j.owner.IsServiceAccount(),
		CmdLineTookOver: j.cmdTookOver, Variants: m.variants}
}

// fates predicts how each attempt on j's receivers ends.
func (m *machine) fates(j *mJob) rules.Fates {
	f := rules.Fates{Activation: rules.FateOK}
	if j.obj != nil {
		switch {
		case j.obj.app.dead:
			f.Object = rules.FateDisconnected
		case j.obj.fails:
			f.Object = rules.FateFails
		}
	}
	if j.class != nil {
		if !j.class.registered {
			f.Activation = rules.FateActivationFails
		}
		if j.class.fails {
			f.Instance, f.NewInstance = rules.FateFails, rules.FateFails
		}
	}
	if j.cmdExit != 0 {
		f.CmdLine = rules.FateFails
	}
	return f
}

// deliver predicts the deliveries of what j owes now.
func (m *machine) deliver(j *mJob) {
	if j.state.IsFinal() || (j.retryAt != 0 && j.retryAt > m.now) {
		return
	}
	j.retryAt = 0
	skip := map[string]bool{}
	for {
		kind, file, ok := j.next(skip, m.variants)
		if !ok {
			return
		}
		p := rules.Route(m.registration(j), kind, m.fates(j))
		m.predict(j, kind, file, &p)
		if p.DropObject {
			j.obj = nil
		}
		if p.DropInstance {
			j.inst = false
		}
		if p.KeepInstance {
			j.inst = true
		}
		if p.CmdLineTookOver && (kind == model.EventJobTransferred || kind == model.EventJobError) {
			j.cmdTookOver = true
		}
		switch {
		case p.Settled:
			switch kind {
			case model.EventFileTransferred:
				j.files[file].owedFT = false
			case model.EventJobTransferred:
				j.owedJT = false
			case model.EventJobError:
				j.owedJE = false
			}
		case p.Outcome == rules.OutcomeRetry:
			j.retryAt = m.now + p.RetryDelay(retryDelay, m.variants)
			j.retryItem = fmt.Sprint(kind, file)
			return
		default:
			skip[fmt.Sprint(kind, file)] = true
		}
	}
}

// next returns the next notification j owes, in delivery order.
func (j *mJob) next(skip map[string]bool, sel rules.Selection) (model.EventKind, int, bool) {
	for i, f := range j.files {
		if f.owedFT && !skip[fmt.Sprint(model.EventFileTransferred, i)] {
			return model.EventFileTransferred, i, true
		}
	}
	if j.owedJT && rules.OwedDeliverable(model.EventJobTransferred, j.state, sel) && !skip[fmt.Sprint(model.EventJobTransferred, -1)] {
		return model.EventJobTransferred, -1, true
	}
	if j.owedJE && rules.OwedDeliverable(model.EventJobError, j.state, sel) && !skip[fmt.Sprint(model.EventJobError, -1)] {
		return model.EventJobError, -1, true
	}
	return 0, 0, false
}

// predict turns a plan's attempts into the observations receivers make:
// an attempt on a dead process or an unregistered class reaches nobody.
func (m *machine) predict(j *mJob, kind model.EventKind, file int, p *rules.Plan) {
	for _, st := range p.Steps() {
		e := expected{job: j.id, kind: kind, delivered: st.Fate == rules.FateOK}
		if kind == model.EventFileTransferred {
			e.file = machineFile(file)
		}
		switch st.Target {
		case model.TargetObject:
			if st.Fate == rules.FateDisconnected {
				continue
			}
			e.target, e.user = "object:"+j.obj.app.name, j.obj.app.user.Name
		case model.TargetCLSID:
			if st.Fate == rules.FateActivationFails || st.Fate == rules.FateDisconnected {
				continue
			}
			if st.Activate {
				// CLSID-OWNER-CONTEXT: the machine's classes name no RunAs.
				j.instUser = rules.ActivationAccount(j.owner, j.clsidSetter, nil, m.variants).Name
				j.class.activated++
				j.instN = j.class.activated
			}
			e.target, e.user = fmt.Sprintf("clsid:%v#%d", j.class.clsid, j.instN), j.instUser
		case model.TargetCommandLine:
			e.kind, e.target, e.user, e.file = model.EventCommandLine, "cmdline", j.cmdUser.Name, ""
		}
		m.want = append(m.want, e)
	}
}

func (m *machine) appExit(t *rapid.T) {
	app := m.drawApp(t)
	if err := app.app.Exit(); err != nil {
		t.Fatalf("Exit(%s): %v", app.name, err)
	}
	app.alive = false
	for _, j := range m.jobs {
		if j.obj != nil && j.obj.app == app {
			j.obj = nil
		}
	}
	m.settle()
}

func (m *machine) appCrash(t *rapid.T) {
	app := m.drawApp(t)
	if err := app.app.Crash(); err != nil {
		t.Fatalf("Crash(%s): %v", app.name, err)
	}
	app.alive, app.dead = false, true
	m.settle()
}

func (m *machine) restart(t *rapid.T) {
	if err := m.b.Restart(); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	m.lastMod = nil // the service that made the calls is gone
	for _, j := range m.jobs {
		if j.state.IsFinal() {
			j.forgotten = true // PERSIST-FINAL-GONE
			continue
		}
		// Objects, instances and in-flight delivery state are gone; what is
		// owed is delivered afresh, callbacks first (PERSIST-REDELIVER).
		j.obj, j.inst, j.retryAt, j.cmdTookOver = nil, false, 0, false
		j.state = rules.StateAfterRestart(j.state, m.variants)
		if rules.OwedAfterRestart(j.state, m.variants) {
			j.owedJT = j.owedJT || j.state == model.BG_JOB_STATE_TRANSFERRED
			j.owedJE = j.owedJE || j.state == model.BG_JOB_STATE_ERROR
		}
	}
	m.settle()
}

func (m *machine) advance(t *rapid.T) {
	d := rapid.SampledFrom([]time.Duration{time.Second, retryDelay, 12 * time.Second, time.Minute}).Draw(t, "d")
	if err := m.b.Advance(d); err != nil {
		t.Fatalf("Advance: %v", err)
	}
	end := m.now + d
	// Replay the retries due on the way, in time order.
	for {
		var first *mJob
		for _, j := range m.jobs {
			if j.retryAt != 0 && j.retryAt <= end && (first == nil || j.retryAt < first.retryAt) {
				first = j
			}
		}
		if first == nil {
			break
		}
		m.now = first.retryAt
		before := len(m.want)
		m.deliver(first)
		if !m.exact {
			m.optional = append(m.optional, m.want[before:]...)
			m.want = m.want[:before]
		}
	}
	m.now = end
	m.settle()
}

func (m *machine) takeOwnership(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	h, ok := m.handle(t, app, j)
	if !ok {
		return
	}
	err := h.TakeOwnership()
	want := rules.CheckTakeOwnership(app.user, j.state)
	m.expectHR("TakeOwnership", err, want)
	if want.Succeeded() {
		j.owner = app.user
		j.cmd = false
		if rules.TakeOwnershipClearsCLSID(m.variants) && j.class != nil {
			j.class, j.inst, j.clsidSetter = nil, false, model.Account{}
		}
	}
	m.settle()
}

// otherUser has an app of another, non-administrator user touch the job.
func (m *machine) otherUser(t *rapid.T) {
	j := m.drawJob(t)
	app := m.drawApp(t)
	h, err := app.app.GetJob(j.id)
	want := rules.CheckGetJob(app.user, j.owner, j.state, m.variants)
	if j.forgotten {
		want = model.BG_E_NOT_FOUND
	}
	m.expectHR(app.name+" GetJob", err, want)
	if err == nil {
		_, err = h.GetState()
		m.expectHR("GetState", err, model.S_OK)
	}
}

// machineSteps counts the checks the state machine made (one per step),
// for its benchmark.
var machineSteps atomic.Int64

// check compares the backend with the oracle: every job's state, and the
// receivers' observations since the last check.
func (m *machine) check(t *rapid.T) {
	machineSteps.Add(1)
	for _, j := range m.jobs {
		var st model.JobState
		var err error
		if j.state.IsFinal() {
			h, ok := j.reader()
			if !ok {
				continue
			}
			st, err = h.GetState()
		} else {
			var h model.Job
			h, err = m.observer.app.GetJob(j.id)
			if err == nil {
				st, err = h.GetState()
			}
			if err == nil {
				m.checkRegistration(t, j, h)
			}
		}
		if err != nil {
			t.Fatalf("job %v: GetState: %v", j.id, err)
		}
		if st != j.state {
			t.Fatalf("job %v: state %v, the oracle expects %v", j.id, st, j.state)
		}
	}
	trace := m.b.Trace()
	var got []expected
	for _, e := range trace[m.seen:] {
		if e.Kind == model.EventJobModification {
			m.checkModificationRate(t, e)
		}
		if e.Kind != model.EventJobModification && e.Kind != model.EventFileRangesTransferred {
			got = append(got, keyOf(e))
		}
	}
	m.seen = len(trace)
	want := m.want
	m.want = nil
	if !m.exact {
		got = m.dropTimed(got)
	}
	if msg := compare(got, want, m.exact); msg != "" {
		t.Fatalf("notifications differ from the oracle:\n%s", msg)
	}
	m.retriedAtCheck = m.retrying()
}

// checkModificationRate checks DELIV-MODIFICATION-RATE's part that every
// reading shares: on BITS 10.1 and later, on a clock that moves exactly,
// "at most one JobModification per job per
// BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS (default 500 ms)"
// (the machine never sets the property). When the interval starts is the
// rule's open question; its files check each reading.
func (m *machine) checkModificationRate(t *rapid.T, e model.Event) {
	if !m.exact || m.caps.Version < model.BITS10_1 {
		return
	}
	if m.lastMod == nil {
		m.lastMod = map[model.GUID]time.Time{}
	}
	if last, ok := m.lastMod[e.Job]; ok && e.Time.Sub(last) < rules.MinimumNotificationInterval {
		t.Fatalf("job %v: JobModification %v after the one before, less than the %v interval (DELIV-MODIFICATION-RATE)",
			e.Job, e.Time.Sub(last), rules.MinimumNotificationInterval)
	}
	m.lastMod[e.Job] = e.Time
}

// retrying returns the jobs with a retry pending now.
func (m *machine) retrying() map[model.GUID]bool {
	pending := map[model.GUID]bool{}
	for _, j := range m.jobs {
		if j.retryAt != 0 {
			pending[j.id] = true
		}
	}
	return pending
}

// checkRegistration reads the job's registrations back through h and
// compares them with the oracle's: the flags, the CLSID, the command line,
// and whether an object is registered (a clean Exit clears the app's own,
// a crash leaves it until BITS finds the app gone).
func (m *machine) checkRegistration(t *rapid.T, j *mJob, h model.Job) {
	flags, err := h.GetNotifyFlags()
	if err != nil || flags != j.flags {
		t.Fatalf("job %v: GetNotifyFlags = %v, %v; the oracle expects %v", j.id, flags, err, j.flags)
	}
	cb, err := h.GetNotifyInterface()
	if err != nil || (cb == nil) != (j.obj == nil) {
		t.Fatalf("job %v: GetNotifyInterface = %v, %v; the oracle expects an object: %v", j.id, cb, err, j.obj != nil)
	}
	if m.caps.CLSID {
		want := model.GUID_NULL
		if j.class != nil {
			want = j.class.clsid
		}
		got, err := h.GetNotifyCLSID()
		if err != nil || got != want {
			t.Fatalf("job %v: GetNotifyCLSID = %v, %v; the oracle expects %v", j.id, got, err, want)
		}
	}
	if m.caps.CommandLine {
		want := ""
		if j.cmd {
			want = m.cmdOK[j.cmdExit].program
		}
		got, _, err := h.GetNotifyCmdLine()
		if err != nil || got != want {
			t.Fatalf("job %v: GetNotifyCmdLine = %q, %v; the oracle expects %q", j.id, got, err, want)
		}
	}
}

// dropTimed removes from the observations of a backend without exact
// virtual time the ones whose timing its clock decides: the retries the
// oracle replayed as optional, and any call about a job with a retry
// pending now or at the last check (real time moves between steps, so the
// retry may come early: a retry already owed may still run before the step
// that clears it, a restart, a Complete or a new callback object, makes
// its call).
func (m *machine) dropTimed(got []expected) []expected {
	pending := m.retrying()
	for id := range m.retriedAtCheck {
		pending[id] = true
	}
	opt := map[expected]int{}
	for _, e := range m.optional {
		opt[e]++
	}
	var keep []expected
	for _, e := range got {
		switch {
		case opt[e] > 0:
			opt[e]--
		case pending[e.job]:
		default:
			keep = append(keep, e)
		}
	}
	return keep
}

// compare checks the observations against the predictions: as multisets
// when the backend is exact, otherwise every predicted successful delivery
// must appear and nothing may reach a receiver the oracle rules out.
func compare(got, want []expected, exact bool) string {
	count := func(es []expected) map[expected]int {
		m := map[expected]int{}
		for _, e := range es {
			m[e]++
		}
		return m
	}
	g, w := count(got), count(want)
	var diffs []string
	keys := map[expected]bool{}
	for k := range g {
		keys[k] = true
	}
	for k := range w {
		keys[k] = true
	}
	for k := range keys {
		switch {
		case exact && g[k] != w[k]:
			diffs = append(diffs, fmt.Sprintf("  %v: observed %d, expected %d", k, g[k], w[k]))
		case !exact && w[k] > 0 && k.delivered && g[k] == 0:
			diffs = append(diffs, fmt.Sprintf("  %v: expected, not observed", k))
		case !exact && w[k] == 0 && g[k] > 0:
			diffs = append(diffs, fmt.Sprintf("  %v: observed, not expected", k))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "\n")
}
