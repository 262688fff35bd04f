package sim_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

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

// With Sync: Batched a FileStore saves acknowledged changes in groups, in
// the background, within its Window (group commit); Flush makes everything
// acknowledged durable now.
func ExampleService_Flush() {
	dir, err := os.MkdirTemp("", "bitssim")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "qmgr.db")

	st := sim.NewFileStore(path)
	st.Sync = sim.Batched
	st.Window = time.Hour // a crash loses at most about this much
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Store: st})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	app, _ := svc.StartApp("updater", model.Account{Name: "alice"})
	for i := 0; i < 100; i++ {
		_, _ = app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD) // returns before any save
	}
	_, err = os.Stat(path)
	fmt.Println("on disk before Flush:", err == nil)
	if err := svc.Flush(); err != nil { // the 100 jobs are on disk
		log.Fatal(err)
	}
	_, err = os.Stat(path)
	fmt.Println("on disk after Flush:", err == nil)
	// Output:
	// on disk before Flush: false
	// on disk after Flush: true
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
