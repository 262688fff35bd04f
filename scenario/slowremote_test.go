package scenario

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/harness"
)

// A remote of rate=1024 and at most a size is harness.RemoteSlow, which
// every backend makes; with anything else it needs a RemoteScripter.
func TestRemoteKindOfSlow(t *testing.T) {
	for _, tc := range []struct {
		opts map[string]string
		kind harness.RemoteKind
		ok   bool
	}{
		{map[string]string{"rate": "1024"}, harness.RemoteSlow, true},
		{map[string]string{"rate": "1024", "size": "4096"}, harness.RemoteSlow, true},
		{map[string]string{"rate": "1024", "status": "404"}, 0, false},
		{map[string]string{"rate": "1024", "size": "1", "latency": "2s"}, 0, false},
		{map[string]string{"rate": "2048"}, 0, false},
		{map[string]string{"status": "404", "size": "1"}, harness.RemoteFatal, true},
	} {
		kind, ok := remoteKindOf(tc.opts)
		assert.Equal(t, tc.ok, ok, "%v", tc.opts)
		if tc.ok {
			assert.Equal(t, tc.kind, kind, "%v", tc.opts)
		}
	}
}
