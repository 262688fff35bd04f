package sim

import (
	"fmt"
	"time"

	"github.com/bitssim/bitssim/model"
)

// Remote scripts how a remote URL behaves when BITS transfers it.
//
// An attempt first waits Latency (CONNECTING), then fails or transfers:
// attempts up to TransientFailures fail with TransientError (a transient
// error: TRANSIENT_ERROR, retried after MinimumRetryDelay); if Fatal is set
// every attempt fails with it (ERROR); otherwise Size bytes flow at Rate
// bytes per second (0: at once). Attempts scripts the attempts one by one
// instead (see Outcome); it cannot be combined with TransientFailures,
// TransientError or Fatal.
type Remote struct {
	// Size in bytes.
	Size uint64
	// Rate in bytes per virtual second; 0 transfers at once.
	Rate uint64
	// Latency is the time spent CONNECTING.
	Latency time.Duration
	// TransientFailures is how many attempts fail transiently first.
	TransientFailures int
	// TransientError is the HRESULT of those failures (default
	// BG_E_HTTP_ERROR_503).
	TransientError model.HRESULT
	// Fatal, when set, fails every attempt with this HRESULT (e.g.
	// BG_E_HTTP_ERROR_404).
	Fatal model.HRESULT
	// FromPeer: a peer serves the content (IsDownloadedFromPeer is true)
	// until it is rejected with SetValidationState(FALSE), after which the
	// origin serves it.
	FromPeer bool
	// Attempts scripts the outcome of each attempt in turn: attempt n
	// (counted per file, from 1) has the outcome Attempts[n-1]; attempts
	// after the last transfer. See Sequence for a script written with HTTP
	// statuses.
	Attempts []Outcome
	// NoRangeSupport: the server does not support HTTP range requests, so
	// a transfer from it does not meet the requirements of an on-demand job
	// and BITS sends no FileRangesTransferred for it
	// (DELIV-RANGES-ON-DEMAND).
	NoRangeSupport bool
}

// NotFound is a Remote that fails with HTTP 404: a fatal error.
func NotFound() Remote { return Remote{Fatal: model.HTTPError(404)} }

// Unavailable is a Remote whose first n attempts fail with HTTP 503, a
// transient error, and that then transfers size bytes.
func Unavailable(n int, size uint64) Remote {
	return Remote{Size: size, TransientFailures: n, TransientError: model.HTTPError(503)}
}

// HTTPStatus is a Remote that answers with an HTTP status: 2xx transfers
// size bytes, 5xx and 408/429 fail transiently for ever, other statuses
// fail fatally with BG_E_HTTP_ERROR_nnn.
func HTTPStatus(status int, size uint64) Remote {
	switch {
	case status >= 200 && status < 300:
		return Remote{Size: size}
	case status >= 500 || status == 408 || status == 429:
		return Remote{Size: size, TransientFailures: int(^uint(0) >> 1), TransientError: model.HTTPError(status)}
	}
	return Remote{Fatal: model.HTTPError(status)}
}

func (r *Remote) validate() error {
	if err := r.validateAttempts(); err != nil {
		return err
	}
	if r.TransientFailures < 0 {
		return fmt.Errorf("negative TransientFailures %d", r.TransientFailures)
	}
	if r.Latency < 0 {
		return fmt.Errorf("negative Latency %v", r.Latency)
	}
	if r.Fatal != 0 && r.Fatal.Succeeded() {
		return fmt.Errorf("Fatal %v is a success code", r.Fatal)
	}
	if r.TransientError != 0 && r.TransientError.Succeeded() {
		return fmt.Errorf("TransientError %v is a success code", r.TransientError)
	}
	if r.Size == model.BG_SIZE_UNKNOWN {
		return fmt.Errorf("Size %d is BG_SIZE_UNKNOWN", r.Size)
	}
	return nil
}

func (r *Remote) transientError() model.HRESULT {
	if r.TransientError != 0 {
		return r.TransientError
	}
	return model.HTTPError(503)
}
