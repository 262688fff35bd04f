package scenario_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/scenario"
	"github.com/bitssim/bitssim/sim"
)

func Example() {
	src := `start A as alice
remote http://server/f.bin
A: create job1
A: addfile job1 http://server/f.bin C:\dl\f.bin
A: setnotifyinterface job1
A: resume job1
expect job1 JobTransferred -> A x1
`
	sc, err := scenario.Parse("hello.bits", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := scenario.Run(sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = res.WriteText(os.Stdout)
	fmt.Println(res.Summary())
	// Output:
	// t+0s       A            -> BITS         start as alice
	// t+0s       A            -> BITS         create job1                                  S_OK
	// t+0s       A            -> BITS         addfile job1                                 S_OK
	// t+0s       A            -> BITS         setnotifyinterface job1                      S_OK
	// t+0s       A            -> BITS         resume job1                                  S_OK
	// t+0s       BITS         -> A            JobTransferred job1                          S_OK
	// ok   hello.bits:7: expect job1 JobTransferred -> A x1
	// hello.bits: 1 check, passed
}

// RunText runs a scenario as it reads it and writes the log as it goes:
// for scenarios too long to hold in memory. Validate checks it first.
func ExampleRunText() {
	src := `start A as alice
remote http://server/f.bin
A: create job1
A: addfile job1 http://server/f.bin C:\dl\f.bin
mark before
A: resume job1
expect since before no JobTransferred   # nobody registered
expect job1 files 1/1
`
	if err := scenario.Validate("long.bits", strings.NewReader(src)); err != nil {
		fmt.Println(err)
		return
	}
	res, err := scenario.RunText("long.bits", strings.NewReader(src), os.Stdout, scenario.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())
	// Output:
	// t+0s       A            -> BITS         start as alice
	// t+0s       A            -> BITS         create job1                                  S_OK
	// t+0s       A            -> BITS         addfile job1                                 S_OK
	// t+0s       BITS         -> BITS         mark before
	// t+0s       A            -> BITS         resume job1                                  S_OK
	// ok   long.bits:7: expect since before no JobTransferred
	// ok   long.bits:8: expect job1 files 1/1
	// long.bits: 2 checks, all passed
}

// A long script is parsed once: Prepare checks it (a malformed one prints
// nothing) and keeps it as parsed; RunText runs the Plan, reading the
// source again only for the text of its lines.
func ExamplePrepare() {
	src := `start A as alice
remote http://server/f.bin
A: create job1
A: addfile job1 http://server/f.bin C:\dl\f.bin
A: setnotifyinterface job1 complete
A: resume job1
expect job1 JobTransferred -> A x1
`
	plan, err := scenario.Prepare("plan.bits", strings.NewReader(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(plan.Statements(), "statements")
	res, err := scenario.RunText("plan.bits", strings.NewReader(src), os.Stdout, scenario.RunOptions{Plan: plan})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())
	// Output:
	// 7 statements
	// t+0s       A            -> BITS         start as alice
	// t+0s       A            -> BITS         create job1                                  S_OK
	// t+0s       A            -> BITS         addfile job1                                 S_OK
	// t+0s       A            -> BITS         setnotifyinterface job1                      S_OK
	// t+0s       A            -> BITS         resume job1                                  S_OK
	// t+0s       BITS         -> A            JobTransferred job1                          S_OK
	// ok   plan.bits:7: expect job1 JobTransferred -> A x1
	// plan.bits: 1 check, passed
}

// A script runs on any harness.Backend; what the backend cannot do is
// skipped, saying what the script needs.
func ExampleRunWith_backend() {
	sc, err := scenario.Parse("restart.bits", []byte(`start A as alice
A: create job1
restart
expect job1 state SUSPENDED
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("needs restart: %v\n", sc.Needs().Restart)
	b, err := harness.NewSim(sim.Options{Clock: sim.Manual})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close() // the runner does not close a backend it was given
	res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: b})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())
	res, err = scenario.RunWith(sc, scenario.RunOptions{Backend: noRestart{b}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())
	// Output:
	// needs restart: true
	// restart.bits: 1 check, passed
	// restart.bits: skipped on sim: needs restart
}

// noRestart is a backend that cannot restart its service.
type noRestart struct{ harness.Backend }

func (b noRestart) Capabilities() harness.Capabilities {
	c := b.Backend.Capabilities()
	c.Restart = false
	return c
}
