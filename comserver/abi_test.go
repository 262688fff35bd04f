package comserver

import (
	"testing"

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
		{model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, model.JobPropertyValue{Uint64: 0x0102030405060708},
			[16]byte{8, 7, 6, 5, 4, 3, 2, 1}},
		{model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, model.JobPropertyValue{Target: 2}, [16]byte{2}},
		{model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 500},
			[16]byte{0xF4, 0x01}},
	} {
		got := encodeProperty(c.id, c.v)
		assert.Equal(t, c.want, got, "encode %v", c.id)
		assert.Equal(t, c.v, decodeProperty(c.id, &c.want), "decode %v", c.id)
	}
}

// Decoding what encoding wrote gives back the value, for every property
// and value (the members it does not use are zero).
func TestPropertyRoundTrip(t *testing.T) {
	ids := []model.JobPropertyID{1, 2, 3, 4, 5, 7, 9, 10}
	rapid.Check(t, func(t *rapid.T) {
		id := rapid.SampledFrom(ids).Draw(t, "id")
		var v model.JobPropertyValue
		switch propertyMembers[id] {
		case memberGUID:
			copy(v.ClsID[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "guid"))
		case memberBOOL:
			v.Enable = rapid.Bool().Draw(t, "bool")
		case memberUINT64:
			v.Uint64 = rapid.Uint64().Draw(t, "u64")
		case memberAuthTarget:
			v.Target = model.AuthTarget(rapid.Uint32().Draw(t, "target"))
		default:
			v.DWORD = rapid.Uint32().Draw(t, "dword")
		}
		b := encodeProperty(id, v)
		assert.Equal(t, v, decodeProperty(id, &b))
	})
}

func TestProgram(t *testing.T) {
	for cmd, want := range map[string]string{
		`"C:\Program Files\bitssim\bitssim-comserver.exe" -takeover -store x`: `C:\Program Files\bitssim\bitssim-comserver.exe`,
		`C:\bitssim\server.exe -takeover`:                                     `C:\bitssim\server.exe`,
		`  Z:\tmp\server.exe`:                                                 `Z:\tmp\server.exe`,
		`"unterminated`:                                                       `unterminated`,
		``:                                                                    ``,
	} {
		assert.Equal(t, want, program(cmd), cmd)
	}
}

// Served gives a BITS version's manager classes and those of older
// versions, never a newer one's: a client creating
// BackgroundCopyManager10_3 of a 5.0 service must fail, as on Windows
// (determining-the-version-of-bits-on-a-computer).
func TestServed(t *testing.T) {
	v5 := Served(model.BITS5_0)
	assert.Contains(t, v5, model.MustParseGUID("{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}"), "BackgroundCopyManager5_0")
	assert.Contains(t, v5, model.MustParseGUID("{4991D34B-80A1-4291-83B6-3328366B9097}"), "CLSID_BackgroundCopyManager")
	assert.Contains(t, v5, model.MustParseGUID("{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}"), "BackgroundCopyManager1_5")
	assert.NotContains(t, v5, model.MustParseGUID("{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}"), "BackgroundCopyManager10_1")
	assert.Len(t, Served(model.BITS10_3), 10)
	assert.Len(t, Served(model.BITS1_5), 2)
	assert.NotEqual(t, CLSID, model.CLSID_BackgroundCopyManager)
}
