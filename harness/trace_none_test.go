package harness_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// A trace that keeps none still numbers what its receivers saw: events
// kept again afterwards go on from the number they would have had.
func TestTraceKeepingNoneStillNumbers(t *testing.T) {
	b := newSim(t, sim.Options{})
	app, err := b.StartApp("A", model.Account{Name: "alice"})
	require.NoError(t, err)
	url, err := b.Remote(harness.RemoteOK, 10)
	require.NoError(t, err)
	b.LimitTrace(-1)
	runJob(t, b, app, url, app.Callback(harness.Behavior{})) // FileTransferred, JobTransferred: 1 and 2
	assert.Empty(t, b.Trace())
	b.LimitTrace(0)
	runJob(t, b, app, url, app.Callback(harness.Behavior{}))
	tr := b.Trace()
	require.Len(t, tr, 2)
	assert.Equal(t, []uint64{3, 4}, []uint64{tr[0].Seq, tr[1].Seq})
	assert.Equal(t, []model.EventKind{model.EventFileTransferred, model.EventJobTransferred}, []model.EventKind{tr[0].Kind, tr[1].Kind})
	assert.False(t, tr[0].Time.IsZero(), "a kept event has its time")
}
