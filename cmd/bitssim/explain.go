package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// explanation is what explain prints for one notification kind.
type explanation struct {
	Event string `json:"event"`
	// Variants are the readings of open rules this explanation assumes,
	// other than the defaults.
	Variants    map[string]string `json:"variants,omitempty"`
	Plan        string            `json:"plan"`
	Outcome     string            `json:"outcome"`
	DeliveredTo string            `json:"deliveredTo,omitempty"`
	Steps       []explainStep     `json:"steps"`
	Rules       []explainRule     `json:"rules"`
	// Alternatives are what each other reading of an open rule would do,
	// for the readings that change the plan.
	Alternatives []alternative `json:"alternatives,omitempty"`
}

// alternative is the plan under one other reading of an open rule.
type alternative struct {
	Rule        string `json:"rule"`
	Variant     string `json:"variant"`
	Plan        string `json:"plan"`
	Outcome     string `json:"outcome"`
	DeliveredTo string `json:"deliveredTo,omitempty"`
}

// explainStep is one attempt of a plan: the target ("object", "clsid",
// "cmdline"), whether BITS activates a new instance for it, and what
// happens ("ok", "fails", …).
type explainStep struct {
	Target   string `json:"target"`
	Activate bool   `json:"activate"`
	Fate     string `json:"fate"`
}

type explainRule struct {
	ID        string `json:"id"`
	Statement string `json:"statement"`
}

func runExplain(args []string, s streams) int {
	stdout, stderr := s.out, s.err
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	object := fs.String("object", "none", "the callback object: none, ok, fails (returns an error) or dead (its process died)")
	clsid := fs.String("clsid", "none", "the notification CLSID: none, ok, fails (instances fail) or unregistered")
	instance := fs.String("instance", "none", "an instance BITS already activated from the CLSID: none, ok, fails or dead")
	cmdline := fs.String("cmdline", "none", "the command line: none, ok (exits 0), fails (exits non-zero) or notstarted")
	flags := fs.String("flags", "JOB_TRANSFERRED|JOB_ERROR", "the job's notify flags")
	owner := fs.String("owner", "user", "the job owner: user or service (LocalSystem, LocalService, NetworkService)")
	version := fs.String("version", "10.3", "the BITS version")
	event := fs.String("event", "all", "JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred or all")
	ondemand := fs.Bool("ondemand", false, "the job meets the requirements of a BITS_JOB_PROPERTY_ON_DEMAND_MODE job (a DOWNLOAD job, not DYNAMIC_CONTENT, from an HTTP(S) server with range support), in that mode or not")
	asJSON := fs.Bool("json", false, "print JSON")
	scenarios := fs.Bool("scenarios", false, "under each rule, print its conformance scenario files and the command that runs each")
	var variants variantFlag
	fs.Var(&variants, "variant", "`ID=NAME`: assume this reading of an open rule (repeatable; see bitssim rules --uncertain)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s explain [flags]\n\n", programName)
		fmt.Fprintf(fs.Output(), "Given what is registered on a job, says which target receives each notification,\nin which order BITS tries them, and the rules that decide it; then what each other\nreading of an open rule would do instead.\n\n")
		fmt.Fprintf(fs.Output(), "Example: %s explain --object dead --clsid ok --cmdline ok\n\nFlags:\n", programName)
		fs.PrintDefaults()
	}
	pos, code, done := parseFlags(fs, args)
	if done {
		return code
	}
	if !noArgs(fs, pos, stderr) {
		return exitUsage
	}
	reg, fates, kinds, err := explainInput(*object, *clsid, *instance, *cmdline, *flags, *owner, *version, *event, *ondemand)
	if err != nil {
		fmt.Fprintf(stderr, "%s explain: %v\n", programName, err)
		return exitUsage
	}
	reg.Variants = variants.sel.Normalized()
	out := []explanation{}
	for _, k := range kinds {
		p := rules.Route(reg, k, fates)
		e := explanation{Event: k.String(), Variants: reg.Variants, Plan: p.String(), Outcome: p.Outcome.String(), Steps: []explainStep{}}
		// Every other reading of every open rule: keep those that change
		// the plan. Nothing here names the rules routing reads: Route says.
		for _, r := range rules.Uncertain() {
			for _, v := range r.Variants {
				if v.Name == reg.Variants.Of(r.ID) {
					continue
				}
				alt := reg
				alt.Variants = reg.Variants.With(r.ID, v.Name)
				ap := rules.Route(alt, k, fates)
				if ap.String() == p.String() {
					continue
				}
				a := alternative{Rule: r.ID, Variant: v.Name, Plan: ap.String(), Outcome: ap.Outcome.String()}
				if ap.Outcome == rules.OutcomeDelivered {
					a.DeliveredTo = ap.DeliveredTo.String()
				}
				e.Alternatives = append(e.Alternatives, a)
			}
		}
		for _, st := range p.Steps() {
			e.Steps = append(e.Steps, explainStep{Target: st.Target.String(), Activate: st.Activate, Fate: st.Fate.String()})
		}
		if p.Outcome == rules.OutcomeDelivered {
			e.DeliveredTo = p.DeliveredTo.String()
		}
		for _, id := range p.Rules() {
			r, _ := rules.Lookup(id)
			st := r.Statement
			if v, ok := r.Variant(reg.Variants.Of(id)); ok {
				st = v.Statement // the reading selected, which may not be the default
			}
			e.Rules = append(e.Rules, explainRule{ID: id, Statement: st})
		}
		out = append(out, e)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "%s explain: write: %v\n", programName, err)
			return exitUsage
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "Job: object %s, CLSID %s, instance %s, command line %s, flags %v, owner %s, BITS %v\n",
		*object, *clsid, *instance, *cmdline, reg.Flags, *owner, reg.Version)
	fmt.Fprintf(stdout, "Readings of the open rules: %s\n", reg.Variants.String())
	for _, e := range out {
		fmt.Fprintf(stdout, "\n%s: %s\n", e.Event, describe(e))
		for i, s := range e.Steps {
			what := s.Target
			if s.Activate {
				what += " (BITS activates a new instance)"
			}
			fmt.Fprintf(stdout, "  %d. %-46s %s\n", i+1, what, s.Fate)
		}
		for _, r := range e.Rules {
			lines := wrap(r.Statement, 78)
			fmt.Fprintf(stdout, "  %-28s %s\n", r.ID, lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(stdout, "  %-28s %s\n", "", l)
			}
			if *scenarios {
				printRuleCheck(stdout, "  "+strings.Repeat(" ", 29), r.ID)
			}
		}
		if len(e.Alternatives) == 0 {
			fmt.Fprintf(stdout, "  No other reading of an open rule changes this.\n")
			continue
		}
		fmt.Fprintf(stdout, "  Under another reading of an open rule:\n")
		for _, a := range e.Alternatives {
			fmt.Fprintf(stdout, "    %s=%s: %s\n", a.Rule, a.Variant, describe(explanation{Outcome: a.Outcome, DeliveredTo: a.DeliveredTo}))
			fmt.Fprintf(stdout, "      %s\n", a.Plan)
		}
	}
	return exitOK
}

func describe(e explanation) string {
	switch e.Outcome {
	case "delivered":
		return "delivered to the " + map[string]string{"object": "callback object", "clsid": "CLSID instance", "cmdline": "command line"}[e.DeliveredTo]
	case "not-wanted":
		return "not sent: the flags do not ask for it (or BITS and the job cannot send it)"
	case "pending":
		return "nobody can receive it now: BITS keeps it until a target is registered"
	case "retry":
		return "every attempt failed: BITS tries again after the job's MinimumRetryDelay"
	case "dropped":
		return "failed and is not tried again"
	}
	return e.Outcome
}

// explainInput turns the flags into a registration, fates and kinds.
func explainInput(object, clsid, instance, cmdline, flags, owner, version, event string, ondemand bool) (rules.Registration, rules.Fates, []model.EventKind, error) {
	var reg rules.Registration
	var f rules.Fates
	v, err := model.ParseVersion(version)
	if err != nil {
		return reg, f, nil, err
	}
	fl, err := model.ParseNotifyFlags(flags)
	if err != nil {
		return reg, f, nil, err
	}
	reg = rules.Registration{Version: v, Flags: fl, OnDemand: ondemand}
	choose := func(name, val string, allowed map[string]rules.Fate) (bool, rules.Fate, error) {
		val = strings.ToLower(val)
		if val == "none" {
			return false, 0, nil
		}
		fate, ok := allowed[val]
		if !ok {
			var names []string
			for k := range allowed {
				names = append(names, k)
			}
			return false, 0, fmt.Errorf("--%s %q: want none or one of %s", name, val, strings.Join(sortStrings(names), ", "))
		}
		return true, fate, nil
	}
	if reg.Object, f.Object, err = choose("object", object, map[string]rules.Fate{"ok": rules.FateOK, "fails": rules.FateFails, "dead": rules.FateDisconnected}); err != nil {
		return reg, f, nil, err
	}
	var classFate rules.Fate
	if reg.CLSID, classFate, err = choose("clsid", clsid, map[string]rules.Fate{"ok": rules.FateOK, "fails": rules.FateFails, "unregistered": rules.FateActivationFails}); err != nil {
		return reg, f, nil, err
	}
	if classFate == rules.FateActivationFails {
		f.Activation = rules.FateActivationFails
	} else {
		f.NewInstance = classFate
	}
	if reg.Instance, f.Instance, err = choose("instance", instance, map[string]rules.Fate{"ok": rules.FateOK, "fails": rules.FateFails, "dead": rules.FateDisconnected}); err != nil {
		return reg, f, nil, err
	}
	if reg.Instance && !reg.CLSID {
		return reg, f, nil, errors.New("--instance needs --clsid: an instance comes from the notification CLSID")
	}
	if reg.CmdLine, f.CmdLine, err = choose("cmdline", cmdline, map[string]rules.Fate{"ok": rules.FateOK, "fails": rules.FateFails, "notstarted": rules.FateNotStarted}); err != nil {
		return reg, f, nil, err
	}
	switch strings.ToLower(owner) {
	case "user":
	case "service":
		reg.OwnerIsServiceAccount = true
	default:
		return reg, f, nil, fmt.Errorf("--owner %q: want user or service", owner)
	}
	kinds := []model.EventKind{model.EventJobTransferred, model.EventJobError, model.EventJobModification,
		model.EventFileTransferred, model.EventFileRangesTransferred}
	if !strings.EqualFold(event, "all") {
		k, err := model.ParseEventKind(event)
		if err != nil || k == model.EventCommandLine {
			return reg, f, nil, fmt.Errorf("--event %q: want JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred or all", event)
		}
		kinds = []model.EventKind{k}
	}
	return reg, f, kinds, nil
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
