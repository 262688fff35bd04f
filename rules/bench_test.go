package rules

import (
	"testing"

	"github.com/bitssim/bitssim/model"
)

var sinkPlan Plan

// BenchmarkRoute measures one routing decision as a service makes it, with
// its selection resolved once (Registration.Resolved). Target: at most
// 50 ns and no allocation.
func BenchmarkRoute(b *testing.B) {
	reg := Registration{Version: model.BITS10_3, Flags: DefaultNotifyFlags, Object: true, CLSID: true, CmdLine: true,
		Resolved: Selection(nil).Resolve()}
	f := Fates{Object: FateDisconnected}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkPlan = Route(reg, model.EventJobTransferred, f)
	}
}

// BenchmarkRouteSelection is BenchmarkRoute reading the readings from the
// Selection map on every decision (Registration.Variants only): the cost
// Resolved saves.
func BenchmarkRouteSelection(b *testing.B) {
	reg := Registration{Version: model.BITS10_3, Flags: DefaultNotifyFlags, Object: true, CLSID: true, CmdLine: true}
	f := Fates{Object: FateDisconnected}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkPlan = Route(reg, model.EventJobTransferred, f)
	}
}
