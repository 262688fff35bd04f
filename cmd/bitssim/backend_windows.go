//go:build windows

package main

import (
	"fmt"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/harness/winbits"
)

// The real backends' helpers are this binary started again: as a
// recorded command line or a class server (before the flag package sees
// their arguments), and as a helper application (from main, once
// initialization is over: COM's calls into Go wait for it).
func init() { winbits.MaybeRunNotify() }

// platformMain runs this binary as a helper of the real backend when it
// was started as one, and exits; otherwise it returns.
func platformMain() { winbits.MaybeRunHelper() }

// underWine reports whether this Windows binary runs under Wine.
func underWine() bool { _, wine := winbits.WineVersion(); return wine }

// openRealBackend connects to this machine's BITS: Windows's, or Wine's
// when the binary runs under Wine. The name must say which.
func openRealBackend(name string) (harness.Backend, error) {
	switch wine := underWine(); {
	case name == "wine" && !wine:
		return nil, fmt.Errorf("--backend wine: this is Windows, not Wine: use --backend windows")
	case name == "windows" && wine:
		return nil, fmt.Errorf("--backend windows: this is Wine: use --backend wine")
	}
	b, err := winbits.NewBackend(winbits.Options{Name: name})
	if err != nil {
		return nil, fmt.Errorf("--backend %s: %w", name, err)
	}
	return b, nil
}

// delegate runs the command elsewhere when the backend cannot run in this
// process; on Windows it always can.
func delegate([]string, string, streams) (int, bool) { return 0, false }
