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

// Account names compare as Windows compares them, the kind is part of the
// identity, and elevation belongs to the token.
func ExampleAccount_Same() {
	sam := model.Account{Name: "sam"}
	fmt.Println(sam.Same(model.Account{Name: "ſam"}), sam.Key() == model.Account{Name: "SAM"}.Key())
	impostor := model.Account{Name: `NT AUTHORITY\SYSTEM`}
	fmt.Println(impostor.Same(model.LocalSystem))
	admin := model.Account{Name: "root", Kind: model.AccountAdministrator}
	filtered := model.Account{Name: "root", Kind: model.AccountAdministrator, Unelevated: true}
	fmt.Println(admin.Same(filtered), admin.Integrity(), filtered.Integrity(), filtered.IsAdmin())
	// Output:
	// true true
	// false
	// true high medium false
}
