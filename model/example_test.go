package model_test

import (
	"fmt"

	"github.com/bitssim/bitssim/model"
)

func ExampleGUID_WindowsBytes() {
	b := model.CLSID_BackgroundCopyManager.WindowsBytes()
	fmt.Printf("% X\n", b[:8])
	g, _ := model.GUIDFromWindowsBytes(b[:])
	fmt.Println(g)
	// Output:
	// 4B D3 91 49 A1 80 91 42
	// {4991D34B-80A1-4291-83B6-3328366B9097}
}

func ExampleNotifyFlags_String() {
	fmt.Println(model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR)
	// Output: JOB_TRANSFERRED|JOB_ERROR
}

func ExampleCallbackFuncs() {
	var cb model.Callback = &model.CallbackFuncs{
		OnJobTransferred: func(job model.Job) error {
			_, err := job.Complete()
			return err
		},
	}
	// Methods left nil report S_OK, as BITS requires of every method.
	fmt.Println(cb.JobModification(nil))
	// Output: <nil>
}
