package main

import (
	"fmt"
	"strings"

	"github.com/bitssim/bitssim/harness"
)

// backends are the values of run --backend.
var backends = []string{"sim", "wine", "windows"}

// backendFlag is run's --backend: which BITS the scenarios run on.
type backendFlag struct{ name string }

func (b *backendFlag) String() string {
	if b.name == "" {
		return "sim"
	}
	return b.name
}

func (b *backendFlag) Set(s string) error {
	for _, n := range backends {
		if strings.EqualFold(s, n) {
			b.name = n
			return nil
		}
	}
	return fmt.Errorf("unknown backend %q (want %s)%s", s, strings.Join(backends, ", "), didYouMean(s, backends))
}

// real reports whether the flag names a real BITS (not the simulator).
func (b *backendFlag) real() bool { return b.name != "" && b.name != "sim" }

// newBackend connects to the real BITS the flag names, for one scenario;
// the simulator needs none (nil: the runner starts one per scenario from
// its header). The caller closes it.
func (b *backendFlag) newBackend() (harness.Backend, error) {
	if !b.real() {
		return nil, nil
	}
	return openRealBackend(b.name)
}
