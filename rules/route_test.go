package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

var (
	obj      = model.TargetObject
	clsid    = model.TargetCLSID
	cmd      = model.TargetCommandLine
	ok       = FateOK
	fails    = FateFails
	gone     = FateDisconnected
	noActv   = FateActivationFails
	jt       = model.EventJobTransferred
	je       = model.EventJobError
	jm       = model.EventJobModification
	ft       = model.EventFileTransferred
	frt      = model.EventFileRangesTransferred
	dflt     = model.NotifyFlags(0x3)
	allFlags = model.NotifyFlags(0x3B)
)

func reg(mod func(*Registration)) Registration {
	r := Registration{Version: model.BITS10_3, Flags: dflt}
	if mod != nil {
		mod(&r)
	}
	return r
}

func TestRoute(t *testing.T) {
	cases := []struct {
		name     string
		reg      Registration
		kind     model.EventKind
		fates    Fates
		steps    []Step
		outcome  Outcome
		to       model.TargetKind
		dropObj  bool
		keepInst bool
		mustCite string
		settled  bool
	}{
		{
			name: "object only, delivered", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true }),
			steps:   []Step{{Target: obj}},
			outcome: OutcomeDelivered, to: obj, mustCite: "PREC-OBJECT-FIRST",
			settled: true,
		},
		{
			name: "CLSID only: BITS activates an instance", kind: jt,
			reg:     reg(func(r *Registration) { r.CLSID = true }),
			steps:   []Step{{Target: clsid, Activate: true}},
			outcome: OutcomeDelivered, to: clsid, keepInst: true, mustCite: "PREC-FALLBACK-MISSING",
			settled: true,
		},
		{
			name: "both: the object wins", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true; r.CLSID = true }),
			steps:   []Step{{Target: obj}},
			outcome: OutcomeDelivered, to: obj, mustCite: "PREC-OBJECT-FIRST",
			settled: true,
		},
		{
			name: "object's app died: CLSID takes over", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true; r.CLSID = true }),
			fates:   Fates{Object: gone},
			steps:   []Step{{Target: obj, Fate: gone}, {Target: clsid, Activate: true}},
			outcome: OutcomeDelivered, to: clsid, dropObj: true, keepInst: true, mustCite: "PREC-FALLBACK-DISCONNECTED",
			settled: true,
		},
		{
			name: "held CLSID instance is reused", kind: je,
			reg:     reg(func(r *Registration) { r.CLSID = true; r.Instance = true }),
			steps:   []Step{{Target: clsid}},
			outcome: OutcomeDelivered, to: clsid, keepInst: true, mustCite: "CLSID-INSTANCE-REUSED",
			settled: true,
		},
		{
			name: "held instance disconnected: a new one is activated", kind: je,
			reg:     reg(func(r *Registration) { r.CLSID = true; r.Instance = true }),
			fates:   Fates{Instance: gone},
			steps:   []Step{{Target: clsid, Fate: gone}, {Target: clsid, Activate: true}},
			outcome: OutcomeDelivered, to: clsid, keepInst: true,
			settled: true,
		},
		{
			name: "object fails: CLSID not tried, retried later", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true; r.CLSID = true }),
			fates:   Fates{Object: fails},
			steps:   []Step{{Target: obj, Fate: fails}},
			outcome: OutcomeRetry, mustCite: "DELIV-RETRY-UNTIL-OK",
			settled: false,
		},
		{
			name: "object fails with a command line: the program runs", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true; r.CmdLine = true }),
			fates:   Fates{Object: fails},
			steps:   []Step{{Target: obj, Fate: fails}, {Target: cmd}},
			outcome: OutcomeDelivered, to: cmd, mustCite: "CMD-METHOD-NOT-RECALLED",
			settled: true,
		},
		{
			name: "object succeeds: the command line does not run", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true; r.CmdLine = true }),
			steps:   []Step{{Target: obj}},
			outcome: OutcomeDelivered, to: obj,
			settled: true,
		},
		{
			name: "object gone, no CLSID: the command line runs", kind: je,
			reg:     reg(func(r *Registration) { r.Object = true; r.CmdLine = true }),
			fates:   Fates{Object: gone},
			steps:   []Step{{Target: obj, Fate: gone}, {Target: cmd}},
			outcome: OutcomeDelivered, to: cmd, dropObj: true, mustCite: "PREC-CMDLINE-ON-FAILURE",
			settled: true,
		},
		{
			name: "activation fails, command line runs", kind: jt,
			reg:     reg(func(r *Registration) { r.CLSID = true; r.CmdLine = true }),
			fates:   Fates{Activation: noActv},
			steps:   []Step{{Target: clsid, Activate: true, Fate: noActv}, {Target: cmd}},
			outcome: OutcomeDelivered, to: cmd, mustCite: "CLSID-ACTIVATION-FAILURE",
			settled: true,
		},
		{
			name: "activation fails, nothing else: retried", kind: jt,
			reg:     reg(func(r *Registration) { r.CLSID = true }),
			fates:   Fates{Activation: noActv},
			steps:   []Step{{Target: clsid, Activate: true, Fate: noActv}},
			outcome: OutcomeRetry,
			settled: false,
		},
		{
			name: "callback and command line both fail: retried", kind: je,
			reg:     reg(func(r *Registration) { r.Object = true; r.CmdLine = true }),
			fates:   Fates{Object: fails, CmdLine: fails},
			steps:   []Step{{Target: obj, Fate: fails}, {Target: cmd, Fate: fails}},
			outcome: OutcomeRetry, mustCite: "CMD-RERUN-NONZERO-EXIT",
			settled: false,
		},
		{
			name: "after the command line took over, the method is not called again", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true; r.CmdLine = true; r.CmdLineTookOver = true }),
			steps:   []Step{{Target: cmd}},
			outcome: OutcomeDelivered, to: cmd, mustCite: "CMD-METHOD-NOT-RECALLED",
			settled: true,
		},
		{
			name: "callback fails and the program cannot start: all again later", kind: je,
			reg:     reg(func(r *Registration) { r.Object = true; r.CmdLine = true }),
			fates:   Fates{Object: fails, CmdLine: FateNotStarted},
			steps:   []Step{{Target: obj, Fate: fails}, {Target: cmd, Fate: FateNotStarted}},
			outcome: OutcomeRetry, mustCite: "DELIV-BOTH-FAIL-RETRY",
			settled: false,
		},
		{
			name: "BITS 1.5 runs the program once", kind: jt,
			reg:     reg(func(r *Registration) { r.Version = model.BITS1_5; r.CmdLine = true }),
			fates:   Fates{CmdLine: fails},
			steps:   []Step{{Target: cmd, Fate: fails}},
			outcome: OutcomeDropped, mustCite: "CMD-ONCE-BITS15",
			settled: true,
		},
		{
			name: "command line alone", kind: jt,
			reg:     reg(func(r *Registration) { r.CmdLine = true }),
			steps:   []Step{{Target: cmd}},
			outcome: OutcomeDelivered, to: cmd,
			settled: true,
		},
		{
			name: "never a command line for a service account", kind: jt,
			reg:     reg(func(r *Registration) { r.CmdLine = true; r.OwnerIsServiceAccount = true }),
			outcome: OutcomePending, mustCite: "DELIV-AFTER-REGISTRATION",
			settled: false,
		},
		{
			name: "no command line for JobModification", kind: jm,
			reg:     reg(func(r *Registration) { r.Flags = allFlags; r.CmdLine = true }),
			outcome: OutcomePending,
			settled: true,
		},
		{
			name: "nothing registered: pending", kind: jt,
			reg:     reg(nil),
			outcome: OutcomePending, mustCite: "DELIV-AFTER-REGISTRATION",
			settled: false,
		},
		{
			name: "object gone, nothing else: pending until re-registration", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true }),
			fates:   Fates{Object: gone},
			steps:   []Step{{Target: obj, Fate: gone}},
			outcome: OutcomePending, dropObj: true,
			settled: false,
		},
		{
			name: "flags do not ask for it", kind: jm,
			reg:     reg(func(r *Registration) { r.Object = true }),
			outcome: OutcomeNotWanted, mustCite: "FLAGS-FILTER",
			settled: true,
		},
		{
			name: "DISABLE silences everything", kind: jt,
			reg:     reg(func(r *Registration) { r.Object = true; r.Flags = 0x7; r.CmdLine = true }),
			outcome: OutcomeNotWanted, mustCite: "FLAGS-DISABLE",
			settled: false,
		},
		{
			name: "JobModification failure is ignored", kind: jm,
			reg:     reg(func(r *Registration) { r.Object = true; r.Flags = allFlags }),
			fates:   Fates{Object: fails},
			steps:   []Step{{Target: obj, Fate: fails}},
			outcome: OutcomeDropped, mustCite: "DELIV-MODIFICATION-FAILURE-IGNORED",
			settled: true,
		},
		{
			name: "FileTransferred failure is retried", kind: ft,
			reg:     reg(func(r *Registration) { r.Object = true; r.Flags = allFlags }),
			fates:   Fates{Object: fails},
			steps:   []Step{{Target: obj, Fate: fails}},
			outcome: OutcomeRetry,
			settled: false,
		},
		{
			name: "FileTransferred needs BITS 3.0", kind: ft,
			reg:     reg(func(r *Registration) { r.Version = model.BITS2_5; r.Object = true; r.Flags = 0x1B }),
			outcome: OutcomeNotWanted,
			settled: true,
		},
		{
			name: "FileRangesTransferred only for on-demand jobs", kind: frt,
			reg:     reg(func(r *Registration) { r.Object = true; r.Flags = 0x23 }),
			outcome: OutcomeNotWanted, mustCite: "DELIV-RANGES-ON-DEMAND",
			settled: true,
		},
		{
			name: "FileRangesTransferred on an on-demand job", kind: frt,
			reg:     reg(func(r *Registration) { r.Object = true; r.Flags = 0x23; r.OnDemand = true }),
			steps:   []Step{{Target: obj}},
			outcome: OutcomeDelivered, to: obj,
			settled: true,
		},
		{
			name: "CLSID ignored before BITS 5.0", kind: jt,
			reg:     reg(func(r *Registration) { r.Version = model.BITS4_0; r.CLSID = true }),
			outcome: OutcomePending,
			settled: false,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Route(c.reg, c.kind, c.fates)
			steps := p.Steps()
			if len(c.steps) == 0 {
				assert.Empty(t, steps)
			} else {
				assert.Equal(t, c.steps, steps)
			}
			assert.Equal(t, c.outcome, p.Outcome, p.String())
			if c.outcome == OutcomeDelivered {
				assert.Equal(t, c.to, p.DeliveredTo)
			}
			assert.Equal(t, c.dropObj, p.DropObject, "DropObject")
			assert.Equal(t, c.keepInst, p.KeepInstance, "KeepInstance")
			if c.mustCite != "" {
				assert.Contains(t, p.Rules(), c.mustCite)
			}
			assert.Equal(t, c.settled, p.Settled, "Settled")
			for _, id := range p.Rules() {
				_, found := Lookup(id)
				assert.True(t, found, "plan cites unknown rule %s", id)
			}
		})
	}
}

func TestRoutePlanString(t *testing.T) {
	p := Route(reg(func(r *Registration) { r.Object = true; r.CLSID = true }), jt, Fates{Object: gone})
	assert.Equal(t, "object:disconnected -> clsid(new):ok => delivered to clsid "+
		"[FLAGS-FILTER PREC-OBJECT-FIRST OBJ-DISCOVER-DEAD PREC-FALLBACK-DISCONNECTED]", p.String())
}

func TestParseFate(t *testing.T) {
	for _, f := range []Fate{FateOK, FateFails, FateDisconnected, FateActivationFails, FateNotStarted} {
		got, err := ParseFate(f.String())
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	_, err := ParseFate("maybe")
	assert.Error(t, err)
}

type countingCaller struct{ calls *int }

func (c countingCaller) Call(Step) Fate { *c.calls++; return FateOK }

func TestRouteWithCallsOncePerStep(t *testing.T) {
	n := 0
	p := RouteWith(reg(func(r *Registration) { r.Object = true }), jt, countingCaller{&n})
	assert.Equal(t, 1, n)
	assert.Len(t, p.Steps(), 1)
}

func TestPlanRuleIDsExist(t *testing.T) {
	for _, id := range planRuleIDs[1:] {
		_, ok := Lookup(id)
		assert.True(t, ok, "routing cites unknown rule %s", id)
	}
}

// Each routing variant, with the plan its statement describes.
func TestRouteUnderVariants(t *testing.T) {
	type step struct {
		target model.TargetKind
		fate   Fate
	}
	steps := func(p Plan) []step {
		var out []step
		for _, s := range p.Steps() {
			out = append(out, step{s.Target, s.Fate})
		}
		return out
	}
	objAndCLSID := func(r *Registration) { r.Object, r.CLSID = true, true }
	cases := []struct {
		name    string
		sel     Selection
		reg     Registration
		kind    model.EventKind
		f       Fates
		steps   []step
		outcome Outcome
		settled bool
	}{
		{"failing object keeps the notification", nil, reg(objAndCLSID), jt,
			Fates{Object: fails}, []step{{obj, fails}}, OutcomeRetry, false},
		{"falls-back-to-clsid: offered to the CLSID instance", Selection{"PREC-FAILURE-KEEPS-OBJECT": VarFallsBackToCLSID}, reg(objAndCLSID), jt,
			Fates{Object: fails, NewInstance: ok}, []step{{obj, fails}, {clsid, ok}}, OutcomeDelivered, true},
		{"cmdline-last: object, CLSID, then command line", nil,
			reg(func(r *Registration) { r.CLSID, r.CmdLine = true, true }), jt,
			Fates{NewInstance: fails, CmdLine: ok}, []step{{clsid, fails}, {cmd, ok}}, OutcomeDelivered, true},
		{"cmdline-before-clsid: command line, then CLSID", Selection{"PREC-CMDLINE-LAST": VarCmdLineBeforeCLSID},
			reg(func(r *Registration) { r.CLSID, r.CmdLine = true, true }), jt,
			Fates{NewInstance: ok, CmdLine: fails}, []step{{cmd, fails}, {clsid, ok}}, OutcomeDelivered, true},
		{"activation failure like a failed callback: retried", nil, reg(func(r *Registration) { r.CLSID = true }), jt,
			Fates{Activation: noActv}, []step{{clsid, noActv}}, OutcomeRetry, false},
		{"like-no-clsid: stays pending, no retry", Selection{"CLSID-ACTIVATION-FAILURE": VarLikeNoCLSID}, reg(func(r *Registration) { r.CLSID = true }), jt,
			Fates{Activation: noActv}, []step{{clsid, noActv}}, OutcomePending, false},
		{"launch failure retried", nil, reg(func(r *Registration) { r.CmdLine = true }), jt,
			Fates{CmdLine: FateNotStarted}, []step{{cmd, FateNotStarted}}, OutcomeRetry, false},
		{"dropped: a program that cannot start is not tried again", Selection{"CMD-LAUNCH-FAILURE": VarDropped}, reg(func(r *Registration) { r.CmdLine = true }), jt,
			Fates{CmdLine: FateNotStarted}, []step{{cmd, FateNotStarted}}, OutcomeDropped, true},
		{"DISABLE suppresses the command line", nil, reg(func(r *Registration) { r.CmdLine, r.Flags = true, 0x7 }), jt,
			Fates{CmdLine: ok}, nil, OutcomeNotWanted, false},
		{"cmdline-still-runs under DISABLE", Selection{"FLAGS-DISABLE-CMDLINE": VarCmdLineStillRuns}, reg(func(r *Registration) { r.Object, r.CmdLine, r.Flags = true, true, 0x7 }), jt,
			Fates{Object: ok, CmdLine: ok}, []step{{cmd, ok}}, OutcomeDelivered, true},
		{"flags read at dispatch: stays owed", nil, reg(func(r *Registration) { r.Object, r.Flags = true, 0x2 }), jt,
			Fates{}, nil, OutcomeNotWanted, false},
		{"at-event: never notified", Selection{"FLAGS-CHECKED-AT-DISPATCH": VarAtEvent}, reg(func(r *Registration) { r.Object, r.Flags = true, 0x2 }), jt,
			Fates{}, nil, OutcomeNotWanted, true},
	}
	for _, c := range cases {
		byMap, byResolved := c.reg, c.reg
		byMap.Variants = c.sel
		// Resolved takes the place of Variants: a contrary Variants beside
		// it must not show.
		byResolved.Variants = Selection{"PREC-CMDLINE-LAST": VarCmdLineBeforeCLSID,
			"CMD-LAUNCH-FAILURE": VarDropped, "FLAGS-CHECKED-AT-DISPATCH": VarAtEvent, "FLAGS-DISABLE-CMDLINE": VarCmdLineStillRuns}
		if c.sel != nil {
			byResolved.Variants = nil
		}
		byResolved.Resolved = c.sel.Resolve()
		for how, r := range map[string]Registration{"Variants": byMap, "Resolved": byResolved} {
			p := Route(r, c.kind, c.f)
			assert.Equal(t, c.steps, steps(p), "%s (%s)", c.name, how)
			assert.Equal(t, c.outcome, p.Outcome, "%s (%s)", c.name, how)
			assert.Equal(t, c.settled, p.Settled, "%s (%s)", c.name, how)
		}
	}
}
