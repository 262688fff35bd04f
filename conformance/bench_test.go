package conformance

import (
	"testing"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/sim"
)

// BenchmarkStateMachine runs the state machine against the simulator and
// reports steps per second. Target: at least 20,000.
func BenchmarkStateMachine(b *testing.B) {
	f := harness.SimFactory(sim.Options{Seed: 1})
	start := machineSteps.Load()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if failed, detail := CheckMachine(b, f, 1); failed {
			b.Fatalf("the state machine failed: %s", detail)
		}
	}
	b.StopTimer()
	steps := machineSteps.Load() - start
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(float64(steps)/float64(b.N), "steps/op")
}
