package comserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// closer counts its Close calls.
type closer struct{ closed int }

func (c *closer) Close() error { c.closed++; return nil }

// One watch per process, kept after its objects are released (there is
// no release): a second watch of the same process is closed at once; past
// the bound, the oldest process's watch is closed first.
func TestOwnerSet(t *testing.T) {
	s := newOwnerSet(2)
	a, a2, b, c := &closer{}, &closer{}, &closer{}, &closer{}
	require.True(t, s.keep(100, a))
	assert.False(t, s.keep(100, a2), "the process is watched already")
	assert.Equal(t, 1, a2.closed, "the second watch is closed")
	assert.Zero(t, a.closed)
	require.True(t, s.keep(200, b))
	assert.Equal(t, 2, s.size())
	require.True(t, s.keep(300, c))
	assert.Equal(t, 1, a.closed, "past the bound the oldest watch is closed")
	assert.False(t, s.watching(100))
	assert.True(t, s.watching(200))
	assert.True(t, s.watching(300))
	assert.Zero(t, b.closed+c.closed)
}

// Whatever the processes, every watch is closed at most once, the open
// ones are the kept ones, and the watched processes are the last max
// distinct ones in the order they were first watched (a process whose
// watch was closed, past the bound, is watched again as a new one).
func TestOwnerSetProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		max := rapid.IntRange(1, 8).Draw(t, "max")
		s := newOwnerSet(max)
		var all []*closer
		var model []uint32 // watched pids, oldest first
		for _, pid := range rapid.SliceOf(rapid.Uint32Range(1, 12)).Draw(t, "pids") {
			c := &closer{}
			all = append(all, c)
			kept := s.keep(pid, c)
			watched := false
			for _, p := range model {
				watched = watched || p == pid
			}
			assert.Equal(t, !watched, kept, "pid %d", pid)
			if !watched {
				model = append(model, pid)
				if len(model) > max {
					model = model[1:]
				}
			}
		}
		open := 0
		for _, c := range all {
			assert.LessOrEqual(t, c.closed, 1, "closed at most once")
			if c.closed == 0 {
				open++
			}
		}
		assert.Equal(t, len(model), open, "the open watches are the kept ones")
		assert.Equal(t, len(model), s.size())
		for _, p := range model {
			assert.True(t, s.watching(p), "pid %d", p)
		}
	})
}
