package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/model"
)

// routingRules are the open rules routing reads (RouteWith's doc).
var routingRules = []string{"FLAGS-CHECKED-AT-DISPATCH", "FLAGS-DISABLE-CMDLINE", "PREC-FAILURE-KEEPS-OBJECT",
	"PREC-CMDLINE-LAST", "CLSID-ACTIVATION-FAILURE", "CMD-LAUNCH-FAILURE"}

// TestRouteResolvedMatchesSelection: for any selection of the routing
// rules' readings, registration, event and fates, routing with the resolved
// selection decides exactly as routing with the map.
func TestRouteResolvedMatchesSelection(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sel := Selection{}
		for _, id := range routingRules {
			r, ok := Lookup(id)
			require.True(t, ok, id)
			require.NotEmpty(t, r.Variants, id)
			v := rapid.IntRange(-1, len(r.Variants)-1).Draw(t, id)
			if v >= 0 {
				sel[id] = r.Variants[v].Name
			}
		}
		require.NoError(t, sel.Validate())
		fate := rapid.SampledFrom([]Fate{FateOK, FateFails, FateDisconnected, FateActivationFails, FateNotStarted})
		reg := Registration{
			Version:               rapid.SampledFrom(model.Versions()).Draw(t, "version"),
			Flags:                 model.NotifyFlags(rapid.Uint32Range(0, 0x3F).Draw(t, "flags")),
			Object:                rapid.Bool().Draw(t, "object"),
			CLSID:                 rapid.Bool().Draw(t, "clsid"),
			Instance:              rapid.Bool().Draw(t, "instance"),
			CmdLine:               rapid.Bool().Draw(t, "cmdline"),
			OwnerIsServiceAccount: rapid.Bool().Draw(t, "service"),
			OnDemand:              rapid.Bool().Draw(t, "ondemand"),
			CmdLineTookOver:       rapid.Bool().Draw(t, "tookover"),
			Variants:              sel,
		}
		kind := rapid.SampledFrom([]model.EventKind{model.EventJobTransferred, model.EventJobError,
			model.EventJobModification, model.EventFileTransferred, model.EventFileRangesTransferred}).Draw(t, "kind")
		f := Fates{Object: fate.Draw(t, "obj"), Instance: fate.Draw(t, "inst"), NewInstance: fate.Draw(t, "new"),
			Activation: fate.Draw(t, "actv"), CmdLine: fate.Draw(t, "cmd")}
		byMap := Route(reg, kind, f)
		resolved := reg
		resolved.Variants, resolved.Resolved = nil, sel.Resolve()
		assert.Equal(t, byMap, Route(resolved, kind, f))
		assert.Equal(t, sel.Normalized(), resolved.Resolved.Selection())
	})
}

func TestResolveReadsTheSelectionOnce(t *testing.T) {
	sel := Selection{"CMD-LAUNCH-FAILURE": VarDropped}
	r := sel.Resolve()
	sel["CMD-LAUNCH-FAILURE"] = "retried"
	delete(sel, "CMD-LAUNCH-FAILURE")
	assert.Equal(t, Selection{"CMD-LAUNCH-FAILURE": VarDropped}, r.Selection())
	assert.True(t, r.launchFailureDropped)
}
