package com

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/bitssim/bitssim/model"
)

// FromError returns the HRESULT an error carries: a syscall.Errno's code
// as the HRESULT it is (golang.org/x/sys/windows returns HRESULTs such as
// CoInitializeEx's as Errno), otherwise model.HRESULTOf's answer (S_OK for
// nil, E_FAIL for an error without an HRESULT).
func FromError(err error) model.HRESULT {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return model.HRESULT(uint32(errno))
	}
	return model.HRESULTOf(err)
}

// Check turns the HRESULT a COM method returned into an error that names
// the method ("IBackgroundCopyJob::GetId: ...") and wraps the HRESULT, so
// that errors.Is finds it; a success code (S_OK, S_FALSE, ...) is nil.
func Check(method string, h model.HRESULT) error {
	if h.Succeeded() {
		return nil
	}
	return fmt.Errorf("%s: %w", method, h)
}

// Result turns an error into the value a COM method implemented in Go
// returns: the error's HRESULT, S_OK for nil, E_FAIL for an error that
// carries none.
func Result(err error) uintptr { return uintptr(model.HRESULTOf(err)) }

// ErrorOf is the inverse for a method's own code: nil for S_OK, the
// HRESULT (an error) otherwise, success codes such as S_FALSE included.
func ErrorOf(h model.HRESULT) error {
	if h == model.S_OK {
		return nil
	}
	return h
}
