package conformance_test

import (
	"fmt"
	"testing"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/sim"
)

// Run the suite against a backend from a test of your own; a backend with
// known gaps lists them, and the run fails if the list is no longer true.
func ExampleRun() {
	// In a _test.go file of your backend:
	_ = func(t *testing.T) {
		conformance.Run(t, harness.SimFactory(sim.Options{Seed: 1}),
			conformance.WithDivergences(map[string]string{
				// "FLAGS-DISABLE": "DISABLE is ignored: JobTransferred still arrives",
			}),
			conformance.WithReportDir(t.TempDir()))
	}
	fmt.Println(len(conformance.Scenarios()) > 100)
	// Output: true
}

// Check runs the suite without a testing.T of its own and returns the
// report, as bitssim conform does.
func ExampleCheck() {
	tb := harness.NewStandalone("example")
	defer tb.Close() // closes the backends the suite made
	rep := conformance.Check(tb, harness.SimFactory(sim.Options{Seed: 1}),
		conformance.WithRules("CLSID"), conformance.WithoutStateMachine())
	fmt.Println(rep.Summary())
	// Output: sim: 15 pass, 0 fail, 0 skip, 0 diverged, 0 machine, 1 untestable
}
