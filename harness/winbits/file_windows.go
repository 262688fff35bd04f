//go:build windows

package winbits

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/bitssim/bitssim/model"
)

// File is IBackgroundCopyFile through IBackgroundCopyFile6 as a
// model.File. The newer interfaces are obtained with QueryInterface on
// first use; a method whose interface the service lacks returns
// E_NOINTERFACE.
type File struct {
	file *unknown
	refs *refs

	mu  sync.Mutex
	qi  [7]bool
	itv [7]*unknown // IBackgroundCopyFile2..6 (index 2..6)
}

var _ model.File = (*File)(nil)

var fileIIDs = [7]model.GUID{2: iidFile2, 3: iidFile3, 4: iidFile4, 5: iidFile5, 6: iidFile6}

// newFile wraps p, taking over the caller's reference.
func newFile(p *unknown) *File {
	f := &File{file: p, refs: &refs{}}
	f.refs.add(p)
	runtime.AddCleanup(f, func(r *refs) { r.release() }, f.refs)
	return f
}

// wrapFile wraps a file pointer the caller keeps, with a reference of its own.
func wrapFile(p *unknown) *File {
	p.AddRef()
	return newFile(p)
}

func (f *File) need(n int, method string) (*unknown, error) {
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

func (f *File) str(p *unknown, itf string, slot int, method string) (string, error) {
	var s *uint16
	if err := fail(itf+"::"+method, p.call(slot, &s)); err != nil {
		return "", err
	}
	return takeString(s), nil
}

// GetRemoteName is IBackgroundCopyFile::GetRemoteName.
func (f *File) GetRemoteName() (string, error) {
	return f.str(f.file, "IBackgroundCopyFile", slotFile.GetRemoteName, "GetRemoteName")
}

// GetLocalName is IBackgroundCopyFile::GetLocalName.
func (f *File) GetLocalName() (string, error) {
	return f.str(f.file, "IBackgroundCopyFile", slotFile.GetLocalName, "GetLocalName")
}

// GetProgress is IBackgroundCopyFile::GetProgress.
func (f *File) GetProgress() (model.FileProgress, error) {
	var p bgFileProgress
	if err := fail("IBackgroundCopyFile::GetProgress", f.file.call(slotFile.GetProgress, &p)); err != nil {
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
	return f.str(p, "IBackgroundCopyFile3", slotFile3.GetTemporaryName, "GetTemporaryName")
}

// SetValidationState is IBackgroundCopyFile3::SetValidationState.
func (f *File) SetValidationState(valid bool) error {
	p, err := f.need(3, "SetValidationState")
	if err != nil {
		return err
	}
	return fail("IBackgroundCopyFile3::SetValidationState", p.call(slotFile3.SetValidationState, valid))
}

// GetValidationState is IBackgroundCopyFile3::GetValidationState.
func (f *File) GetValidationState() (bool, error) {
	p, err := f.need(3, "GetValidationState")
	if err != nil {
		return false, err
	}
	var v int32
	if err := fail("IBackgroundCopyFile3::GetValidationState", p.call(slotFile3.GetValidationState, &v)); err != nil {
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
	if err := fail("IBackgroundCopyFile3::IsDownloadedFromPeer", p.call(slotFile3.IsDownloadedFromPeer, &v)); err != nil {
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
	hr := p.call(slotFile6.RequestFileRanges, uint32(len(rs)), rp)
	runtime.KeepAlive(rs)
	return fail("IBackgroundCopyFile6::RequestFileRanges", hr)
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
	if err := fail("IBackgroundCopyFile6::GetFilledFileRanges", p.call(slotFile6.GetFilledFileRanges, &count, &arr)); err != nil {
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
	freeCoTaskMem(unsafe.Pointer(arr))
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
