package sim_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// printTimed prints the trace with the virtual time of each attempt.
func printTimed(svc *sim.Service) {
	for _, e := range svc.Trace() {
		fmt.Printf("%s %v -> %v: %s\n", e.Time.Format("15:04:05"), e.Kind, e.Target, e.Result.Name())
	}
}

// A JobError handler that gives up: the remote answers 404, a fatal error,
// so the job goes to ERROR and BITS calls JobError; the handler cancels the
// job, which would otherwise sit in ERROR until the 90-day inactivity
// timeout.
func Example_jobErrorCancel() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	_ = svc.SetRemote("https://example.com/gone.msi", sim.NotFound())
	app, _ := svc.StartApp("updater.exe", model.Account{Name: "alice"})
	job, _ := app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.AddFile("https://example.com/gone.msi", `C:\Updates\gone.msi`)
	_ = job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR)
	_ = job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobError: func(job model.Job, jobErr model.JobError) error {
			fmt.Println("JobError:", jobErr.Code.Name(), "in", jobErr.Context)
			return job.Cancel()
		},
	})
	_ = job.Resume()

	_ = svc.RunUntilIdle()
	state, _ := job.GetState()
	fmt.Println("state:", state)
	// Output:
	// JobError: BG_E_HTTP_ERROR_404 in REMOTE_FILE
	// state: CANCELLED
}

// A callback that fails is called again after the job's
// MinimumRetryDelay (10 minutes unless set): the handler records the
// success before it completes, so when recording fails the job stays
// TRANSFERRED and nothing is lost.
func Example_failingCallbackRetried() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	app, _ := svc.StartApp("updater.exe", model.Account{Name: "alice"})
	job, _ := app.CreateJob("update", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.AddFile("https://example.com/update.msi", `C:\Updates\update.msi`)
	diskFull := true
	_ = job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(job model.Job) error {
			if diskFull { // recording the update failed: let BITS call again
				diskFull = false
				return errors.New("disk full")
			}
			_, err := job.Complete()
			return err
		},
	})
	_ = job.Resume()

	_ = svc.RunUntilIdle()
	state, _ := job.GetState()
	fmt.Println("after the failure:", state)
	_ = svc.Advance(10 * time.Minute)
	state, _ = job.GetState()
	fmt.Println("after the retry:", state)
	printTimed(svc)
	// Output:
	// after the failure: TRANSFERRED
	// after the retry: ACKNOWLEDGED
	// 00:00:00 JobTransferred -> object(updater.exe): E_FAIL
	// 00:10:00 JobTransferred -> object(updater.exe): S_OK
}

// SetCommandHandler plays the program of a notification command line:
// here it fails once (exit code 1), so BITS runs it again after the retry
// delay, and then succeeds.
func ExampleService_SetCommandHandler() {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	runs := 0
	_ = svc.SetCommandHandler(func(l sim.Launch) (int, error) {
		runs++
		fmt.Printf("run %d: %s %s as %s\n", runs, l.Program, l.Parameters, l.User.Name)
		if runs == 1 {
			return 1, nil
		}
		return 0, nil
	})
	app, _ := svc.StartApp("setup.exe", model.Account{Name: "alice"})
	job, _ := app.CreateJob("payload", model.BG_JOB_TYPE_DOWNLOAD)
	_ = job.AddFile("https://example.com/payload.cab", `C:\Setup\payload.cab`)
	_ = job.SetNotifyCmdLine(`C:\Setup\install.exe`, `C:\Setup\install.exe /quiet`)
	_ = job.Resume()

	_ = svc.RunUntilIdle()
	_ = svc.Advance(10 * time.Minute)
	for _, l := range svc.Launches() {
		fmt.Println(l.Time.Format("15:04:05"), "exit", l.ExitCode)
	}
	// Output:
	// run 1: C:\Setup\install.exe C:\Setup\install.exe /quiet as alice
	// run 2: C:\Setup\install.exe C:\Setup\install.exe /quiet as alice
	// 00:00:00 exit 1
	// 00:10:00 exit 0
}
