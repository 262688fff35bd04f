package scenario_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

// bigScenario is a scenario of n jobs, each created, given a file and an
// object that completes it, resumed, and checked twice: the shape of a
// load test written in the language.
func bigScenario(n int) []byte {
	var b strings.Builder
	b.WriteString("user root admin\nstart A as root\nremote http://s/f\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "A: create j%d\nA: addfile j%d http://s/f C:\\dl\\j%d\nA: setnotifyinterface j%d complete\nA: resume j%d\nexpect j%d JobTransferred -> A x1\nexpect j%d state ACKNOWLEDGED\n", i, i, i, i, i, i, i)
	}
	return []byte(b.String())
}

// BenchmarkRun100kJobs checks and runs a scenario of 100,000 jobs,
// writing its text log, as bitssim run does. Targets (issue 14): at most
// 1 s and 100 MB, no more than 5× the simulator's own cost of the same
// lifecycle (the x-sim metric).
// Reproduce: go test ./scenario/ -run '^$' -bench Run100kJobs -benchtime 3x
func BenchmarkRun100kJobs(b *testing.B) { benchRunText(b, 100_000) }

// BenchmarkRun100kJobsQuiet is BenchmarkRun100kJobs as bitssim run -q
// runs it: the log goes to io.Discard, which RunText neither formats nor
// writes.
func BenchmarkRun100kJobsQuiet(b *testing.B) { benchRun(b, 100_000, true) }

// BenchmarkPrepare100kJobs is the first half of BenchmarkRun100kJobs:
// reading and checking the script into its Plan.
func BenchmarkPrepare100kJobs(b *testing.B) {
	src := bigScenario(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		plan, err := scenario.Prepare("big.bits", bytes.NewReader(src))
		if err != nil {
			b.Fatal(err)
		}
		if plan.Statements() != 600_003 { // and user, start and remote
			b.Fatalf("%d statements, want 600,003", plan.Statements())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/600_000, "ns/stmt")
	if cpu >= 0 {
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/600_000, "cpu-ns/stmt")
	}
}

// BenchmarkRun10kJobs is the same at a tenth of the size: the cost per job
// must not grow with the number of jobs.
func BenchmarkRun10kJobs(b *testing.B) { benchRunText(b, 10_000) }

// benchRunText runs a scenario of n jobs the way bitssim run does: read
// and checked once by Prepare, then run by RunText from the Plan, writing
// the text log.
func benchRunText(b *testing.B, n int) { benchRun(b, n, false) }

// benchRun runs a scenario of n jobs as bitssim run does, writing the text
// log unless quiet (-q).
func benchRun(b *testing.B, n int, quiet bool) {
	src := bigScenario(n)
	b.ReportAllocs()
	b.ResetTimer() // writing the scenario is not running it
	cpu := processCPU()
	var peak uint64
	for i := 0; i < b.N; i++ {
		plan, err := scenario.Prepare("big.bits", bytes.NewReader(src))
		if err != nil {
			b.Fatal(err)
		}
		var log countWriter // the text log is written (not to io.Discard, which RunText does not format for)
		var w io.Writer = &log
		if quiet {
			w = io.Discard
		}
		res, err := scenario.RunText("big.bits", bytes.NewReader(src), w, scenario.RunOptions{Plan: plan})
		if err != nil {
			b.Fatal(err)
		}
		if res.Failed() || res.CheckCount() != 2*n {
			b.Fatalf("%s", res.Summary())
		}
		if !quiet && log.lines != 7*n+1 { // a line per call, notification and check, and the start
			b.Fatalf("%d lines of text log, want %d", log.lines, 7*n+1)
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
	perJob := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
	cpuPerJob := float64(processCPU()-cpu) / float64(b.N) / float64(n)
	b.StopTimer()
	simPerJob, simCPUPerJob := simLifecycle(b, n)
	b.ReportMetric(float64(peak)/(1<<20), "MB-heap-in-use")
	b.ReportMetric(perJob, "ns/job")
	b.ReportMetric(perJob/simPerJob, "x-sim")
	if cpu >= 0 {
		// CPU time (user and system, every thread: the collector's too)
		// moves less with the machine's load than wall time.
		b.ReportMetric(cpuPerJob, "cpu-ns/job")
		b.ReportMetric(cpuPerJob/simCPUPerJob, "x-sim-cpu")
	}
}

// countWriter counts the bytes and lines written to it.
type countWriter struct{ bytes, lines int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.bytes += len(p)
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// simLifecycle returns the simulator's own cost per job of the same
// lifecycle driven from Go (create, AddFile, an object that completes the
// job, Resume, run until idle, two reads, and the notification taken from
// the trace, which the runner does too), measured in the same process
// so that the ratio holds on a busy machine; in wall time and in CPU
// time.
func simLifecycle(b *testing.B, n int) (wall, cpu float64) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	app, err := svc.StartApp("A", model.Account{Name: "root", Kind: model.AccountAdministrator})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.SetRemote("http://s/f", sim.Remote{Size: 1024}); err != nil {
		b.Fatal(err)
	}
	cb := &model.CallbackFuncs{OnJobTransferred: func(j model.Job) error { _, err := j.Complete(); return err }}
	var trace []model.Event
	start, startCPU := time.Now(), processCPU()
	for i := 0; i < n; i++ {
		j, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
		if err != nil {
			b.Fatal(err)
		}
		if err := j.AddFile("http://s/f", `C:\dl\f`); err != nil {
			b.Fatal(err)
		}
		if err := j.SetNotifyInterface(cb); err != nil {
			b.Fatal(err)
		}
		if err := j.Resume(); err != nil {
			b.Fatal(err)
		}
		if err := svc.RunUntilIdle(); err != nil {
			b.Fatal(err)
		}
		if s, err := j.GetState(); err != nil || s != model.BG_JOB_STATE_ACKNOWLEDGED {
			b.Fatalf("%v %v", s, err)
		}
		if trace = svc.DrainTrace(trace[:0]); len(trace) != 1 {
			b.Fatalf("%d notifications, want a JobTransferred", len(trace))
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n), float64(processCPU()-startCPU) / float64(n)
}
