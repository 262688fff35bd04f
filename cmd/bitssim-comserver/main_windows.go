//go:build windows

// Command bitssim-comserver serves the bitssim simulator behind BITS's COM
// interfaces, so that programs in any language talk to it as to BITS.
//
//	bitssim-comserver [-store FILE] [-ctl ADDR] [-manual] [-version V] [-takeover] [-log FILE]
//	bitssim-comserver -register [flags to serve with]   # own CLSID, LocalServer32 = this command
//	bitssim-comserver -takeover -install [flags]        # Wine: CLSID_BackgroundCopyManager & co.
//	bitssim-comserver -check [flags]                    # is the takeover still in place?
//	bitssim-comserver -release | -unregister
//
// Without -install, -register, -check, -release or -unregister it serves
// until it is stopped (the control plane's "stop", or the process ends):
// its own CLSID always, and the BITS manager classes with -takeover, whose
// registration it checks first. COM starts it with -Embedding, which is
// ignored. Exit status: 0 after a clean stop, 2 on bad usage, 3 when the
// takeover was undone, 1 on any other error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/bitssim/bitssim/comserver"
	"github.com/bitssim/bitssim/comserver/ctl"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("bitssim-comserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	store := fs.String("store", "", "persist the simulator's state in `FILE` (a restart of the server is a BITS service restart)")
	ctlAddr := fs.String("ctl", ctl.DefaultAddr, "serve the control plane on this loopback `ADDR` (empty: none)")
	manual := fs.Bool("manual", false, "manual clock: virtual time moves only with the control plane's advance")
	speed := fs.Float64("speed", 1, "automatic clock: virtual seconds per real second (e.g. 600: a 10-minute retry delay passes in a second)")
	userKind := fs.String("user-kind", "user", "what a caller COM cannot identify (Wine) is: user or administrator")
	version := fs.String("version", "10.3", "BITS `VERSION` to simulate")
	takeover := fs.Bool("takeover", false, "also serve CLSID_BackgroundCopyManager and the versioned manager classes (Wine)")
	install := fs.Bool("install", false, "with -takeover: write the takeover to the registry and exit")
	register := fs.Bool("register", false, "register the server's own CLSID (HKLM) to start this command, and exit")
	unregister := fs.Bool("unregister", false, "remove the own CLSID's registration and exit")
	release := fs.Bool("release", false, "undo the takeover and exit")
	check := fs.Bool("check", false, "check that the takeover is in place and exit (status 3 when not)")
	cmdlines := fs.Bool("cmdlines", true, "start notification command lines with CreateProcess")
	probe := fs.Bool("probe", true, "ask each loopback http(s) source once for its status and size, and script the simulator with them")
	seed := fs.Int64("seed", 0, "seed of the simulator's randomness (job GUIDs); 0: from the clock, so that a restarted server never draws the GUID of a persisted job again")
	logFile := fs.String("log", "", "append diagnostics to `FILE` (default: standard error)")
	var filtered []string
	for _, a := range args {
		if l := strings.ToLower(a); l == "-embedding" || l == "/embedding" {
			continue // COM's marker for a server it started
		}
		filtered = append(filtered, a)
	}
	if err := fs.Parse(filtered); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bitssim-comserver: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	v, err := model.ParseVersion(*version)
	if err != nil {
		fmt.Fprintf(stderr, "bitssim-comserver: -version: %v\n", err)
		return 2
	}
	command, err := serveCommand(filtered)
	if err != nil {
		fmt.Fprintf(stderr, "bitssim-comserver: %v\n", err)
		return 1
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "bitssim-comserver: %v\n", err)
		return 1
	}
	switch {
	case *register:
		if err := comserver.Register(comserver.CLSID, command); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "bitssim-comserver: registered %v: %s\n", comserver.CLSID, command)
		return 0
	case *unregister:
		if err := comserver.Unregister(comserver.CLSID); err != nil {
			return fail(err)
		}
		return 0
	case *release:
		if err := comserver.Release(); err != nil {
			return fail(err)
		}
		return 0
	case *install:
		if !*takeover {
			fmt.Fprintln(stderr, "bitssim-comserver: -install needs -takeover")
			return 2
		}
		if err := comserver.Takeover(command); err != nil {
			return fail(err)
		}
		if err := comserver.Register(comserver.CLSID, command); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "bitssim-comserver: took over the BITS manager classes: %s\n", command)
		return 0
	case *check:
		if err := comserver.CheckTakeover(command); err != nil {
			fmt.Fprintf(stderr, "bitssim-comserver: %v\n", err)
			return 3
		}
		return 0
	}

	var logw io.Writer = stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		logw = f
	}
	if *takeover {
		if err := comserver.CheckTakeover(command); err != nil {
			fmt.Fprintf(logw, "bitssim-comserver: %v\n", err)
			return 3
		}
	}
	kind, err := model.ParseAccountKind(*userKind)
	if err != nil {
		fmt.Fprintf(stderr, "bitssim-comserver: -user-kind: %v\n", err)
		return 2
	}
	opts := sim.Options{Version: v, Seed: *seed, Speed: *speed}
	if opts.Seed == 0 {
		opts.Seed = time.Now().UnixNano()
	}
	if *manual {
		opts.Clock = sim.Manual
	}
	srv, err := comserver.New(comserver.Config{Options: opts, StorePath: *store, User: model.Account{Kind: kind}, Log: logw, CommandLines: *cmdlines, ProbeRemotes: *probe})
	if err != nil {
		fmt.Fprintf(logw, "bitssim-comserver: %v\n", err)
		return 1
	}
	clsids := []model.GUID{comserver.CLSID}
	if *takeover {
		clsids = append(clsids, comserver.Served(v)...)
	}
	if err := srv.Serve(clsids...); err != nil {
		_ = srv.Close()
		fmt.Fprintf(logw, "bitssim-comserver: %v\n", err)
		return 1
	}
	stop := make(chan struct{}, 1)
	if *ctlAddr != "" {
		cs, err := ctl.Listen(*ctlAddr, srv.Service(), func() {
			select {
			case stop <- struct{}{}:
			default:
			}
		}, ctl.MapAccounts(srv.MapAccount))
		if err != nil {
			_ = srv.Close()
			fmt.Fprintf(logw, "bitssim-comserver: %v\n", err)
			return 1
		}
		defer cs.Close()
		fmt.Fprintf(logw, "bitssim-comserver: control plane on http://%s\n", cs.Addr())
	}
	fmt.Fprintf(logw, "bitssim-comserver: serving %d classes (pid %d, BITS %v, store %q)\n", len(clsids), os.Getpid(), v, *store)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	select {
	case <-stop:
	case <-sig:
	}
	if err := srv.Close(); err != nil {
		fmt.Fprintf(logw, "bitssim-comserver: %v\n", err)
		return 1
	}
	fmt.Fprintln(logw, "bitssim-comserver: stopped")
	return 0
}

// serveCommand is the LocalServer32 command that starts this executable
// with the serving flags of args (the action flags dropped), each quoted.
func serveCommand(args []string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating the executable: %w", err)
	}
	if abs, err := filepath.Abs(exe); err == nil {
		exe = abs
	}
	parts := []string{`"` + exe + `"`}
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case "register", "unregister", "release", "check", "install":
			continue
		}
		if strings.ContainsAny(a, " \t") {
			a = `"` + a + `"`
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " "), nil
}
