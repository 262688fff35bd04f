//go:build windows

package winbits

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// File is IBackgroundCopyFile through IBackgroundCopyFile6 as a
// model.File. The newer interfaces are obtained with QueryInterface on
// first use; a method whose interface the service lacks returns
// E_NOINTERFACE.
type File struct {
	file *com.Unknown
	refs *refs

	mu  sync.Mutex
	qi  [7]bool
	itv [7]*com.Unknown // IBackgroundCopyFile2..6 (index 2..6)
}

var _ model.File = (*File)(nil)

var fileIIDs = [7]model.GUID{2: bitsabi.IIDFile2, 3: bitsabi.IIDFile3, 4: bitsabi.IIDFile4, 5: bitsabi.IIDFile5, 6: bitsabi.IIDFile6}

// newFile wraps p, taking over the caller's reference.
func newFile(p *com.Unknown) *File {
	f := &File{file: p, refs: &refs{}}
	f.refs.add(p)
	runtime.AddCleanup(f, func(r *refs) { r.release() }, f.refs)
	return f
}

// wrapFile wraps a file pointer the caller keeps, with a reference of its own.
func wrapFile(p *com.Unknown) *File {
	p.AddRef()
	return newFile(p)
}

func (f *File) need(n int, method string) (*com.Unknown, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.qi[n] {
		f.qi[n] = true
		if p, hr := f.file.QueryInterface(fileIIDs[n]); hr.Succeeded() {
			f.itv[n] = p
			f.refs.add(p)
		}
	}
	if f.itv[n] == nil {
		return nil, fmt.Errorf("IBackgroundCopyFile%d::%s: QueryInterface(IBackgroundCopyFile%d): %w", n, method, n, model.E_NOINTERFACE)
	}
	return f.itv[n], nil
}

func (f *File) str(p *com.Unknown, itf string, slot int, method string) (string, error) {
	var s *uint16
	if err := com.Check(itf+"::"+method, p.Call(slot, &s)); err != nil {
		return "", err
	}
	return com.TakeString(s), nil
}

// GetRemoteName is IBackgroundCopyFile::GetRemoteName.
func (f *File) GetRemoteName() (string, error) {
	return f.str(f.file, "IBackgroundCopyFile", bitsabi.SlotFile.GetRemoteName, "GetRemoteName")
}

// GetLocalName is IBackgroundCopyFile::GetLocalName.
func (f *File) GetLocalName() (string, error) {
	return f.str(f.file, "IBackgroundCopyFile", bitsabi.SlotFile.GetLocalName, "GetLocalName")
}

// GetProgress is IBackgroundCopyFile::GetProgress.
func (f *File) GetProgress() (model.FileProgress, error) {
	var p bgFileProgress
	if err := com.Check("IBackgroundCopyFile::GetProgress", f.file.Call(bitsabi.SlotFile.GetProgress, &p)); err != nil {
		return model.FileProgress{}, err
	}
	return model.FileProgress{BytesTotal: p.BytesTotal, BytesTransferred: p.BytesTransferred, Completed: p.Completed != 0}, nil
}

// GetTemporaryName is IBackgroundCopyFile3::GetTemporaryName.
func (f *File) GetTemporaryName() (string, error) {
	p, err := f.need(3, "GetTemporaryName")
	if err != nil {
		return "", err
	}
	return f.str(p, "IBackgroundCopyFile3", bitsabi.SlotFile3.GetTemporaryName, "GetTemporaryName")
}

// SetValidationState is IBackgroundCopyFile3::SetValidationState.
func (f *File) SetValidationState(valid bool) error {
	p, err := f.need(3, "SetValidationState")
	if err != nil {
		return err
	}
	return com.Check("IBackgroundCopyFile3::SetValidationState", p.Call(bitsabi.SlotFile3.SetValidationState, valid))
}

// GetValidationState is IBackgroundCopyFile3::GetValidationState.
func (f *File) GetValidationState() (bool, error) {
	p, err := f.need(3, "GetValidationState")
	if err != nil {
		return false, err
	}
	var v int32
	if err := com.Check("IBackgroundCopyFile3::GetValidationState", p.Call(bitsabi.SlotFile3.GetValidationState, &v)); err != nil {
		return false, err
	}
	return v != 0, nil
}

// IsDownloadedFromPeer is IBackgroundCopyFile3::IsDownloadedFromPeer.
func (f *File) IsDownloadedFromPeer() (bool, error) {
	p, err := f.need(3, "IsDownloadedFromPeer")
	if err != nil {
		return false, err
	}
	var v int32
	if err := com.Check("IBackgroundCopyFile3::IsDownloadedFromPeer", p.Call(bitsabi.SlotFile3.IsDownloadedFromPeer, &v)); err != nil {
		return false, err
	}
	return v != 0, nil
}

// RequestFileRanges is IBackgroundCopyFile6::RequestFileRanges.
func (f *File) RequestFileRanges(ranges []model.FileRange) error {
	p, err := f.need(6, "RequestFileRanges")
	if err != nil {
		return err
	}
	rs := make([]bgFileRange, len(ranges))
	for i, r := range ranges {
		rs[i] = bgFileRange{r.InitialOffset, r.Length}
	}
	var rp unsafe.Pointer
	if len(rs) > 0 {
		rp = unsafe.Pointer(&rs[0])
	}
	hr := p.Call(bitsabi.SlotFile6.RequestFileRanges, uint32(len(rs)), rp)
	runtime.KeepAlive(rs)
	return com.Check("IBackgroundCopyFile6::RequestFileRanges", hr)
}

// GetFilledFileRanges is IBackgroundCopyFile6::GetFilledFileRanges; the
// array BITS returns is freed with CoTaskMemFree.
func (f *File) GetFilledFileRanges() ([]model.FileRange, error) {
	p, err := f.need(6, "GetFilledFileRanges")
	if err != nil {
		return nil, err
	}
	var count uint32
	var arr *bgFileRange
	if err := com.Check("IBackgroundCopyFile6::GetFilledFileRanges", p.Call(bitsabi.SlotFile6.GetFilledFileRanges, &count, &arr)); err != nil {
		return nil, err
	}
	return takeRanges(arr, count), nil
}

// takeRanges copies a CoTaskMem array of BG_FILE_RANGE and frees it.
func takeRanges(arr *bgFileRange, count uint32) []model.FileRange {
	if arr == nil {
		return nil
	}
	out := copyRanges(arr, count)
	com.Free(unsafe.Pointer(arr))
	return out
}

// copyRanges copies an array of BG_FILE_RANGE the caller keeps.
func copyRanges(arr *bgFileRange, count uint32) []model.FileRange {
	if arr == nil || count == 0 {
		return nil
	}
	out := make([]model.FileRange, count)
	for i, r := range unsafe.Slice(arr, count) {
		out[i] = model.FileRange{InitialOffset: r.InitialOffset, Length: r.Length}
	}
	return out
}
