package sim_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// downloadUpdate is the code under test in these examples: a small
// updater that downloads one file with BITS and completes the job when BITS
// says it is transferred, as the documentation's sample does. In
// production mgr is the real BITS; in tests it is a sim.App.
func downloadUpdate(mgr model.Manager, url, local string, done func()) (model.Job, error) {
	job, err := mgr.CreateJob("updater", model.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		return nil, err
	}
	if err := job.AddFile(url, local); err != nil {
		return nil, err
	}
	err = job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(job model.Job) error {
			if _, err := job.Complete(); err != nil {
				return err // BITS calls again later
			}
			if done != nil {
				done()
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return job, job.Resume()
}

// printNotifications prints the notification trace without the job GUIDs.
func printNotifications(svc *sim.Service) {
	for _, e := range svc.Trace() {
		fmt.Printf("%v -> %v as %s: %s\n", e.Kind, e.Target, e.User, e.Result.Name())
	}
}

// A downloader tested with the simulator on a manual clock: nothing happens
// until the test calls RunUntilIdle (or Advance), and then everything,
// callbacks included, runs on the test's goroutine in a fixed order.
func Example() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	app, err := svc.StartApp("updater.exe", model.Account{Name: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	job, err := downloadUpdate(app, "https://example.com/update.msi", `C:\Updates\update.msi`, nil)
	if err != nil {
		log.Fatal(err)
	}

	if err := svc.RunUntilIdle(); err != nil {
		log.Fatal(err)
	}
	state, _ := job.GetState()
	fmt.Println("state:", state)
	printNotifications(svc)
	// Output:
	// state: ACKNOWLEDGED
	// JobTransferred -> object(updater.exe) as alice: S_OK
}

// The same downloader on the automatic clock, the default: work happens in
// the background as soon as it is due, and the test waits until the job is
// ACKNOWLEDGED and the callback that completed it has returned.
func Example_automatic() {
	svc, err := sim.New(sim.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	app, err := svc.StartApp("updater.exe", model.Account{Name: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	job, err := downloadUpdate(app, "https://example.com/update.msi", `C:\Updates\update.msi`, nil)
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	state, err := svc.WaitState(ctx, job, model.BG_JOB_STATE_ACKNOWLEDGED)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("state:", state)
	printNotifications(svc)
	// Output:
	// state: ACKNOWLEDGED
	// JobTransferred -> object(updater.exe) as alice: S_OK
}

// When the application that registered the callback object has crashed,
// BITS finds out on its next call and falls back to the job's notification
// CLSID: it starts the registered COM class as the job's owner and
// delivers JobTransferred to that instance.
func Example_clsidFallback() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	clsid := model.MustParseGUID("{6C1F4A52-3B8D-4E0F-9A27-5D6E7F809A1B}")
	err = svc.RegisterClass(clsid, func(host *sim.App) (any, error) {
		return &model.CallbackFuncs{
			OnJobTransferred: func(job model.Job) error {
				_, err := job.Complete()
				return err
			},
		}, nil
	})
	if err != nil {
		log.Fatal(err)
	}

	appA, _ := svc.StartApp("A.exe", model.Account{Name: "alice"})
	job, _ := appA.CreateJob("report", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.AddFile("https://example.com/report.pdf", `C:\Reports\report.pdf`)
	_ = job.SetNotifyInterface(&model.CallbackFuncs{})
	_ = job.SetNotifyCLSID(clsid)
	_ = job.Resume()
	appA.Crash()

	_ = svc.RunUntilIdle()
	printNotifications(svc)
	// Output:
	// JobTransferred -> object(A.exe) as alice: RPC_S_SERVER_UNAVAILABLE
	// JobTransferred -> clsid({6C1F4A52-3B8D-4E0F-9A27-5D6E7F809A1B}#1) as alice: S_OK
}

// A service restart keeps the job and its notification CLSID and drops the
// callback object: an application must register it again.
func ExampleService_Restart() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	clsid := model.MustParseGUID("{6C1F4A52-3B8D-4E0F-9A27-5D6E7F809A1B}")
	app, _ := svc.StartApp("app.exe", model.Account{Name: "alice"})
	job, _ := app.CreateJob("nightly", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.SetNotifyCLSID(clsid)
	_ = job.SetNotifyInterface(&model.CallbackFuncs{})

	if err := svc.Restart(); err != nil {
		log.Fatal(err)
	}
	same, err := app.GetJob(job.GetId())
	if err != nil {
		log.Fatal(err)
	}
	name, _ := same.GetDisplayName()
	kept, _ := same.GetNotifyCLSID()
	obj, _ := same.GetNotifyInterface()
	fmt.Println("job:", name)
	fmt.Println("CLSID kept:", kept == clsid)
	fmt.Println("object dropped:", obj == nil)
	// Output:
	// job: nightly
	// CLSID kept: true
	// object dropped: true
}
