package sim_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// A FileStore keeps every acknowledged job across processes, and only one
// service at a time may use it.
func ExampleNewFileStore() {
	dir, err := os.MkdirTemp("", "bitssim")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "qmgr.db")

	svc, err := sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	if err != nil {
		log.Fatal(err)
	}
	app, _ := svc.StartApp("updater", model.Account{Name: "alice"})
	job, _ := app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD) // saved before CreateJob returns

	_, err = sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	fmt.Println("second service:", errors.Is(err, sim.ErrStoreLocked))
	svc.Close()

	svc, err = sim.New(sim.Options{Clock: sim.Manual, Store: sim.NewFileStore(path)})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	app, _ = svc.StartApp("updater", model.Account{Name: "ALICE"})
	again, err := app.GetJob(job.GetId())
	name, _ := again.GetDisplayName()
	fmt.Println("after a new start:", name, err)
	// Output:
	// second service: true
	// after a new start: update <nil>
}

// Virtual time ends at MaxTime: an Advance past it is refused.
func ExampleErrTimeLimit() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Start: sim.MaxTime.AddDate(0, 0, -1)})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	err = svc.Advance(48 * 3600e9)
	fmt.Println(errors.Is(err, sim.ErrTimeLimit), svc.Now().Format("2006-01-02"))
	// Output:
	// true 2261-12-31
}
