package sim

import (
	"fmt"
	"strings"

	"github.com/bitssim/bitssim/model"
)

// SetLocalFileError makes renaming a temporary file to the local name
// localName fail with hr, as when another program holds the file open
// (for example HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION), 0x80070020):
// Complete on a download job with a transferred file of that name then
// returns hr and leaves the job as it was, and a later Complete succeeds
// once the error is cleared with a success HRESULT
// (STATE-COMPLETE-RENAME-FAILS). Local names compare without regard to
// case, as on Windows. The setting belongs to the machine: a Restart keeps
// it.
func (s *Service) SetLocalFileError(localName string, hr model.HRESULT) error {
	if localName == "" {
		return fmt.Errorf("sim: SetLocalFileError: empty local name: %w", model.E_INVALIDARG)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	key := strings.ToLower(localName)
	if hr.Succeeded() {
		delete(s.localErrors, key)
		return nil
	}
	if s.localErrors == nil {
		s.localErrors = map[string]model.HRESULT{}
	}
	s.localErrors[key] = hr
	return nil
}

// renameFailure returns the error of renaming j's transferred files to
// their local names at Complete, S_OK when they can all be renamed. Only
// download jobs rename files at Complete. s.mu is held.
func (s *Service) renameFailure(j *job) model.HRESULT {
	if j.rec.Type != model.BG_JOB_TYPE_DOWNLOAD || len(s.localErrors) == 0 {
		return model.S_OK
	}
	for i := range j.rec.Files {
		f := &j.rec.Files[i]
		if !f.Completed {
			continue
		}
		if hr, ok := s.localErrors[strings.ToLower(f.LocalName)]; ok {
			return hr
		}
	}
	return model.S_OK
}
