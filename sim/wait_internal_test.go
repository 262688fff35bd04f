package sim

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every change a waiter may wait for closes the channel it waits on; a
// restart moves states without setState and Close ends every wait, so
// both must close it too.
func TestRestartAndCloseWakeWaiters(t *testing.T) {
	s, err := New(Options{Clock: Manual})
	require.NoError(t, err)
	defer s.Close()
	for _, c := range []struct {
		name   string
		change func() error
	}{{"Restart", s.Restart}, {"Close", s.Close}} {
		s.mu.Lock()
		ch := s.changes()
		s.mu.Unlock()
		require.NoError(t, c.change())
		select {
		case <-ch:
		default:
			t.Fatalf("%s did not wake the waiters", c.name)
		}
	}
}
