//go:build windows

package com

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/model"
)

// counter is the Go value of the test interface: slot 3 adds its argument
// and returns the sum as the HRESULT, slot 4 is not implemented, slot 5
// panics.
type counter struct{ n uint32 }

var (
	iidCounter = model.MustParseGUID("{7E3B1C2A-0D4F-4A5B-9C6D-8E7F90A1B2C3}")
	iidOther   = model.MustParseGUID("{7E3B1C2A-0D4F-4A5B-9C6D-8E7F90A1B2C4}")

	counterVtbl = NewVTable(
		func(this, add uintptr) uintptr {
			return Method(this, func(c *counter) model.HRESULT { c.n += uint32(add); return model.HRESULT(c.n) })
		},
		nil,
		func(this uintptr) uintptr {
			return Method(this, func(c *counter) model.HRESULT { panic("a bug") })
		},
	)
	// stringVtbl's only method is Method over a *string: a counter object
	// with this vtable has the wrong Go value for it.
	stringVtbl = NewVTable(func(this uintptr) uintptr {
		return Method(this, func(*string) model.HRESULT { return model.S_OK })
	})
)

// An object made in Go, called through its vtable as COM calls it: its
// methods find its value by this, IUnknown answers for IUnknown and its
// IIDs only, and the last Release unregisters it; an address used after
// that answers RPC_E_DISCONNECTED, not a crash.
func TestObjectThroughVTable(t *testing.T) {
	before := LiveObjects()
	c := &counter{}
	o := NewObject(counterVtbl, c, iidCounter)
	freed := false
	o.OnFinalRelease(func() { freed = true })
	require.Equal(t, before+1, LiveObjects())
	p := Pointer(o.Ptr())

	assert.Equal(t, model.HRESULT(5), p.Call(3, uintptr(5)))
	assert.Equal(t, model.HRESULT(7), p.Call(3, uint32(2)))
	assert.Equal(t, uint32(7), c.n)
	assert.Equal(t, model.E_NOTIMPL, p.Call(4), "a nil method")
	assert.Equal(t, model.E_UNEXPECTED, p.Call(5), "a panic in a method")
	assert.Equal(t, model.E_INVALIDARG, p.Call(3, "five"), "an argument that is no word: no call")
	assert.Equal(t, uint32(7), c.n)

	for _, iid := range []model.GUID{IIDUnknown, iidCounter} {
		q, h := p.QueryInterface(iid)
		require.Equal(t, model.S_OK, h, "%v", iid)
		assert.Equal(t, o.Ptr(), q.Ptr(), "the same object answers")
		q.Release()
	}
	q, h := p.QueryInterface(iidOther)
	assert.Equal(t, model.E_NOINTERFACE, h)
	assert.Nil(t, q)
	assert.Equal(t, model.E_POINTER, model.HRESULT(uint32(QueryInterface(o.Ptr(), WinGUID(iidCounter), nil))))
	var out uintptr = 1
	assert.Equal(t, model.E_INVALIDARG, model.HRESULT(uint32(QueryInterface(o.Ptr(), nil, &out))))
	assert.Zero(t, out, "the [out] pointer is cleared")

	p.AddRef()
	p.Release()
	assert.False(t, freed)
	assert.NotNil(t, Live(o.Ptr()))
	p.Release() // NewObject's reference
	assert.True(t, freed, "the last Release runs OnFinalRelease")
	assert.Nil(t, Live(o.Ptr()))
	assert.Equal(t, before, LiveObjects())

	// The memory is still Go's (o holds it): COM's stale pointer reaches
	// the shared thunks, which find no object.
	assert.Equal(t, model.RPC_E_DISCONNECTED, p.Call(3, uintptr(1)))
	_, h = p.QueryInterface(IIDUnknown)
	assert.Equal(t, model.RPC_E_DISCONNECTED, h)
	assert.Equal(t, uint32(7), c.n)
	runtime.KeepAlive(o)
}

func TestMethodWrongValue(t *testing.T) {
	o := NewObject(stringVtbl, &counter{})
	defer o.Release()
	assert.Equal(t, model.E_UNEXPECTED, Pointer(o.Ptr()).Call(3))
}

// Panics are logged, with SetLog; every object, QueryInterface, AddRef
// and Release is traced, with its address and reference count, with
// SetTrace.
func TestLogAndTrace(t *testing.T) {
	var mu sync.Mutex
	var logged, traced []string
	SetLog(func(f string, a ...any) { mu.Lock(); logged = append(logged, fmt.Sprintf(f, a...)); mu.Unlock() })
	SetTrace(func(f string, a ...any) { mu.Lock(); traced = append(traced, fmt.Sprintf(f, a...)); mu.Unlock() })
	defer SetLog(nil)
	defer SetTrace(nil)
	o := NewObject(counterVtbl, &counter{}, iidCounter)
	p := Pointer(o.Ptr())
	p.Call(5)
	_, _ = p.QueryInterface(iidOther)
	q, _ := p.QueryInterface(iidCounter)
	q.Release()
	o.Release()
	p.AddRef() // released: no object
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, logged, 1)
	assert.Contains(t, logged[0], "a bug")
	at := fmt.Sprintf("%#x ", o.Ptr())
	assert.Equal(t, []string{
		at + "NewObject *com.counter: refs 1",
		at + "QueryInterface " + iidOther.String() + ": E_NOINTERFACE",
		at + "QueryInterface " + iidCounter.String() + ": S_OK, refs 2",
		at + "Release: refs 1",
		at + "Release: refs 0",
		at + "AddRef: not a live object",
	}, traced)
}

// GUIDs cross as the Windows structure: Data1..Data3 are numbers (little
// endian in memory), Data4 bytes in text order.
func TestGUIDConversion(t *testing.T) {
	g := model.MustParseGUID("{6A3C2F10-5D1E-4C8B-9F2A-1B7E440C9D51}")
	w := WinGUID(g)
	assert.Equal(t, windows.GUID{Data1: 0x6A3C2F10, Data2: 0x5D1E, Data3: 0x4C8B,
		Data4: [8]byte{0x9F, 0x2A, 0x1B, 0x7E, 0x44, 0x0C, 0x9D, 0x51}}, *w)
	assert.Equal(t, g, ModelGUID(w))
	rapid.Check(t, func(t *rapid.T) {
		var g model.GUID
		copy(g[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "guid"))
		assert.Equal(t, g, ModelGUID(WinGUID(g)))
	})
}

// Strings: [in] strings refuse a NUL inside (E_INVALIDARG); [out] strings
// are CoTaskMem copies, cut at a NUL, which TakeString reads and frees.
func TestStrings(t *testing.T) {
	_, err := String("a\x00b")
	assert.ErrorIs(t, err, model.E_INVALIDARG)
	p, err := StringOrNull("")
	assert.NoError(t, err)
	assert.Nil(t, p)
	p, err = String("héllo")
	require.NoError(t, err)
	assert.Equal(t, "héllo", InString(p))
	assert.Equal(t, "", InString(nil))
	assert.Equal(t, "", TakeString(nil))

	var out *uint16
	require.Equal(t, model.S_OK, OutString(&out, "job name"))
	assert.Equal(t, "job name", TakeString(out))
	require.Equal(t, model.S_OK, OutString(&out, "cut\x00here"))
	assert.Equal(t, "cut", TakeString(out))
	assert.Equal(t, model.E_POINTER, OutString(nil, "x"))

	rapid.Check(t, func(t *rapid.T) {
		s := strings.ToValidUTF8(rapid.String().Draw(t, "s"), "?")
		want, _, _ := strings.Cut(s, "\x00")
		p, h := AllocString(s)
		require.Equal(t, model.S_OK, h)
		assert.Equal(t, want, TakeString(p))
	})
	m := Alloc(0)
	require.NotNil(t, m, "CoTaskMemAlloc(0) is given one byte")
	Free(m)
	Free(nil)
}

func TestInit(t *testing.T) {
	require.NoError(t, Init())
	assert.NoError(t, Init(), "idempotent")
}

// Outside a COM call there is no client to impersonate.
func TestImpersonateOutsideACall(t *testing.T) {
	require.NoError(t, Init())
	h := ImpersonateClient()
	if h.Succeeded() {
		RevertToSelf()
	}
	assert.True(t, h.Failed(), "CoImpersonateClient outside a call: %v", h)
}
