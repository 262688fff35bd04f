package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// benchResult is what bench prints.
type benchResult struct {
	Backend      string  `json:"backend"`
	Lifecycles   int     `json:"lifecycles"`
	Seconds      float64 `json:"seconds"`
	PerSecond    float64 `json:"perSecond"`
	Compare      float64 `json:"compareRate,omitempty"`
	Ratio        float64 `json:"ratio,omitempty"`
	CompareLabel string  `json:"compareLabel,omitempty"`
}

func runBench(args []string, s streams) int {
	stdout, stderr := s.out, s.err
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dur := fs.Duration("time", 2*time.Second, "how long to run lifecycles")
	compare := fs.Float64("compare", 0, "another backend's lifecycles per second (e.g. Wine's, from scripts/wine-bench.sh), to print the ratio")
	label := fs.String("compare-label", "wine", "the name of the compared backend")
	asJSON := fs.Bool("json", false, "print JSON")
	progress := fs.Bool("progress", isTerminal(stderr), "show progress on standard error (default: when it is a terminal)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s bench [--time 2s] [--compare RATE] [--json]\n\n", programName)
		fmt.Fprintf(fs.Output(), "Runs full job lifecycles (create, AddFile, register an object, Resume, transfer,\nJobTransferred delivered, Complete) on the simulator's manual clock and prints the rate.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, code, done := parseFlags(fs, args)
	if done {
		return code
	}
	if *dur <= 0 || *compare < 0 || len(pos) > 0 {
		fmt.Fprintf(stderr, "%s bench: --time must be positive, --compare not negative, and no arguments\n", programName)
		return exitUsage
	}
	var tick func(n int, elapsed time.Duration)
	if *progress {
		last := time.Duration(-1)
		tick = func(n int, elapsed time.Duration) {
			if elapsed-last >= 200*time.Millisecond {
				last = elapsed
				fmt.Fprintf(stderr, "\r\033[Kbench: %d lifecycles, %.1fs of %v", n, elapsed.Seconds(), *dur)
			}
		}
	}
	n, elapsed, err := simLifecycles(*dur, tick)
	if *progress {
		fmt.Fprintf(stderr, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s bench: %v\n", programName, err)
		return exitFailed
	}
	res := benchResult{Backend: "sim", Lifecycles: n, Seconds: elapsed.Seconds(), PerSecond: float64(n) / elapsed.Seconds()}
	if *compare > 0 {
		res.Compare, res.CompareLabel, res.Ratio = *compare, *label, res.PerSecond / *compare
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "%s bench: write: %v\n", programName, err)
			return exitUsage
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "sim: %d lifecycles in %.2fs: %.0f lifecycles/s\n", n, res.Seconds, res.PerSecond)
	if res.Compare > 0 {
		fmt.Fprintf(stdout, "%s: %.1f lifecycles/s\nratio sim/%s: %.0fx\n", res.CompareLabel, res.Compare, res.CompareLabel, res.Ratio)
	}
	return exitOK
}

// simLifecycles runs lifecycles for about d and returns how many ran;
// tick, when not nil, hears how far it got after every thousand.
func simLifecycles(d time.Duration, tick func(n int, elapsed time.Duration)) (int, time.Duration, error) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, TraceLimit: -1})
	if err != nil {
		return 0, 0, err
	}
	defer svc.Close()
	app, err := svc.StartApp("bench", model.Account{Name: "bench", Kind: model.AccountAdministrator})
	if err != nil {
		return 0, 0, err
	}
	delivered := 0
	cb := &model.CallbackFuncs{OnJobTransferred: func(j model.Job) error {
		delivered++
		_, err := j.Complete()
		return err
	}}
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for i := 0; i < 1000; i++ {
			job, err := app.CreateJob("bench", model.BG_JOB_TYPE_DOWNLOAD)
			if err != nil {
				return n, time.Since(start), err
			}
			if err := job.AddFile("http://bench/f", `C:\bench\f`); err != nil {
				return n, time.Since(start), err
			}
			if err := job.SetNotifyInterface(cb); err != nil {
				return n, time.Since(start), err
			}
			if err := job.Resume(); err != nil {
				return n, time.Since(start), err
			}
			if err := svc.RunUntilIdle(); err != nil {
				return n, time.Since(start), err
			}
			n++
		}
		if tick != nil {
			tick(n, time.Since(start))
		}
	}
	elapsed := time.Since(start)
	if delivered != n {
		return n, elapsed, fmt.Errorf("%d JobTransferred for %d lifecycles", delivered, n)
	}
	return n, elapsed, nil
}
