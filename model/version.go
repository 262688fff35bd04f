package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a BITS version profile, major in the high byte and minor in the
// low byte: BITS10_3 is 0x0A03. Versions compare with < and >.
type Version uint16

// The BITS versions bitssim knows. Each adds interfaces or flags the previous
// ones lack.
const (
	BITS1_5  Version = 0x0105 // IBackgroundCopyJob2: command line, upload jobs
	BITS2_0  Version = 0x0200 // IBackgroundCopyJob3: file ranges
	BITS2_5  Version = 0x0205 // certificates
	BITS3_0  Version = 0x0300 // IBackgroundCopyJob4, IBackgroundCopyCallback2, FILE_TRANSFERRED, limits
	BITS4_0  Version = 0x0400 // BranchCache
	BITS5_0  Version = 0x0500 // IBackgroundCopyJob5: NOTIFICATION_CLSID
	BITS10_1 Version = 0x0A01 // IBackgroundCopyCallback3, FILE_RANGES_TRANSFERRED, on-demand jobs
	BITS10_2 Version = 0x0A02 // custom HTTP verbs
	BITS10_3 Version = 0x0A03 // the newest; bitssim's default
)

// Versions lists every known version, oldest first.
func Versions() []Version {
	return []Version{BITS1_5, BITS2_0, BITS2_5, BITS3_0, BITS4_0, BITS5_0, BITS10_1, BITS10_2, BITS10_3}
}

// Major returns the major version number.
func (v Version) Major() int { return int(v >> 8) }

// Minor returns the minor version number.
func (v Version) Minor() int { return int(v & 0xFF) }

// String returns "major.minor", e.g. "10.3".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major(), v.Minor()) }

// Valid reports whether v is one of Versions.
func (v Version) Valid() bool {
	for _, k := range Versions() {
		if k == v {
			return true
		}
	}
	return false
}

// ParseVersion accepts "10.3", "5.0" or "5"; the result must be a known version.
func ParseVersion(s string) (Version, error) {
	major, minor, _ := strings.Cut(strings.TrimSpace(s), ".")
	if minor == "" {
		minor = "0"
	}
	ma, err1 := strconv.ParseUint(major, 10, 8)
	mi, err2 := strconv.ParseUint(minor, 10, 8)
	v := Version(ma<<8 | mi)
	if err1 != nil || err2 != nil || !v.Valid() {
		return 0, fmt.Errorf("model: unknown BITS version %q (want one of %v)", s, Versions())
	}
	return v, nil
}

// MarshalText encodes the version as "major.minor".
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText accepts what ParseVersion accepts.
func (v *Version) UnmarshalText(b []byte) error {
	p, err := ParseVersion(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}
