package model

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestGUIDWindowsLayoutKnownVectors(t *testing.T) {
	// Bytes as they lie in memory on Windows: Data1, Data2 and Data3 are
	// little-endian, Data4 is a plain byte array.
	cases := []struct {
		text    string
		windows [16]byte
	}{
		{"{4991D34B-80A1-4291-83B6-3328366B9097}", [16]byte{
			0x4B, 0xD3, 0x91, 0x49, 0xA1, 0x80, 0x91, 0x42,
			0x83, 0xB6, 0x33, 0x28, 0x36, 0x6B, 0x90, 0x97}},
		{"{97EA99C7-0186-4AD4-8DF9-C5B4E0ED6B22}", [16]byte{
			0xC7, 0x99, 0xEA, 0x97, 0x86, 0x01, 0xD4, 0x4A,
			0x8D, 0xF9, 0xC5, 0xB4, 0xE0, 0xED, 0x6B, 0x22}},
		{"{00000000-0000-0000-0000-000000000000}", [16]byte{}},
		{"{01020304-0506-0708-090A-0B0C0D0E0F10}", [16]byte{
			0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x08, 0x07,
			0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10}},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			g, err := ParseGUID(c.text)
			require.NoError(t, err)
			assert.Equal(t, c.windows, g.WindowsBytes())
			back, err := GUIDFromWindowsBytes(c.windows[:])
			require.NoError(t, err)
			assert.Equal(t, c.text, back.String())
		})
	}
}

func TestCLSIDBackgroundCopyManager(t *testing.T) {
	assert.Equal(t, "{4991D34B-80A1-4291-83B6-3328366B9097}", CLSID_BackgroundCopyManager.String())
	assert.Equal(t, "4991D34B-80A1-4291-83B6-3328366B9097", CLSID_BackgroundCopyManager.Bare())
}

func TestParseGUIDForms(t *testing.T) {
	want := "{4991D34B-80A1-4291-83B6-3328366B9097}"
	for _, in := range []string{
		"{4991D34B-80A1-4291-83B6-3328366B9097}",
		"4991D34B-80A1-4291-83B6-3328366B9097",
		"{4991d34b-80a1-4291-83b6-3328366b9097}",
		"4991d34b-80a1-4291-83b6-3328366b9097",
	} {
		g, err := ParseGUID(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, g.String(), in)
	}
}

func TestParseGUIDRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"{",
		"{}",
		"{4991D34B-80A1-4291-83B6-3328366B9097",
		"4991D34B-80A1-4291-83B6-3328366B9097}",
		"4991D34B80A1429183B63328366B9097",
		"urn:uuid:4991d34b-80a1-4291-83b6-3328366b9097",
		"{4991D34B-80A1-4291-83B6-3328366B909Z}",
		"{{4991D34B-80A1-4291-83B6-3328366B9097}}",
	} {
		_, err := ParseGUID(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestGUIDFromWindowsBytesWrongLength(t *testing.T) {
	_, err := GUIDFromWindowsBytes(make([]byte, 15))
	assert.ErrorContains(t, err, "16 bytes")
}

func TestGUIDNull(t *testing.T) {
	assert.True(t, GUID_NULL.IsNull())
	assert.False(t, CLSID_BackgroundCopyManager.IsNull())
	assert.Equal(t, "{00000000-0000-0000-0000-000000000000}", GUID_NULL.String())
}

func TestGUIDJSON(t *testing.T) {
	b, err := json.Marshal(struct{ ID GUID }{CLSID_BackgroundCopyManager})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ID":"{4991D34B-80A1-4291-83B6-3328366B9097}"}`, string(b))
	var v struct{ ID GUID }
	require.NoError(t, json.Unmarshal(b, &v))
	assert.Equal(t, CLSID_BackgroundCopyManager, v.ID)
	assert.Error(t, json.Unmarshal([]byte(`{"ID":"nope"}`), &v))
}

func TestGUIDRoundTripsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var g GUID
		copy(g[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "bytes"))
		w := g.WindowsBytes()
		back, err := GUIDFromWindowsBytes(w[:])
		if err != nil || back != g {
			t.Fatalf("windows round trip: %v -> %x -> %v, %v", g, w, back, err)
		}
		p, err := ParseGUID(g.String())
		if err != nil || p != g {
			t.Fatalf("text round trip: %v -> %v, %v", g, p, err)
		}
	})
}

func FuzzParseGUID(f *testing.F) {
	f.Add("{4991D34B-80A1-4291-83B6-3328366B9097}")
	f.Add("4991d34b-80a1-4291-83b6-3328366b9097")
	f.Add("{}")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGUID(s)
		if err != nil {
			return
		}
		again, err := ParseGUID(g.String())
		if err != nil || again != g {
			t.Fatalf("%q parsed to %v which does not round trip", s, g)
		}
	})
}
