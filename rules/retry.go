package rules

import (
	"time"

	"github.com/bitssim/bitssim/model"
)

// RetriesTransientError reports whether BITS moves a job that entered
// TRANSIENT_ERROR with hr back to QUEUED once its MinimumRetryDelay has
// passed. It does not after a network disconnect (BG_E_NETWORK_DISCONNECTED)
// or a disk lock error (BG_E_DESTINATION_LOCKED: the volume is locked, for
// example by chkdsk), nor while the MaxInternetBandwidth Group Policy is
// zero (STATE-TRANSIENT-RETRY): the job then waits in TRANSIENT_ERROR until
// a network connection is established (STATE-NETWORK-LOSS) or a client
// resumes it.
func RetriesTransientError(hr model.HRESULT, l Limits) bool {
	if l.ZeroInternetBandwidth {
		return false
	}
	return hr != model.BG_E_NETWORK_DISCONNECTED && hr != model.BG_E_DESTINATION_LOCKED
}

// RetryDelayExceedsTimeout reports whether a job's MinimumRetryDelay is
// longer than its NoProgressTimeout, in which case BITS does not retry a
// transient error and moves the job to ERROR at once
// (STATE-RETRY-DELAY-OVER-TIMEOUT). The delay is compared as BITS stores it
// (ClampRetryDelay).
func RetryDelayExceedsTimeout(minimumRetryDelay, noProgressTimeout time.Duration) bool {
	return ClampRetryDelay(minimumRetryDelay) > noProgressTimeout
}
