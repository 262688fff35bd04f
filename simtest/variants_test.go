package simtest_test

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
	"github.com/bitssim/bitssim/simtest"
)

// countingInstalls is the classic updater bug: it installs on every
// JobTransferred, counting on exactly one. It returns S_OK and leaves
// Complete for later.
func countingInstalls(installs *atomic.Int32) sim.ClassFactory {
	return func(*sim.App) (any, error) {
		return &model.CallbackFuncs{OnJobTransferred: func(model.Job) error { installs.Add(1); return nil }}, nil
	}
}

// installsUnder runs the updater's story under the readings v: the job
// is transferred, BITS notifies the updater's CLSID, the service restarts.
// It returns how many times the update was installed.
func installsUnder(t *testing.T, v rules.Selection) int32 {
	svc := simtest.New(t, simtest.Manual(), simtest.Variants(v))
	var installs atomic.Int32
	clsid := svc.Class("Updater", countingInstalls(&installs))
	job := svc.Job(svc.App("setup", "alice"), "job1", "https://updates.example/app.msi")
	require.NoError(t, job.SetNotifyCLSID(clsid))
	require.NoError(t, job.Resume())
	svc.AwaitState(job, model.BG_JOB_STATE_TRANSFERRED)
	require.NoError(t, svc.Restart())
	svc.Settle()
	return installs.Load()
}

// The variant runner finds the bug the defaults hide: under
// PERSIST-REDELIVER's all-after-restart reading ("BITS delivers
// JobTransferred or JobError again for every job still TRANSFERRED or
// ERROR") the update is installed twice.
func TestForEachVariantFindsAnUpdaterThatCountsOnOneJobTransferred(t *testing.T) {
	twice := map[string]bool{}
	simtest.ForEachVariant(t, func(t *testing.T, v rules.Selection) {
		if installsUnder(t, v) != 1 {
			twice[v.String()] = true
		}
	})
	assert.True(t, twice["PERSIST-REDELIVER=all-after-restart"], "the reading that redelivers after a restart")
	assert.False(t, twice["defaults"], "the defaults hide the bug")
}
