package conformance

import (
	"fmt"
	"sync"
)

// More checks of rules that already have a scenario: each is a further
// observation of what the rule's statement (or a rule it rests on) says,
// written literally from it, added where mutation testing showed the
// rule's scenario left a way to break the simulator unseen. They run after
// the rule's own scenario, on the same backend, and fail the rule as it
// does; a check whose Needs the backend lacks is left out.
var (
	killMu     sync.Mutex
	killChecks = map[string][]Scenario{}
)

// registerMore adds checks to the scenario of each one's rule, at package
// init.
func registerMore(scs ...Scenario) {
	killMu.Lock()
	defer killMu.Unlock()
	for _, sc := range scs {
		killChecks[sc.Rule] = append(killChecks[sc.Rule], sc)
	}
}

// withMore returns sc with the further checks of its rule run after it.
func withMore(sc *Scenario) *Scenario {
	killMu.Lock()
	more := append([]Scenario(nil), killChecks[sc.Rule]...)
	killMu.Unlock()
	if len(more) == 0 {
		return sc
	}
	out := *sc
	base := sc.Run
	out.Run = func(c *C) {
		base(c)
		for _, m := range more {
			if missing := c.B.Capabilities().Missing(m.Needs); len(missing) == 0 {
				m.Run(c)
			}
		}
	}
	return &out
}

// orphanChecks names the rules that have further checks but no scenario
// (a check can only add to a scenario): the suite's self-test fails on them.
func orphanChecks() []string {
	sc := scenariosByRule()
	killMu.Lock()
	defer killMu.Unlock()
	var out []string
	for id := range killChecks {
		if sc[id] == nil {
			out = append(out, fmt.Sprintf("%s has further checks but no scenario", id))
		}
	}
	return out
}
