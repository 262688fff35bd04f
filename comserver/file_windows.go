//go:build windows

package comserver

import (
	"unsafe"

	"github.com/bitssim/bitssim/model"
)

// fileObj is IBackgroundCopyFile to IBackgroundCopyFile6 of one file, through the handle it was made from.
type fileObj struct {
	s *Server
	f model.File
}

// fileVtbl is IBackgroundCopyFile6's vtable in the IDL order; nil entries
// answer E_NOTIMPL (not modelled by the simulator).
var fileVtbl = vtable(
	// IBackgroundCopyFile
	fileGetRemoteName, fileGetLocalName, fileGetProgress,
	// IBackgroundCopyFile2
	nil, nil, // GetFileRanges, SetRemoteName
	// IBackgroundCopyFile3
	fileGetTemporaryName, fileSetValidationState, fileGetValidationState, fileIsDownloadedFromPeer,
	// IBackgroundCopyFile4
	nil, // GetPeerDownloadStats
	// IBackgroundCopyFile5
	nil, nil, // SetProperty, GetProperty
	// IBackgroundCopyFile6
	nil, // UpdateDownloadPosition
	fileRequestFileRanges, fileGetFilledFileRanges,
)

func fileIIDs(v model.Version) []model.GUID {
	iids := []model.GUID{iidFile}
	if v >= model.BITS2_0 {
		iids = append(iids, iidFile2)
	}
	if v >= model.BITS3_0 {
		iids = append(iids, iidFile3)
	}
	// File4's and File5's own methods answer E_NOTIMPL; the interfaces are
	// answered because File6 derives from them (a proxy asks for its bases).
	if v >= model.BITS4_0 {
		iids = append(iids, iidFile4)
	}
	if v >= model.BITS5_0 {
		iids = append(iids, iidFile5)
	}
	if v >= model.BITS10_1 {
		iids = append(iids, iidFile6)
	}
	return iids
}

func newFileObject(s *Server, f model.File) *object {
	return newObject(fileVtbl, &fileObj{s: s, f: f}, fileIIDs(s.svc.Version())...)
}

// fileDo runs f on the file's handle.
func fileDo(this uintptr, f func(model.File) error) uintptr {
	return guard(func() uintptr {
		o := live(this)
		if o == nil {
			return hr(model.RPC_E_DISCONNECTED)
		}
		return result(f(o.impl.(*fileObj).f))
	})
}

func fileString(this uintptr, out **uint16, get func(model.File) (string, error)) uintptr {
	return fileDo(this, func(f model.File) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		*out = nil
		v, err := get(f)
		if err != nil {
			return err
		}
		return errOf(outString(out, v))
	})
}

func fileGetRemoteName(this uintptr, out **uint16) uintptr {
	return fileString(this, out, model.File.GetRemoteName)
}
func fileGetLocalName(this uintptr, out **uint16) uintptr {
	return fileString(this, out, model.File.GetLocalName)
}
func fileGetTemporaryName(this uintptr, out **uint16) uintptr {
	return fileString(this, out, model.File.GetTemporaryName)
}

// bgFileProgress is BG_FILE_PROGRESS.
type bgFileProgress struct {
	bytesTotal, bytesTransferred uint64
	completed                    int32
}

func boolToBOOL(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func fileGetProgress(this uintptr, out *bgFileProgress) uintptr {
	return fileDo(this, func(f model.File) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		p, err := f.GetProgress()
		if err != nil {
			return err
		}
		*out = bgFileProgress{p.BytesTotal, p.BytesTransferred, boolToBOOL(p.Completed)}
		return nil
	})
}

func fileSetValidationState(this uintptr, valid uintptr) uintptr {
	return fileDo(this, func(f model.File) error { return f.SetValidationState(int32(valid) != 0) })
}

func fileBool(this uintptr, out *int32, get func(model.File) (bool, error)) uintptr {
	return fileDo(this, func(f model.File) error {
		if out == nil {
			return model.E_INVALIDARG
		}
		v, err := get(f)
		if err != nil {
			return err
		}
		*out = boolToBOOL(v)
		return nil
	})
}

func fileGetValidationState(this uintptr, out *int32) uintptr {
	return fileBool(this, out, model.File.GetValidationState)
}
func fileIsDownloadedFromPeer(this uintptr, out *int32) uintptr {
	return fileBool(this, out, model.File.IsDownloadedFromPeer)
}

func fileRequestFileRanges(this uintptr, n uintptr, ranges *model.FileRange) uintptr {
	return fileDo(this, func(f model.File) error {
		count := int(uint32(n))
		if count > 0 && ranges == nil {
			return model.E_INVALIDARG
		}
		var rs []model.FileRange
		if count > 0 {
			rs = append(rs, unsafe.Slice(ranges, count)...)
		}
		return f.RequestFileRanges(rs)
	})
}

// fileGetFilledFileRanges returns the ranges in memory allocated with
// CoTaskMemAlloc, which the caller frees.
func fileGetFilledFileRanges(this uintptr, count *uint32, out **model.FileRange) uintptr {
	return fileDo(this, func(f model.File) error {
		if count == nil || out == nil {
			return model.E_INVALIDARG
		}
		*count, *out = 0, nil
		rs, err := f.GetFilledFileRanges()
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return nil
		}
		p := outMem(uintptr(len(rs)) * unsafe.Sizeof(model.FileRange{}))
		if p == nil {
			return model.E_OUTOFMEMORY
		}
		copy(unsafe.Slice((*model.FileRange)(p), len(rs)), rs)
		*count, *out = uint32(len(rs)), (*model.FileRange)(p)
		return nil
	})
}

// errorObj is IBackgroundCopyError: the job's error when it was asked for.
type errorObj struct {
	s   *Server
	job model.Job
	e   model.JobError
}

var errorVtbl = vtable(errGetError, errGetFile, errGetErrorDescription, errGetErrorContextDescription, errGetProtocol)

func newErrorObject(s *Server, job model.Job, e model.JobError) *object {
	return newObject(errorVtbl, &errorObj{s: s, job: job, e: e}, iidError)
}

func errDo(this uintptr, f func(e *errorObj) model.HRESULT) uintptr {
	return guard(func() uintptr {
		o := live(this)
		if o == nil {
			return hr(model.RPC_E_DISCONNECTED)
		}
		return hr(f(o.impl.(*errorObj)))
	})
}

func errGetError(this uintptr, ctx *uint32, code *uint32) uintptr {
	return errDo(this, func(e *errorObj) model.HRESULT {
		if ctx == nil || code == nil {
			return model.E_INVALIDARG
		}
		*ctx, *code = uint32(e.e.Context), uint32(e.e.Code)
		return model.S_OK
	})
}

// errGetFile returns the job's file the error concerns, or
// BG_E_FILE_NOT_AVAILABLE.
func errGetFile(this uintptr, pp *uintptr) uintptr {
	return errDo(this, func(e *errorObj) model.HRESULT {
		if pp == nil {
			return model.E_INVALIDARG
		}
		*pp = 0
		if e.e.File == (model.FileInfo{}) || e.job == nil {
			return model.BG_E_FILE_NOT_AVAILABLE
		}
		files, err := e.job.EnumFiles()
		if err != nil {
			return model.HRESULTOf(err)
		}
		for _, f := range files {
			r, _ := f.GetRemoteName()
			l, _ := f.GetLocalName()
			if r == e.e.File.RemoteName && l == e.e.File.LocalName {
				*pp = newFileObject(e.s, f).ptr()
				return model.S_OK
			}
		}
		return model.BG_E_FILE_NOT_AVAILABLE
	})
}

func errGetErrorDescription(this uintptr, lang uintptr, out **uint16) uintptr {
	return errDo(this, func(e *errorObj) model.HRESULT {
		if out == nil {
			return model.E_INVALIDARG
		}
		d := e.e.Description
		if d == "" {
			d = e.e.Code.Description()
		}
		return outString(out, d)
	})
}

// contextDescriptions are the texts of BG_ERROR_CONTEXT values
// (BITS's message table, bitsmsg.h BG_E_ERROR_CONTEXT_*).
var contextDescriptions = map[model.ErrorContext]string{
	model.BG_ERROR_CONTEXT_NONE:                       "An error has not occurred.",
	model.BG_ERROR_CONTEXT_UNKNOWN:                    "The error context is unknown.",
	model.BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER:      "The error occurred in the Background Intelligent Transfer Service (BITS) queue manager.",
	model.BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION: "The error occurred while the queue manager was notifying the program.",
	model.BG_ERROR_CONTEXT_LOCAL_FILE:                 "The error was caused by the specified local file.",
}

func errGetErrorContextDescription(this uintptr, lang uintptr, out **uint16) uintptr {
	return errDo(this, func(e *errorObj) model.HRESULT {
		if out == nil {
			return model.E_INVALIDARG
		}
		d, ok := contextDescriptions[e.e.Context]
		if !ok {
			d = e.e.Context.String()
		}
		return outString(out, d)
	})
}

func errGetProtocol(this uintptr, out **uint16) uintptr {
	return errDo(this, func(e *errorObj) model.HRESULT {
		if out == nil {
			return model.E_INVALIDARG
		}
		*out = nil
		if e.e.Protocol == "" {
			return model.BG_E_PROTOCOL_NOT_AVAILABLE
		}
		return outString(out, e.e.Protocol)
	})
}
