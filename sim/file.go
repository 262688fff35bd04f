package sim

import (
	"fmt"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// fileHandle is one file of a job, as an app sees it.
type fileHandle struct {
	job   *jobHandle
	index int
}

var _ model.File = (*fileHandle)(nil)

// do runs fn on the file under the service lock.
func (h *fileHandle) do(op string, fn func(j *job, f *liveFile) error) error {
	return h.job.do(op, false, func(j *job) error {
		if h.index < 0 || h.index >= len(j.rec.Files) {
			return model.BG_E_NOT_FOUND
		}
		return fn(j, &j.rec.Files[h.index])
	})
}

func (h *fileHandle) needs(op string, v model.Version, iface string) error {
	if h.job.s.opts.Version < v {
		return fmt.Errorf("%s: %s needs BITS %v: %w", op, iface, v, model.E_NOINTERFACE)
	}
	return nil
}

func (h *fileHandle) GetRemoteName() (n string, err error) {
	err = h.do("GetRemoteName", func(_ *job, f *liveFile) error { n = f.RemoteName; return nil })
	return n, err
}

func (h *fileHandle) GetLocalName() (n string, err error) {
	err = h.do("GetLocalName", func(_ *job, f *liveFile) error { n = f.LocalName; return nil })
	return n, err
}

func (h *fileHandle) GetProgress() (p model.FileProgress, err error) {
	err = h.do("GetProgress", func(_ *job, f *liveFile) error {
		p = model.FileProgress{BytesTotal: f.BytesTotal, BytesTransferred: f.BytesTransferred, Completed: f.Completed}
		return nil
	})
	return p, err
}

func (h *fileHandle) GetTemporaryName() (n string, err error) {
	if err := h.needs("GetTemporaryName", model.BITS3_0, "IBackgroundCopyFile3"); err != nil {
		return "", err
	}
	err = h.do("GetTemporaryName", func(_ *job, f *liveFile) error { n = f.TemporaryName(); return nil })
	return n, err
}

// SetValidationState accepts or rejects a transferred file
// (FILE-VALIDATION-PENDING, FILE-VALIDATION-FALSE-ORIGIN,
// FILE-VALIDATION-FALSE-PEER).
func (h *fileHandle) SetValidationState(valid bool) error {
	if err := h.needs("SetValidationState", model.BITS3_0, "IBackgroundCopyFile3"); err != nil {
		return err
	}
	s := h.job.s
	return h.do("SetValidationState", func(j *job, f *liveFile) error {
		if hr := rules.CheckValidation(j.rec.State, f.Completed); hr.Failed() {
			return hr
		}
		f.ValidationSet, f.Valid = true, valid
		if valid {
			return nil
		}
		f.BytesTransferred, f.Completed, f.PendingFileTransferred = 0, false, false
		if f.FromPeer {
			// Rejected peer content is dropped and fetched again from the
			// origin; FileTransferred follows again.
			f.FromPeer = false
			if j.rec.State != model.BG_JOB_STATE_SUSPENDED && !j.rec.State.IsActive() {
				s.setState(j, model.BG_JOB_STATE_QUEUED)
			}
			s.touch(j)
			return nil
		}
		s.setError(j, h.index, model.BG_E_VALIDATION_FAILED, model.BG_ERROR_CONTEXT_REMOTE_FILE)
		s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvValidationFailed).Next)
		j.rec.LastActivity = vt(s.clock()) // a client's call is activity
		return nil
	})
}

func (h *fileHandle) GetValidationState() (v bool, err error) {
	if err := h.needs("GetValidationState", model.BITS3_0, "IBackgroundCopyFile3"); err != nil {
		return false, err
	}
	err = h.do("GetValidationState", func(_ *job, f *liveFile) error { v = f.ValidationSet && f.Valid; return nil })
	return v, err
}

func (h *fileHandle) IsDownloadedFromPeer() (v bool, err error) {
	if err := h.needs("IsDownloadedFromPeer", model.BITS3_0, "IBackgroundCopyFile3"); err != nil {
		return false, err
	}
	err = h.do("IsDownloadedFromPeer", func(_ *job, f *liveFile) error { v = f.FromPeer; return nil })
	return v, err
}

// RequestFileRanges asks an on-demand job for ranges; the job is queued
// to fetch them.
func (h *fileHandle) RequestFileRanges(ranges []model.FileRange) error {
	if err := h.needs("RequestFileRanges", model.BITS10_1, "IBackgroundCopyFile6"); err != nil {
		return err
	}
	s := h.job.s
	return h.do("RequestFileRanges", func(j *job, f *liveFile) error {
		if hr := rules.CheckModify(j.rec.State); hr.Failed() {
			return hr
		}
		if !j.rec.OnDemand {
			return fmt.Errorf("the job is not in BITS_JOB_PROPERTY_ON_DEMAND_MODE: %w", model.BG_E_UNSUPPORTED_JOB_CONFIGURATION)
		}
		if hr := rules.CheckRanges(*s.opts.Limits, s.opts.Version, h.job.app.user, j.rec.Type, ranges); hr.Failed() {
			return hr
		}
		f.mut().Requested = append(f.x().Requested, ranges...)
		if !j.rec.State.IsActive() {
			s.setState(j, model.BG_JOB_STATE_QUEUED)
		}
		s.touch(j)
		return nil
	})
}

func (h *fileHandle) GetFilledFileRanges() (rs []model.FileRange, err error) {
	if err := h.needs("GetFilledFileRanges", model.BITS10_1, "IBackgroundCopyFile6"); err != nil {
		return nil, err
	}
	err = h.do("GetFilledFileRanges", func(_ *job, f *liveFile) error {
		rs = append([]model.FileRange(nil), f.x().Filled...)
		return nil
	})
	return rs, err
}
