//go:build !windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/bitssim/bitssim/harness"
)

// platformMain does nothing here: the real backends' helpers run only in
// the Windows build.
func platformMain() {}

// openRealBackend fails: the real backends are in the Windows build (see
// delegate for Wine).
func openRealBackend(name string) (harness.Backend, error) {
	return nil, fmt.Errorf("--backend %s runs in the Windows build of %s only (GOOS=windows go build ./cmd/bitssim)", name, programName)
}

// wineExeEnv names the Windows build of bitssim that --backend wine runs
// under Wine.
const wineExeEnv = "BITSSIM_WINE_EXE"

// delegate runs "bitssim run ARGS" under Wine for --backend wine: the
// Windows build named by BITSSIM_WINE_EXE, with wine ($WINE, default
// wine) from PATH, its standard streams this process's. It reports
// whether it ran the command (with its exit status), or why it cannot.
func delegate(args []string, backend string, s streams) (int, bool) {
	if backend != "wine" {
		return 0, false
	}
	exe := os.Getenv(wineExeEnv)
	wine := os.Getenv("WINE")
	if wine == "" {
		wine = "wine"
	}
	if exe == "" {
		fmt.Fprintf(s.err, "%s run: --backend wine runs the Windows build of %s under Wine: build it (GOOS=windows GOARCH=amd64 go build -o bitssim.exe ./cmd/bitssim), set %s to it, and put wine on PATH (scripts/wine/setup.sh sets Wine up)\n", programName, programName, wineExeEnv)
		return exitUsage, true
	}
	path, err := exec.LookPath(wine)
	if err != nil {
		fmt.Fprintf(s.err, "%s run: --backend wine: %v\n", programName, err)
		return exitUsage, true
	}
	cmd := exec.Command(path, append([]string{exe, "run"}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.in, s.out, s.err
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() >= 0 {
			return ee.ExitCode(), true
		}
		fmt.Fprintf(s.err, "%s run: --backend wine: %v\n", programName, err)
		return exitUsage, true
	}
	return exitOK, true
}
