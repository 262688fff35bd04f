package comserver

import (
	"encoding/binary"
	"strings"

	"github.com/bitssim/bitssim/model"
)

// This file has no build constraint: the byte layouts and parsing here are
// tested on every OS.

// propertyMember is the member of BITS_JOB_PROPERTY_VALUE a property uses
// (bits5_0.h; the same table as harness/winbits' client side).
type propertyMember int

const (
	memberDWORD propertyMember = iota
	memberGUID
	memberBOOL
	memberUINT64
	memberAuthTarget
)

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

// decodeProperty reads the union's member that id uses.
func decodeProperty(id model.JobPropertyID, b *[16]byte) model.JobPropertyValue {
	lo := binary.LittleEndian.Uint64(b[0:8])
	switch propertyMembers[id] {
	case memberGUID:
		g, _ := model.GUIDFromWindowsBytes(b[:])
		return model.JobPropertyValue{ClsID: g}
	case memberBOOL:
		return model.JobPropertyValue{Enable: uint32(lo) != 0}
	case memberUINT64:
		return model.JobPropertyValue{Uint64: lo}
	case memberAuthTarget:
		return model.JobPropertyValue{Target: model.AuthTarget(uint32(lo))}
	}
	return model.JobPropertyValue{DWORD: uint32(lo)}
}

// encodeProperty fills the union's member that id uses; the other bytes
// are zero.
func encodeProperty(id model.JobPropertyID, v model.JobPropertyValue) [16]byte {
	var b [16]byte
	switch propertyMembers[id] {
	case memberGUID:
		b = v.ClsID.WindowsBytes()
	case memberBOOL:
		if v.Enable {
			b[0] = 1
		}
	case memberUINT64:
		binary.LittleEndian.PutUint64(b[0:8], v.Uint64)
	case memberAuthTarget:
		binary.LittleEndian.PutUint32(b[0:4], uint32(v.Target))
	default:
		binary.LittleEndian.PutUint32(b[0:4], v.DWORD)
	}
	return b
}

// program is a command line's program: its first token, quoted or not.
func program(cmd string) string {
	cmd = strings.TrimSpace(cmd)
	if strings.HasPrefix(cmd, `"`) {
		if i := strings.Index(cmd[1:], `"`); i >= 0 {
			return cmd[1 : i+1]
		}
		return cmd[1:]
	}
	if i := strings.IndexAny(cmd, " \t"); i >= 0 {
		return cmd[:i]
	}
	return cmd
}
