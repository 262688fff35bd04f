//go:build windows

package winbits_test

import (
	"fmt"
	"time"

	"github.com/bitssim/bitssim/harness/winbits"
	"github.com/bitssim/bitssim/model"
)

// Connect to BITS, queue a download and have a Go callback complete it
// when BITS reports the transfer. (Not run: it needs the BITS service.)
func Example() {
	m, err := winbits.Connect()
	if err != nil {
		fmt.Println("BITS unavailable:", err)
		return
	}
	fmt.Println("BITS", m.Version())
	job, err := m.CreateJob("example", model.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := job.AddFile("https://example.com/file.bin", `C:\Downloads\file.bin`); err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan model.HRESULT, 1)
	err = job.SetNotifyInterface(&model.CallbackFuncs{
		OnJobTransferred: func(j model.Job) error {
			hr, err := j.Complete()
			done <- hr
			return err
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := job.Resume(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Complete returned", <-done)
}

// A program serves its own notification class, so that BITS starts it
// when a job's notification is due even after the program has exited.
// (Not run: the registration and the activation need Windows.)
func ExampleServeClass() {
	clsid := model.MustParseGUID("{6D2C2F46-4C6E-4E7E-9B8B-0E5A1C1D2F3A}") // the program's own class
	// At install time: register the class, served by this program. COM
	// appends -Embedding to the command when it starts the program for BITS.
	scope, err := winbits.RegisterServer(winbits.ServerRegistration{
		CLSID:   clsid,
		Name:    "Example updater notifications",
		Command: `"C:\Program Files\Example\updater.exe" -bits-callback`,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("registered for", scope) // machine when elevated, user otherwise

	// When started with -Embedding: serve the class until BITS is done.
	srv, err := winbits.ServeClass(clsid, func() (any, error) {
		return &model.CallbackFuncs{
			OnJobTransferred: func(j model.Job) error {
				_, err := j.Complete()
				return err
			},
		}, nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.Wait(30 * time.Second)
	_ = srv.Close()

	// At uninstall time.
	_ = winbits.UnregisterServer(clsid, model.GUID{}, scope)
}
