package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// Variants returns the readings of open rules the script's variant
// statements select (nil when it has none): a copy, keyed by rule ID.
func (sc *Script) Variants() rules.Selection {
	if len(sc.variants) == 0 {
		return nil
	}
	out := make(rules.Selection, len(sc.variants))
	for id, name := range sc.variants {
		out[id] = name
	}
	return out
}

// Needs returns the capabilities a backend must have to run the script,
// as the conformance suite declares a scenario's needs: its version
// statement (a minimum; RunWith also skips a script whose version
// statement names an older BITS than the backend's), restart, crash, the
// machine's control plane (network, powerloss, lockfile), notification CLSIDs (class and
// setnotifyclsid, on BITS 5.0 and later; an older version statement checks
// that CLSIDs are refused), command lines, several users or accounts other
// than an ordinary user, and concurrent callbacks (clock automatic). An
// advance needs no virtual time: a backend without it waits, and a script
// whose advance is longer than the backend's Capabilities.MaxWait is
// skipped (see RunOptions.Backend).
//
// A script with when blocks needs, at the version it reports, the oldest
// BITS version on which it can run, and the other capabilities it needs
// on any version it runs on, on a backend that has none of the
// capabilities its when statements test; NeedsOn says what it needs on a
// given backend.
func (sc *Script) Needs() harness.Capabilities {
	if !sc.hasBlocks() {
		return sc.needsOf(sc.Version, sc.eachStmt)
	}
	if sc.versionSet {
		return sc.NeedsOn(harness.Capabilities{Version: sc.Version})
	}
	var need harness.Capabilities
	found := false
	for _, v := range model.Versions() {
		n := sc.NeedsOn(harness.Capabilities{Version: v})
		if n.Version > v {
			continue // a statement this version lacks runs on it
		}
		if !found {
			need.Version, found = n.Version, true
		}
		need.Restart = need.Restart || n.Restart
		need.Crash = need.Crash || n.Crash
		need.CLSID = need.CLSID || n.CLSID
		need.CommandLine = need.CommandLine || n.CommandLine
		need.Users = need.Users || n.Users
		need.Concurrent = need.Concurrent || n.Concurrent
		need.VirtualTime = need.VirtualTime || n.VirtualTime
		need.Network = need.Network || n.Network
		need.PowerLoss = need.PowerLoss || n.PowerLoss
		need.LocalFiles = need.LocalFiles || n.LocalFiles
		need.HTTPOptions = need.HTTPOptions || n.HTTPOptions
	}
	if !found { // it runs nowhere: say what it needs on the newest
		return sc.NeedsOn(harness.Capabilities{Version: model.BITS10_3})
	}
	return need
}

// NeedsOn returns what the script needs of a backend of capabilities
// caps, as Needs does, leaving out the statements of the branches of when
// blocks the backend does not take (a script with a version statement
// takes them at that version).
func (sc *Script) NeedsOn(caps harness.Capabilities) harness.Capabilities {
	if sc.versionSet {
		caps.Version = sc.Version
	}
	return sc.needsOf(caps.Version, func(f func(*Stmt)) { sc.eachOn(caps, f) })
}

// hasBlocks reports whether the script has a when statement.
func (sc *Script) hasBlocks() bool {
	for i := range sc.Stmts {
		if sc.Stmts[i].Verb == "when" {
			return true
		}
	}
	return false
}

// readsProtocol reports whether the script expects the protocol of a
// job's error (expect JOB protocol), which depends on the form of the
// remote name.
func (sc *Script) readsProtocol() bool {
	reads := false
	sc.eachStmt(func(st *Stmt) {
		if e := st.Expect; e != nil && e.Kind == ExpectGet && e.Value == "protocol" {
			reads = true
		}
	})
	return reads
}

// eachStmt calls f with every statement.
func (sc *Script) eachStmt(f func(*Stmt)) {
	for i := range sc.Stmts {
		f(&sc.Stmts[i])
	}
}

// eachOn calls f with the statements that run on a backend of
// capabilities caps: those of the branches of when blocks it takes, and
// those outside every block (but not the when, else and end statements
// themselves).
func (sc *Script) eachOn(caps harness.Capabilities, f func(*Stmt)) {
	sc.eachOnBackend(caps, false, f)
}

// eachOnBackend is eachOn on a backend that scripts remotes if remotes.
func (sc *Script) eachOnBackend(caps harness.Capabilities, remotes bool, f func(*Stmt)) {
	bs := blockStack{sel: sc.variants, remotes: remotes}
	for i := range sc.Stmts {
		st := &sc.Stmts[i]
		if bs.step(st, caps) {
			f(st)
		}
	}
}

// blockStack follows the when blocks of a script as its statements go by.
type blockStack struct {
	taken []bool          // per open block: whether the branch in force runs
	off   int             // how many of them do not run
	sel   rules.Selection // the readings of open rules the run follows (when variant)
	// remotes: the backend scripts remotes (harness.RemoteScripter), for
	// when has scripted-remotes.
	remotes bool
}

// step takes statement st on a backend of capabilities caps and reports
// whether it runs: false for when, else and end, and for a statement in a
// branch the backend does not take.
func (bs *blockStack) step(st *Stmt, caps harness.Capabilities) bool {
	switch st.Verb {
	case "when":
		c, _ := parseWhen(st.Args) // checked by the parser
		run := c.holds(caps, bs)
		bs.taken = append(bs.taken, run)
		if !run {
			bs.off++
		}
		return false
	case "else":
		if n := len(bs.taken); n > 0 {
			if bs.taken[n-1] {
				bs.off++
			} else {
				bs.off--
			}
			bs.taken[n-1] = !bs.taken[n-1]
		}
		return false
	case "end":
		if n := len(bs.taken); n > 0 {
			if !bs.taken[n-1] {
				bs.off--
			}
			bs.taken = bs.taken[:n-1]
		}
		return false
	}
	return bs.off == 0
}

// needsOf returns the needs of the statements each gives on a backend
// of BITS version at (the script's own version when it has a version
// statement).
func (sc *Script) needsOf(at model.Version, each func(func(*Stmt))) harness.Capabilities {
	var need harness.Capabilities
	if sc.versionSet {
		need.Version = sc.Version
	}
	need.Concurrent = sc.Automatic
	users := map[string]bool{}
	declared := map[string]model.AccountKind{}
	each(func(st *Stmt) {
		if !sc.versionSet && (st.Want != model.E_NOINTERFACE || st.WantNot) {
			// A script without a version statement runs at the backend's
			// version: it needs the interfaces its statements call (but
			// not one a call expects to be missing).
			need.Version = max(need.Version, statementVersion(st))
		}
		switch st.Verb {
		case "restart":
			need.Restart = true
		case "settle":
			// A state seen before the work a statement causes is done
			// holds only where that work waits for the script: on a real
			// clock the service does it in the background, whatever the
			// script says (a race, not a check).
			if len(st.Args) == 1 && strings.EqualFold(st.Args[0], "off") {
				need.VirtualTime = true
			}
		case "crash":
			need.Crash = true
		case "network":
			need.Network = true
		case "powerloss":
			need.PowerLoss = true
		case "lockfile", "unlockfile":
			need.LocalFiles = true
		case "setcustomheaders", "setclientcert", "removeclientcert", "setcredentials", "removecredentials":
			need.HTTPOptions = true
		case "class", "setnotifyclsid", "unregister":
			need.CLSID = need.CLSID || at >= model.BITS5_0
		case "setproperty", "getproperty":
			if len(st.Args) > 1 && strings.EqualFold(st.Args[1], "NOTIFICATION_CLSID") {
				need.CLSID = need.CLSID || at >= model.BITS5_0
			}
		case "expect":
			// A time from the start of the run holds on a clock that
			// moves only as the script says.
			if e := st.Expect; e != nil && e.Kind == ExpectGet && jobGetters[e.Value].at != nil && !strings.EqualFold(e.Parameters, "none") && e.FailsWith == 0 {
				need.VirtualTime = true
			}
			// A notification's time from the start of the run, likewise;
			// spacing in time holds on any clock.
			if e := st.Expect; e != nil && (e.HasAt || e.Kind == ExpectOrder && orderHasAt(e)) {
				need.VirtualTime = true
			}
			if e := st.Expect; e != nil && (e.Kind == ExpectHeaders || e.Kind == ExpectClientCert) {
				need.HTTPOptions = true
			}
			// Setting a command line needs nothing (a backend without
			// command lines answers the setter as it does); expecting its
			// launches, or their absence, needs a backend that launches.
			for _, a := range st.Args {
				if strings.EqualFold(a, "CommandLine") {
					need.CommandLine = true
				}
			}
		case "user":
			kind := model.AccountUser
			if len(st.Args) == 2 {
				kind, _ = model.ParseAccountKind(st.Args[1])
			}
			declared[model.FoldName(st.Args[0])] = kind
		case "start":
			u := model.FoldName(st.Args[2])
			users[u] = true
			if k, ok := declared[u]; ok && k != model.AccountUser {
				need.Users = true
			}
			switch strings.ToLower(st.Args[2]) {
			case "localsystem", "localservice", "networkservice":
				need.Users = true
			}
		}
	})
	if len(users) > 1 {
		need.Users = true
	}
	return need
}

// statementVersion is the oldest BITS version whose interfaces st calls
// (the versions the simulator's own interface checks give: Job3 in 2.0,
// Job4, File3 and FileTransferred in 3.0, Job5 in 5.0, File6, on-demand
// mode and FileRangesTransferred in 10.1), or 0 when any version has them.
func statementVersion(st *Stmt) model.Version {
	var v model.Version
	need := func(w model.Version) { v = max(v, w) }
	// Notification kinds and flags named anywhere in the statement: a flag
	// set, a behaviour's on=, an expectation of a call.
	for _, a := range st.Args {
		switch u := strings.ToUpper(a); {
		case strings.Contains(u, "FILERANGESTRANSFERRED"), strings.Contains(u, "FILE_RANGES_TRANSFERRED"):
			need(model.BITS10_1)
		case strings.Contains(u, "FILETRANSFERRED"), strings.Contains(u, "FILE_TRANSFERRED"):
			need(model.BITS3_0)
		}
	}
	for _, o := range st.opts {
		switch u := strings.ToUpper(o); {
		case strings.Contains(u, "FILERANGESTRANSFERRED"):
			need(model.BITS10_1)
		case strings.Contains(u, "FILETRANSFERRED"):
			need(model.BITS3_0)
		}
	}
	property := func(name string) {
		need(model.BITS5_0) // IBackgroundCopyJob5
		switch strings.ToUpper(name) {
		case "ON_DEMAND_MODE", "MINIMUM_NOTIFICATION_INTERVAL_MS":
			need(model.BITS10_1)
		}
	}
	switch st.Verb {
	case "setproperty", "getproperty":
		if len(st.Args) > 1 {
			property(st.Args[1])
		}
	case "setnotifyclsid":
		need(model.BITS5_0)
	case "addfileranges":
		need(model.BITS2_0) // IBackgroundCopyJob3::AddFileWithRanges
	case "setmaxdownloadtime", "setvalidation":
		need(model.BITS3_0) // IBackgroundCopyJob4, IBackgroundCopyFile3
	case "requestranges":
		need(model.BITS10_1) // IBackgroundCopyFile6
	case "setcustomheaders", "setclientcert", "removeclientcert":
		need(model.BITS2_5) // IBackgroundCopyJobHttpOptions
	case "expect":
		if len(st.Args) < 2 {
			break
		}
		switch strings.ToLower(st.Args[1]) {
		case "clsid":
			need(model.BITS5_0)
		case "property":
			if len(st.Args) > 2 {
				property(st.Args[2])
			}
		case "maxdownloadtime":
			need(model.BITS3_0)
		case "headers", "clientcert":
			need(model.BITS2_5)
		case "file":
			if len(st.Args) > 3 {
				switch strings.ToLower(st.Args[3]) {
				case "validation", "peer", "tempdir":
					need(model.BITS3_0)
				case "ranges":
					need(model.BITS10_1)
				}
			}
		}
	}
	return v
}

// launchExpected reports whether e, or an event of its order, reads a
// launch's program or parameters.
func launchExpected(e *Expectation) bool {
	if e.HasProgram || e.HasParameters {
		return true
	}
	for _, o := range e.Order {
		if o.HasProgram || o.HasParameters {
			return true
		}
	}
	return false
}

// orderHasAt reports whether an event of an order expectation names its
// time.
func orderHasAt(e *Expectation) bool {
	for _, o := range e.Order {
		if o.HasAt {
			return true
		}
	}
	return false
}

// simService is a backend that runs on the simulator (harness.SimBackend),
// whose manual clock can hold calls (sim.Service.EnableHolds).
type simService interface{ Service() *sim.Service }

// isHTTP reports whether a remote name is an http:// or https:// URL.
func isHTTP(url string) bool {
	u := strings.ToLower(url)
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

// longestAdvance returns the longest advance of the script on a backend
// of capabilities caps.
func (sc *Script) longestAdvance(caps harness.Capabilities) time.Duration {
	var most time.Duration
	sc.eachOn(caps, func(st *Stmt) {
		if st.Verb == "advance" {
			d, _ := ParseDuration(st.Args[0])
			most = max(most, d)
		}
	})
	return most
}

// skipReason says why the script cannot run on b ("" when it can): the
// capabilities it needs that b lacks, a version statement other than b's
// version, the optional control interfaces of
// package harness it needs that b does not implement, a reading of an
// open rule b does not follow, or an advance longer than b waits.
func (sc *Script) skipReason(b harness.Backend) string {
	caps := b.Capabilities()
	_, scripts := b.(harness.RemoteScripter)
	skip := ""
	sc.eachOnBackend(caps, scripts, func(st *Stmt) {
		if st.Verb == "skip" && skip == "" {
			skip = skipText(st)
		}
	})
	if skip != "" {
		return skip
	}
	on := caps
	if sc.versionSet {
		on.Version = sc.Version
	}
	missing := caps.Missing(sc.needsOf(on.Version, func(f func(*Stmt)) { sc.eachOnBackend(on, scripts, f) }))
	if sc.versionSet && caps.Version > sc.Version {
		// A script for an older BITS checks what that version lacks.
		missing = append(missing, fmt.Sprintf("BITS %v (the backend is BITS %v)", sc.Version, caps.Version))
	}
	if limit := caps.MaxWait; !caps.VirtualTime && limit > 0 {
		if d := sc.longestAdvance(caps); d > limit {
			missing = append(missing, fmt.Sprintf("waits of %v (the backend waits at most %v)", d, limit))
		}
	}
	if vb, ok := b.(harness.VariantBackend); ok {
		follows := vb.Variants()
		for id, name := range sc.variants {
			if got := follows.Of(id); got != name {
				missing = append(missing, fmt.Sprintf("variant %s of %s (the backend follows %s)", name, id, got))
			}
		}
		// A when variant block follows the run's reading: the backend must
		// follow it too (a default the run leaves unnamed included).
		tested := map[string]bool{}
		for i := range sc.Stmts {
			if st := &sc.Stmts[i]; st.Verb == "when" {
				if c, _ := parseWhen(st.Args); c.op == "variant" && !tested[c.rule] {
					tested[c.rule] = true
					if _, named := sc.variants[c.rule]; named {
						continue // said above
					}
					if want, got := sc.variants.Of(c.rule), follows.Of(c.rule); got != want {
						missing = append(missing, fmt.Sprintf("variant %s of %s (the backend follows %s)", want, c.rule, got))
					}
				}
			}
		}
	}
	has := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	_, remotes := b.(harness.RemoteScripter)
	_, programs := b.(harness.ProgramScripter)
	_, counter := b.(harness.CallbackCounter)
	inProcess := false
	if ip, ok := b.(harness.InProcessCallbacks); ok {
		inProcess = ip.InProcessCallbacks()
	}
	_, tracer := b.(harness.ServiceTracer)
	_, unregisterer := b.(harness.ClassUnregisterer)
	var needRemotes, needPrograms, needCounter, needInProcess, needUnregister, needHold, failedExpected, unreachable, needLaunched bool
	sc.eachOnBackend(caps, scripts, func(st *Stmt) {
		switch st.Verb {
		case "unregister":
			needUnregister, unreachable = true, true
		case "remote":
			if _, ok := remoteKindOf(st.opts); !ok || !isHTTP(st.Args[0]) {
				// A remote of the backend's own stands for a plain, 404
				// or 503 one of the script, and is http:// (as defineRemote
				// checks): an SMB name needs the backend to serve it.
				needRemotes = true
			}
		case "setnotifycmdline":
			// Backend.CommandLine makes a program that exits as told; one
			// that acts on the job needs the backend to script it.
			_, does := st.opts["does"]
			needPrograms = needPrograms || does
		case "expect":
			// A launch's program and parameters are the script's own only
			// where the backend runs the script's programs: elsewhere the
			// runner sets programs of Backend.CommandLine's, with their own
			// parameters, and what BITS did to the script's would not show.
			needLaunched = needLaunched || launchExpected(st.Expect)
			needCounter = needCounter || st.Expect.Kind == ExpectInFlight
			failedExpected = failedExpected || (st.Expect.Kind == ExpectNotified && st.Expect.Failed)
		case "crash", "exit", "restart", "powerloss":
			unreachable = true
		case "class", "setnotifyinterface":
			if _, ok := st.opts["unregistered"]; ok {
				unreachable = true
			}
			b, err := behaviorOf(st.opts)
			// An object with no callback interface is the runner's own
			// (noCallback), which any backend passes to BITS as it is; a
			// class of one would live in the backend's process.
			needHold = needHold || (err == nil && b.hold)
			own := st.Verb == "setnotifyinterface" && err == nil && b.iface == "none"
			if err == nil && !own && !b.asData().exact {
				needInProcess = true
			}
		}
	})
	// A failed attempt on an app that is gone, or on a class that cannot
	// be activated, reaches no receiver: only the service's record has it.
	has(!(failedExpected && unreachable) || tracer, "the service's record of failed attempts (harness.ServiceTracer)")
	// The machine's control plane: a capability the backend declares,
	// through an interface it must implement.
	need := sc.NeedsOn(caps)
	_, network := b.(harness.NetworkControl)
	_, power := b.(harness.PowerControl)
	_, files := b.(harness.LocalFileControl)
	has(!need.Network || !caps.Network || network, "network control (harness.NetworkControl)")
	has(!need.PowerLoss || !caps.PowerLoss || power, "power loss (harness.PowerControl)")
	has(!need.LocalFiles || !caps.LocalFiles || files, "local file control (harness.LocalFileControl)")
	_, clock := b.(harness.Clock)
	has(!need.VirtualTime || !caps.VirtualTime || clock, "the backend's clock, for times from the start of the run (harness.Clock)")
	has(!needRemotes || remotes, "scripted remotes (harness.RemoteScripter)")
	has(!needPrograms || programs, "command-line programs that act on the job (does=, harness.ProgramScripter)")
	has(!needLaunched || programs, "the script's own programs and parameters, for expectations on what a launch received (program, parameters: harness.ProgramScripter)")
	has(!needCounter || counter, "counts of running callbacks (harness.CallbackCounter)")
	has(!needInProcess || inProcess, "in-process callback objects (harness.InProcessCallbacks)")
	if needHold && !caps.Concurrent {
		// A held call on a clock that runs one callback at a time stops
		// the service, unless the service parks it: the simulator's.
		ss, ok := b.(simService)
		has(ok && ss.Service().Mode() == sim.Manual, "callbacks that can be held (harness.Capabilities.Concurrent, or the simulator's manual clock)")
	}
	has(!needUnregister || unregisterer, "unregistering a class (harness.ClassUnregisterer)")
	if len(missing) == 0 {
		return ""
	}
	return "needs " + strings.Join(missing, ", ")
}

// remoteKindOf maps a remote statement a plain Backend.Remote can make
// (no options but size; status=404, a fatal error; status=503, a transient
// one for ever; rate=1024 alone, the slow remote) to its kind.
func remoteKindOf(opts map[string]string) (harness.RemoteKind, bool) {
	kind := harness.RemoteOK
	for k, v := range opts {
		switch {
		case k == "size":
		case k == "status" && v == "404":
			kind = harness.RemoteFatal
		case k == "status" && v == "503":
			kind = harness.RemoteTransient
		case k == "rate" && v == "1024" && slowOnly(opts):
			kind = harness.RemoteSlow
		default:
			return 0, false
		}
	}
	return kind, true
}

// slowOnly reports whether the options are rate=1024 and at most a size:
// harness.RemoteSlow.
func slowOnly(opts map[string]string) bool {
	_, sized := opts["size"]
	return len(opts) == 1 || (len(opts) == 2 && sized)
}

// remoteScriptOf reads the options of a remote statement.
func remoteScriptOf(opts map[string]string) harness.RemoteScript {
	num := func(k string) uint64 { n, _ := strconv.ParseUint(opts[k], 10, 63); return n }
	rs := harness.RemoteScript{Size: 1024}
	if _, ok := opts["size"]; ok {
		rs.Size = num("size")
	}
	if s, ok := opts["status"]; ok {
		rs.Status, _ = strconv.Atoi(s)
	}
	rs.Rate = num("rate")
	if v, ok := opts["latency"]; ok {
		rs.Latency, _ = ParseDuration(v)
	}
	if _, ok := opts["transient"]; ok {
		rs.TransientFailures = int(num("transient"))
	}
	if v, ok := opts["attempts"]; ok {
		for _, f := range strings.Split(v, ",") {
			n, _ := strconv.Atoi(strings.TrimSpace(f))
			rs.Attempts = append(rs.Attempts, n)
		}
	}
	_, rs.Peer = opts["peer"]
	return rs
}

// dataBehavior is a scenario behaviour as harness.Behavior data, for a
// backend whose callback objects live in another process; exact is false
// when the data cannot say all the behaviour does.
type dataBehavior struct {
	b     harness.Behavior
	exact bool
}

// asData translates the behaviour into harness.Behavior's data fields.
func (b *behavior) asData() dataBehavior {
	out := dataBehavior{exact: true}
	switch b.iface {
	case "basic":
		out.b.Interface = harness.BasicInterface
	case "file":
		out.b.Interface = harness.Callback2Interface
	case "none":
		out.exact = false
	}
	if b.hold || b.cancel {
		out.exact = false
	}
	out.b.Complete = b.complete
	kinds := []model.EventKind{model.EventJobTransferred, model.EventJobError, model.EventFileTransferred}
	if len(b.on) > 0 {
		kinds = nil
		for _, o := range b.on {
			if o.file != 0 {
				out.exact = false
			}
			kinds = append(kinds, o.kind)
		}
	}
	switch {
	case b.failFirst > 0:
		// Behavior.FailFirst fails the first n of JobTransferred, JobError
		// and FileTransferred with E_FAIL: the default selection only.
		if len(b.on) > 0 || (b.ret != 0 && b.ret != model.E_FAIL) {
			out.exact = false
		}
		out.b.FailFirst = b.failFirst
	case b.ret != 0:
		out.b.Results = map[model.EventKind]model.HRESULT{}
		for _, k := range kinds {
			out.b.Results[k] = b.ret
		}
	}
	// Complete after a failed answer, or after S_FALSE, differs: the
	// scenario's object completes only after S_OK.
	if b.complete && b.ret != 0 {
		out.exact = false
	}
	return out
}

// SimOptions are the options of the simulator the script runs on by
// default: its version, seed, clock and variants. A harness.SimBackend
// made from them (harness.NewSim, or NewSimAuto when Clock is Automatic)
// runs the script as Run does.
func (sc *Script) SimOptions() sim.Options {
	so := sim.Options{Version: sc.Version, Seed: sc.Seed, Variants: sc.Variants().Normalized(), Clock: sim.Manual}
	if sc.Automatic {
		so.Clock = sim.Automatic
	}
	return so
}

// simOptions are the options of the default backend for a script.
func simOptions(sc *Script, variants rules.Selection, text bool) sim.Options {
	so := sim.Options{Version: sc.Version, Seed: sc.Seed, Variants: variants}
	if text {
		// The runner keeps its own copy of every notification; the
		// service needs only those since the last statement.
		so.TraceLimit = streamTraceLimit
	}
	return so
}

// backendCmds plays a script's command lines on a backend that runs only
// the programs it makes (no harness.ProgramScripter): a command line
// that can be set becomes one of Backend.CommandLine's, exiting as the
// statement's exit= says, and what the backend reports (GetNotifyCmdLine,
// the runs in its trace) maps back to the script's names.
type backendCmds struct {
	make   func(exitCodes ...int) (program, parameters string, err error) // Backend.CommandLine; nil: names pass as they are
	script map[[2]string][2]string                                        // the backend's program and parameters → the script's
	exits  map[string][]int                                               // a script program's last exit codes
}

// commandLine returns the program and parameters to set for the
// script's. A command line no program runs passes as it is: an empty
// program (a clear, or parameters alone), and strings longer than BITS
// takes (CMD-STRING-TOO-LONG) or with a NUL character (LIMIT-STRING-NUL),
// which the call refuses. Empty (NULL)
// parameters stay empty, as the statement says.
func (c *backendCmds) commandLine(prog, params string, opts map[string]string) (string, string, error) {
	if c.make == nil || prog == "" ||
		rules.Len16(prog) > rules.MaxProgram || rules.Len16(params) > rules.MaxParameters ||
		strings.ContainsRune(prog, 0) || strings.ContainsRune(params, 0) {
		return prog, params, nil
	}
	key := model.FoldName(prog)
	codes := c.exits[key]
	if v, ok := opts["exit"]; ok {
		codes, _ = parseExits(v) // checked by Parse
		if c.exits == nil {
			c.exits = map[string][]int{}
		}
		c.exits[key] = codes
	}
	bprog, bparams, err := c.make(codes...)
	if err != nil {
		return "", "", fmt.Errorf("scenario: a command line for %s: %w", prog, err)
	}
	if params == "" {
		bparams = ""
	}
	if c.script == nil {
		c.script = map[[2]string][2]string{}
	}
	c.script[[2]string{bprog, bparams}] = [2]string{prog, params}
	return bprog, bparams, nil
}

// scriptNames maps a program and parameters the backend made back to the
// script's; others are returned as they are.
func (c *backendCmds) scriptNames(prog, params string) (string, string) {
	if s, ok := c.script[[2]string{prog, params}]; ok {
		return s[0], s[1]
	}
	return prog, params
}
