package sim

import (
	"sort"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// SetNetwork connects or disconnects the simulated machine's network
// (STATE-NETWORK-LOSS). When the connection is lost, every QUEUED,
// CONNECTING or TRANSFERRING job moves to TRANSIENT_ERROR with
// BG_E_NETWORK_DISCONNECTED, and a job that tries to connect while the
// network is down does the same; BITS raises no JobError and does not
// retry (STATE-TRANSIENT-RETRY). When a connection is established, every
// TRANSIENT_ERROR job, whatever its error code, moves to QUEUED. Setting
// the state the network already has changes nothing. A service starts
// connected, and a Restart keeps the network as it is.
func (s *Service) SetNetwork(connected bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.offline == !connected {
		return nil
	}
	s.offline = !connected
	for _, j := range s.jobsInOrder() {
		st := j.rec.State
		switch {
		case !connected && (st == model.BG_JOB_STATE_QUEUED || st == model.BG_JOB_STATE_CONNECTING ||
			st == model.BG_JOB_STATE_TRANSFERRING):
			s.networkDown(j)
		case connected && st == model.BG_JOB_STATE_TRANSIENT_ERROR:
			s.setState(j, model.BG_JOB_STATE_QUEUED)
		}
	}
	return nil
}

// Connected reports whether the simulated network is connected.
func (s *Service) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.offline
}

// jobsInOrder returns the live jobs in creation order, so that changes to
// several jobs happen in a deterministic order; s.mu is held.
func (s *Service) jobsInOrder() []*job {
	js := make([]*job, 0, len(s.jobs))
	for _, j := range s.jobs {
		js = append(js, j)
	}
	sort.Slice(js, func(a, b int) bool { return js[a].index < js[b].index })
	return js
}

// networkDown moves j to TRANSIENT_ERROR with BG_E_NETWORK_DISCONNECTED,
// without a retry: it waits for the network; s.mu is held.
func (s *Service) networkDown(j *job) {
	s.setError(j, j.currentFile(), model.BG_E_NETWORK_DISCONNECTED, model.BG_ERROR_CONTEXT_GENERAL_TRANSPORT)
	if j.rec.FirstTransientError.IsZero() {
		j.rec.FirstTransientError = vt(s.clock())
	}
	s.setState(j, model.BG_JOB_STATE_TRANSIENT_ERROR)
}

// waitsWithoutRetry reports whether a TRANSIENT_ERROR job waits for its
// condition to clear instead of being retried after MinimumRetryDelay
// (STATE-TRANSIENT-RETRY); s.mu is held.
func (s *Service) waitsWithoutRetry(j *job) bool {
	code := model.S_OK // no recorded error: an interrupted transfer, retried as usual
	if j.rec.HasError {
		code = j.rec.x().Error.Code
	}
	return !rules.RetriesTransientError(code, *s.opts.Limits)
}
