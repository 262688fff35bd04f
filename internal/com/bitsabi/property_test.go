package bitsabi

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/model"
)

// The bytes of BITS_JOB_PROPERTY_VALUE as the Windows SDK lays the union
// out (bits5_0.h): a GUID in its in-memory layout (Data1..Data3
// little-endian), a DWORD/BOOL/BG_AUTH_TARGET in the first four bytes, a
// UINT64 in the first eight; the rest zero.
func TestPropertyUnionBytes(t *testing.T) {
	clsid := model.MustParseGUID("{6A3C2F10-5D1E-4C8B-9F2A-1B7E440C9D51}")
	for _, c := range []struct {
		id   model.JobPropertyID
		v    model.JobPropertyValue
		want [16]byte
	}{
		{model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID, model.JobPropertyValue{ClsID: clsid},
			[16]byte{0x10, 0x2F, 0x3C, 0x6A, 0x1E, 0x5D, 0x8B, 0x4C, 0x9F, 0x2A, 0x1B, 0x7E, 0x44, 0x0C, 0x9D, 0x51}},
		{model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.JobPropertyValue{DWORD: 0x800000FF},
			[16]byte{0xFF, 0x00, 0x00, 0x80}},
		{model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, model.JobPropertyValue{Enable: true}, [16]byte{1}},
		{model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE, model.JobPropertyValue{Enable: false}, [16]byte{}},
		{model.BITS_JOB_PROPERTY_ON_DEMAND_MODE, model.JobPropertyValue{Enable: true}, [16]byte{1}},
		{model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, model.JobPropertyValue{Uint64: 0x0102030405060708},
			[16]byte{8, 7, 6, 5, 4, 3, 2, 1}},
		{model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, model.JobPropertyValue{Target: 2}, [16]byte{2}},
		{model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 500},
			[16]byte{0xF4, 0x01}},
		// An ID BITS does not know travels as a DWORD (BITS answers
		// BG_E_UNKNOWN_PROPERTY_ID).
		{model.JobPropertyID(99), model.JobPropertyValue{DWORD: 7}, [16]byte{7}},
	} {
		got := EncodeProperty(c.id, c.v)
		assert.Equal(t, c.want, got.Bytes(), "encode %v", c.id)
		assert.Equal(t, c.v, DecodeProperty(c.id, PropertyFromBytes(c.want)), "decode %v", c.id)
	}
}

// A BOOL is any nonzero DWORD: BITS's TRUE is 1, but a C caller may pass
// another value.
func TestPropertyBOOLNonzero(t *testing.T) {
	v := DecodeProperty(model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, PropertyFromBytes([16]byte{0, 0, 0, 0x80}))
	assert.True(t, v.Enable)
	v = DecodeProperty(model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, PropertyFromBytes([16]byte{4: 1}))
	assert.False(t, v.Enable, "only the BOOL's four bytes count")
}

// The union is 16 bytes, 8-byte aligned (its UINT64 member), so a
// *PropertyValue can stand for the C union's address.
func TestPropertyValueLayout(t *testing.T) {
	assert.Equal(t, uintptr(16), unsafe.Sizeof(PropertyValue{}))
	assert.Equal(t, uintptr(8), unsafe.Alignof(PropertyValue{}))
}

// Decoding what encoding wrote gives back the value, for every property
// and value (the members it does not use are zero).
func TestPropertyRoundTrip(t *testing.T) {
	ids := []model.JobPropertyID{1, 2, 3, 4, 5, 7, 9, 10}
	rapid.Check(t, func(t *rapid.T) {
		id := rapid.SampledFrom(ids).Draw(t, "id")
		var v model.JobPropertyValue
		switch MemberOf(id) {
		case MemberGUID:
			copy(v.ClsID[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "guid"))
		case MemberBOOL:
			v.Enable = rapid.Bool().Draw(t, "bool")
		case MemberUINT64:
			v.Uint64 = rapid.Uint64().Draw(t, "u64")
		case MemberAuthTarget:
			v.Target = model.AuthTarget(rapid.Uint32().Draw(t, "target"))
		default:
			v.DWORD = rapid.Uint32().Draw(t, "dword")
		}
		p := EncodeProperty(id, v)
		assert.Equal(t, v, DecodeProperty(id, p))
		assert.Equal(t, p, PropertyFromBytes(p.Bytes()))
	})
}

// The union crosses a call by value as the platform's calling convention
// says: amd64 passes a pointer to a copy, arm64 two registers, 386 four
// pushed DWORDs.
func TestPropertyArgs(t *testing.T) {
	p := PropertyFromBytes([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})

	amd := propertyArgs(p, "amd64")
	if assert.Len(t, amd, 1) {
		ptr, ok := amd[0].(unsafe.Pointer)
		if assert.True(t, ok, "a pointer") {
			assert.Equal(t, p.Bytes(), *(*[16]byte)(ptr))
			(*PropertyValue)(ptr).lo = 0
			assert.Equal(t, byte(1), p.Bytes()[0], "the callee's copy is not the caller's value")
		}
	}
	lo, hi := uint64(0x0807060504030201), uint64(0x100F0E0D0C0B0A09)
	if unsafe.Sizeof(uintptr(0)) == 8 {
		assert.Equal(t, []any{uintptr(lo), uintptr(hi)}, propertyArgs(p, "arm64"))
	}
	assert.Equal(t, []any{uintptr(0x04030201), uintptr(0x08070605), uintptr(0x0C0B0A09), uintptr(0x100F0E0D)},
		propertyArgs(p, "386"))
}

func ExampleEncodeProperty() {
	v := EncodeProperty(model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, model.JobPropertyValue{Uint64: 1 << 20})
	fmt.Printf("% x\n", v.Bytes())
	// Output: 00 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00
}
