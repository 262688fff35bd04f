package winbits_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness/winbits"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// TestReplayRecordings checks, on every OS, each recording committed under
// testdata/recorded/<backend>/ against the rulebook and the backend's
// divergence list (testdata/<backend>-divergences.txt): evidence from one
// run against a real backend is checked on every CI run from then on.
func TestReplayRecordings(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "recorded", "*"))
	require.NoError(t, err)
	backends := map[string]bool{}
	for _, dir := range dirs {
		backend := filepath.Base(dir)
		backends[backend] = true
		t.Run(backend, func(t *testing.T) {
			divergences, err := winbits.ReadDivergences(filepath.Join("testdata", backend+"-divergences.txt"))
			require.NoError(t, err)
			recs, err := winbits.ReadRecordings(dir)
			require.NoError(t, err)
			require.NotEmpty(t, recs, "no recordings in %s", dir)
			seen := map[string]bool{}
			for _, r := range recs {
				seen[r.Rule] = true
				assert.Equal(t, backend, r.Backend, "%s: recorded on another backend", r.Rule)
				assert.Empty(t, winbits.CheckRecording(r, divergences), "%s", r.Rule)
			}
			// The readings each recording matched are the ones the
			// backend's variants file states, when it has one.
			if variants, err := winbits.ReadDivergences(filepath.Join("testdata", backend+"-variants.txt")); err == nil {
				for _, r := range recs {
					if want, ok := variants[r.Rule]; ok && len(r.Matched) > 0 {
						assert.Equal(t, want, strings.Join(r.Matched, ", "), "%s: the readings %s matched", r.Rule, backend)
					}
				}
			} else {
				require.ErrorIs(t, err, os.ErrNotExist)
			}
			// Every listed divergence is backed by a recording that shows it.
			for id := range divergences {
				assert.True(t, seen[id], "%s is listed for %s but no recording shows it", id, backend)
			}
		})
	}
	assert.True(t, backends["wine"], "the Wine recordings (testdata/recorded/wine) are missing")
}

// at is a trace time: seconds after a fixed instant.
func at(s int) time.Time { return time.Date(2026, 1, 1, 0, 0, s, 0, time.UTC) }

var (
	jobA = model.MustParseGUID("{00000000-0000-0000-0000-00000000000A}")
	jobB = model.MustParseGUID("{00000000-0000-0000-0000-00000000000B}")
)

func ev(seq int, job model.GUID, kind model.EventKind, file string, hr model.HRESULT) model.Event {
	return model.Event{Seq: uint64(seq), Time: at(seq), Job: job, Kind: kind, File: file, Result: hr}
}

// TestCheckRecording shows each check of CheckRecording failing on a
// recording that breaks it, and passing on one that does not.
func TestCheckRecording(t *testing.T) {
	good := winbits.Recording{Backend: "windows", Version: model.BITS10_3, Rule: "DELIV-FILE-BEFORE-JOB", Outcome: "pass",
		Events: []model.Event{
			ev(1, jobA, model.EventFileTransferred, `C:\a`, model.E_FAIL),
			ev(2, jobA, model.EventFileTransferred, `C:\a`, model.S_OK),
			ev(3, jobB, model.EventFileTransferred, `C:\x`, model.S_OK),
			ev(4, jobA, model.EventFileTransferred, `C:\b`, model.S_OK),
			ev(5, jobA, model.EventJobTransferred, "", model.S_OK),
		}}
	assert.Empty(t, winbits.CheckRecording(good, nil))

	cases := []struct {
		name   string
		change func(r *winbits.Recording)
		list   map[string]string
		want   string
	}{
		{"unknown rule", func(r *winbits.Recording) { r.Rule = "NO-SUCH-RULE" }, nil, "not in the rulebook"},
		{"listed rule passed", func(r *winbits.Recording) {}, map[string]string{"DELIV-FILE-BEFORE-JOB": "x"}, "listed as a divergence"},
		{"unlisted rule diverged", func(r *winbits.Recording) { r.Outcome = "diverged" }, nil, "not in the divergence list"},
		{"failed", func(r *winbits.Recording) { r.Outcome = "fail" }, nil, "failed on windows"},
		{"unknown outcome", func(r *winbits.Recording) { r.Outcome = "maybe" }, nil, "unknown outcome"},
		{"unknown reading", func(r *winbits.Recording) { r.Rule, r.Matched = "FLAGS-ZERO", []string{"no-such-reading"} }, nil,
			`FLAGS-ZERO matched the reading "no-such-reading", which the rule no longer has`},
		{"gap in the numbering", func(r *winbits.Recording) { r.Events[2].Seq = 7 }, nil, "event 3 is numbered #7"},
		{"time goes back", func(r *winbits.Recording) { r.Events[3].Time = at(0) }, nil, "is earlier than"},
		{"DELIV-FILE-BEFORE-JOB", func(r *winbits.Recording) {
			r.Events[3], r.Events[4] = r.Events[4], r.Events[3]
			r.Events[3].Seq, r.Events[4].Seq = 4, 5
			r.Events[3].Time, r.Events[4].Time = at(4), at(5)
		}, nil, "trace breaks DELIV-FILE-BEFORE-JOB: FileTransferred #5 after JobTransferred/JobError #4"},
		{"DELIV-FILE-SERIALIZED", func(r *winbits.Recording) { r.Events[1].File = `C:\b` }, nil,
			`trace breaks DELIV-FILE-SERIALIZED: FileTransferred #2 for C:\b while #1 for C:\a had failed`},
		{"DELIV-RANGES-ON-DEMAND", func(r *winbits.Recording) {
			r.Version = model.BITS5_0
			r.Events = append(r.Events, ev(6, jobA, model.EventFileRangesTransferred, `C:\a`, model.S_OK))
		}, nil, "trace breaks DELIV-RANGES-ON-DEMAND: FileRangesTransferred #6 on BITS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good
			r.Events = append([]model.Event(nil), good.Events...)
			c.change(&r)
			problems := winbits.CheckRecording(r, c.list)
			require.Len(t, problems, 1, "%q", problems)
			assert.Contains(t, problems[0], c.want)
		})
	}

	// A backend listed as breaking a trace rule is not held to it.
	broken := good
	broken.Events = append([]model.Event(nil), good.Events...)
	broken.Events[1].File = `C:\b`
	broken.Rule = "DELIV-AT-LEAST-ONCE"
	assert.Empty(t, winbits.CheckRecording(broken, map[string]string{"DELIV-FILE-SERIALIZED": "x"}))

	for _, id := range winbits.TraceRules() {
		_, ok := rules.Lookup(id)
		assert.True(t, ok, "trace rule %s is not in the rulebook", id)
	}
}

// TestReadDivergences reads a list and refuses malformed lines.
func TestReadDivergences(t *testing.T) {
	// Not t.TempDir: under Wine 8 its RemoveAll fails ("Invalid function").
	dir, err := os.MkdirTemp("", "bitssim-divergences-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "list.txt")
	require.NoError(t, os.WriteFile(path, []byte("# comment\n\nFLAGS-DISABLE\tignored\n"), 0o644))
	got, err := winbits.ReadDivergences(path)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"FLAGS-DISABLE": "ignored"}, got)

	require.NoError(t, os.WriteFile(path, []byte("FLAGS-DISABLE\tx\nFLAGS-DISABLE\ty\n"), 0o644))
	_, err = winbits.ReadDivergences(path)
	assert.ErrorContains(t, err, "listed twice")
	require.NoError(t, os.WriteFile(path, []byte("FLAGS-DISABLE no tab\n"), 0o644))
	_, err = winbits.ReadDivergences(path)
	assert.ErrorContains(t, err, "want RULE-ID<TAB>")
}
