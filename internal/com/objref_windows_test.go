//go:build windows

package com

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

// An object's OBJREF names its apartment and itself; reading it moves no
// reference (the object's count is back to one) and asks the same object
// the same identity while COM knows it. Under Wine the OXID of the
// multithreaded apartment is the process ID and 0xCAFE.
func TestObjRefOf(t *testing.T) {
	require.NoError(t, Init())
	o := NewObject(counterVtbl, &counter{}, iidCounter)
	defer o.Release()
	keep := NewObject(counterVtbl, &counter{}, iidCounter) // a second object: a second OID
	defer keep.Release()

	r, err := ObjRefOf(o.Ptr())
	require.NoError(t, err)
	assert.NotZero(t, r.OXID)
	assert.Equal(t, int32(1), o.refs.Load(), "no reference left behind")
	r2, err := ObjRefOf(keep.Ptr())
	require.NoError(t, err)
	assert.Equal(t, r.OXID, r2.OXID, "one apartment")
	assert.NotEqual(t, r.OID, r2.OID, "two objects")
	assert.Equal(t, int32(1), keep.refs.Load())
	if UnderWine() {
		assert.Equal(t, windows.GetCurrentProcessId(), r.WinePID())
		assert.Equal(t, uint64(0xCAFE), r.OXID&0xFFFFFFFF, "Wine's MTA")
	}

	_, err = ObjRefOf(0)
	assert.ErrorIs(t, err, model.E_POINTER)
}
