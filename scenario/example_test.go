package scenario_test

import (
	"fmt"
	"os"

	"github.com/bitssim/bitssim/scenario"
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
