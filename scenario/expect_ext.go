package scenario

import (
	"encoding/binary"
	"time"

	"github.com/bitssim/bitssim/model"
)

// The Plan's code for the fields of an expectation on what a notification
// carried (program, parameters, ranges, time, spacing, what was
// reported), on a getter's failure, and on a client certificate: written
// after the others, only for an expectation that has one.

// hasExt reports whether x has a field expectationExt writes.
func (x *Expectation) hasExt() bool {
	return x.HasProgram || x.HasParameters || x.Ranges != "" || x.HasAt || x.Spaced != 0 || x.Reported != "" ||
		x.FailsWith != 0 || x.Cert != nil
}

// The flags of expectationExt.
const (
	extProgram = 1 << iota
	extParameters
	extRanges
	extAt
	extSpaced
	extReported
	extFails
	extFailsNot
	extCert
)

func (e *planEncoder) expectationExt(x *Expectation) {
	var flags uint64
	set := func(ok bool, bit uint64) {
		if ok {
			flags |= bit
		}
	}
	set(x.HasProgram, extProgram)
	set(x.HasParameters, extParameters)
	set(x.Ranges != "", extRanges)
	set(x.HasAt, extAt)
	set(x.Spaced != 0, extSpaced)
	set(x.Reported != "", extReported)
	set(x.FailsWith != 0, extFails)
	set(x.FailsNot, extFailsNot)
	set(x.Cert != nil, extCert)
	e.uint(flags)
	str := func(bit uint64, s string) {
		if flags&bit != 0 {
			e.str(s)
		}
	}
	str(extProgram, x.LaunchProgram)
	str(extParameters, x.LaunchParameters)
	str(extRanges, x.Ranges)
	if flags&extAt != 0 {
		e.b = binary.AppendVarint(e.b, int64(x.At))
	}
	if flags&extSpaced != 0 {
		e.b = binary.AppendVarint(e.b, int64(x.Spaced))
	}
	str(extReported, x.Reported)
	if flags&extFails != 0 {
		e.uint(uint64(x.FailsWith))
	}
	if flags&extCert != 0 {
		e.uint(uint64(x.Cert.StoreLocation))
		e.str(x.Cert.StoreName)
		e.str(x.Cert.SubjectName)
	}
}

func (d *planReader) expectationExt(x *Expectation) {
	flags := d.uint()
	str := func(bit uint64, s *string) {
		if flags&bit != 0 {
			*s = d.str()
		}
	}
	x.HasProgram, x.HasParameters = flags&extProgram != 0, flags&extParameters != 0
	str(extProgram, &x.LaunchProgram)
	str(extParameters, &x.LaunchParameters)
	str(extRanges, &x.Ranges)
	if x.HasAt = flags&extAt != 0; x.HasAt {
		x.At = time.Duration(d.int())
	}
	if flags&extSpaced != 0 {
		x.Spaced = time.Duration(d.int())
	}
	str(extReported, &x.Reported)
	if flags&extFails != 0 {
		x.FailsWith = model.HRESULT(uint32(d.uint()))
	}
	x.FailsNot = flags&extFailsNot != 0
	if flags&extCert != 0 {
		c := &model.ClientCertificate{StoreLocation: model.CertStoreLocation(d.uint())}
		c.StoreName, c.SubjectName = d.str(), d.str()
		x.Cert = c
	}
}
