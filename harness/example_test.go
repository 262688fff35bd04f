package harness_test

import (
	"fmt"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// A backend-neutral check: an application registers a recording callback
// object, the job transfers, and the trace shows what the object received.
func ExampleBackend() {
	b, err := harness.NewSim(sim.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	app, _ := b.StartApp("A", model.Account{Name: "alice"})
	url, _ := b.Remote(harness.RemoteOK, 1024)
	job, _ := app.CreateJob("example", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.AddFile(url, `C:\dl\f.bin`)
	_ = job.SetNotifyInterface(app.Callback(harness.Behavior{Complete: true}))
	_ = job.Resume()
	_ = b.Settle()
	for _, e := range harness.Delivered(b.Trace(), nil) {
		fmt.Println(e.Kind, "->", e.Target, "as", e.User)
	}
	state, _ := job.GetState()
	fmt.Println(state)
	// Output:
	// JobTransferred -> object(A) as alice
	// ACKNOWLEDGED
}
