package scenario_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/scenario"
)

// update rewrites the golden files from the code under test: run it only
// after a change meant to alter the output, and review the diff.
var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// goldenScripts are the scripts whose output is kept: every example and
// the test scripts of testdata, except those on the automatic clock, whose
// callbacks run concurrently (the order of their log varies).
func goldenScripts(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"../examples/*.bits", "testdata/*.bits"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		sc, err := scenario.Parse(f, data)
		require.NoError(t, err, f)
		if !sc.Automatic {
			out = append(out, f)
		}
	}
	return out
}

// The text log, Mermaid, JSON and SVG of every example stay byte for byte
// what they were when the golden files were written: the text log and
// Mermaid in full (testdata/golden/NAME.txt, NAME.mmd), JSON and SVG by
// their SHA-256 (testdata/golden/SHA256SUMS; their structure has tests of
// its own). RunText, with and without the script's Plan, writes the same
// text as WriteText after Run.
func TestOutputsMatchGoldenFiles(t *testing.T) {
	sums := map[string]string{}
	if !*update {
		sums = readSums(t, "testdata/golden/SHA256SUMS")
	}
	for _, f := range goldenScripts(t) {
		name := strings.TrimSuffix(filepath.Base(f), ".bits")
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		sc, err := scenario.Parse(f, data)
		require.NoError(t, err)
		res, err := scenario.Run(sc)
		require.NoError(t, err)
		outputs := map[string]func(io.Writer) error{
			".txt": res.WriteText, ".mmd": res.WriteMermaid, ".json": res.WriteJSON, ".svg": res.WriteSVG,
		}
		for ext, write := range outputs {
			var b bytes.Buffer
			require.NoError(t, write(&b), f+ext)
			golden := name + ext
			switch {
			case *update && (ext == ".txt" || ext == ".mmd"):
				require.NoError(t, os.WriteFile(filepath.Join("testdata/golden", golden), b.Bytes(), 0o644))
			case *update:
				sums[golden] = sha256Hex(b.Bytes())
			case ext == ".txt" || ext == ".mmd":
				want, err := os.ReadFile(filepath.Join("testdata/golden", golden))
				require.NoError(t, err, "no golden file: run go test ./scenario/ -run Golden -update")
				assertSameText(t, string(want), b.String(), golden)
			default:
				if got := sha256Hex(b.Bytes()); got != sums[golden] {
					at := filepath.Join(t.TempDir(), golden)
					require.NoError(t, os.WriteFile(at, b.Bytes(), 0o644))
					t.Errorf("%s: SHA-256 %s, golden %s (the output is in %s)", golden, got, sums[golden], at)
				}
			}
		}
		// The streamed text log, as bitssim run writes it.
		var want bytes.Buffer
		require.NoError(t, res.WriteText(&want))
		plan, err := scenario.Prepare(f, bytes.NewReader(data))
		require.NoError(t, err)
		for _, opts := range []scenario.RunOptions{{}, {Plan: plan}} {
			var got bytes.Buffer
			streamed, err := scenario.RunText(f, bytes.NewReader(data), &got, opts)
			require.NoError(t, err)
			assertSameText(t, want.String(), got.String(), f+fmt.Sprintf(" (RunText, with a plan: %v)", opts.Plan != nil))
			assert.Equal(t, res.Summary(), streamed.Summary(), f)
		}
	}
	if *update {
		writeSums(t, "testdata/golden/SHA256SUMS", sums)
	}
}

// assertSameText compares two texts and, when they differ, names the
// first line that does.
func assertSameText(t *testing.T, want, got, what string) {
	t.Helper()
	if want == got {
		return
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Errorf("%s: line %d differs\nwant %q\ngot  %q", what, i+1, w, g)
			return
		}
	}
	t.Errorf("%s differs", what)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// readSums reads a file in sha256sum's format: "HASH  NAME" lines.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err, "no golden sums: run go test ./scenario/ -run Golden -update")
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, "%s: bad line %q", path, sc.Text())
		sums[name] = sum
	}
	require.NoError(t, sc.Err())
	return sums
}

func writeSums(t *testing.T, path string, sums map[string]string) {
	t.Helper()
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}
