// Package bitsabi is the binary interface of BITS's COM interfaces, as
// the Windows SDK headers lay it out: the vtable slot of every method,
// the interface and class identifiers, and the BITS_JOB_PROPERTY_VALUE
// union of IBackgroundCopyJob5. The client (harness/winbits) and the COM
// server (comserver) both use it, so the two sides cannot disagree.
//
// It holds data and byte layouts only, no calls, so it builds and is
// tested on every OS; slots_test.go checks every slot against the IDL
// written out literally, property_test.go the union's bytes.
package bitsabi
