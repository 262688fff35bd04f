package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestTimersFireInOrderAcrossHeaps: the inactivity timers live in a heap of
// their own, and the two heaps together fire timers in the order of their
// due times, and of their scheduling among timers due together, as one
// heap would.
func TestTimersFireInOrderAcrossHeaps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, err := New(Options{Clock: Manual})
		require.NoError(t, err)
		defer s.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		kinds := []taskKind{taskInactivity, taskRetryDue, taskNoProgress, taskNotify}
		type want struct {
			at  time.Time
			seq int // order of scheduling
		}
		scheduled := map[*job]map[taskKind]want{}
		jobs := make([]*job, rapid.IntRange(1, 5).Draw(t, "jobs"))
		for i := range jobs {
			jobs[i] = newJobStruct()
			scheduled[jobs[i]] = map[taskKind]want{}
		}
		n := rapid.IntRange(1, 30).Draw(t, "timers")
		for i := 0; i < n; i++ {
			j := rapid.SampledFrom(jobs).Draw(t, "job")
			k := rapid.SampledFrom(kinds).Draw(t, "kind")
			at := s.now.Add(time.Duration(rapid.IntRange(0, 3).Draw(t, "hours")) * time.Hour)
			s.schedule(at, k, j, 0) // a pending timer of the slot moves
			scheduled[j][k] = want{at, i}
		}
		var fired []want
		for {
			tm, ok := s.popDue(s.now.Add(24 * time.Hour).UnixNano())
			if !ok {
				break
			}
			w, ok := scheduled[tm.job][tm.kind]
			require.True(t, ok, "a timer that was scheduled")
			assert.Equal(t, w.at.UnixNano(), tm.at)
			delete(scheduled[tm.job], tm.kind)
			fired = append(fired, w)
		}
		for _, m := range scheduled {
			assert.Empty(t, m, "every timer fired")
		}
		for i := 1; i < len(fired); i++ {
			a, b := fired[i-1], fired[i]
			if !a.at.Before(b.at) {
				assert.True(t, a.at.Equal(b.at) && a.seq < b.seq, "timer %d (%v, #%d) before (%v, #%d)", i, a.at, a.seq, b.at, b.seq)
			}
		}
		for _, j := range jobs {
			for sl, idx := range j.tidx {
				assert.Equal(t, int32(-1), idx, "slot %d unscheduled", sl)
			}
		}
	})
}
