package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bitssim/bitssim/internal/textdist"
	"github.com/bitssim/bitssim/model"
)

// ExpectKind is what an expectation checks.
type ExpectKind int

// The kinds of expectation.
const (
	// ExpectState: expect JOB state STATE
	ExpectState ExpectKind = iota + 1
	// ExpectFlags: expect JOB flags FLAGS
	ExpectFlags
	// ExpectOwner: expect JOB owner USER
	ExpectOwner
	// ExpectInterface: expect JOB interface APP|none
	ExpectInterface
	// ExpectCLSID: expect JOB clsid CLASS|NULL
	ExpectCLSID
	// ExpectCmdLine: expect JOB cmdline PROGRAM [PARAMETERS] | none
	ExpectCmdLine
	// ExpectNotified: expect [since MARK] [JOB] [no] KIND [-> TARGET] [xN]
	// [failed] [as USER] [file PATH]
	ExpectNotified
	// ExpectBytes: expect JOB bytes TRANSFERRED/TOTAL (TOTAL may be unknown)
	ExpectBytes
	// ExpectFiles: expect JOB files TRANSFERRED/TOTAL, or expect JOB
	// files in order (Value "in order"): the files complete so far come
	// first, at most one is partly transferred, and none after it has a
	// byte (FILE-FIFO).
	ExpectFiles
	// ExpectError: expect JOB error HRESULT [CONTEXT] | none
	ExpectError
	// ExpectProperty: expect JOB property PROPERTY VALUE
	ExpectProperty
	// ExpectOrder: expect order EVENT then EVENT ..., each EVENT written
	// [JOB] KIND [-> TARGET] [failed] [as USER] [file PATH]
	ExpectOrder
	// ExpectEnum: expect enumjobs APP [all] JOB... | none
	ExpectEnum
	// ExpectGet: expect JOB displayname|description|priority|type|errorcount|
	// retrydelay|noprogresstimeout|maxdownloadtime VALUE
	ExpectGet
	// ExpectFileGet: expect JOB file N validation|peer|completed|bytes|ranges VALUE
	ExpectFileGet
	// ExpectInFlight: expect inflight USER N (clock automatic): how many
	// callbacks of the user's run now
	ExpectInFlight
	// ExpectHeaders: expect JOB headers HEADER... | none [length=N
	// fill=C]: GetCustomHeaders (IBackgroundCopyJobHttpOptions)
	ExpectHeaders
	// ExpectClientCert: expect JOB clientcert LOCATION STORE SUBJECT |
	// none: GetClientCertificate
	ExpectClientCert
)

// Expectation is a parsed expect statement.
type Expectation struct {
	Kind ExpectKind
	Job  string
	// Value is the expected state, flags, owner, app, class or program.
	Value string
	// Parameters is the expected command-line parameters.
	Parameters string
	// Event is the notification kind of ExpectNotified.
	Event model.EventKind
	// Target is an app name, a class name (optionally "#n"), "cmdline", or
	// "" for any target.
	Target string
	// Count is the exact number expected, or -1 for "at least one" (or,
	// with Negate, "none").
	Count int
	// Negate: "expect JOB no KIND": no such notification.
	Negate bool
	// Failed: count failed attempts instead of successful deliveries.
	Failed bool
	// Since is a mark: only notifications after it count.
	Since string
	// User is the account the notification must have run as ("" for any).
	User string
	// File is the local name of the file of FileTransferred ("" for any).
	File string
	// Order lists the notifications of ExpectOrder, first to last.
	Order []*Expectation
	// App, All and Jobs are the caller, BG_JOB_ENUM_ALL_USERS and the jobs
	// of ExpectEnum (empty for none).
	App  string
	All  bool
	Jobs []string
	// FileN is the file (from 1) of ExpectFileGet.
	FileN int

	// What a notification carried, for ExpectNotified and the events of
	// ExpectOrder: only notifications with these count. Program and
	// Parameters are a CommandLine launch's, as the backend recorded
	// them (HasProgram, HasParameters: given, so that "" can be
	// expected); Ranges the ranges of a FileRangesTransferred, as a set
	// ("" for any); At, with HasAt, the time of the notification from the
	// start of the run.
	LaunchProgram, LaunchParameters string
	HasProgram, HasParameters       bool
	Ranges                          string
	At                              time.Duration
	HasAt                           bool
	// Spaced, for ExpectNotified: every two matching notifications in a
	// row are at least this far apart in time (0: not checked).
	Spaced time.Duration
	// Reported, for ExpectNotified of FileRangesTransferred: together the
	// matching calls reported exactly these ranges, each byte once.
	Reported string

	// FailsWith, for an expectation on a getter ("expect JOB GETTER ...
	// -> HRESULT"): the getter must fail with this HRESULT, or with
	// FailsNot return anything but it (success included).
	FailsWith model.HRESULT
	FailsNot  bool
	// Cert is the certificate of ExpectClientCert (nil for none).
	Cert *model.ClientCertificate
}

// getterKinds are the getters "expect JOB GETTER -> HRESULT" can call,
// with the arguments each takes before the arrow.
var getterKinds = map[string]struct {
	kind ExpectKind
	args int
}{
	"state": {ExpectState, 0}, "flags": {ExpectFlags, 0}, "owner": {ExpectOwner, 0}, "interface": {ExpectInterface, 0},
	"clsid": {ExpectCLSID, 0}, "cmdline": {ExpectCmdLine, 0}, "bytes": {ExpectBytes, 0}, "files": {ExpectFiles, 0},
	"error": {ExpectError, 0}, "headers": {ExpectHeaders, 0}, "clientcert": {ExpectClientCert, 0},
	"property": {ExpectProperty, 1}, "file": {ExpectFileGet, 2},
}

// isGetter reports whether w names a getter "expect JOB GETTER ->
// HRESULT" can call; any other word before an arrow is a notification's
// (expect JOB KIND -> TARGET), or a misspelt one.
func isGetter(w string) bool {
	w = strings.ToLower(w)
	_, kind := getterKinds[w]
	_, plain := jobGetters[w]
	return kind || plain
}

// getterFails parses the rest of "expect JOB GETTER [ARGS] -> HRESULT"
// (isGetter(what)): the getter's arguments, without a value.
func (p *parser) getterFails(line int, e *Expectation, what token, rest []token) (*Expectation, error) {
	name := strings.ToLower(what.text) // a getter: isGetter
	g := getterKinds[name]
	if _, plain := jobGetters[name]; plain {
		g.kind, g.args = ExpectGet, 0
	}
	if len(rest) != g.args {
		usage := map[int]string{0: "expect JOB " + name + " -> HRESULT", 1: "expect JOB property PROPERTY -> HRESULT", 2: "expect JOB file N NAME -> HRESULT"}[g.args]
		at := what
		if len(rest) > 0 {
			at = rest[len(rest)-1]
		}
		return nil, p.err(line, at, "a getter that must fail takes no value", "write "+usage)
	}
	e.Kind = g.kind
	switch g.kind {
	case ExpectGet:
		e.Value = name
	case ExpectProperty:
		id, err := model.ParseJobPropertyID(rest[0].text)
		if err != nil || !id.Valid() {
			return nil, p.err(line, rest[0], "unknown job property", "use e.g. DYNAMIC_CONTENT, ID_COST_FLAGS or NOTIFICATION_CLSID")
		}
		e.Value = rest[0].text
	case ExpectFileGet:
		n, err := strconv.Atoi(rest[0].text)
		if err != nil || n < 1 {
			return nil, p.err(line, rest[0], "not a file number", "files count from 1 in the order they were added")
		}
		fname := strings.ToLower(rest[1].text)
		if _, ok := fileGetters[fname]; !ok {
			return nil, p.err(line, rest[1], "unknown file property", "check validation, peer, completed, bytes, ranges, tempdir, local or remote")
		}
		e.FileN, e.Value = n, fname
	}
	return e, nil
}

// expectation parses the arguments of expect.
func (p *parser) expectation(line int, verb token, args []token) (*Expectation, error) {
	if len(args) == 1 && isEventKind(args[0].text) {
		return p.notifiedWithJob(line, args) // expect JobTransferred: any job
	}
	if len(args) < 2 {
		return nil, p.err(line, verb, "expect needs a job and what to check", "usage: "+verbs["expect"].usage)
	}
	e := p.newExp(Expectation{Job: args[0].text, Count: -1})
	switch strings.ToLower(args[0].text) {
	case "since":
		if !p.marks[args[1].text] {
			return nil, p.err(line, args[1], fmt.Sprintf("unknown mark %q", args[1].text), "set it first: mark "+args[1].text)
		}
		if len(args) < 3 {
			return nil, p.err(line, args[1], "expect since MARK needs a notification", "write e.g. expect since "+args[1].text+" no JobTransferred")
		}
		e, err := p.notifiedWithJob(line, args[2:])
		if err != nil {
			return nil, err
		}
		e.Since = args[1].text
		return e, nil
	case "order":
		return p.order(line, args)
	case "enumjobs":
		return p.enum(line, args)
	case "inflight":
		if len(args) != 3 {
			return nil, p.err(line, args[0], "expect inflight takes a user and a count", "write e.g. expect inflight alice 4")
		}
		n, err := strconv.Atoi(args[2].text)
		if err != nil || n < 0 {
			return nil, p.err(line, args[2], "not a count", "write a whole number")
		}
		return p.newExp(Expectation{Kind: ExpectInFlight, Value: args[1].text, Count: n}), nil
	}
	if !p.isJob(e.Job) {
		if strings.EqualFold(e.Job, "no") || isEventKind(e.Job) {
			return p.notifiedWithJob(line, args) // any job
		}
		return nil, p.err(line, args[0], fmt.Sprintf("unknown job %q", e.Job), "create it first: APP: create "+e.Job)
	}
	what := args[1]
	rest := args[2:]
	// "by APP" at the end: the getter is called through APP's handle on
	// the job (GetJob by APP), not the first that works.
	if n := len(rest); n >= 2 && !rest[n-2].quoted && strings.EqualFold(rest[n-2].text, "by") && !isEventKind(what.text) && !strings.EqualFold(what.text, "no") {
		if !p.apps[rest[n-1].text] {
			return nil, p.err(line, rest[n-1], fmt.Sprintf("unknown app %q", rest[n-1].text), "by names the app whose handle reads the job: start it first")
		}
		e.App = rest[n-1].text
		rest = rest[:n-2]
	}
	// "-> HRESULT" at the end: the getter must fail with it ("->
	// !HRESULT": return anything but it), and no value is written.
	if n := len(rest); n >= 2 && !rest[n-2].quoted && rest[n-2].text == "->" && isGetter(what.text) {
		text, not := strings.CutPrefix(rest[n-1].text, "!")
		hr, err := model.ParseHRESULT(text)
		if err != nil {
			return nil, p.err(line, rest[n-1], "not an HRESULT", "use a name like E_ACCESSDENIED or a value like 0x80070005")
		}
		e.FailsWith, e.FailsNot = hr, not
		return p.getterFails(line, e, what, rest[:n-2])
	}
	one := func(hint string) (token, error) {
		if len(rest) != 1 {
			at := what
			if len(rest) > 0 {
				at = rest[len(rest)-1]
			}
			return token{}, p.err(line, at, "expect "+what.text+" takes one value", hint)
		}
		return rest[0], nil
	}
	switch p.lower(what.text) {
	case "state":
		e.Kind = ExpectState
		t, err := one("write e.g. expect job1 state TRANSFERRED")
		if err != nil {
			return nil, err
		}
		if _, err := model.ParseJobState(t.text); err != nil {
			return nil, p.err(line, t, "unknown job state", "use QUEUED, CONNECTING, TRANSFERRING, SUSPENDED, ERROR, TRANSIENT_ERROR, TRANSFERRED, ACKNOWLEDGED or CANCELLED")
		}
		e.Value = t.text
	case "flags":
		e.Kind = ExpectFlags
		t, err := one("write e.g. expect job1 flags JOB_TRANSFERRED|JOB_ERROR")
		if err != nil {
			return nil, err
		}
		if _, err := model.ParseNotifyFlags(t.text); err != nil {
			return nil, p.err(line, t, "not notify flags", "write e.g. JOB_TRANSFERRED|JOB_ERROR or 0x3")
		}
		e.Value = t.text
	case "owner":
		e.Kind = ExpectOwner
		t, err := one("write e.g. expect job1 owner alice")
		if err != nil {
			return nil, err
		}
		e.Value = t.text
	case "interface":
		e.Kind = ExpectInterface
		t, err := one("write e.g. expect job1 interface A, any or none")
		if err != nil {
			return nil, err
		}
		anyObject := strings.EqualFold(t.text, "any") && !p.apps[t.text]
		if !strings.EqualFold(t.text, "none") && !p.apps[t.text] && !anyObject {
			return nil, p.err(line, t, fmt.Sprintf("unknown app %q", t.text), "name an app, or any, or none")
		}
		e.Value = t.text
		if anyObject {
			e.Parameters = "any" // an object, whoever's
		}
	case "clsid":
		e.Kind = ExpectCLSID
		t, err := one("write e.g. expect job1 clsid Notifier, or NULL")
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(t.text, "NULL") && !p.classes[t.text] {
			return nil, p.err(line, t, fmt.Sprintf("unknown class %q", t.text), "name a class, or NULL")
		}
		e.Value = t.text
	case "cmdline":
		e.Kind = ExpectCmdLine
		if len(rest) < 1 || len(rest) > 2 {
			return nil, p.err(line, what, "expect cmdline takes a program and optional parameters, or none", `write e.g. expect job1 cmdline C:\n.exe "C:\n.exe job1"`)
		}
		e.Value = rest[0].text
		if len(rest) == 2 {
			e.Parameters = rest[1].text
		}
	case "bytes", "files":
		e.Kind = ExpectBytes
		if strings.EqualFold(what.text, "files") {
			e.Kind = ExpectFiles
			if len(rest) == 2 && strings.EqualFold(rest[0].text, "in") && strings.EqualFold(rest[1].text, "order") {
				e.Value = filesInOrder // FILE-FIFO, of every file's progress
				break
			}
		}
		t, err := one("write e.g. expect job1 " + strings.ToLower(what.text) + " 2/2")
		if err != nil {
			return nil, err
		}
		done, total, ok := strings.Cut(t.text, "/")
		_, err1 := strconv.ParseUint(done, 10, 64)
		_, err2 := strconv.ParseUint(total, 10, 64)
		if !ok || err1 != nil || (err2 != nil && !(e.Kind == ExpectBytes && strings.EqualFold(total, "unknown"))) {
			return nil, p.err(line, t, "not a count of the form TRANSFERRED/TOTAL", "write e.g. 1024/4096 (bytes may be N/unknown)")
		}
		e.Value = t.text
	case "error":
		e.Kind = ExpectError
		if len(rest) < 1 || len(rest) > 2 {
			return nil, p.err(line, what, "expect error takes an HRESULT and an optional context, or none", "write e.g. expect job1 error BG_E_HTTP_ERROR_404 REMOTE_FILE")
		}
		e.Value = rest[0].text
		if !strings.EqualFold(e.Value, "none") {
			if _, err := model.ParseHRESULT(e.Value); err != nil {
				return nil, p.err(line, rest[0], "not an HRESULT", "use a name like BG_E_HTTP_ERROR_404 or a value like 0x80190194, or none")
			}
		} else if len(rest) == 2 {
			return nil, p.err(line, rest[1], "none takes no context", "write expect job1 error none")
		}
		if len(rest) == 2 {
			if _, err := model.ParseErrorContext(rest[1].text); err != nil {
				return nil, p.err(line, rest[1], "unknown error context", "use NONE, UNKNOWN, GENERAL_QUEUE_MANAGER, QUEUE_MANAGER_NOTIFICATION, LOCAL_FILE, REMOTE_FILE, GENERAL_TRANSPORT, REMOTE_APPLICATION or SERVER_CERTIFICATE_CALLBACK")
			}
			e.Parameters = rest[1].text
		}
	case "headers":
		e.Kind = ExpectHeaders
		h, err := p.headers(line, what, rest)
		if err != nil {
			return nil, err
		}
		e.Value = h
	case "clientcert":
		e.Kind = ExpectClientCert
		if len(rest) == 1 && strings.EqualFold(rest[0].text, "none") {
			e.Value = "none"
			break
		}
		if len(rest) != 3 {
			return nil, p.err(line, what, "expect clientcert takes a store location, a store and a subject, or none", `write e.g. expect job1 clientcert CURRENT_USER MY "Test Cert"`)
		}
		if _, err := parseCertLocation(rest[0].text); err != nil {
			return nil, p.err(line, rest[0], err.Error(), certLocationHint)
		}
		loc, _ := parseCertLocation(rest[0].text)
		e.Value, e.Cert = rest[0].text, &model.ClientCertificate{StoreLocation: loc, StoreName: rest[1].text, SubjectName: rest[2].text}
	case "property":
		e.Kind = ExpectProperty
		if len(rest) != 2 {
			return nil, p.err(line, what, "expect property takes a property and a value", "write e.g. expect job1 property DYNAMIC_CONTENT true")
		}
		id, err := model.ParseJobPropertyID(rest[0].text)
		if err != nil || !id.Valid() {
			return nil, p.err(line, rest[0], "unknown job property", "use e.g. DYNAMIC_CONTENT, HIGH_PERFORMANCE, MAX_DOWNLOAD_SIZE, ID_COST_FLAGS, MINIMUM_NOTIFICATION_INTERVAL_MS, ON_DEMAND_MODE, USE_STORED_CREDENTIALS or NOTIFICATION_CLSID")
		}
		if _, err := parsePropertyValue(id, rest[1].text, p.classGUID); err != nil {
			return nil, p.err(line, rest[1], err.Error(), propertyHint(id))
		}
		e.Value, e.Parameters = rest[0].text, rest[1].text
	case "file":
		e.Kind = ExpectFileGet
		if len(rest) != 3 {
			return nil, p.err(line, what, "expect file takes a file number, what to check and a value", "write e.g. expect job1 file 2 validation true")
		}
		n, err := strconv.Atoi(rest[0].text)
		if err != nil || n < 1 {
			return nil, p.err(line, rest[0], "not a file number", "files count from 1 in the order they were added")
		}
		name := strings.ToLower(rest[1].text)
		g, ok := fileGetters[name]
		if !ok {
			return nil, p.err(line, rest[1], "unknown file property", "check validation, peer, completed, bytes, ranges, tempdir, local or remote")
		}
		if err := g.check(rest[2].text); err != nil {
			return nil, p.err(line, rest[2], "not a value for "+name, g.hint)
		}
		e.FileN, e.Value, e.Parameters = n, name, rest[2].text
	default:
		if g, ok := jobGetters[p.lower(what.text)]; ok {
			e.Kind = ExpectGet
			t, err := one(g.hint)
			if err != nil {
				return nil, err
			}
			if err := g.check(t.text); err != nil {
				return nil, p.err(line, t, "not a value for "+strings.ToLower(what.text), g.hint)
			}
			e.Value, e.Parameters = strings.ToLower(what.text), t.text
			return e, nil
		}
		return p.notified(line, e, args[1:])
	}
	return e, nil
}

func isEventKind(s string) bool {
	_, err := model.ParseEventKind(s)
	return err == nil
}

// notifiedWithJob parses "[JOB] [no] KIND ...": without a job, any job's
// notifications count.
func (p *parser) notifiedWithJob(line int, args []token) (*Expectation, error) {
	e := p.newExp(Expectation{Count: -1})
	if p.isJob(args[0].text) {
		e.Job = args[0].text
		args = args[1:]
		if len(args) == 0 {
			return nil, p.err(line, token{col: 1}, "a notification kind must follow the job", "write e.g. expect "+e.Job+" JobTransferred")
		}
	}
	return p.notified(line, e, args)
}

// order parses "order EVENT then EVENT ...".
func (p *parser) order(line int, args []token) (*Expectation, error) {
	e := p.newExp(Expectation{Kind: ExpectOrder, Count: -1})
	var cur []token
	flush := func(at token) error {
		if len(cur) == 0 {
			return p.err(line, at, "expect order needs an event before and after each then", "write e.g. expect order job1 FileTransferred then job1 JobTransferred")
		}
		item, err := p.notifiedWithJob(line, cur)
		if err != nil {
			return err
		}
		if item.Negate || item.Count >= 0 || item.Since != "" || item.Spaced > 0 || item.Reported != "" {
			return p.err(line, cur[0], "an event of expect order takes no no, count, mark, spaced or reported", "write [JOB] KIND [-> TARGET] [failed] [as USER] [file PATH] [program PATH] [parameters TEXT] [ranges R] [at OFFSET]")
		}
		e.Order = append(e.Order, item)
		cur = nil
		return nil
	}
	for _, t := range args[1:] {
		if !t.quoted && strings.EqualFold(t.text, "then") {
			if err := flush(t); err != nil {
				return nil, err
			}
			continue
		}
		cur = append(cur, t)
	}
	if err := flush(args[len(args)-1]); err != nil {
		return nil, err
	}
	if len(e.Order) < 2 {
		return nil, p.err(line, args[0], "expect order needs at least two events", "write e.g. expect order job1 FileTransferred then job1 JobTransferred")
	}
	return e, nil
}

// enum parses "enumjobs APP [all] JOB... | none".
func (p *parser) enum(line int, args []token) (*Expectation, error) {
	e := p.newExp(Expectation{Kind: ExpectEnum, Count: -1})
	if len(args) < 3 {
		return nil, p.err(line, args[0], "expect enumjobs takes an app and the jobs it lists, or none", "write e.g. expect enumjobs A job1 job2, or expect enumjobs R all job1 job2")
	}
	if !p.apps[args[1].text] {
		return nil, p.err(line, args[1], fmt.Sprintf("unknown app %q", args[1].text), "start it first: start "+args[1].text+" as USER")
	}
	e.App = args[1].text
	rest := args[2:]
	if strings.EqualFold(rest[0].text, "all") && !p.isJob(rest[0].text) {
		e.All = true
		rest = rest[1:]
	}
	if len(rest) == 1 && strings.EqualFold(rest[0].text, "none") && !p.isJob(rest[0].text) {
		return e, nil
	}
	if len(rest) == 0 {
		return nil, p.err(line, args[len(args)-1], "name the jobs the app lists, or none", "write e.g. expect enumjobs A job1 job2")
	}
	for _, t := range rest {
		if !p.isJob(t.text) {
			return nil, p.err(line, t, fmt.Sprintf("unknown job %q", t.text), "name jobs the scenario created, or none")
		}
		e.Jobs = append(e.Jobs, t.text)
	}
	return e, nil
}

// notified parses "[no] KIND [-> TARGET] [xN] [failed]".
func (p *parser) notified(line int, e *Expectation, args []token) (*Expectation, error) {
	e.Kind = ExpectNotified
	if strings.EqualFold(args[0].text, "no") {
		e.Negate = true
		args = args[1:]
		if len(args) == 0 {
			return nil, p.err(line, token{col: 1}, "expect JOB no needs a notification kind", "write e.g. expect job1 no JobTransferred")
		}
	}
	args0 := args[0]
	k, err := model.ParseEventKind(args[0].text)
	if err != nil {
		return nil, p.err(line, args[0], "unknown expectation", "check state, flags, owner, interface, clsid, cmdline, bytes, files, error, property, headers, clientcert, displayname, description, priority, type, errorcount, retrydelay, noprogresstimeout, maxdownloadtime, file N ..., or a notification: JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred, CommandLine")
	}
	e.Event = k
	args = args[1:]
	for len(args) > 0 {
		t := args[0]
		switch {
		case t.text == "->":
			if len(args) < 2 {
				return nil, p.err(line, t, "-> needs a target", "write -> APP, -> CLASS, -> CLASS#2 or -> cmdline")
			}
			target := args[1].text
			name, _, _ := strings.Cut(target, "#")
			if !strings.EqualFold(target, "cmdline") && !p.apps[name] && !p.classes[name] {
				return nil, p.err(line, args[1], fmt.Sprintf("unknown target %q", target), "name an app, a class (CLASS or CLASS#n) or cmdline")
			}
			e.Target = target
			args = args[2:]
		case strings.HasPrefix(t.text, "x"):
			n, err := strconv.Atoi(t.text[1:])
			if err != nil || n < 0 {
				return nil, p.err(line, t, "not a count", "write x1, x2 …")
			}
			if e.Negate {
				return nil, p.err(line, t, "a count makes no sense with no", "write x0 instead of no, or drop the count")
			}
			e.Count = n
			args = args[1:]
		case strings.EqualFold(t.text, "failed"):
			e.Failed = true
			args = args[1:]
		case !t.quoted && notifiedWords[strings.ToLower(t.text)]:
			if len(args) < 2 {
				return nil, p.err(line, t, t.text+" needs a value", notifiedHint)
			}
			if err := p.notifiedWord(line, e, t, args[1]); err != nil {
				return nil, err
			}
			args = args[2:]
		default:
			return nil, p.err(line, t, "unexpected word", closestNotifiedWord(t.text)+notifiedHint)
		}
	}
	if e.Negate && (e.Spaced > 0 || e.Reported != "") {
		return nil, p.err(line, args0, "spaced and reported say what the notifications were: not with no", "drop no, or write x0")
	}
	return e, nil
}

// notifiedWords are the words of a notification expectation that take a
// value: filters (as, file, program, parameters, ranges, at) and checks
// over the matching notifications (spaced, reported).
var notifiedWords = map[string]bool{"as": true, "file": true, "program": true, "parameters": true,
	"ranges": true, "at": true, "spaced": true, "reported": true}

// closestNotifiedWord suggests the word of a notification expectation w
// is closest to ("did you mean ...? "), or "" when none is close.
func closestNotifiedWord(w string) string {
	best, bestD := "", 3
	for k := range notifiedWords {
		if d := textdist.Distance(strings.ToLower(w), k); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	if d := textdist.Distance(strings.ToLower(w), "failed"); d < bestD {
		best = "failed"
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q? ", best)
}

const notifiedHint = "after the kind: -> TARGET, xN, failed, as USER, file PATH, program PATH, parameters TEXT, ranges R, at OFFSET, spaced D, reported R"

// notifiedWord reads one word of notifiedWords and its value v into e.
func (p *parser) notifiedWord(line int, e *Expectation, t, v token) error {
	only := func(k model.EventKind, what string) error {
		if e.Event != k {
			return p.err(line, t, "only "+k.String()+" notifications have "+what, "drop "+t.text+" "+v.text)
		}
		return nil
	}
	switch w := strings.ToLower(t.text); w {
	case "as":
		e.User = v.text
	case "file":
		if e.Event != model.EventFileTransferred && e.Event != model.EventFileRangesTransferred {
			return p.err(line, t, "only FileTransferred and FileRangesTransferred are for a file", "drop file "+v.text)
		}
		e.File = v.text
	case "program", "parameters":
		if err := only(model.EventCommandLine, "a program and parameters"); err != nil {
			return err
		}
		if w == "program" {
			e.LaunchProgram, e.HasProgram = v.text, true
		} else {
			e.LaunchParameters, e.HasParameters = v.text, true
		}
	case "ranges", "reported":
		if err := only(model.EventFileRangesTransferred, "ranges"); err != nil {
			return err
		}
		rs, err := parseRanges(v.text)
		if err != nil {
			return p.err(line, v, err.Error(), "write e.g. 0+100,200+100")
		}
		if w == "ranges" {
			e.Ranges = rangesString(sortedRanges(rs))
		} else {
			e.Reported = rangesString(mergeRanges(rs))
		}
	case "at", "spaced":
		d, err := ParseDuration(v.text)
		if err != nil || d < 0 {
			return p.err(line, v, "not a duration", "write e.g. 500ms, 3s or 2m")
		}
		if p.automatic {
			return p.err(line, t, t.text+" reads virtual time: not on clock automatic", "on clock automatic virtual time follows the wall clock")
		}
		if w == "at" {
			e.At, e.HasAt = d, true
		} else {
			if d == 0 {
				return p.err(line, v, "spaced needs a duration above zero", "write e.g. spaced 500ms")
			}
			e.Spaced = d
		}
	}
	return nil
}

// String prints the expectation as it would be written.
func (e *Expectation) String() string {
	if e.FailsWith != 0 {
		s := e.Job + " "
		switch e.Kind {
		case ExpectGet:
			s += e.Value
		case ExpectProperty:
			s += "property " + e.Value
		case ExpectFileGet:
			s += fmt.Sprintf("file %d %s", e.FileN, e.Value)
		default:
			for name, g := range getterKinds {
				if g.kind == e.Kind {
					s += name
				}
			}
		}
		arrow := " -> "
		if e.FailsNot {
			arrow += "!"
		}
		return s + arrow + e.FailsWith.String()
	}
	switch e.Kind {
	case ExpectHeaders:
		if e.Value == "" {
			return e.Job + " headers none"
		}
		return fmt.Sprintf("%s headers %q", e.Job, e.Value)
	case ExpectClientCert:
		if e.Cert == nil {
			return e.Job + " clientcert none"
		}
		return fmt.Sprintf("%s clientcert %s %q %q", e.Job, e.Value, e.Cert.StoreName, e.Cert.SubjectName)
	case ExpectState:
		return fmt.Sprintf("%s state %s", e.Job, e.Value)
	case ExpectFlags:
		return fmt.Sprintf("%s flags %s", e.Job, e.Value)
	case ExpectOwner:
		return fmt.Sprintf("%s owner %s", e.Job, e.Value)
	case ExpectInterface:
		return fmt.Sprintf("%s interface %s", e.Job, e.Value)
	case ExpectCLSID:
		return fmt.Sprintf("%s clsid %s", e.Job, e.Value)
	case ExpectCmdLine:
		return strings.TrimSpace(fmt.Sprintf("%s cmdline %s %s", e.Job, e.Value, e.Parameters))
	case ExpectBytes:
		return fmt.Sprintf("%s bytes %s", e.Job, e.Value)
	case ExpectFiles:
		return fmt.Sprintf("%s files %s", e.Job, e.Value)
	case ExpectError:
		return strings.TrimSpace(fmt.Sprintf("%s error %s %s", e.Job, e.Value, e.Parameters))
	case ExpectProperty:
		return fmt.Sprintf("%s property %s %s", e.Job, e.Value, e.Parameters)
	case ExpectGet:
		return fmt.Sprintf("%s %s %s", e.Job, e.Value, e.Parameters)
	case ExpectInFlight:
		return fmt.Sprintf("inflight %s %d", e.Value, e.Count)
	case ExpectFileGet:
		return fmt.Sprintf("%s file %d %s %s", e.Job, e.FileN, e.Value, e.Parameters)
	case ExpectOrder:
		var parts []string
		for _, o := range e.Order {
			parts = append(parts, o.String())
		}
		return "order " + strings.Join(parts, " then ")
	case ExpectEnum:
		s := "enumjobs " + e.App
		if e.All {
			s += " all"
		}
		if len(e.Jobs) == 0 {
			return s + " none"
		}
		return s + " " + strings.Join(e.Jobs, " ")
	}
	s := ""
	if e.Since != "" {
		s = "since " + e.Since + " "
	}
	if e.Job != "" {
		s += e.Job + " "
	}
	if e.Negate {
		s += "no "
	}
	s += e.Event.String()
	if e.Target != "" {
		s += " -> " + e.Target
	}
	if e.Count >= 0 {
		s += fmt.Sprintf(" x%d", e.Count)
	}
	if e.Failed {
		s += " failed"
	}
	if e.User != "" {
		s += " as " + e.User
	}
	if e.File != "" {
		s += " file " + e.File
	}
	if e.HasProgram {
		s += fmt.Sprintf(" program %q", e.LaunchProgram)
	}
	if e.HasParameters {
		s += fmt.Sprintf(" parameters %q", e.LaunchParameters)
	}
	if e.Ranges != "" {
		s += " ranges " + e.Ranges
	}
	if e.HasAt {
		s += " at " + e.At.String()
	}
	if e.Spaced > 0 {
		s += " spaced " + e.Spaced.String()
	}
	if e.Reported != "" {
		s += " reported " + e.Reported
	}
	return s
}
