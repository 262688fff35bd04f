package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
)

// Registration is what is registered on a job for notifications, as far as
// routing an event needs to know.
type Registration struct {
	Version  model.Version
	Flags    model.NotifyFlags
	Object   bool // a callback object is registered (SetNotifyInterface)
	CLSID    bool // a notification CLSID is set
	Instance bool // an instance activated from the CLSID is still held
	CmdLine  bool // a command line is set
	// OwnerIsServiceAccount: the job's owner is LocalSystem, LocalService
	// or NetworkService.
	OwnerIsServiceAccount bool
	// OnDemand: the job meets the requirements of a
	// BITS_JOB_PROPERTY_ON_DEMAND_MODE job (MeetsOnDemandRequirements),
	// whether or not it is in that mode (DELIV-RANGES-ON-DEMAND).
	OnDemand bool
	// CmdLineTookOver: for this event the callback already failed and the
	// command line ran, so BITS no longer calls the callback method
	// (CMD-METHOD-NOT-RECALLED) until a callback object is registered again.
	CmdLineTookOver bool
	// Variants selects the readings of the open rules routing depends on
	// (nil: every default).
	Variants Selection
	// Resolved, when not nil, takes the place of Variants: the same
	// readings resolved once by Selection.Resolve, so that routing reads
	// fields instead of looking rule IDs up in maps. A service resolves its
	// selection when it starts and passes it with every event.
	Resolved *Resolved
}

// Resolved is a Selection resolved once into the readings routing reads on
// every event (Registration.Resolved). Make one with Selection.Resolve; it
// is read-only and safe to share.
type Resolved struct {
	sel                     Selection
	disableCmdLineStillRuns bool // FLAGS-DISABLE-CMDLINE: cmdline-still-runs
	flagsAtEvent            bool // FLAGS-CHECKED-AT-DISPATCH: at-event
	failureFallsBackToCLSID bool // PREC-FAILURE-KEEPS-OBJECT: falls-back-to-clsid
	cmdLineBeforeCLSID      bool // PREC-CMDLINE-LAST: cmdline-before-clsid
	activationLikeNoCLSID   bool // CLSID-ACTIVATION-FAILURE: like-no-clsid
	launchFailureDropped    bool // CMD-LAUNCH-FAILURE: dropped
}

// Resolve resolves s for Registration.Resolved. It reads s once: later
// changes to s do not show.
func (s Selection) Resolve() *Resolved {
	return &Resolved{
		sel:                     s.Normalized(),
		disableCmdLineStillRuns: s.Is("FLAGS-DISABLE-CMDLINE", VarCmdLineStillRuns),
		flagsAtEvent:            s.Is("FLAGS-CHECKED-AT-DISPATCH", VarAtEvent),
		failureFallsBackToCLSID: s.Is("PREC-FAILURE-KEEPS-OBJECT", VarFallsBackToCLSID),
		cmdLineBeforeCLSID:      s.Is("PREC-CMDLINE-LAST", VarCmdLineBeforeCLSID),
		activationLikeNoCLSID:   s.Is("CLSID-ACTIVATION-FAILURE", VarLikeNoCLSID),
		launchFailureDropped:    s.Is("CMD-LAUNCH-FAILURE", VarDropped),
	}
}

// Selection returns the selection r was resolved from, without the
// entries that select a default (Selection.Normalized).
func (r *Resolved) Selection() Selection { return r.sel.Normalized() }

// The readings of the open rules routing depends on, from Resolved when
// set, else from Variants.

func (reg *Registration) disableCmdLineStillRuns() bool {
	if r := reg.Resolved; r != nil {
		return r.disableCmdLineStillRuns
	}
	return reg.Variants.Is("FLAGS-DISABLE-CMDLINE", VarCmdLineStillRuns)
}

func (reg *Registration) flagsAtEvent() bool {
	if r := reg.Resolved; r != nil {
		return r.flagsAtEvent
	}
	return reg.Variants.Is("FLAGS-CHECKED-AT-DISPATCH", VarAtEvent)
}

func (reg *Registration) failureFallsBackToCLSID() bool {
	if r := reg.Resolved; r != nil {
		return r.failureFallsBackToCLSID
	}
	return reg.Variants.Is("PREC-FAILURE-KEEPS-OBJECT", VarFallsBackToCLSID)
}

func (reg *Registration) cmdLineBeforeCLSID() bool {
	if r := reg.Resolved; r != nil {
		return r.cmdLineBeforeCLSID
	}
	return reg.Variants.Is("PREC-CMDLINE-LAST", VarCmdLineBeforeCLSID)
}

func (reg *Registration) activationLikeNoCLSID() bool {
	if r := reg.Resolved; r != nil {
		return r.activationLikeNoCLSID
	}
	return reg.Variants.Is("CLSID-ACTIVATION-FAILURE", VarLikeNoCLSID)
}

func (reg *Registration) launchFailureDropped() bool {
	if r := reg.Resolved; r != nil {
		return r.launchFailureDropped
	}
	return reg.Variants.Is("CMD-LAUNCH-FAILURE", VarDropped)
}

// Fate is how one delivery attempt ends.
type Fate int

// The ways an attempt can end.
const (
	// FateOK: the callback returned S_OK (or another success code), the
	// program exited 0.
	FateOK Fate = iota
	// FateFails: the callback returned a failure HRESULT, the program
	// exited non-zero.
	FateFails
	// FateDisconnected: the callback's process is gone; the call fails with
	// an RPC error.
	FateDisconnected
	// FateActivationFails: CoCreateInstance of the notification CLSID failed.
	FateActivationFails
	// FateNotStarted: the command line's program could not be started.
	FateNotStarted
)

var fateNames = []string{"ok", "fails", "disconnected", "activation-fails", "not-started"}

// String returns "ok", "fails", "disconnected", "activation-fails" or
// "not-started".
func (f Fate) String() string {
	if f >= 0 && int(f) < len(fateNames) {
		return fateNames[f]
	}
	return fmt.Sprintf("Fate(%d)", int(f))
}

// ParseFate accepts the names String prints.
func ParseFate(s string) (Fate, error) {
	for i, n := range fateNames {
		if strings.EqualFold(n, strings.TrimSpace(s)) {
			return Fate(i), nil
		}
	}
	return 0, fmt.Errorf("rules: unknown fate %q (want one of %s)", s, strings.Join(fateNames, ", "))
}

// The rules a plan can cite, as small numbers so that a Plan stays small
// and routing allocates nothing.
const (
	noRule uint8 = iota
	rClsidActivationFailure
	rClsidInstanceReused
	rCmdLaunchFailure
	rCmdMethodNotRecalled
	rCmdOnceBits15
	rCmdRerunNonzeroExit
	rDelivAfterRegistration
	rDelivBothFailRetry
	rDelivModificationFailureIgnored
	rDelivRangesOnDemand
	rDelivRetryUntilOk
	rFlagsDisable
	rFlagsFilter
	rObjDiscoverDead
	rPrecCmdlineLast
	rPrecCmdlineOnFailure
	rPrecFallbackDisconnected
	rPrecFallbackMissing
	rPrecObjectFirst
	rPrecFailureKeepsObject
)

// planRuleIDs names the rules a plan can cite.
var planRuleIDs = [...]string{
	rClsidActivationFailure:          "CLSID-ACTIVATION-FAILURE",
	rClsidInstanceReused:             "CLSID-INSTANCE-REUSED",
	rCmdLaunchFailure:                "CMD-LAUNCH-FAILURE",
	rCmdMethodNotRecalled:            "CMD-METHOD-NOT-RECALLED",
	rCmdOnceBits15:                   "CMD-ONCE-BITS15",
	rCmdRerunNonzeroExit:             "CMD-RERUN-NONZERO-EXIT",
	rDelivAfterRegistration:          "DELIV-AFTER-REGISTRATION",
	rDelivBothFailRetry:              "DELIV-BOTH-FAIL-RETRY",
	rDelivModificationFailureIgnored: "DELIV-MODIFICATION-FAILURE-IGNORED",
	rDelivRangesOnDemand:             "DELIV-RANGES-ON-DEMAND",
	rDelivRetryUntilOk:               "DELIV-RETRY-UNTIL-OK",
	rFlagsDisable:                    "FLAGS-DISABLE",
	rFlagsFilter:                     "FLAGS-FILTER",
	rObjDiscoverDead:                 "OBJ-DISCOVER-DEAD",
	rPrecCmdlineLast:                 "PREC-CMDLINE-LAST",
	rPrecCmdlineOnFailure:            "PREC-CMDLINE-ON-FAILURE",
	rPrecFallbackDisconnected:        "PREC-FALLBACK-DISCONNECTED",
	rPrecFallbackMissing:             "PREC-FALLBACK-MISSING",
	rPrecObjectFirst:                 "PREC-OBJECT-FIRST",
	rPrecFailureKeepsObject:          "PREC-FAILURE-KEEPS-OBJECT",
}

// Step is one delivery attempt of a Plan.
type Step struct {
	Target model.TargetKind
	// Activate: BITS creates a new instance from the CLSID for this
	// attempt (rather than calling one it holds).
	Activate bool
	Fate     Fate
}

// Outcome is how a notification ends.
type Outcome int

// The outcomes of routing one notification.
const (
	// OutcomeNotWanted: the flags do not ask for it; nothing happens.
	OutcomeNotWanted Outcome = iota + 1
	// OutcomePending: nobody can receive it now; BITS keeps it and delivers
	// it when a target is registered (JobTransferred/JobError) or forgets
	// it (JobModification, FileRangesTransferred).
	OutcomePending
	// OutcomeDelivered: a target accepted it.
	OutcomeDelivered
	// OutcomeRetry: every target failed; BITS tries again after the job's
	// MinimumRetryDelay.
	OutcomeRetry
	// OutcomeDropped: it failed and is not retried (lossy kinds).
	OutcomeDropped
)

var outcomeNames = []string{"", "not-wanted", "pending", "delivered", "retry", "dropped"}

// String returns the outcome's name.
func (o Outcome) String() string {
	if o > 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// maxSteps bounds a plan: object, held instance, new instance, command line.
const maxSteps = 4

// maxPlanRules bounds the rules a plan cites.
const maxPlanRules = 8

// Plan is the ordered delivery of one notification: the attempts BITS makes,
// how it ends, and the rules that decide it. It is a value with fixed-size
// arrays so that routing allocates nothing.
type Plan struct {
	steps   [maxSteps]Step
	nSteps  int
	rules   [maxPlanRules]uint8
	nRules  int
	Outcome Outcome
	// DeliveredTo is the target that accepted the notification, when
	// Outcome is OutcomeDelivered.
	DeliveredTo model.TargetKind
	// DropObject: the object was found disconnected and BITS forgets it
	// (GetNotifyInterface returns nil afterwards).
	DropObject bool
	// DropInstance: the CLSID instance BITS held is no longer used.
	DropInstance bool
	// KeepInstance: after the plan BITS holds a (new or old) CLSID instance.
	KeepInstance bool
	// CmdLineTookOver: the command line ran after a failed callback; from
	// now on BITS calls only the command line for this event.
	CmdLineTookOver bool
	// Settled: the notification is done with, successfully or not, and is
	// not owed any more. It is false with OutcomeRetry; with OutcomePending
	// for JobTransferred, JobError and FileTransferred (delivered when a
	// target is registered); and with OutcomeNotWanted for JobTransferred and
	// JobError (delivered if the flags change).
	Settled bool
}

// Steps returns the attempts in order.
func (p *Plan) Steps() []Step { return p.steps[:p.nSteps] }

// Rules returns the IDs of the rules that decided the plan, in the order
// they applied.
func (p *Plan) Rules() []string {
	out := make([]string, p.nRules)
	for i, r := range p.rules[:p.nRules] {
		out[i] = planRuleIDs[r]
	}
	return out
}

func (p *Plan) cite(id uint8) {
	for _, r := range p.rules[:p.nRules] {
		if r == id {
			return
		}
	}
	if p.nRules < maxPlanRules {
		p.rules[p.nRules] = id
		p.nRules++
	}
}

func (p *Plan) add(s Step) {
	if p.nSteps < maxSteps {
		p.steps[p.nSteps] = s
		p.nSteps++
	}
}

// String prints the plan on one line, e.g.
// "object:disconnected -> clsid(new):ok => delivered to clsid [PREC-OBJECT-FIRST …]".
func (p *Plan) String() string {
	var b strings.Builder
	for i, s := range p.Steps() {
		if i > 0 {
			b.WriteString(" -> ")
		}
		b.WriteString(s.Target.String())
		if s.Activate {
			b.WriteString("(new)")
		}
		b.WriteString(":" + s.Fate.String())
	}
	if b.Len() > 0 {
		b.WriteString(" => ")
	}
	b.WriteString(p.Outcome.String())
	if p.Outcome == OutcomeDelivered {
		b.WriteString(" to " + p.DeliveredTo.String())
	}
	fmt.Fprintf(&b, " %v", p.Rules())
	return b.String()
}

// Caller performs (or predicts) delivery attempts for RouteWith.
type Caller interface {
	// Call attempts delivery to the step's target and reports how it ended.
	Call(s Step) Fate
}

// Fates predicts every attempt's end; it is the Caller of Route.
type Fates struct {
	Object      Fate // the registered object
	Instance    Fate // the CLSID instance BITS holds
	Activation  Fate // activating a new instance: FateOK or FateActivationFails
	NewInstance Fate // the newly activated instance
	CmdLine     Fate // the program: FateOK (exit 0), FateFails (non-zero exit) or FateNotStarted
}

// Call returns the predicted fate of s.
func (f Fates) Call(s Step) Fate {
	switch {
	case s.Target == model.TargetObject:
		return f.Object
	case s.Target == model.TargetCLSID && s.Activate:
		if f.Activation == FateActivationFails {
			return FateActivationFails
		}
		return f.NewInstance
	case s.Target == model.TargetCLSID:
		return f.Instance
	case s.Target == model.TargetCommandLine:
		return f.CmdLine
	}
	return FateFails
}

// Route predicts the delivery of a notification of kind given the
// registration and how each attempt would end. See RouteWith.
func Route(reg Registration, kind model.EventKind, f Fates) Plan {
	return RouteWith(reg, kind, f)
}

// CmdLineEligible reports whether a command line may run for kind: it is
// set, the job's flags ask for the event, the event is JobTransferred or
// JobError (CMD-EVENTS, FLAGS-CMDLINE-SUBSET), the owner is not a service
// account (CMD-NEVER-SERVICE-ACCOUNT).
//
// Under FLAGS-DISABLE-CMDLINE's cmdline-still-runs reading, DISABLE does
// not stop the command line.
func CmdLineEligible(reg Registration, kind model.EventKind) bool {
	if !reg.CmdLine || reg.OwnerIsServiceAccount {
		return false
	}
	if kind != model.EventJobTransferred && kind != model.EventJobError {
		return false
	}
	flags := reg.Flags
	if flags&model.BG_NOTIFY_DISABLE != 0 && reg.disableCmdLineStillRuns() {
		flags &^= model.BG_NOTIFY_DISABLE
	}
	return Wants(flags, kind)
}

// KindSupported reports whether BITS v ever sends kind for a job:
// FileTransferred needs BITS 3.0, FileRangesTransferred needs 10.1 and a
// job that meets the requirements of an on-demand job
// (DELIV-RANGES-ON-DEMAND).
func KindSupported(reg Registration, kind model.EventKind) bool {
	switch kind {
	case model.EventFileTransferred:
		return reg.Version >= model.BITS3_0
	case model.EventFileRangesTransferred:
		return reg.Version >= model.BITS10_1 && reg.OnDemand
	case model.EventJobTransferred, model.EventJobError, model.EventJobModification:
		return true
	}
	return false
}

// levelTriggered reports whether kind reports a state the job stays in
// (TRANSFERRED, ERROR), so that it remains owed until delivered.
func levelTriggered(kind model.EventKind) bool {
	return kind == model.EventJobTransferred || kind == model.EventJobError
}

// retried reports whether a failed notification of kind is tried again
// (DELIV-RETRY-UNTIL-OK) or forgotten (DELIV-MODIFICATION-FAILURE-IGNORED).
func retried(kind model.EventKind) bool {
	return kind == model.EventJobTransferred || kind == model.EventJobError || kind == model.EventFileTransferred
}

// RouteWith routes one notification of kind, asking c to perform each
// attempt, and returns the plan it followed. The order is:
//
//  1. Nothing unless the flags ask for the kind (FLAGS-FILTER, FLAGS-DISABLE)
//     and the version and job support it (DELIV-RANGES-ON-DEMAND).
//  2. The registered object first (PREC-OBJECT-FIRST). If its process is
//     gone BITS forgets it (OBJ-DISCOVER-DEAD) and falls back to the CLSID
//     (PREC-FALLBACK-DISCONNECTED); if it returns a failure, the CLSID is not
//     tried: the object could be called.
//  3. The CLSID, when there is no object (PREC-FALLBACK-MISSING) or it was
//     disconnected: the held instance (CLSID-INSTANCE-REUSED), or a new one
//     if none is held or the held one is disconnected
//     (CLSID-ACTIVATION-FAILURE when activation fails).
//  4. The command line, last (PREC-CMDLINE-LAST), for JobTransferred and
//     JobError only, when no callback accepted the notification
//     (CMD-ONLY-IF-NOT-DELIVERED, PREC-CMDLINE-ON-FAILURE). Once it ran
//     after a failed callback, the method is not called again for this event
//     (CMD-METHOD-NOT-RECALLED, reported as Plan.CmdLineTookOver and passed
//     back as Registration.CmdLineTookOver); a non-zero exit runs it again
//     after the retry delay (CMD-RERUN-NONZERO-EXIT; BITS 1.5 runs it only
//     once, CMD-ONCE-BITS15).
//  5. If every attempt failed: JobTransferred, JobError and FileTransferred
//     are retried after MinimumRetryDelay (DELIV-RETRY-UNTIL-OK,
//     DELIV-RETRY-INTERVAL, DELIV-BOTH-FAIL-RETRY); JobModification and
//     FileRangesTransferred are dropped (DELIV-MODIFICATION-FAILURE-IGNORED).
//  6. With no target at all the notification stays pending and is delivered
//     when one is registered (DELIV-AFTER-REGISTRATION, CMD-AFTER-EVENT).
//
// reg.Variants (or reg.Resolved) selects the readings of the open rules: FLAGS-CHECKED-AT-DISPATCH,
// FLAGS-DISABLE-CMDLINE, PREC-FAILURE-KEEPS-OBJECT, PREC-CMDLINE-LAST,
// CLSID-ACTIVATION-FAILURE and CMD-LAUNCH-FAILURE.
func RouteWith[C Caller](reg Registration, kind model.EventKind, c C) Plan {
	var p Plan
	wanted := Wants(reg.Flags, kind) && KindSupported(reg, kind)
	// Under FLAGS-DISABLE-CMDLINE's cmdline-still-runs reading DISABLE mutes
	// the callbacks only: the command line may still run.
	onlyCmdLine := !wanted && reg.Flags&model.BG_NOTIFY_DISABLE != 0 && CmdLineEligible(reg, kind)
	if !wanted && !onlyCmdLine {
		p.Outcome = OutcomeNotWanted
		// A JobTransferred or JobError the flags do not ask for stays
		// pending: the flags are read at dispatch (FLAGS-CHECKED-AT-DISPATCH),
		// unless they are read when the event happens (its at-event reading).
		p.Settled = !levelTriggered(kind) || reg.flagsAtEvent()
		if reg.Flags&model.BG_NOTIFY_DISABLE != 0 {
			p.cite(rFlagsDisable)
		} else if kind == model.EventFileRangesTransferred {
			p.cite(rDelivRangesOnDemand)
		} else {
			p.cite(rFlagsFilter)
		}
		return p
	}
	p.cite(rFlagsFilter)
	p.KeepInstance = reg.Instance
	callbackFailed := false
	tryCLSID := reg.CLSID && reg.Version >= model.BITS5_0 && !onlyCmdLine
	callbacks := (reg.Object || tryCLSID) && !onlyCmdLine
	if reg.CmdLineTookOver && CmdLineEligible(reg, kind) {
		// The method is not called again for this event.
		p.cite(rCmdMethodNotRecalled)
		callbacks, tryCLSID, callbackFailed = false, false, true
	}
	if reg.Object && callbacks {
		p.cite(rPrecObjectFirst)
		fate := c.Call(Step{Target: model.TargetObject})
		p.add(Step{Target: model.TargetObject, Fate: fate})
		switch fate {
		case FateOK:
			p.delivered(model.TargetObject)
			return p
		case FateDisconnected:
			p.DropObject = true
			p.cite(rObjDiscoverDead)
			if tryCLSID {
				p.cite(rPrecFallbackDisconnected)
			}
		default:
			callbackFailed = true
			if tryCLSID {
				p.cite(rPrecFailureKeepsObject)
			}
			// The object answered: it keeps the notification
			// (PREC-FAILURE-KEEPS-OBJECT), unless BITS falls back to the
			// CLSID on a failure return too (its falls-back-to-clsid reading).
			// For JobTransferred and JobError only: the lossy kinds trigger
			// no fallback (DELIV-MODIFICATION-FAILURE-IGNORED).
			tryCLSID = tryCLSID && levelTriggered(kind) && reg.failureFallsBackToCLSID()
		}
	} else if tryCLSID && callbacks {
		p.cite(rPrecFallbackMissing)
	}
	cmdFirst := tryCLSID && reg.cmdLineBeforeCLSID() && CmdLineEligible(reg, kind)
	cmdFate := FateOK
	if cmdFirst {
		// The command line before the CLSID (PREC-CMDLINE-LAST's
		// cmdline-before-clsid reading).
		p.cite(rPrecCmdlineLast)
		cmdFate = c.Call(Step{Target: model.TargetCommandLine})
		p.add(Step{Target: model.TargetCommandLine, Fate: cmdFate})
		if cmdFate == FateOK {
			p.delivered(model.TargetCommandLine)
			return p
		}
		if cmdFate == FateNotStarted {
			p.cite(rCmdLaunchFailure)
		} else {
			p.cite(rCmdRerunNonzeroExit)
		}
	}
	if tryCLSID {
		activate := !reg.Instance
		if reg.Instance {
			p.cite(rClsidInstanceReused)
			fate := c.Call(Step{Target: model.TargetCLSID})
			p.add(Step{Target: model.TargetCLSID, Fate: fate})
			switch fate {
			case FateOK:
				p.delivered(model.TargetCLSID)
				return p
			case FateDisconnected:
				p.DropInstance = true
				p.KeepInstance = false
				activate = true
			default:
				callbackFailed = true
			}
		}
		if activate {
			fate := c.Call(Step{Target: model.TargetCLSID, Activate: true})
			p.add(Step{Target: model.TargetCLSID, Activate: true, Fate: fate})
			switch fate {
			case FateOK:
				p.KeepInstance = true
				p.delivered(model.TargetCLSID)
				return p
			case FateActivationFails:
				p.cite(rClsidActivationFailure)
				// A failed activation counts as a failed callback, or as no
				// CLSID at all (CLSID-ACTIVATION-FAILURE's like-no-clsid reading).
				if !reg.activationLikeNoCLSID() {
					callbackFailed = true
				}
			case FateDisconnected:
				callbackFailed = true
			default:
				p.KeepInstance = true
				callbackFailed = true
			}
		}
	}
	if cmdFirst {
		// The command line ran before the CLSID and failed, and so did the
		// CLSID: the whole notification is tried again, unless a program
		// that could not start is given up on (CMD-LAUNCH-FAILURE's dropped
		// reading).
		if cmdFate == FateNotStarted && reg.launchFailureDropped() && !callbackFailed {
			p.Outcome = OutcomeDropped
			p.Settled = true
			return p
		}
		p.retry(kind)
		return p
	}
	if CmdLineEligible(reg, kind) {
		p.cite(rPrecCmdlineLast)
		if callbackFailed || p.DropObject {
			p.cite(rPrecCmdlineOnFailure)
		}
		fate := c.Call(Step{Target: model.TargetCommandLine})
		p.add(Step{Target: model.TargetCommandLine, Fate: fate})
		if fate == FateNotStarted {
			// Nothing ran: the whole notification is tried again, callbacks
			// first (CMD-LAUNCH-FAILURE, DELIV-BOTH-FAIL-RETRY), unless BITS
			// gives up on a program it cannot start (CMD-LAUNCH-FAILURE's
			// dropped reading): then a failed callback is still retried.
			p.cite(rCmdLaunchFailure)
			if reg.launchFailureDropped() && !callbackFailed {
				p.Outcome = OutcomeDropped
				p.Settled = true
				return p
			}
			if callbackFailed {
				p.cite(rDelivBothFailRetry)
			}
			p.retry(kind)
			return p
		}
		// The program ran: after a failed callback the method is not called
		// again for this event (CMD-METHOD-NOT-RECALLED).
		p.CmdLineTookOver = callbackFailed
		if callbackFailed {
			p.cite(rCmdMethodNotRecalled)
		}
		if fate == FateOK {
			p.delivered(model.TargetCommandLine)
			return p
		}
		if reg.Version <= model.BITS1_5 {
			// BITS 1.5 runs the program once, whatever its exit code.
			p.cite(rCmdOnceBits15)
			p.Outcome = OutcomeDropped
			p.Settled = true
			return p
		}
		p.cite(rCmdRerunNonzeroExit)
		p.retry(kind)
		return p
	}
	if !callbackFailed {
		// Nothing was registered, or the only object was found gone.
		p.Outcome = OutcomePending
		p.Settled = !retried(kind)
		if levelTriggered(kind) {
			p.cite(rDelivAfterRegistration)
		}
		return p
	}
	p.retry(kind)
	return p
}

// RetryDelay returns when BITS tries a notification of outcome
// OutcomeRetry again, for a job whose MinimumRetryDelay is minimumRetryDelay:
// after MinimumRetryDelay when the command line was part of the attempt
// (CMD-RERUN-NONZERO-EXIT, DELIV-BOTH-FAIL-RETRY, CMD-LAUNCH-FAILURE, all
// documented with that delay), otherwise as NotificationRetryDelay says
// (DELIV-RETRY-INTERVAL and its readings).
func (p *Plan) RetryDelay(minimumRetryDelay time.Duration, sel Selection) time.Duration {
	for _, s := range p.Steps() {
		if s.Target == model.TargetCommandLine {
			return ClampRetryDelay(minimumRetryDelay)
		}
	}
	return NotificationRetryDelay(minimumRetryDelay, sel)
}

// ReplacedInstance reports whether the plan activated a new CLSID instance
// in place of a held one whose process had ended.
func (p *Plan) ReplacedInstance() bool {
	if !p.DropInstance || !p.KeepInstance {
		return false
	}
	for _, s := range p.Steps() {
		if s.Target == model.TargetCLSID && s.Activate && s.Fate != FateActivationFails {
			return true
		}
	}
	return false
}

// RedeliverOnNewInstance reports whether, after the plan for a
// notification of kind replaced a dead CLSID instance with a new one, the
// notification of the job's state s (JobTransferred for TRANSFERRED,
// JobError for ERROR) is owed again although it was delivered: only under
// DELIV-ONCE-AFTER-SUCCESS's again-on-new-instance reading, and not when
// the plan itself was that notification.
func (p *Plan) RedeliverOnNewInstance(kind model.EventKind, s model.JobState, sel Selection) bool {
	if !p.ReplacedInstance() || !sel.Is("DELIV-ONCE-AFTER-SUCCESS", VarAgainNewInstance) {
		return false
	}
	switch s {
	case model.BG_JOB_STATE_TRANSFERRED:
		return kind != model.EventJobTransferred
	case model.BG_JOB_STATE_ERROR:
		return kind != model.EventJobError
	}
	return false
}

func (p *Plan) delivered(t model.TargetKind) {
	p.Outcome = OutcomeDelivered
	p.DeliveredTo = t
	p.Settled = true
}

func (p *Plan) retry(kind model.EventKind) {
	if retried(kind) {
		p.Outcome = OutcomeRetry
		p.cite(rDelivRetryUntilOk)
		return
	}
	p.Outcome = OutcomeDropped
	p.Settled = true
	p.cite(rDelivModificationFailureIgnored)
}
