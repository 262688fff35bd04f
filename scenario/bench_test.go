package scenario_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/bitssim/bitssim/scenario"
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

// BenchmarkRun100kJobs parses and runs a scenario of 100,000 jobs and
// renders its text output. Target (issue 14): at most 1 s and 100 MB,
// no more than 5× the simulator's own cost of a lifecycle.
// Reproduce: go test ./scenario/ -run '^$' -bench Run100kJobs -benchtime 3x
func BenchmarkRun100kJobs(b *testing.B) {
	src := bigScenario(100_000)
	b.ReportAllocs()
	var peak uint64
	for i := 0; i < b.N; i++ {
		sc, err := scenario.Parse("big.bits", src)
		if err != nil {
			b.Fatal(err)
		}
		res, err := scenario.Run(sc)
		if err != nil {
			b.Fatal(err)
		}
		if res.Failed() || len(res.Checks) != 200_000 {
			b.Fatalf("%s", res.Summary())
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
	b.ReportMetric(float64(peak)/(1<<20), "MB-heap-in-use")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/job")
}
