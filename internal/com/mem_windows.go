//go:build windows

package com

import (
	"fmt"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/model"
)

// WinGUID converts a GUID to the Windows structure (its first three fields
// little-endian in memory; model.GUID holds them in text order), on the
// heap so that its address may be passed to COM.
func WinGUID(g model.GUID) *windows.GUID {
	b := g.WindowsBytes()
	w := new(windows.GUID)
	*w = *(*windows.GUID)(unsafe.Pointer(&b))
	return w
}

// ModelGUID converts the Windows structure to a GUID.
func ModelGUID(w *windows.GUID) model.GUID {
	b := (*[16]byte)(unsafe.Pointer(w))
	g, _ := model.GUIDFromWindowsBytes(b[:]) // 16 bytes: cannot fail
	return g
}

// String converts s for an [in, string] parameter (LPCWSTR). A string
// with a NUL inside cannot cross: it is E_INVALIDARG.
func String(s string) (*uint16, error) {
	p, err := windows.UTF16PtrFromString(s)
	if err != nil {
		return nil, fmt.Errorf("string %.40q: %w", s, model.E_INVALIDARG)
	}
	return p, nil
}

// StringOrNull is String, but the empty string is passed as NULL.
func StringOrNull(s string) (*uint16, error) {
	if s == "" {
		return nil, nil
	}
	return String(s)
}

// InString reads an [in] LPCWSTR a caller passed; NULL is the empty
// string.
func InString(p *uint16) string {
	if p == nil {
		return ""
	}
	return windows.UTF16PtrToString(p)
}

// TakeString reads an [out] LPWSTR a callee allocated and frees it with
// CoTaskMemFree; NULL is the empty string.
func TakeString(p *uint16) string {
	if p == nil {
		return ""
	}
	s := windows.UTF16PtrToString(p)
	windows.CoTaskMemFree(unsafe.Pointer(p))
	return s
}

// AllocString copies s to memory allocated with CoTaskMemAlloc, for an
// [out] LPWSTR the caller frees with CoTaskMemFree. A NUL inside s ends
// the string there (an LPWSTR cannot hold it); E_OUTOFMEMORY when the
// allocation fails.
func AllocString(s string) (*uint16, model.HRESULT) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	u, _ := windows.UTF16FromString(s) // no NUL left: cannot fail
	p := Alloc(uintptr(len(u)) * 2)
	if p == nil {
		return nil, model.E_OUTOFMEMORY
	}
	copy(unsafe.Slice((*uint16)(p), len(u)), u)
	return (*uint16)(p), model.S_OK
}

// OutString stores AllocString(s) in *dst, an [out] LPWSTR: E_POINTER
// when dst is NULL, and *dst NULL whenever it fails.
func OutString(dst **uint16, s string) model.HRESULT {
	if dst == nil {
		return model.E_POINTER
	}
	p, h := AllocString(s)
	*dst = p
	return h
}

// Alloc allocates n bytes with CoTaskMemAlloc (at least one), for memory
// a caller frees with CoTaskMemFree; nil when out of memory.
func Alloc(n uintptr) unsafe.Pointer {
	if n == 0 {
		n = 1
	}
	p, _, _ := syscall.SyscallN(procCoTaskMemAlloc.Addr(), n)
	return foreign(p)
}

// Free is CoTaskMemFree; nil is allowed.
func Free(p unsafe.Pointer) { windows.CoTaskMemFree(p) }
