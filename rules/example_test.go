package rules_test

import (
	"fmt"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// The seed page's central case: app A registered an object, app B set a
// CLSID, and A died. BITS finds the object disconnected and instantiates
// the CLSID.
func ExampleRoute() {
	reg := rules.Registration{Version: model.BITS10_3, Flags: rules.DefaultNotifyFlags, Object: true, CLSID: true}
	p := rules.Route(reg, model.EventJobTransferred, rules.Fates{Object: rules.FateDisconnected})
	fmt.Println(p.String())
	// Output:
	// object:disconnected -> clsid(new):ok => delivered to clsid [FLAGS-FILTER PREC-OBJECT-FIRST OBJ-DISCOVER-DEAD PREC-FALLBACK-DISCONNECTED]
}

func ExampleCheckSetNotifyFlags() {
	fmt.Println(rules.CheckSetNotifyFlags(model.BITS5_0, model.BG_JOB_STATE_SUSPENDED, model.BG_NOTIFY_FILE_RANGES_TRANSFERRED, nil).String())
	fmt.Println(rules.CheckSetNotifyFlags(model.BITS10_3, model.BG_JOB_STATE_CANCELLED, 0x3, nil).String())
	// Output:
	// E_NOTIMPL
	// BG_E_INVALID_STATE
}

func ExampleApply() {
	t := rules.Apply(model.BG_JOB_STATE_SUSPENDED, rules.OpResume, rules.JobFacts{Type: model.BG_JOB_TYPE_DOWNLOAD}, nil)
	fmt.Println(t.Next, t.Result.String(), t.Rule)
	// Output:
	// SUSPENDED BG_E_EMPTY STATE-RESUME-EMPTY
}

// A service resolves its selection of readings once, and routes every event
// with it: routing then reads fields, not maps.
func ExampleSelection_Resolve() {
	sel := rules.Selection{"PREC-FAILURE-KEEPS-OBJECT": rules.VarFallsBackToCLSID}
	reg := rules.Registration{Version: model.BITS10_3, Flags: rules.DefaultNotifyFlags, Object: true, CLSID: true,
		Resolved: sel.Resolve()}
	p := rules.Route(reg, model.EventJobTransferred, rules.Fates{Object: rules.FateFails})
	fmt.Println(p.Outcome, len(p.Steps()), "attempts")
	fmt.Println(reg.Resolved.Selection())
	// Output:
	// delivered 2 attempts
	// PREC-FAILURE-KEEPS-OBJECT=falls-back-to-clsid
}
