//go:build windows

package winbits_test

import (
	"fmt"

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
