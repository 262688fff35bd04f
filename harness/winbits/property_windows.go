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

// encodeProperty fills the member of the union that property id uses.
func encodeProperty(id model.JobPropertyID, v model.JobPropertyValue) propertyValue {
	switch id {
	case model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
		b := v.ClsID.WindowsBytes()
		return propertyValue{binary.LittleEndian.Uint64(b[0:8]), binary.LittleEndian.Uint64(b[8:16])}
	case model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE,
		model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, model.BITS_JOB_PROPERTY_ON_DEMAND_MODE:
		if v.Enable {
			return propertyValue{lo: 1}
		}
		return propertyValue{}
	case model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
		return propertyValue{lo: v.Uint64}
	}
	return propertyValue{lo: uint64(v.DWORD)}
}

// decodeProperty reads the member of the union that property id uses.
func decodeProperty(id model.JobPropertyID, p propertyValue) model.JobPropertyValue {
	switch id {
	case model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
		var b [16]byte
		binary.LittleEndian.PutUint64(b[0:8], p.lo)
		binary.LittleEndian.PutUint64(b[8:16], p.hi)
		g, _ := model.GUIDFromWindowsBytes(b[:])
		return model.JobPropertyValue{ClsID: g}
	case model.BITS_JOB_PROPERTY_DYNAMIC_CONTENT, model.BITS_JOB_PROPERTY_HIGH_PERFORMANCE,
		model.BITS_JOB_PROPERTY_USE_STORED_CREDENTIALS, model.BITS_JOB_PROPERTY_ON_DEMAND_MODE:
		return model.JobPropertyValue{Enable: uint32(p.lo) != 0}
	case model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
		return model.JobPropertyValue{Uint64: p.lo}
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
