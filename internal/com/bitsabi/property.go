package bitsabi

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"github.com/bitssim/bitssim/model"
)

// PropertyValue is BITS_JOB_PROPERTY_VALUE (bits5_0.h): a 16-byte, 8-byte
// aligned union of DWORD Dword, GUID ClsID, BOOL Enable, UINT64 Uint64 and
// BG_AUTH_TARGET Target, as two little-endian halves. Its memory is the
// union's: a *PropertyValue may be handed to or received from COM.
type PropertyValue struct {
	lo, hi uint64
}

// PropertyFromBytes is the union whose memory holds b.
func PropertyFromBytes(b [16]byte) PropertyValue {
	return PropertyValue{binary.LittleEndian.Uint64(b[0:8]), binary.LittleEndian.Uint64(b[8:16])}
}

// Bytes returns the union's 16 bytes as they lie in memory.
func (p PropertyValue) Bytes() [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:8], p.lo)
	binary.LittleEndian.PutUint64(b[8:16], p.hi)
	return b
}

// Member is the member of BITS_JOB_PROPERTY_VALUE a property uses.
type Member int

// The members of the union.
const (
	MemberDWORD      Member = iota // DWORD Dword
	MemberGUID                     // GUID ClsID
	MemberBOOL                     // BOOL Enable
	MemberUINT64                   // UINT64 Uint64
	MemberAuthTarget               // BG_AUTH_TARGET Target
)

// propertyMembers is the documented member of each BITS_JOB_PROPERTY_ID
// (BITS_JOB_PROPERTY_VALUE in bits5_0.h and its documentation page).
var propertyMembers = map[model.JobPropertyID]Member{
	model.BITS_JOB_PROPERTY_ID_COST_FLAGS:                    MemberDWORD,
	model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:               MemberGUID,
	model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT:                  MemberBOOL,
	model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE:                 MemberBOOL,
	model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:                MemberUINT64,
	model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:           MemberAuthTarget,
	model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS: MemberDWORD,
	model.BITS_JOB_PROPERTY_ON_DEMAND_MODE:                   MemberBOOL,
}

// MemberOf returns the member property id uses. An unknown ID uses the
// DWORD: a client sends it so, and BITS answers BG_E_UNKNOWN_PROPERTY_ID.
func MemberOf(id model.JobPropertyID) Member {
	if m, ok := propertyMembers[id]; ok {
		return m
	}
	return MemberDWORD
}

// EncodeProperty fills the member of the union that property id uses
// (a GUID in its Windows in-memory layout, a BOOL as 1 or 0); the other
// bytes are zero.
func EncodeProperty(id model.JobPropertyID, v model.JobPropertyValue) PropertyValue {
	switch MemberOf(id) {
	case MemberGUID:
		return PropertyFromBytes(v.ClsID.WindowsBytes())
	case MemberBOOL:
		if v.Enable {
			return PropertyValue{lo: 1} // TRUE
		}
		return PropertyValue{}
	case MemberUINT64:
		return PropertyValue{lo: v.Uint64}
	case MemberAuthTarget:
		return PropertyValue{lo: uint64(uint32(v.Target))}
	}
	return PropertyValue{lo: uint64(v.DWORD)}
}

// DecodeProperty reads the member of the union that property id uses;
// any nonzero BOOL is true.
func DecodeProperty(id model.JobPropertyID, p PropertyValue) model.JobPropertyValue {
	switch MemberOf(id) {
	case MemberGUID:
		b := p.Bytes()
		g, _ := model.GUIDFromWindowsBytes(b[:]) // 16 bytes: cannot fail
		return model.JobPropertyValue{ClsID: g}
	case MemberBOOL:
		return model.JobPropertyValue{Enable: uint32(p.lo) != 0}
	case MemberUINT64:
		return model.JobPropertyValue{Uint64: p.lo}
	case MemberAuthTarget:
		return model.JobPropertyValue{Target: model.AuthTarget(uint32(p.lo))}
	}
	return model.JobPropertyValue{DWORD: uint32(p.lo)}
}

// Args returns the union as the arguments of a call that passes it by
// value, as the platform's calling convention wants: on amd64 an aggregate
// of 16 bytes is passed as a pointer to a copy the caller owns (the callee
// may modify it); on arm64 composites of up to 16 bytes go in two
// registers; on 386 the four DWORDs are pushed. The values are uintptr or
// unsafe.Pointer, for com.Unknown.Call, which keeps them alive during the
// call.
func (p PropertyValue) Args() []any {
	return propertyArgs(p, runtime.GOARCH)
}

func propertyArgs(p PropertyValue, arch string) []any {
	switch arch {
	case "arm64":
		return []any{uintptr(p.lo), uintptr(p.hi)}
	case "386":
		return []any{uintptr(uint32(p.lo)), uintptr(uint32(p.lo >> 32)), uintptr(uint32(p.hi)), uintptr(uint32(p.hi >> 32))}
	}
	c := p // a copy of the caller's own
	return []any{unsafe.Pointer(&c)}
}
