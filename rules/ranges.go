package rules

import (
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
)

// MeetsOnDemandRequirements reports whether the transfer of a file meets
// the requirements of a BITS_JOB_PROPERTY_ON_DEMAND_MODE job: a DOWNLOAD
// job that is not BITS_JOB_PROPERTY_DYNAMIC_CONTENT, from an HTTP or HTTPS
// server that supports range requests. BITS sends FileRangesTransferred for
// such a transfer whether or not the job is in on-demand mode
// (DELIV-RANGES-ON-DEMAND).
func MeetsOnDemandRequirements(typ model.JobType, dynamicContent bool, remoteURL string, serverSupportsRanges bool) bool {
	if typ != model.BG_JOB_TYPE_DOWNLOAD || dynamicContent || !serverSupportsRanges {
		return false
	}
	scheme, _, ok := strings.Cut(remoteURL, "://")
	return ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https"))
}

// NextRangesNotification returns the earliest time BITS may call
// FileRangesTransferred for a job whose last call was at last: one
// MinimumNotificationInterval later, or at once (the zero time) when there
// was none (DELIV-RANGES-INTERVAL). The ranges transferred in between are
// reported together in that call.
func NextRangesNotification(last time.Time, interval time.Duration) time.Time {
	if last.IsZero() {
		return time.Time{}
	}
	return last.Add(interval)
}
