package conformance

import (
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// cmdRetryDelay is the MinimumRetryDelay the CMD and DELIV scenarios give
// a job, so that "no retry before 30 s, one at 30 s" is concrete.
const cmdRetryDelay = 30 * time.Second

// flagsRetryDelay is the MinimumRetryDelay given to jobs whose
// notification must be retried: 5 s, the smallest BITS allows.
const flagsRetryDelay = 5 * time.Second

// flagsWait is how long a scenario lets pass to see that nothing more
// happens, for a retry after flagsRetryDelay, or for a slow remote (2 KB
// at 1 KB/s) to finish.
const flagsWait = 10 * time.Second

// progress returns the bytes job has transferred, or stops the scenario.
func (c *C) progress(job model.Job) uint64 {
	p, err := job.GetProgress()
	c.must(err, "GetProgress")
	return p.BytesTransferred
}

// goScenario registers sc, a per-rule scenario written in Go because a
// scenario file cannot say it (sc.Why says what), when the package is
// initialized. It returns true, so that each file registers a scenario
// beside its function: var _ = goScenario(Scenario{...}).
func goScenario(sc Scenario) bool {
	register(sc)
	return true
}

// mustGet returns what get returns, or stops the scenario when it fails.
func mustGet[T any](c *C, get func() (T, error)) T {
	v, err := get()
	require.NoError(c, err)
	return v
}
