package conformance

import (
	"flag"
	"strconv"
)

// DefaultMachineSeed is the rapid seed of the state machine's first round
// when -rapid.seed (or $RAPID_SEED) is not given; round i uses
// DefaultMachineSeed+i. A run is therefore the same every time, and its
// log prints each round's seed.
const DefaultMachineSeed = 1

// roundSeed sets rapid's seed for round i of the state machine and
// returns it, whether it was given on the command line (a replay: one
// round is enough), and a function that restores rapid's flag.
func roundSeed(i int) (seed uint64, given bool, restore func()) {
	f := flag.Lookup("rapid.seed")
	if f == nil {
		return 0, false, func() {}
	}
	if v, err := strconv.ParseUint(f.Value.String(), 10, 64); err == nil && v != 0 {
		return v, true, func() {}
	}
	seed = DefaultMachineSeed + uint64(i)
	if err := f.Value.Set(strconv.FormatUint(seed, 10)); err != nil {
		return 0, false, func() {}
	}
	return seed, false, func() { _ = f.Value.Set("0") }
}
