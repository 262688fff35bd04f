package model_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bitssim/bitssim/model"
)

func ExampleHRESULT_Error() {
	err := fmt.Errorf("resume job: %w", model.BG_E_INVALID_STATE)
	fmt.Println(err)
	fmt.Println(errors.Is(err, model.BG_E_INVALID_STATE))
	fmt.Println(model.HRESULTOf(err).String())
	fmt.Println(model.HRESULTOf(errors.New("not an HRESULT")).String())
	fmt.Println(model.HRESULT(0x80070002).Error())
	// Output:
	// resume job: BG_E_INVALID_STATE (0x80200002): The requested action is not allowed in the current job state.
	// true
	// BG_E_INVALID_STATE
	// E_FAIL
	// HRESULT 0x80070002 (HRESULT_FROM_WIN32 of Win32 error 2)
}

func ExampleParseHRESULT() {
	for _, s := range []string{
		"bg_e_too_many_jobs_per_user",
		"0x80200002",
		"80200002",
		"-2147417848",
		"BG_E_HTTP_ERROR_404",
		"HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)",
		"0x12345678",
	} {
		h, err := model.ParseHRESULT(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-45s 0x%08X %s\n", s, uint32(h), h)
	}
	_, err := model.ParseHRESULT("BG_E_NO_SUCH_CODE")
	fmt.Println(err != nil)
	// Output:
	// bg_e_too_many_jobs_per_user                   0x80200049 BG_E_TOO_MANY_JOBS_PER_USER (0x80200049): The job count for the user has exceeded the per user job limit set by the MaxJobsPerUser Group Policy setting.
	// 0x80200002                                    0x80200002 BG_E_INVALID_STATE (0x80200002): The requested action is not allowed in the current job state.
	// 80200002                                      0x80200002 BG_E_INVALID_STATE (0x80200002): The requested action is not allowed in the current job state.
	// -2147417848                                   0x80010108 RPC_E_DISCONNECTED (0x80010108): The object invoked has disconnected from its clients.
	// BG_E_HTTP_ERROR_404                           0x80190194 BG_E_HTTP_ERROR_404 (0x80190194): The server returned HTTP status 404 (Not Found).
	// HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED)    0x80070422 HRESULT_FROM_WIN32(ERROR_SERVICE_DISABLED) (0x80070422): The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.
	// 0x12345678                                    0x12345678 HRESULT 0x12345678 (success, facility 0x1234, code 0x5678)
	// true
}

func ExampleHTTPError() {
	h := model.HTTPError(503)
	fmt.Printf("0x%08X\n", uint32(h))
	fmt.Println(h.String())
	fmt.Println(h.Description())
	status, ok := h.HTTPStatus()
	fmt.Println(status, ok, h == model.BG_E_HTTP_ERROR_503)
	// Output:
	// 0x801901F7
	// BG_E_HTTP_ERROR_503
	// The server returned HTTP status 503 (Service Unavailable).
	// 503 true true
}

func ExampleHRESULT_MarshalText() {
	b, _ := json.Marshal(map[string]model.HRESULT{
		"known":   model.BG_E_NOT_FOUND,
		"http":    model.HTTPError(404),
		"unknown": 0x80070002,
	})
	fmt.Println(string(b))
	// Output:
	// {"http":"BG_E_HTTP_ERROR_404","known":"BG_E_NOT_FOUND","unknown":"0x80070002"}
}
