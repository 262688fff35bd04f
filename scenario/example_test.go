package scenario_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
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

// A script that follows the backend: its when blocks run where the
// backend meets their condition, and NeedsOn says what the script needs
// of a given backend.
func ExampleScript_NeedsOn() {
	sc, err := scenario.Parse("when.bits", []byte(`start A as alice
A: create job1
when version >= 3.0
  A: setnotifyflags job1 FILE_TRANSFERRED
  expect job1 flags FILE_TRANSFERRED
else
  A: setnotifyflags job1 0x10 -> E_NOTIMPL
end
when has clsid
  class Notifier
  A: setnotifyclsid job1 Notifier
end
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	any := sc.Needs()
	fmt.Printf("any backend: BITS %v, CLSID %v\n", any.Version, any.CLSID)
	newest := sc.NeedsOn(harness.Capabilities{Version: model.BITS10_3, CLSID: true})
	fmt.Printf("BITS 10.3 with CLSIDs: BITS %v, CLSID %v\n", newest.Version, newest.CLSID)
	for _, v := range []model.Version{model.BITS2_0, model.BITS10_3} {
		b, err := harness.NewSim(sim.Options{Version: v})
		if err != nil {
			fmt.Println(err)
			return
		}
		res, err := scenario.RunWith(sc, scenario.RunOptions{Backend: b})
		_ = b.Close()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(v, res.Summary())
	}
	// Output:
	// any backend: BITS 0.0, CLSID false
	// BITS 10.3 with CLSIDs: BITS 5.0, CLSID true
	// 2.0 when.bits: 1 check, passed
	// 10.3 when.bits: 1 check, passed
}
