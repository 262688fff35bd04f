package conformance

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/sim"
)

// fuzzTB is the harness.TB of one run of the state machine under the
// fuzzer: failures go to the rapid.T, and cleanups run when the run ends.
type fuzzTB struct {
	t        *rapid.T
	cleanups []func()
}

func (f *fuzzTB) Helper()                           {}
func (f *fuzzTB) Name() string                      { return "FuzzStateMachine" }
func (f *fuzzTB) Cleanup(fn func())                 { f.cleanups = append(f.cleanups, fn) }
func (f *fuzzTB) Logf(format string, args ...any)   { f.t.Logf(format, args...) }
func (f *fuzzTB) Fatalf(format string, args ...any) { f.t.Fatalf(format, args...) }
func (f *fuzzTB) Skipf(format string, args ...any)  { f.t.Skipf(format, args...) }

// runCleanups runs the cleanups in reverse order, as testing does.
func (f *fuzzTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	f.cleanups = nil
}

var _ harness.TB = (*fuzzTB)(nil)

// FuzzStateMachine runs the conformance state machine on the simulator
// with the fuzzer choosing the operations: rapid reads its choices from
// the input, eight bytes at a time, and an input that runs out before the
// sequence ends is skipped. The seed corpus is in
// testdata/fuzz/FuzzStateMachine.
//
// Rules: none (the state machine checks the rules of MachineRules against its oracle)
func FuzzStateMachine(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		tb := &fuzzTB{t: t}
		defer tb.runCleanups()
		runMachine(t, harness.SimFactory(sim.Options{Seed: 1}), tb)
	}))
}

// The fuzz target's TB collects cleanups and runs them last first.
//
// Rules: none (a test of the fuzz target's helper)
func TestFuzzTBRunsCleanupsLastFirst(t *testing.T) {
	var order []string
	rapid.Check(t, func(rt *rapid.T) {
		order = nil
		tb := &fuzzTB{t: rt}
		for i := range 3 {
			tb.Cleanup(func() { order = append(order, fmt.Sprint(i)) })
		}
		tb.runCleanups()
		tb.runCleanups() // once only
	})
	if fmt.Sprint(order) != "[2 1 0]" {
		t.Fatalf("cleanups ran in order %v, want [2 1 0]", order)
	}
}
