package comserver_test

import (
	"fmt"

	"github.com/bitssim/bitssim/comserver"
	"github.com/bitssim/bitssim/model"
)

// The classes a takeover gives to a server simulating BITS 4.0: its own
// manager class and every older one, so that a client probing
// newest-first learns the version as on Windows.
func ExampleServed() {
	for _, c := range comserver.ManagerCLSIDs {
		for _, s := range comserver.Served(model.BITS4_0) {
			if s == c.CLSID {
				fmt.Println(c.Name)
			}
		}
	}
	// Output:
	// BackgroundCopyManager4_0
	// BackgroundCopyManager3_0
	// BackgroundCopyManager2_5
	// BackgroundCopyManager2_0
	// BackgroundCopyManager1_5
	// BackgroundCopyManager
}
