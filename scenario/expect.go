package scenario

import (
	"fmt"
	"strconv"
	"strings"

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
	// ExpectNotified: expect JOB [no] KIND [-> TARGET] [xN] [failed]
	ExpectNotified
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
}

// expectation parses the arguments of expect.
func (p *parser) expectation(line int, verb token, args []token) (*Expectation, error) {
	if len(args) < 2 {
		return nil, p.err(line, verb, "expect needs a job and what to check", "usage: "+verbs["expect"].usage)
	}
	e := &Expectation{Job: args[0].text, Count: -1}
	if !p.jobs[e.Job] {
		return nil, p.err(line, args[0], fmt.Sprintf("unknown job %q", e.Job), "create it first: APP: create "+e.Job)
	}
	what := args[1]
	rest := args[2:]
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
	switch strings.ToLower(what.text) {
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
		t, err := one("write e.g. expect job1 interface A, or none")
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(t.text, "none") && !p.apps[t.text] {
			return nil, p.err(line, t, fmt.Sprintf("unknown app %q", t.text), "name an app, or none")
		}
		e.Value = t.text
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
	default:
		return p.notified(line, e, args[1:])
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
	k, err := model.ParseEventKind(args[0].text)
	if err != nil {
		return nil, p.err(line, args[0], "unknown expectation", "check state, flags, owner, interface, clsid, cmdline, or a notification: JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred, CommandLine")
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
		default:
			return nil, p.err(line, t, "unexpected word", "after the kind: -> TARGET, xN, failed")
		}
	}
	return e, nil
}

// String prints the expectation as it would be written.
func (e *Expectation) String() string {
	switch e.Kind {
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
	}
	s := e.Job + " "
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
	return s
}
