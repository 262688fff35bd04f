package com

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

func TestFromError(t *testing.T) {
	assert.Equal(t, model.S_OK, FromError(nil))
	// x/sys/windows returns CoInitializeEx's RPC_E_CHANGED_MODE as an Errno.
	assert.Equal(t, model.HRESULT(0x80010106), FromError(syscall.Errno(0x80010106)))
	assert.Equal(t, model.HRESULT(1), FromError(fmt.Errorf("CoInitializeEx: %w", syscall.Errno(1))), "S_FALSE, wrapped")
	assert.Equal(t, model.E_NOINTERFACE, FromError(fmt.Errorf("QueryInterface: %w", model.E_NOINTERFACE)))
	assert.Equal(t, model.E_FAIL, FromError(errors.New("no HRESULT")))
}

func TestCheck(t *testing.T) {
	assert.NoError(t, Check("IBackgroundCopyJob::Resume", model.S_OK))
	assert.NoError(t, Check("IEnumBackgroundCopyJobs::Next", model.S_FALSE), "a success code is no error")
	err := Check("IBackgroundCopyJob::Resume", model.BG_E_EMPTY)
	assert.ErrorIs(t, err, model.BG_E_EMPTY)
	assert.Contains(t, err.Error(), "IBackgroundCopyJob::Resume: ")
}

func TestResultAndErrorOf(t *testing.T) {
	assert.Equal(t, uintptr(0), Result(nil))
	assert.Equal(t, uintptr(0x80070057), Result(fmt.Errorf("x: %w", model.E_INVALIDARG)))
	assert.Equal(t, uintptr(0x80004005), Result(errors.New("plain")), "E_FAIL")
	assert.NoError(t, ErrorOf(model.S_OK))
	assert.Equal(t, model.S_FALSE, ErrorOf(model.S_FALSE), "a success code other than S_OK is kept")
	assert.ErrorIs(t, ErrorOf(model.E_OUTOFMEMORY), model.E_OUTOFMEMORY)
}

func ExampleCheck() {
	err := Check("IBackgroundCopyJob::Resume", model.BG_E_EMPTY)
	fmt.Println(errors.Is(err, model.BG_E_EMPTY))
	fmt.Println(Check("IBackgroundCopyJob::Resume", model.S_OK))
	// Output:
	// true
	// <nil>
}
