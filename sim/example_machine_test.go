package sim_test

import (
	"fmt"
	"log"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// A lost network moves the transfer to TRANSIENT_ERROR with
// BG_E_NETWORK_DISCONNECTED; BITS does not retry it until the network is
// back, and then it finishes. No JobError is called.
func ExampleService_SetNetwork() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	app, _ := svc.StartApp("updater", model.Account{Name: "alice"})
	job, _ := app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.AddFile("https://updates.example/app.msi", `C:\Updates\app.msi`)

	_ = svc.SetNetwork(false)
	_ = job.Resume()
	_ = svc.RunUntilIdle()
	state, _ := job.GetState()
	jobErr, _ := job.GetError()
	fmt.Println(state, jobErr.Code.Name())

	_ = svc.SetNetwork(true)
	_ = svc.RunUntilIdle()
	state, _ = job.GetState()
	fmt.Println(state, len(svc.Trace()), "notifications")
	// Output:
	// TRANSIENT_ERROR BG_E_NETWORK_DISCONNECTED
	// TRANSFERRED 0 notifications
}

// Complete cannot rename a file another program holds: the job stays
// TRANSFERRED, and Complete succeeds once the file is free.
func ExampleService_SetLocalFileError() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	app, _ := svc.StartApp("updater", model.Account{Name: "alice"})
	job, _ := app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.AddFile("https://updates.example/app.msi", `C:\Updates\app.msi`)
	_ = job.Resume()
	_ = svc.RunUntilIdle()

	sharingViolation := model.HRESULTFromWin32(32)
	_ = svc.SetLocalFileError(`C:\Updates\app.msi`, sharingViolation)
	_, err = job.Complete()
	state, _ := job.GetState()
	fmt.Println(err != nil, state)

	_ = svc.SetLocalFileError(`C:\Updates\app.msi`, model.S_OK)
	hr, _ := job.Complete()
	state, _ = job.GetState()
	fmt.Println(hr.Name(), state)
	// Output:
	// true TRANSFERRED
	// S_OK ACKNOWLEDGED
}
