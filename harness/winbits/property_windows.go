//go:build windows

package winbits

import (
	"encoding/binary"
	"runtime"
	"unsafe"

	"github.com/bitssim/bitssim/model"
)

// propertyValue is BITS_JOB_PROPERTY_VALUE: a 16-byte, 8-byte aligned union
// of DWORD, GUID, BOOL, UINT64 and BG_AUTH_TARGET.
type propertyValue struct {
	lo, hi uint64
}

// bytes returns the union's 16 bytes as they lie in memory.
func (p propertyValue) bytes() [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:8], p.lo)
	binary.LittleEndian.PutUint64(b[8:16], p.hi)
	return b
}

// propertyMember is the member of BITS_JOB_PROPERTY_VALUE a property uses.
type propertyMember int

const (
	memberDWORD      propertyMember = iota // DWORD Dword
	memberGUID                             // GUID ClsID
	memberBOOL                             // BOOL Enable
	memberUINT64                           // UINT64 Uint64
	memberAuthTarget                       // BG_AUTH_TARGET Target
)

// propertyMembers is the documented member of each BITS_JOB_PROPERTY_ID
// (BITS_JOB_PROPERTY_VALUE in bits5_0.h and its documentation page).
var propertyMembers = map[model.JobPropertyID]propertyMember{
	model.BITS_JOB_PROPERTY_ID_COST_FLAGS:                    memberDWORD,
	model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:               memberGUID,
	model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT:                  memberBOOL,
	model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE:                 memberBOOL,
	model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:                memberUINT64,
	model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS:           memberAuthTarget,
	model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS: memberDWORD,
	model.BITS_JOB_PROPERTY_ON_DEMAND_MODE:                   memberBOOL,
}

// memberOf returns the member property id uses; an unknown ID is sent as a
// DWORD (BITS answers BG_E_UNKNOWN_PROPERTY_ID).
func memberOf(id model.JobPropertyID) propertyMember {
	if m, ok := propertyMembers[id]; ok {
		return m
	}
	return memberDWORD
}

// encodeProperty fills the member of the union that property id uses; the
// other bytes are zero.
func encodeProperty(id model.JobPropertyID, v model.JobPropertyValue) propertyValue {
	switch memberOf(id) {
	case memberGUID:
		b := v.ClsID.WindowsBytes()
		return propertyValue{binary.LittleEndian.Uint64(b[0:8]), binary.LittleEndian.Uint64(b[8:16])}
	case memberBOOL:
		if v.Enable {
			return propertyValue{lo: 1} // TRUE
		}
		return propertyValue{}
	case memberUINT64:
		return propertyValue{lo: v.Uint64}
	case memberAuthTarget:
		return propertyValue{lo: uint64(uint32(v.Target))}
	}
	return propertyValue{lo: uint64(v.DWORD)}
}

// decodeProperty reads the member of the union that property id uses.
func decodeProperty(id model.JobPropertyID, p propertyValue) model.JobPropertyValue {
	switch memberOf(id) {
	case memberGUID:
		b := p.bytes()
		g, _ := model.GUIDFromWindowsBytes(b[:]) // 16 bytes: cannot fail
		return model.JobPropertyValue{ClsID: g}
	case memberBOOL:
		return model.JobPropertyValue{Enable: uint32(p.lo) != 0}
	case memberUINT64:
		return model.JobPropertyValue{Uint64: p.lo}
	case memberAuthTarget:
		return model.JobPropertyValue{Target: model.AuthTarget(uint32(p.lo))}
	}
	return model.JobPropertyValue{DWORD: uint32(p.lo)}
}

// propertyArgs passes the 16-byte union by value, as the platform's calling
// convention wants: on amd64 an aggregate of 16 bytes is passed as a
// pointer to a copy the caller owns; on arm64 composites of up to 16 bytes
// go in two registers; on 386 the four DWORDs are pushed.
func propertyArgs(v *propertyValue) []any {
	switch runtime.GOARCH {
	case "arm64":
		return []any{uintptr(v.lo), uintptr(v.hi)}
	case "386":
		return []any{uintptr(uint32(v.lo)), uintptr(uint32(v.lo >> 32)), uintptr(uint32(v.hi)), uintptr(uint32(v.hi >> 32))}
	}
	c := *v // the callee may modify its copy
	return []any{unsafe.Pointer(&c)}
}
