package model

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// GUID is a Windows GUID (also used for CLSIDs, IIDs and job IDs).
//
// Its bytes are in the canonical RFC 4122 order of the textual form, as in
// github.com/google/uuid: GUID{0x49, 0x91, 0xD3, 0x4B, ...} is
// {4991D34B-...}. Windows keeps the first three fields little-endian in
// memory; use WindowsBytes and GUIDFromWindowsBytes to cross that boundary
// and never copy raw bytes between the two.
type GUID uuid.UUID

// GUID_NULL is the all-zero GUID. BITS uses it to clear the notification CLSID.
var GUID_NULL GUID

// Well-known BITS class and interface identifiers.
var (
	// CLSID_BackgroundCopyManager is the BITS 1.0 manager class.
	CLSID_BackgroundCopyManager = MustParseGUID("{4991D34B-80A1-4291-83B6-3328366B9097}")
	// IID_IBackgroundCopyManager is the manager interface.
	IID_IBackgroundCopyManager = MustParseGUID("{5CE34C0D-0DC9-4C1F-897C-DAA1B78CEE7C}")
	// IID_IBackgroundCopyJob is the job interface.
	IID_IBackgroundCopyJob = MustParseGUID("{37668D37-507E-4160-9316-26306D150B12}")
	// IID_IBackgroundCopyCallback is the callback interface.
	IID_IBackgroundCopyCallback = MustParseGUID("{97EA99C7-0186-4AD4-8DF9-C5B4E0ED6B22}")
	// IID_IBackgroundCopyCallback2 adds FileTransferred (BITS 3.0).
	IID_IBackgroundCopyCallback2 = MustParseGUID("{659CDEAC-489E-11D9-A9CD-000D56965251}")
	// IID_IBackgroundCopyCallback3 adds FileRangesTransferred (BITS 10.1).
	IID_IBackgroundCopyCallback3 = MustParseGUID("{98C97BD2-E32B-4AD8-A528-95FD8B16BD42}")
)

// NewGUID returns a random (version 4) GUID.
func NewGUID() GUID { return GUID(uuid.New()) }

// ParseGUID parses a GUID with or without braces, in any case:
// "{4991D34B-80A1-4291-83B6-3328366B9097}" or
// "4991d34b-80a1-4291-83b6-3328366b9097". Other forms accepted by
// github.com/google/uuid (URNs, 32 hex digits) are rejected, because Windows
// does not accept them either.
func ParseGUID(s string) (GUID, error) {
	body := s
	if strings.HasPrefix(body, "{") || strings.HasSuffix(body, "}") {
		if len(body) < 2 || !strings.HasPrefix(body, "{") || !strings.HasSuffix(body, "}") {
			return GUID{}, fmt.Errorf("model: invalid GUID %q: unbalanced braces", s)
		}
		body = body[1 : len(body)-1]
	}
	if len(body) != 36 {
		return GUID{}, fmt.Errorf("model: invalid GUID %q: want 8-4-4-4-12 hex digits, with or without braces", s)
	}
	u, err := uuid.Parse(body)
	if err != nil {
		return GUID{}, fmt.Errorf("model: invalid GUID %q: %w", s, err)
	}
	return GUID(u), nil
}

// MustParseGUID is ParseGUID for constants; it panics on a malformed string
// and so must only be used with literals.
func MustParseGUID(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// String formats the GUID as Windows does (StringFromGUID2): upper case, in
// braces, e.g. "{4991D34B-80A1-4291-83B6-3328366B9097}".
func (g GUID) String() string { return "{" + g.Bare() + "}" }

// Bare formats the GUID in upper case without braces.
func (g GUID) Bare() string { return strings.ToUpper(uuid.UUID(g).String()) }

// IsNull reports whether g is GUID_NULL.
func (g GUID) IsNull() bool { return g == GUID_NULL }

// WindowsBytes returns the 16 bytes of the Windows in-memory GUID structure
// {Data1 uint32; Data2, Data3 uint16; Data4 [8]byte}, whose first three fields
// are little-endian.
func (g GUID) WindowsBytes() [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint32(b[0:4], binary.BigEndian.Uint32(g[0:4]))
	binary.LittleEndian.PutUint16(b[4:6], binary.BigEndian.Uint16(g[4:6]))
	binary.LittleEndian.PutUint16(b[6:8], binary.BigEndian.Uint16(g[6:8]))
	copy(b[8:], g[8:])
	return b
}

// GUIDFromWindowsBytes converts the Windows in-memory layout back to a GUID.
// It fails unless b holds exactly 16 bytes.
func GUIDFromWindowsBytes(b []byte) (GUID, error) {
	if len(b) != 16 {
		return GUID{}, fmt.Errorf("model: a Windows GUID has 16 bytes, got %d", len(b))
	}
	var g GUID
	binary.BigEndian.PutUint32(g[0:4], binary.LittleEndian.Uint32(b[0:4]))
	binary.BigEndian.PutUint16(g[4:6], binary.LittleEndian.Uint16(b[4:6]))
	binary.BigEndian.PutUint16(g[6:8], binary.LittleEndian.Uint16(b[6:8]))
	copy(g[8:], b[8:])
	return g, nil
}

// MarshalText encodes the GUID in its braced Windows form.
func (g GUID) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText accepts what ParseGUID accepts.
func (g *GUID) UnmarshalText(b []byte) error {
	v, err := ParseGUID(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}
