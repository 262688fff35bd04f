package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/bitssim/bitssim/comserver/ctl"
	"github.com/bitssim/bitssim/model"
)

// ctlSummary is the ctl command's line in the command table.
const ctlSummary = "drive a simulator in another process (the COM server) through its loopback control plane"

// runCtl is `bitssim ctl VERB [ARGS]`: one request to the control plane of
// a running bitssim-comserver.
func runCtl(args []string, s streams) int {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.SetOutput(s.err)
	addr := fs.String("addr", ctl.DefaultAddr, "the control plane's loopback `host:port`")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	since := fs.Uint64("since", 0, "trace: only the events after this sequence number")
	size := fs.Uint64("size", 1024, "remote: the file's size in bytes")
	rate := fs.Uint64("rate", 0, "remote: bytes per virtual second (0: at once)")
	latency := fs.String("latency", "", "remote: time spent CONNECTING (a Go duration)")
	transient := fs.Int("transient", 0, "remote: how many attempts fail transiently (HTTP 503) first")
	status := fs.Int("status", 0, "remote: answer with this HTTP status instead (2xx transfers, 5xx transient, others fatal)")
	kind := fs.String("kind", "user", "account: the account's kind (user, administrator, unelevated-administrator, localsystem, localservice, networkservice)")
	timeout := fs.Duration("timeout", time.Minute, "how long to wait for the answer")
	fs.Usage = func() {
		o := fs.Output()
		fmt.Fprintf(o, "Usage: %s ctl [--addr HOST:PORT] [--json] VERB [ARGS]\n\n", programName)
		fmt.Fprintf(o, "Verbs:\n")
		fmt.Fprintf(o, "  status                 the clock, the apps and the pending work\n")
		fmt.Fprintf(o, "  advance DURATION       move virtual time forward (e.g. 10m)\n")
		fmt.Fprintf(o, "  idle                   run what is due (manual clock) or wait until idle\n")
		fmt.Fprintf(o, "  restart                restart the simulated BITS service (through its store)\n")
		fmt.Fprintf(o, "  crash APP | exit APP   end an app (a client process is app \"pid<PID>\")\n")
		fmt.Fprintf(o, "  remote URL             script a remote URL (--size, --rate, --latency, --transient, --status)\n")
		fmt.Fprintf(o, "  account PID USER       client process PID acts as USER where COM cannot tell (Wine; --kind)\n")
		fmt.Fprintf(o, "  trace                  the notification trace (--since N)\n")
		fmt.Fprintf(o, "  launches               the command lines launched\n")
		fmt.Fprintf(o, "  stop                   stop the server (it saves its state)\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, code, done := parseFlags(fs, args)
	if done {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintf(s.err, "%s ctl: missing verb\n", programName)
		fs.Usage()
		return exitUsage
	}
	verb, rest := pos[0], pos[1:]
	want := map[string]int{"status": 0, "advance": 1, "idle": 0, "restart": 0, "crash": 1, "exit": 1,
		"remote": 1, "account": 2, "trace": 0, "launches": 0, "stop": 0}
	n, ok := want[verb]
	if !ok {
		names := make([]string, 0, len(want))
		for k := range want {
			names = append(names, k)
		}
		fmt.Fprintf(s.err, "%s ctl: unknown verb %q%s\n", programName, verb, didYouMean(verb, names))
		return exitUsage
	}
	if len(rest) != n {
		fmt.Fprintf(s.err, "%s ctl %s: want %d argument(s), got %d\n", programName, verb, n, len(rest))
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c := &ctl.Client{Addr: *addr}
	var out any
	var err error
	switch verb {
	case "status":
		out, err = c.Status(ctx)
	case "advance":
		d, perr := time.ParseDuration(rest[0])
		if perr != nil || d < 0 {
			fmt.Fprintf(s.err, "%s ctl advance: %q is not a non-negative duration (e.g. 10m)\n", programName, rest[0])
			return exitUsage
		}
		out, err = c.Advance(ctx, d)
	case "idle":
		out, err = c.Idle(ctx)
	case "restart":
		out, err = c.Restart(ctx)
	case "crash":
		err = c.Crash(ctx, rest[0])
	case "exit":
		err = c.Exit(ctx, rest[0])
	case "remote":
		r := ctl.Remote{URL: rest[0], Size: *size, Rate: *rate, Latency: *latency, TransientFailures: *transient, Status: *status}
		err = c.SetRemote(ctx, r)
		out = r
	case "account":
		pid, perr := strconv.ParseUint(rest[0], 10, 32)
		if perr != nil || pid == 0 {
			fmt.Fprintf(s.err, "%s ctl account: %q is not a process ID\n", programName, rest[0])
			return exitUsage
		}
		a := ctl.Account{PID: uint32(pid), User: rest[1], Kind: *kind}
		err = c.MapAccount(ctx, a)
		out = a
	case "trace":
		out, err = c.Trace(ctx, *since)
	case "launches":
		out, err = c.Launches(ctx)
	case "stop":
		err = c.Stop(ctx)
	}
	if err != nil {
		fmt.Fprintf(s.err, "%s ctl %s: %v\n", programName, verb, err)
		return exitFailed
	}
	if out == nil {
		return exitOK
	}
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return exitUsage
		}
		return exitOK
	}
	printCtl(s, out)
	return exitOK
}

// printCtl prints an answer as text: a trace one event a line, as `run`
// prints steps; anything else as indented JSON.
func printCtl(s streams, out any) {
	switch v := out.(type) {
	case ctl.Status:
		fmt.Fprintf(s.out, "BITS %s, %s clock, now %s, %d pending, last event %d\n", v.Version, v.Clock,
			v.Now.Format(time.RFC3339), v.Pending, v.LastSeq)
		for _, a := range v.Apps {
			state := "alive"
			if !a.Alive {
				state = "gone"
			}
			fmt.Fprintf(s.out, "app %-40s %-24s %s\n", strconv.Quote(a.Name), a.User, state)
		}
		return
	case []model.Event:
		for _, e := range v {
			fmt.Fprintf(s.out, "%-6d %s %-22v %-50v %v job %v\n", e.Seq, e.Time.Format(time.RFC3339), e.Kind, e.Target, e.Result, e.Job)
		}
		return
	}
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}
