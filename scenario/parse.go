// Package scenario is bitssim's small scenario language: a line-oriented
// script of BITS calls from applications, control-plane steps (apps that
// start, exit and crash, service restarts, remote sources, time) and
// expectations on notifications, states and HRESULTs. Parse reads a script;
// Run plays it on a simulator with a manual clock and returns a Result with
// the trace and every expectation's outcome; RunWith plays it on any
// harness.Backend (RunOptions.Backend), skipping a script that needs what
// the backend cannot do (Script.Needs).
//
// A script, one statement per line ('#' starts a comment):
//
//	version 10.3                     # optional, first: the BITS profile
//	variant PREC-FAILURE-KEEPS-OBJECT falls-back-to-clsid  # optional, first: a reading of an open rule
//	user alice                       # an ordinary user (users are ordinary unless declared)
//	user root admin                  # an administrator
//	start A as alice                 # start application A running as alice
//	remote http://srv/f size=2048    # a remote source; status=404, transient=2, rate=1000, latency=2s, peer
//	class Notifier                   # a COM class for notification CLSIDs; unregistered, and behaviours
//	unregister Notifier              # later: activating it fails (REGDB_E_CLASSNOTREG)
//	A: create job1                   # job verbs, named like bitsadmin's, from an app
//	A: addfile job1 http://srv/f C:\dl\f.bin
//	A: setnotifyflags job1 JOB_TRANSFERRED|JOB_ERROR
//	A: setnotifyinterface job1 fails on=FileTransferred:2   # behaviours: fails, failfirst=N, return=S_FALSE, on=KIND[:FILE], iface=basic, complete, cancel
//	A: setnotifyclsid job1 Notifier  # or NULL
//	A: setnotifycmdline job1 C:\n.exe "C:\n.exe job1" exit=1,0 does=complete
//	A: setproperty job1 DYNAMIC_CONTENT true
//	A: resume job1
//	mark m1                          # a point of the run, for expect since
//	crash A                          # or: exit A
//	restart
//	advance 10m                      # virtual time; 90d works too
//	A: cancel job1 -> BG_E_INVALID_STATE   # a call that must fail with this HRESULT
//	expect job1 state TRANSFERRED by B   # by B: through B's handle (GetJob by B); also: flags, owner, interface, clsid, cmdline, bytes 10/20, files 1/2, error CODE [CONTEXT], property NAME VALUE
//	expect job1 JobTransferred -> Notifier x1 as alice
//	expect since m1 no JobTransferred
//	expect order job1 FileTransferred then job1 JobTransferred
//	expect enumjobs A job1
//	when version >= 3.0              # the backend's version (or: when has clsid); else, end
//	  A: setnotifyflags job1 FILE_TRANSFERRED
//	end
//	when version >= 3.0
//	  skip the rule is about BITS before 3.0   # a backend that reaches it skips the script
//	end
//	repeat 60                        # the lines up to end, 60 times; {i} is 1, 2, ... 60
//	  A: create j{i}
//	end
//
// After every statement the simulator does all the work due at the current
// time; only advance moves the clock. The README documents every statement.
package scenario

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/internal/textdist"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Stmt is one statement of a script.
type Stmt struct {
	Line  int
	Actor string // the app that makes a job call, "" otherwise
	Verb  string // lower case
	Args  []string
	// Want is the HRESULT a call must return ("-> HRESULT": a failure, or
	// a success code such as BG_S_PARTIAL_COMPLETE); 0 means the call must
	// succeed.
	Want model.HRESULT
	// WantNot: "-> !HRESULT", the call may return anything but Want
	// (success included).
	WantNot bool
	// Text is the statement as written, without its comment.
	Text string
	// Expect is the parsed expectation of an expect statement.
	Expect *Expectation
	opts   map[string]string // key=value and bare-word options
}

// Script is a parsed scenario.
type Script struct {
	File    string
	Version model.Version
	Seed    int64
	// variants selects readings of the rulebook's open rules (variant
	// statements); nil for every default. Variants returns a copy.
	variants rules.Selection
	// versionSet: a version statement chose Version.
	versionSet bool
	// Automatic runs the script on the simulator's automatic clock
	// (clock automatic): callbacks run concurrently, as on Windows, so
	// that held callbacks can show how many run at once; virtual time
	// follows the wall clock, so advance is not allowed and times are not
	// shown.
	Automatic bool
	Stmts     []Stmt
}

// verbSpec describes a verb: whether it needs an actor, and its positional
// arguments (min, max; -1 for any) and the options it accepts.
type verbSpec struct {
	actor    bool
	min, max int
	usage    string
	opts     []string
}

var verbs = map[string]verbSpec{
	"version":              {false, 1, 1, "version 10.3", nil},
	"seed":                 {false, 1, 1, "seed 42", nil},
	"clock":                {false, 1, 1, "clock manual|automatic (automatic: callbacks run concurrently, time does not pass)", nil},
	"await":                {false, 3, 3, "await held APP|CLASS N (until N calls of its hold objects wait; on the manual clock: N wait now)", nil},
	"release":              {false, 1, 2, "release APP|CLASS [N] (let N held calls return; all by default)", nil},
	"variant":              {false, 2, 2, "variant RULE-ID NAME (a reading of an open rule; bitssim rules --uncertain lists them)", nil},
	"user":                 {false, 1, 2, "user NAME [user|admin|LocalSystem|LocalService|NetworkService]", nil},
	"start":                {false, 3, 3, "start APP as USER", nil},
	"exit":                 {false, 1, 1, "exit APP", nil},
	"crash":                {false, 1, 1, "crash APP", nil},
	"restart":              {false, 0, 0, "restart", nil},
	"advance":              {false, 1, 1, "advance DURATION (e.g. 30s, 10m, 90d)", nil},
	"remote":               {false, 1, 1, "remote URL [size=N] [rate=N] [latency=D] [status=NNN] [transient=N] [attempts=503,503,404,200] [peer]", []string{"size", "rate", "latency", "status", "transient", "attempts", "peer"}},
	"class":                {false, 1, 1, "class NAME [unregistered] [fails] [failfirst=N] [on=KIND[:FILE],...] [return=HRESULT] [iface=basic|file|ranges|none] [complete] [cancel]", append([]string{"unregistered"}, behaviorOpts...)},
	"mark":                 {false, 1, 1, "mark NAME (then: expect since NAME ...)", nil},
	"settle":               {false, 0, 1, "settle [off|on] (off: from here the runner does not do the work a statement causes; settle: do it now; on: and after every statement again)", nil},
	"unregister":           {false, 1, 1, "unregister CLASS (the class is unregistered: activating it fails with REGDB_E_CLASSNOTREG)", nil},
	"when":                 {false, 2, 4, "when version >=|>|<=|<|==|!= X.Y | when has clsid|cmdline|restart|crash|users|virtual-time|network|powerloss|localfiles|com|scripted-remotes | when variant RULE-ID is NAME (the statements up to else or end run only on such a backend, or under that reading of an open rule)", nil},
	"else":                 {false, 0, 0, "else (after when: the statements up to end run when the when's condition does not hold)", nil},
	"end":                  {false, 0, 0, "end (closes a when or repeat block)", nil},
	"skip":                 {false, 1, -1, "skip REASON (the script does not run on a backend that reaches it: the run is skipped, with REASON; inside a when block)", nil},
	"repeat":               {false, 1, 1, "repeat N (the lines up to its end, N times; {i} in them is 1, 2, ... N)", nil},
	"create":               {true, 1, 3, "APP: create JOB [download|upload|upload_reply] [DISPLAYNAME]", nil},
	"getjob":               {true, 1, 1, "APP: getjob JOB|GUID (a GUID that names no job: GetJob with that ID)", nil},
	"addfileset":           {true, 3, -1, "APP: addfileset JOB URL LOCALPATH [URL LOCALPATH]... (AddFileSet of the pairs)", nil},
	"network":              {false, 1, 1, "network off|on (the machine's network is lost / comes back)", nil},
	"powerloss":            {false, 0, 0, "powerloss (the machine loses power: the service restarts as after an unexpected shutdown)", nil},
	"lockfile":             {false, 1, 1, "lockfile LOCALPATH (another program holds the file: renaming to it fails with ERROR_SHARING_VIOLATION)", nil},
	"unlockfile":           {false, 1, 1, "unlockfile LOCALPATH (the file is free again)", nil},
	"enumjobs":             {true, 0, 1, "APP: enumjobs [all]", nil},
	"setproperty":          {true, 3, 3, "APP: setproperty JOB PROPERTY VALUE", nil},
	"getproperty":          {true, 2, 2, "APP: getproperty JOB PROPERTY", nil},
	"getnotifycmdline":     {true, 1, 1, "APP: getnotifycmdline JOB (GetNotifyCmdLine: the call's HRESULT; expect JOB cmdline checks the value)", nil},
	"addfile":              {true, 3, 3, "APP: addfile JOB URL LOCALPATH", nil},
	"setnotifyflags":       {true, 2, 2, "APP: setnotifyflags JOB FLAGS", nil},
	"setnotifyinterface":   {true, 1, 1, "APP: setnotifyinterface JOB [fails] [failfirst=N] [on=KIND[:FILE],...] [return=HRESULT] [iface=basic|file|ranges|none] [complete] [cancel] [hold]", behaviorOpts},
	"clearnotifyinterface": {true, 1, 1, "APP: clearnotifyinterface JOB", nil},
	"setnotifyclsid":       {true, 2, 2, "APP: setnotifyclsid JOB CLASS|NULL", nil},
	"setnotifycmdline":     {true, 2, 3, "APP: setnotifycmdline JOB PROGRAM|NULL [PARAMETERS] [exit=0,1] [does=complete|cancel] [missing] (missing: no such program exists, so it cannot start)", []string{"exit", "does", "missing"}},
	"setminretrydelay":     {true, 2, 2, "APP: setminretrydelay JOB DURATION", nil},
	"setnoprogresstimeout": {true, 2, 2, "APP: setnoprogresstimeout JOB DURATION", nil},
	"setpriority":          {true, 2, 2, "APP: setpriority JOB FOREGROUND|HIGH|NORMAL|LOW|N (N: the value, 0 to 0xFFFFFFFF)", nil},
	"setdescription":       {true, 2, 2, "APP: setdescription JOB TEXT", nil},
	"setdisplayname":       {true, 2, 2, "APP: setdisplayname JOB TEXT", nil},
	"setmaxdownloadtime":   {true, 2, 2, "APP: setmaxdownloadtime JOB DURATION", nil},
	"addfileranges":        {true, 4, 4, "APP: addfileranges JOB URL LOCALPATH OFFSET+LENGTH,OFFSET+EOF", nil},
	"requestranges":        {true, 3, 3, "APP: requestranges JOB FILE OFFSET+LENGTH,... (FILE counts from 1)", nil},
	"setvalidation":        {true, 3, 3, "APP: setvalidation JOB FILE true|false (FILE counts from 1)", nil},
	"resume":               {true, 1, 1, "APP: resume JOB", nil},
	"suspend":              {true, 1, 1, "APP: suspend JOB", nil},
	"cancel":               {true, 1, 1, "APP: cancel JOB", nil},
	"complete":             {true, 1, 1, "APP: complete JOB", nil},
	"takeownership":        {true, 1, 1, "APP: takeownership JOB", nil},
	"setcustomheaders":     {true, 2, -1, "APP: setcustomheaders JOB HEADER...|NULL [length=N] [fill=C] (SetCustomHeaders: each HEADER one line, ended by CR LF; length= pads the last with fill= to N characters in all)", []string{"length", "fill"}},
	"setclientcert":        {true, 4, 4, "APP: setclientcert JOB LOCATION STORE SUBJECT (SetClientCertificateByName; LOCATION e.g. CURRENT_USER)", nil},
	"removeclientcert":     {true, 1, 1, "APP: removeclientcert JOB (RemoveClientCertificate)", nil},
	"setcredentials":       {true, 5, 5, "APP: setcredentials JOB SERVER|PROXY BASIC|DIGEST|NTLM|NEGOTIATE|PASSPORT USER PASSWORD (SetCredentials)", nil},
	"removecredentials":    {true, 3, 3, "APP: removecredentials JOB SERVER|PROXY SCHEME (RemoveCredentials: S_FALSE when none were set, so -> S_FALSE checks they are gone)", nil},
	"expect":               {false, 2, -1, "expect JOB state|flags|owner|interface|clsid|cmdline|bytes|files|error|property|headers|clientcert ... [by APP] | expect JOB GETTER -> HRESULT [by APP] | expect [since MARK] [JOB] [no] KIND [-> TARGET] [xN] [failed] [as USER] [file PATH] [program PATH] [parameters TEXT] [ranges R] [at OFFSET] [spaced D] [reported R] | expect order EVENT then EVENT ... | expect enumjobs APP [all] JOB...|none", nil},
}

// behaviorOpts are the options of a callback object or class.
var behaviorOpts = []string{"fails", "failfirst", "on", "return", "iface", "complete", "cancel", "hold"}

// Verbs lists every verb with its usage, sorted.
func Verbs() []string {
	var out []string
	for _, v := range verbs {
		out = append(out, v.usage)
	}
	sort.Strings(out)
	return out
}

// ParseFile reads a script from r; name is used in errors.
func ParseFile(name string, r io.Reader) (*Script, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("scenario: read %s: %w", name, err)
	}
	return Parse(name, data)
}

// Parse parses a script. Errors are *SyntaxError with the position, the
// offending token and a hint.
func Parse(name string, src []byte) (*Script, error) {
	sr := newStmtReader(name, bytes.NewReader(src))
	for {
		st, ok, err := sr.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		sr.sc.Stmts = append(sr.sc.Stmts, st)
	}
	return sr.sc, nil
}

// Validate reads a script and checks it as Parse does, without keeping
// it: a long script costs memory for its names, not its statements.
func Validate(name string, src io.Reader) error {
	sr := newStmtReader(name, src)
	sr.p.reuse, sr.p.view = true, true
	for {
		_, ok, err := sr.next()
		if err != nil || !ok {
			return err
		}
	}
}

// stmtReader reads a script one statement at a time: the header
// statements (version, seed, variant) go into sc, the others come out of
// next, so that a long script can run without being held in memory.
type stmtReader struct {
	sc *Script // the header; Stmts stays empty
	p  *parser
	lineSource
	n    int     // statements returned
	toks []token // reused for every line
	line string  // the line of the statement next returned last
}

// lineSource reads a script's lines, playing its repeat blocks: the
// statement reader and a Plan's reader read the same lines through it.
type lineSource struct {
	scanner *bufio.Scanner
	lineNo  int // lines of the file read
	// virt counts the lines next returned: a repeat block's lines once
	// per iteration. A Plan numbers its statements' lines with it.
	virt int
	// repeat is the repeat block being played, nil outside one.
	repeat *repeatBlock
	toks   []token // of a repeat block's lines, reused
}

// repeatBlock is a repeat statement's body, played n times: its lines
// with their numbers in the file, and where the play is.
type repeatBlock struct {
	body []bodyLine
	n    int
	i    int // the iteration, from 1
	pos  int // the next line of body
}

// bodyLine is one line of a repeat block.
type bodyLine struct {
	no   int
	text string
}

func newStmtReader(name string, r io.Reader) *stmtReader {
	sc := &Script{File: name, Version: model.BITS10_3, Seed: 1}
	p := &parser{file: name, apps: map[string]bool{}, jobs: map[string]int{}, classes: map[string]bool{}, users: map[string]bool{}, marks: map[string]bool{}}
	return &stmtReader{sc: sc, p: p, lineSource: lineSource{scanner: newLineScanner(r)}}
}

// view returns the line just scanned: the scanner's own bytes, valid
// until the next Scan.
func (ls *lineSource) view() string {
	b := ls.scanner.Bytes()
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// newLineScanner reads a script's lines, of at most 1 MiB.
func newLineScanner(r io.Reader) *bufio.Scanner {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	return scanner
}

// next returns the next statement; ok is false at the end. An empty
// script is an error.
func (sr *stmtReader) next() (st Stmt, ok bool, err error) {
	name, p, sc := sr.sc.File, sr.p, sr.sc
	for {
		lineNo, line, more := sr.nextLine()
		if !more {
			break
		}
		if !p.view {
			line = strings.Clone(line)
		}
		sr.line = line
		toks, code, err := lexInto(sr.toks, name, lineNo, line)
		sr.toks = toks
		if err != nil {
			return st, false, err
		}
		if len(toks) == 0 {
			continue
		}
		if t := toks[0]; !t.quoted && strings.EqualFold(t.text, "repeat") {
			if err := sr.startRepeat(name, lineNo, toks); err != nil {
				return st, false, err
			}
			continue
		}
		st, err = p.stmt(lineNo, strings.TrimSpace(line[:code]), toks)
		if err != nil {
			return st, false, err
		}
		sawStmt := sr.n > 0
		switch st.Verb {
		case "variant":
			if sawStmt {
				return st, false, p.err(lineNo, toks[0], "variant must come before every statement but version and seed", "move it to the top of the script")
			}
			id := strings.ToUpper(st.Args[0])
			if _, dup := sc.variants[id]; dup {
				return st, false, p.err(lineNo, toks[1], "a second variant for "+id, "keep one variant statement per rule")
			}
			sel := rules.Selection{id: st.Args[1]}
			if err := sel.Validate(); err != nil {
				at := toks[2]
				if r, ok := rules.Lookup(id); !ok || !r.IsOpen() {
					at = toks[1]
				}
				return st, false, p.err(lineNo, at, strings.TrimPrefix(err.Error(), "rules: "), "bitssim rules --uncertain lists the open rules and their variants")
			}
			if sc.variants == nil {
				sc.variants = rules.Selection{}
			}
			sc.variants[id] = p.keep(st.Args[1])
			continue
		case "clock":
			if sawStmt {
				return st, false, p.err(lineNo, toks[0], "clock must come before every statement but version, seed and variant", "move it to the top of the script")
			}
			switch strings.ToLower(st.Args[0]) {
			case "manual":
				sc.Automatic, p.automatic = false, false
			case "automatic":
				sc.Automatic, p.automatic = true, true
			default:
				return st, false, p.err(lineNo, toks[1], "unknown clock", "write clock manual or clock automatic")
			}
			continue
		case "version", "seed":
			if sawStmt {
				return st, false, p.err(lineNo, toks[0], st.Verb+" must come before every other statement", "move it to the top of the script")
			}
			if st.Verb == "version" {
				v, err := model.ParseVersion(st.Args[0])
				if err != nil {
					return st, false, p.err(lineNo, toks[1], "unknown BITS version", fmt.Sprintf("use one of %v", model.Versions()))
				}
				sc.Version, sc.versionSet = v, true
			} else {
				n, err := strconv.ParseInt(st.Args[0], 10, 64)
				if err != nil {
					return st, false, p.err(lineNo, toks[1], "the seed is not a whole number", "write e.g. seed 42")
				}
				sc.Seed = n
			}
			continue
		}
		sr.n++
		return st, true, nil
	}
	if err := sr.scanner.Err(); err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return st, false, err
		}
		if errors.Is(err, bufio.ErrTooLong) {
			return st, false, &SyntaxError{File: name, Line: sr.lineNo + 1, Col: 1, Msg: "cannot read line: " + err.Error(), Hint: "lines must be shorter than 1 MiB"}
		}
		return st, false, fmt.Errorf("scenario: read %s: %w", name, err)
	}
	if n := len(p.blocks); n > 0 {
		b := p.blocks[n-1]
		return st, false, p.err(b.line, b.tok, "this when has no end", "close the block with end")
	}
	if sr.n == 0 {
		return st, false, &SyntaxError{File: name, Line: max(sr.lineNo, 1), Col: 1, Msg: "empty scenario: it has no statements",
			Hint: "write e.g. start A as alice, then calls and expect statements (bitssim run --help lists them)"}
	}
	return st, false, nil
}

// nextLine returns the next line to parse and its number in the file:
// the next of a repeat block being played, or the file's next (the
// scanner's bytes, valid until the next call); more is false at the end
// of the file.
func (ls *lineSource) nextLine() (no int, line string, more bool) {
	if b := ls.repeat; b != nil {
		if b.pos == len(b.body) {
			b.i, b.pos = b.i+1, 0
		}
		if b.i <= b.n && len(b.body) > 0 {
			l := b.body[b.pos]
			b.pos++
			ls.virt++
			return l.no, strings.ReplaceAll(l.text, "{i}", strconv.Itoa(b.i)), true
		}
		ls.repeat = nil
	}
	if !ls.scanner.Scan() {
		return 0, "", false
	}
	ls.lineNo++
	ls.virt++
	return ls.lineNo, ls.view(), true
}

// maxRepeat bounds a repeat's count, so that a typo cannot make a script
// run for hours.
const maxRepeat = 1_000_000

// startRepeat reads the body of the repeat statement toks (on line no of
// file), up to its end, and starts playing it: the lines come out of
// nextLine count times, with {i} replaced by the iteration's number. A
// when block inside the body keeps its own end; a repeat cannot hold a
// repeat.
func (ls *lineSource) startRepeat(file string, no int, toks []token) error {
	synErr := func(line int, t token, msg, hint string) error {
		return &SyntaxError{File: file, Line: line, Col: t.col, Token: strings.Clone(t.text), Msg: msg, Hint: hint}
	}
	const nested = "write the inner block out, or one repeat over both with {i}"
	if ls.repeat != nil {
		return synErr(no, toks[0], "a repeat inside a repeat", nested)
	}
	if len(toks) != 2 {
		at := toks[0]
		if len(toks) > 2 {
			at = toks[2]
		}
		return synErr(no, at, "repeat takes 1 argument(s)", "usage: "+verbs["repeat"].usage)
	}
	n, err := strconv.Atoi(toks[1].text)
	if err != nil || n < 1 || n > maxRepeat {
		return synErr(no, toks[1], fmt.Sprintf("the count of a repeat is a whole number from 1 to %d", maxRepeat), "write e.g. repeat 60")
	}
	noEnd := synErr(no, toks[0], "this repeat has no end", "close the block with end")
	b := &repeatBlock{n: n, i: 1}
	depth := 0
	for ls.scanner.Scan() {
		ls.lineNo++
		line := ls.view()
		ls.toks, _, err = lexInto(ls.toks, file, ls.lineNo, line)
		if err != nil {
			return err
		}
		if len(ls.toks) > 0 && !ls.toks[0].quoted {
			switch strings.ToLower(ls.toks[0].text) {
			case "when":
				depth++
			case "repeat":
				return synErr(ls.lineNo, ls.toks[0], "a repeat inside a repeat", nested)
			case "end":
				if depth == 0 {
					ls.repeat = b
					return nil
				}
				depth--
			}
		}
		b.body = append(b.body, bodyLine{no: ls.lineNo, text: strings.Clone(line)})
	}
	if err := ls.scanner.Err(); err != nil {
		return fmt.Errorf("scenario: read %s: %w", file, err)
	}
	return noEnd
}

// parser tracks the names a script has defined so far.
type parser struct {
	file    string
	apps    map[string]bool
	jobs    map[string]int // job → its number, from 0 in the order of creation
	njobs   int            // jobs created (a job of a when block goes out of jobs at its end)
	classes map[string]bool
	users   map[string]bool
	marks   map[string]bool
	// automatic: the script runs on the automatic clock.
	automatic bool
	pos       []token // stmt's positional arguments, reused
	// reuse: the statements are not kept (Validate, Prepare), so each
	// uses the memory of the one before for its Args, options and
	// expectations.
	reuse bool
	// view: the statements are not kept either, and their lines are the
	// scanner's bytes (stmtReader.text): what the parser keeps of one
	// beyond it (names, the variants, a block's when) goes through keep.
	view bool
	args []string
	opts map[string]string
	exps [4]Expectation
	nexp int // exps in use by the statement
	// lastJob is the job jobNumber found last, and its number:
	// statements name the same job one after another, most of them.
	lastJob    string
	lastJobNo  int
	lastJobBuf []byte            // with view, the memory of lastJob
	arena      lineArena         // with view, the memory of what keep keeps
	verbs      verbCache         // the verbs met last
	lowered    map[string]string // lower: words in lower case
	// blocks are the when blocks open at this point, innermost last, and
	// declared the names declared in them, which go out of scope at their
	// else or end: a block that does not run declares nothing. A later
	// block under the same conditions (the same whens and branches,
	// outermost first) has them again: if it runs, the first one ran.
	blocks   []openBlock
	declared []declaration
	saved    map[string][]declaration // by the conditions they were declared under
	inBlock  map[declaration]bool     // every name declared in a block, with its job number
}

// openBlock is a when statement whose end has not come yet.
type openBlock struct {
	line     int
	tok      token
	sawElse  bool
	key      string // the conditions of the branch in force, outermost first
	declared int    // len(parser.declared) at the when (or else)
}

// declaration is a name declared inside a when block: of an app, class,
// user or mark (kind is the map's), or of a job, with its number.
type declaration struct {
	kind string // "app", "class", "user", "mark" or "job"
	name string
	no   int
}

// names returns the map of a kind of name.
func (p *parser) names(kind string) map[string]bool {
	switch kind {
	case "app":
		return p.apps
	case "class":
		return p.classes
	case "user":
		return p.users
	}
	return p.marks
}

// declare records a name of a kind ("app", "class", "user", "mark"), for
// the rest of the script or, inside a when block, up to its else or end.
// A name declared in another when block, out of scope here, cannot be
// declared again: both blocks may run.
func (p *parser) declare(kind, name string) error {
	if p.inBlock[declaration{kind: kind, name: name}] && !p.names(kind)[name] {
		return fmt.Errorf("%s %q is declared in a when block that may run too", kind, name)
	}
	name = p.keep(name)
	p.names(kind)[name] = true
	p.inScope(declaration{kind: kind, name: name})
	return nil
}

// inScope records a declaration made inside a when block.
func (p *parser) inScope(d declaration) {
	if len(p.blocks) == 0 {
		return
	}
	if p.inBlock == nil {
		p.inBlock = map[declaration]bool{}
	}
	p.inBlock[declaration{kind: d.kind, name: d.name}] = true
	p.declared = append(p.declared, d)
}

// restore brings back the names declared under the conditions key.
func (p *parser) restore(key string) {
	for _, d := range p.saved[key] {
		if d.kind == "job" {
			p.jobs[d.name] = d.no
		} else {
			p.names(d.kind)[d.name] = true
		}
		p.declared = append(p.declared, d)
	}
}

// forget takes the names declared since p.declared[from] out of scope,
// keeping them for a later block under the conditions key.
func (p *parser) forget(from int, key string) {
	if p.saved == nil {
		p.saved = map[string][]declaration{}
	}
	seen := map[declaration]bool{}
	for _, d := range p.saved[key] {
		seen[d] = true
	}
	for _, d := range p.declared[from:] {
		if d.kind == "job" {
			delete(p.jobs, d.name)
			if p.lastJob == d.name {
				p.lastJob = ""
			}
		} else {
			delete(p.names(d.kind), d.name)
		}
		if !seen[d] {
			p.saved[key] = append(p.saved[key], d)
		}
	}
	p.declared = p.declared[:from]
}

// block checks a when, else or end statement and opens or closes its
// block.
func (p *parser) block(line int, st Stmt, verbTok token, pos []token) error {
	switch st.Verb {
	case "when":
		if _, err := parseWhen(st.Args); err != nil {
			at := pos[0]
			switch {
			case strings.EqualFold(pos[0].text, "version") && len(pos) == 3:
				at = pos[1]
				if _, ok := versionOps[pos[1].text]; ok {
					at = pos[2]
				}
			case strings.EqualFold(pos[0].text, "has") && len(pos) == 2:
				at = pos[1]
			case strings.EqualFold(pos[0].text, "variant") && len(pos) == 4:
				at = pos[1]
				if r, ok := rules.Lookup(st.Args[1]); ok && r.IsOpen() {
					at = pos[3]
				}
				if !strings.EqualFold(pos[2].text, "is") {
					at = pos[2]
				}
			}
			return p.err(line, at, err.Error(), "write e.g. when version >= 3.0, when has clsid, or when variant PERSIST-REDELIVER is all-after-restart")
		}
		key := strings.ToLower(strings.Join(st.Args, " "))
		if n := len(p.blocks); n > 0 {
			key = p.blocks[n-1].key + "\x00" + key
		}
		tok := verbTok
		tok.text = p.keep(tok.text)
		p.blocks = append(p.blocks, openBlock{line: line, tok: tok, key: key, declared: len(p.declared)})
		p.restore(key)
	case "else", "end":
		if len(p.blocks) == 0 {
			return p.err(line, verbTok, st.Verb+" without a when", "write when version >= X.Y before it")
		}
		b := &p.blocks[len(p.blocks)-1]
		if st.Verb == "else" && b.sawElse {
			return p.err(line, verbTok, fmt.Sprintf("a second else for the when of line %d", b.line), "a when block has at most one else")
		}
		p.forget(b.declared, b.key)
		if st.Verb == "end" {
			p.blocks = p.blocks[:len(p.blocks)-1]
			return nil
		}
		b.sawElse = true
		b.key += "\x00else"
		p.restore(b.key)
	}
	return nil
}

// settle checks a settle statement: settle, settle off or settle on, on
// the manual clock only.
func (p *parser) settle(line int, verbTok token, pos []token) error {
	if len(pos) == 1 && !strings.EqualFold(pos[0].text, "off") && !strings.EqualFold(pos[0].text, "on") {
		return p.err(line, pos[0], `expected "off" or "on"`, "write settle off, settle on, or settle alone")
	}
	if p.automatic {
		return p.err(line, verbTok, "settle needs the manual clock",
			"on clock automatic the service works in the background, whatever the script says: drop the settle statements, or the clock statement")
	}
	return nil
}

// versionOps are the comparisons of a when statement.
var versionOps = map[string]func(a, b model.Version) bool{
	">=": func(a, b model.Version) bool { return a >= b },
	">":  func(a, b model.Version) bool { return a > b },
	"<=": func(a, b model.Version) bool { return a <= b },
	"<":  func(a, b model.Version) bool { return a < b },
	"==": func(a, b model.Version) bool { return a == b },
	"!=": func(a, b model.Version) bool { return a != b },
}

// whenCond is the condition of a when statement: the backend's BITS
// version compared with a version ("when version >= 3.0"), a capability
// the backend has ("when has clsid"), or the reading of an open rule the
// run follows ("when variant PERSIST-REDELIVER is all-after-restart").
type whenCond struct {
	op      string        // a comparison of versionOps, "has" or "variant"
	v       model.Version // op's version
	cap     string        // has's capability, one of whenCaps
	rule    string        // variant's rule ID, upper case
	reading string        // variant's reading of rule
}

// whenCaps are the capabilities a when statement can test, each with the
// harness.Capabilities field it reads.
var whenCaps = map[string]func(harness.Capabilities) bool{
	"clsid":        func(c harness.Capabilities) bool { return c.CLSID },
	"cmdline":      func(c harness.Capabilities) bool { return c.CommandLine },
	"restart":      func(c harness.Capabilities) bool { return c.Restart },
	"crash":        func(c harness.Capabilities) bool { return c.Crash },
	"users":        func(c harness.Capabilities) bool { return c.Users },
	"virtual-time": func(c harness.Capabilities) bool { return c.VirtualTime },
	"network":      func(c harness.Capabilities) bool { return c.Network },
	"powerloss":    func(c harness.Capabilities) bool { return c.PowerLoss },
	"localfiles":   func(c harness.Capabilities) bool { return c.LocalFiles },
	"com":          func(c harness.Capabilities) bool { return c.COM },
	"httpoptions":  func(c harness.Capabilities) bool { return c.HTTPOptions },
}

// scriptedRemotes is the when capability of a backend that serves each
// remote under the name the script gives it, failing as the script says
// (harness.RemoteScripter), rather than one of its own that stands for it.
const scriptedRemotes = "scripted-remotes"

// holds reports whether a backend of capabilities caps meets the
// condition, in a run under the readings bs.sel, on a backend that
// scripts remotes if bs.remotes.
func (c whenCond) holds(caps harness.Capabilities, bs *blockStack) bool {
	switch {
	case c.op == "has" && c.cap == scriptedRemotes:
		return bs.remotes
	case c.op == "has":
		return whenCaps[c.cap](caps)
	case c.op == "variant":
		return bs.sel.Is(c.rule, c.reading)
	}
	return versionOps[c.op](caps.Version, c.v)
}

// parseWhen parses the arguments of a when statement: "version >= 3.0",
// "has clsid" or "variant RULE-ID is NAME".
func parseWhen(args []string) (whenCond, error) {
	if len(args) >= 1 && strings.EqualFold(args[0], "variant") {
		if len(args) != 4 || !strings.EqualFold(args[2], "is") {
			return whenCond{}, fmt.Errorf(`a when on a reading is "when variant RULE-ID is NAME"`)
		}
		id := strings.ToUpper(args[1])
		if err := (rules.Selection{id: args[3]}).Validate(); err != nil {
			return whenCond{}, errors.New(strings.TrimPrefix(err.Error(), "rules: "))
		}
		return whenCond{op: "variant", rule: id, reading: args[3]}, nil
	}
	if len(args) == 2 && strings.EqualFold(args[0], "has") {
		name := strings.ToLower(args[1])
		if _, ok := whenCaps[name]; !ok && name != scriptedRemotes {
			return whenCond{}, fmt.Errorf("unknown capability %q (use clsid, cmdline, restart, crash, users, virtual-time, network, powerloss, localfiles, com or scripted-remotes)", args[1])
		}
		return whenCond{op: "has", cap: name}, nil
	}
	if len(args) != 3 || !strings.EqualFold(args[0], "version") {
		return whenCond{}, fmt.Errorf("a when tests the BITS version (when version >= 3.0), a capability (when has clsid) or a reading (when variant RULE-ID is NAME)")
	}
	if _, ok := versionOps[args[1]]; !ok {
		return whenCond{}, fmt.Errorf("unknown comparison %q (use >=, >, <=, <, == or !=)", args[1])
	}
	v, err := model.ParseVersion(args[2])
	if err != nil {
		return whenCond{}, fmt.Errorf("unknown BITS version %q (use one of %v)", args[2], model.Versions())
	}
	return whenCond{op: args[1], v: v}, nil
}

// keep returns s in memory of its own when s may be the scanner's bytes.
func (p *parser) keep(s string) string {
	if p.view {
		return p.arena.clone(s)
	}
	return s
}

// isJob reports whether the script created job.
func (p *parser) isJob(job string) bool {
	_, ok := p.jobNumber(job)
	return ok
}

// jobNumber returns the number of a job the script created.
func (p *parser) jobNumber(job string) (int, bool) {
	if job == p.lastJob && job != "" {
		return p.lastJobNo, true
	}
	n, ok := p.jobs[job]
	if ok {
		p.lastJob, p.lastJobNo = job, n
		if p.view { // job may be the scanner's bytes: the cache's own copy
			p.lastJobBuf = append(p.lastJobBuf[:0], job...)
			p.lastJob = unsafe.String(unsafe.SliceData(p.lastJobBuf), len(p.lastJobBuf))
		}
	}
	return n, ok
}

// strs returns memory for a statement's n strings.
func (p *parser) strs(n int) []string {
	if !p.reuse {
		return make([]string, n)
	}
	if cap(p.args) < n {
		p.args = make([]string, n)
	}
	return p.args[:n]
}

// newOpts returns memory for a statement's options.
func (p *parser) newOpts() map[string]string {
	if !p.reuse {
		return map[string]string{}
	}
	if p.opts == nil {
		p.opts = map[string]string{}
	}
	clear(p.opts)
	return p.opts
}

// newExp returns e in memory of its own.
func (p *parser) newExp(e Expectation) *Expectation {
	if !p.reuse || p.nexp == len(p.exps) {
		x := new(Expectation)
		*x = e // e itself stays on the stack
		return x
	}
	x := &p.exps[p.nexp]
	p.nexp++
	*x = e
	return x
}

func (p *parser) err(line int, t token, msg, hint string) error {
	return &SyntaxError{File: p.file, Line: line, Col: t.col, Token: t.text, Msg: msg, Hint: hint}
}

// stmt parses one statement.
func (p *parser) stmt(line int, text string, toks []token) (Stmt, error) {
	st := Stmt{Line: line, Text: text}
	p.nexp = 0
	// "APP: verb ..." — the actor ends with a colon.
	if t := toks[0]; !t.quoted && strings.HasSuffix(t.text, ":") && len(t.text) > 1 {
		st.Actor = strings.TrimSuffix(t.text, ":")
		if !p.apps[st.Actor] {
			return st, p.err(line, t, fmt.Sprintf("unknown app %q", st.Actor), fmt.Sprintf("start it first: start %s as USER", st.Actor))
		}
		toks = toks[1:]
		if len(toks) == 0 {
			return st, p.err(line, t, "a verb must follow the app", "write e.g. "+st.Actor+": resume job1")
		}
	}
	verbTok := toks[0]
	verb, spec, ok := p.verb(strings.ToLower(verbTok.text))
	st.Verb = verb
	if !ok {
		return st, p.err(line, verbTok, "unknown verb", suggest(st.Verb))
	}
	if spec.actor && st.Actor == "" {
		return st, p.err(line, verbTok, st.Verb+" is called by an app", "write APP: "+strings.TrimPrefix(spec.usage, "APP: "))
	}
	if !spec.actor && st.Actor != "" {
		return st, p.err(line, verbTok, st.Verb+" is not an app's call", "drop the \""+st.Actor+":\" prefix: "+spec.usage)
	}
	args := toks[1:]
	if st.Verb == "expect" {
		exp, err := p.expectation(line, verbTok, args)
		if err != nil {
			return st, err
		}
		st.Expect = exp
		st.Args = p.strs(len(args))
		for i, a := range args {
			st.Args[i] = a.text
		}
		return st, nil
	}
	// "-> HRESULT" at the end.
	if n := len(args); n >= 2 && !args[n-2].quoted && args[n-2].text == "->" {
		text, not := strings.CutPrefix(args[n-1].text, "!")
		hr, err := model.ParseHRESULT(text)
		if err != nil {
			return st, p.err(line, args[n-1], "not an HRESULT", "use a name like BG_E_INVALID_STATE or a value like 0x80200002")
		}
		st.Want, st.WantNot = hr, not
		if !spec.actor {
			return st, p.err(line, args[n-2], "only app calls return an HRESULT", "remove \"-> "+args[n-1].text+"\"")
		}
		args = args[:n-2]
	}
	pos := p.pos[:0] // reused: tokens do not outlive the statement
	defer func() { p.pos = pos[:0] }()
	for _, a := range args {
		if !a.quoted && a.text == "->" {
			return st, p.err(line, a, "-> must be followed by one HRESULT at the end of the line", "write e.g. -> BG_E_INVALID_STATE")
		}
		if k, v, isOpt := strings.Cut(a.text, "="); !a.quoted && (isOpt || contains(spec.opts, a.text)) && len(spec.opts) > 0 {
			if !contains(spec.opts, k) {
				return st, p.err(line, a, fmt.Sprintf("unknown option %q", k), "options here: "+strings.Join(spec.opts, ", "))
			}
			if st.opts == nil {
				st.opts = p.newOpts()
			}
			st.opts[k] = v
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) < spec.min || (spec.max >= 0 && len(pos) > spec.max) {
		at := verbTok
		if len(pos) > 0 {
			at = pos[len(pos)-1]
		}
		return st, p.err(line, at, fmt.Sprintf("%s takes %s", st.Verb, arity(spec)), "usage: "+spec.usage)
	}
	st.Args = p.strs(len(pos))
	for i, a := range pos {
		st.Args[i] = a.text
	}
	if st.Verb == "when" || st.Verb == "else" || st.Verb == "end" {
		return st, p.block(line, st, verbTok, pos)
	}
	if st.Verb == "settle" {
		return st, p.settle(line, verbTok, pos)
	}
	return st, p.check(line, &st, &spec, pos)
}

func arity(s verbSpec) string {
	switch {
	case s.min == s.max:
		return fmt.Sprintf("%d argument(s)", s.min)
	case s.max < 0:
		return fmt.Sprintf("at least %d arguments", s.min)
	}
	return fmt.Sprintf("%d to %d arguments", s.min, s.max)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// check validates a statement's arguments and records the names it defines.
func (p *parser) check(line int, st *Stmt, spec *verbSpec, pos []token) error {
	job := func(i int) error {
		if !p.isJob(pos[i].text) {
			return p.err(line, pos[i], fmt.Sprintf("unknown job %q", pos[i].text), "create it first: APP: create "+pos[i].text)
		}
		return nil
	}
	switch st.Verb {
	case "user":
		if len(pos) == 2 {
			if _, err := model.ParseAccountKind(pos[1].text); err != nil {
				return p.err(line, pos[1], "unknown account kind", "use user, admin, LocalSystem, LocalService or NetworkService")
			}
		}
		// Account names compare as Windows compares them (model.FoldName):
		// "user ALICE" after "user alice" declares alice again.
		if p.users[model.FoldName(pos[0].text)] {
			return p.err(line, pos[0], fmt.Sprintf("user %q is already declared (account names ignore case)", pos[0].text), "declare each user once")
		}
		if err := p.declare("user", model.FoldName(pos[0].text)); err != nil {
			return p.err(line, pos[0], err.Error(), "give it another name, or declare it once before the blocks")
		}
	case "start":
		if strings.ToLower(pos[1].text) != "as" {
			return p.err(line, pos[1], `expected "as"`, "write start "+pos[0].text+" as USER")
		}
		if strings.HasSuffix(pos[0].text, ":") {
			return p.err(line, pos[0], "app names cannot end with ':'", "drop the colon")
		}
		if err := p.declare("app", pos[0].text); err != nil {
			return p.err(line, pos[0], err.Error(), "give it another name, or start it once before the blocks")
		}
	case "exit", "crash":
		if !p.apps[pos[0].text] {
			return p.err(line, pos[0], fmt.Sprintf("unknown app %q", pos[0].text), "start it first: start "+pos[0].text+" as USER")
		}
	case "advance":
		if p.automatic {
			return p.err(line, pos[0], "advance needs the manual clock", "on clock automatic, time follows the wall clock: drop the advance, or the clock statement")
		}
		if _, err := ParseDuration(pos[0].text); err != nil {
			return p.err(line, pos[0], "not a duration", "write e.g. 30s, 10m, 2h or 90d")
		}
	case "await", "release":
		name := pos[0]
		if st.Verb == "await" {
			if !strings.EqualFold(pos[0].text, "held") {
				return p.err(line, pos[0], `expected "held"`, "write await held APP N")
			}
			name = pos[1]
		}
		if !p.apps[name.text] && !p.classes[name.text] {
			return p.err(line, name, fmt.Sprintf("unknown app or class %q", name.text), "name the app or class whose objects hold their calls")
		}
		if last := pos[len(pos)-1]; len(pos) == 3 || (st.Verb == "release" && len(pos) == 2) {
			if n, err := strconv.Atoi(last.text); err != nil || n < 0 {
				return p.err(line, last, "not a count", "write a whole number")
			}
		}
	case "remote":
		for k, v := range st.opts {
			if err := checkOpt(k, v); err != nil {
				return p.err(line, pos[0], err.Error(), "usage: "+verbs["remote"].usage)
			}
		}
		if err := checkRemoteOpts(st.opts); err != nil {
			return p.err(line, pos[0], err.Error(), "attempts= scripts every attempt: drop status= and transient=")
		}
	case "class":
		for k, v := range st.opts {
			if err := checkOpt(k, v); err != nil {
				return p.err(line, pos[0], err.Error(), "usage: "+verbs["class"].usage)
			}
		}
		if _, err := behaviorOf(st.opts); err != nil {
			return p.err(line, pos[0], err.Error(), "usage: "+verbs["class"].usage)
		}
		if err := p.declare("class", pos[0].text); err != nil {
			return p.err(line, pos[0], err.Error(), "give it another name, or declare it once before the blocks")
		}
	case "unregister":
		if !p.classes[pos[0].text] {
			return p.err(line, pos[0], fmt.Sprintf("unknown class %q", pos[0].text), "declare it first: class "+pos[0].text)
		}
	case "mark":
		if p.marks[pos[0].text] {
			return p.err(line, pos[0], fmt.Sprintf("mark %q already set", pos[0].text), "give the new mark another name")
		}
		if err := p.declare("mark", pos[0].text); err != nil {
			return p.err(line, pos[0], err.Error(), "give it another name")
		}
	case "enumjobs":
		if len(pos) == 1 && !strings.EqualFold(pos[0].text, "all") {
			return p.err(line, pos[0], "enumjobs takes only the word all", "write APP: enumjobs, or APP: enumjobs all")
		}
	case "setproperty", "getproperty":
		if err := job(0); err != nil {
			return err
		}
		id, err := model.ParseJobPropertyID(pos[1].text)
		if err != nil || !id.Valid() {
			return p.err(line, pos[1], "unknown job property", "use e.g. DYNAMIC_CONTENT, HIGH_PERFORMANCE, MAX_DOWNLOAD_SIZE, ID_COST_FLAGS, MINIMUM_NOTIFICATION_INTERVAL_MS, ON_DEMAND_MODE, USE_STORED_CREDENTIALS or NOTIFICATION_CLSID")
		}
		if st.Verb == "setproperty" {
			if _, err := parsePropertyValue(id, pos[2].text, p.classGUID); err != nil {
				return p.err(line, pos[2], err.Error(), propertyHint(id))
			}
		}
	case "create":
		n, before := p.njobs, len(p.jobs)
		name := p.keep(pos[0].text)
		if p.jobs[name] = n; len(p.jobs) == before { // one lookup: a new name adds an entry
			return p.err(line, pos[0], fmt.Sprintf("job %q already exists", pos[0].text), "give the new job another name")
		}
		if p.inBlock[declaration{kind: "job", name: pos[0].text}] {
			delete(p.jobs, pos[0].text)
			return p.err(line, pos[0], fmt.Sprintf("job %q is created in a when block that may run too", pos[0].text), "give the new job another name")
		}
		p.njobs++
		p.lastJob, p.lastJobNo = name, n
		p.inScope(declaration{kind: "job", name: name, no: n})
		if len(pos) > 1 {
			if _, err := model.ParseJobType(pos[1].text); err != nil {
				return p.err(line, pos[1], "unknown job type", "use download, upload or upload_reply")
			}
		}
	case "setnotifyflags":
		if err := job(0); err != nil {
			return err
		}
		if _, err := model.ParseNotifyFlags(pos[1].text); err != nil {
			return p.err(line, pos[1], "not notify flags", "write e.g. JOB_TRANSFERRED|JOB_ERROR or 0x3")
		}
	case "setnotifyclsid":
		if err := job(0); err != nil {
			return err
		}
		if !strings.EqualFold(pos[1].text, "NULL") && !p.classes[pos[1].text] {
			if _, err := model.ParseGUID(pos[1].text); err != nil {
				return p.err(line, pos[1], fmt.Sprintf("unknown class %q", pos[1].text), "declare it with: class "+pos[1].text+", or write NULL or a GUID")
			}
		}
	case "setnotifycmdline":
		if err := job(0); err != nil {
			return err
		}
		if v, ok := st.opts["exit"]; ok {
			if _, err := parseExits(v); err != nil {
				return p.err(line, pos[0], err.Error(), "write exit=0 or exit=1,1,0")
			}
		}
		if v, ok := st.opts["does"]; ok && v != "complete" && v != "cancel" {
			return p.err(line, pos[0], fmt.Sprintf("a program does complete or cancel, not %q", v), "write does=complete or does=cancel")
		}
		if v, ok := st.opts["missing"]; ok {
			_, exit := st.opts["exit"]
			_, does := st.opts["does"]
			if v != "" || exit || does || strings.EqualFold(pos[1].text, "NULL") {
				return p.err(line, pos[1], "a missing program is a program name alone: it never runs", "write e.g. setnotifycmdline job1 C:\\gone.exe missing")
			}
		}
	case "addfileranges":
		if err := job(0); err != nil {
			return err
		}
		if _, err := parseRanges(pos[3].text); err != nil {
			return p.err(line, pos[3], err.Error(), "write e.g. 0+100,200+EOF")
		}
	case "requestranges", "setvalidation":
		if err := job(0); err != nil {
			return err
		}
		if n, err := strconv.Atoi(pos[1].text); err != nil || n < 1 {
			return p.err(line, pos[1], "not a file number", "files count from 1 in the order they were added")
		}
		if st.Verb == "setvalidation" {
			if _, err := strconv.ParseBool(pos[2].text); err != nil {
				return p.err(line, pos[2], "not true or false", "write true or false")
			}
		} else if _, err := parseRanges(pos[2].text); err != nil {
			return p.err(line, pos[2], err.Error(), "write e.g. 0+100,200+EOF")
		}
	case "setminretrydelay", "setnoprogresstimeout", "setmaxdownloadtime":
		if err := job(0); err != nil {
			return err
		}
		if _, err := ParseDuration(pos[1].text); err != nil {
			return p.err(line, pos[1], "not a duration", "write e.g. 30s or 10m")
		}
	case "setpriority":
		if err := job(0); err != nil {
			return err
		}
		if _, err := parsePriority(pos[1].text); err != nil {
			return p.err(line, pos[1], "unknown priority", "use FOREGROUND, HIGH, NORMAL or LOW, or a number such as 4 or 0xFFFFFFFF")
		}
	case "getjob":
		if !p.isJob(pos[0].text) {
			if _, err := model.ParseGUID(pos[0].text); err != nil {
				return job(0)
			}
		}
	case "addfileset":
		if err := job(0); err != nil {
			return err
		}
		if len(pos)%2 == 0 {
			return p.err(line, pos[len(pos)-1], "addfileset takes pairs of URL and local path", "write e.g. APP: addfileset job1 http://s/a C:\\dl\\a http://s/b C:\\dl\\b")
		}
	case "network":
		if v := strings.ToLower(pos[0].text); v != "off" && v != "on" {
			return p.err(line, pos[0], "network is off or on", "write network off, then network on")
		}
	case "setcustomheaders", "setclientcert", "setcredentials", "removecredentials":
		if err := job(0); err != nil {
			return err
		}
		return p.checkSecret(line, *st, pos)
	case "setnotifyinterface":
		if err := job(0); err != nil {
			return err
		}
		if _, err := behaviorOf(st.opts); err != nil {
			return p.err(line, pos[0], err.Error(), "usage: "+verbs["setnotifyinterface"].usage)
		}
	default:
		if spec.actor {
			return job(0)
		}
	}
	return nil
}

// parsePriority reads a job priority: a name (FOREGROUND, HIGH, NORMAL,
// LOW) or a number, which may be one SetPriority refuses.
func parsePriority(s string) (model.JobPriority, error) {
	if p, err := model.ParseJobPriority(s); err == nil {
		return p, nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, fmt.Errorf("scenario: bad priority %q", s)
	}
	return model.JobPriority(n), nil
}

// checkOpt validates the value of a remote or class option.
func checkOpt(k, v string) error {
	switch k {
	case "size", "rate", "transient", "failfirst":
		if _, err := strconv.ParseUint(v, 10, 63); err != nil {
			return fmt.Errorf("%s takes a whole number, not %q", k, v)
		}
	case "status":
		if n, err := strconv.Atoi(v); err != nil || n < 100 || n > 599 {
			return fmt.Errorf("status takes an HTTP status 100-599, not %q", v)
		}
	case "latency":
		if _, err := ParseDuration(v); err != nil {
			return fmt.Errorf("latency takes a duration, not %q", v)
		}
	case "peer", "fails", "unregistered", "complete", "cancel", "hold":
		if v != "" {
			return fmt.Errorf("%s takes no value", k)
		}
	}
	return nil
}

func parseExits(v string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("exit codes must be whole numbers, not %q", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseDuration accepts Go durations ("90s", "10m", "1h30m") and whole
// days ("90d").
func ParseDuration(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(d, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("scenario: bad duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("scenario: bad duration %q", s)
	}
	return d, nil
}

// suggest proposes the closest known verb.
func suggest(v string) string {
	best, bestD := "", 1<<30
	for k := range verbs {
		if d := textdist.Distance(v, k); d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	if bestD <= 3 {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "verbs: " + strings.Join(sortedVerbs(), ", ")
}

func sortedVerbs() []string {
	var out []string
	for k := range verbs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// classGUID resolves a class name for a property value: a declared class
// or a GUID (NULL is GUID_NULL).
func (p *parser) classGUID(name string) (model.GUID, bool) {
	if strings.EqualFold(name, "NULL") {
		return model.GUID_NULL, true
	}
	if p.classes[name] {
		return classCLSID(name), true
	}
	g, err := model.ParseGUID(name)
	return g, err == nil
}
