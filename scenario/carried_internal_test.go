package scenario

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/model"
)

// "length=N pads the last line with fill= so that the headers are N
// characters (UTF-16 code units) in all, CR LFs included": for any header
// lines, fill character and N at least as long as the lines.
func TestHeadersLengthIsTheLengthAsked(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lines := rapid.SliceOfN(rapid.StringMatching(`[A-Za-z0-9: -]{1,20}`), 1, 4).Draw(t, "lines")
		fill := rapid.SampledFrom([]string{"a", "é", "€", "x"}).Draw(t, "fill")
		base := 0
		for _, l := range lines {
			base += len(l) + 2
		}
		n := base + rapid.IntRange(0, 500).Draw(t, "pad")
		h, err := buildHeaders(lines, strconv.Itoa(n), fill)
		require.NoError(t, err)
		assert.Equal(t, n, utf16Len(h), "N characters in all")
		assert.True(t, strings.HasPrefix(h, strings.Join(lines, "\r\n")), "the lines as written")
		assert.True(t, strings.HasSuffix(h, "\r\n"), "the last line ended by CR LF")
		assert.Equal(t, len(lines), strings.Count(h, "\r\n"), "one CR LF per line")
		_, err = buildHeaders(lines, strconv.Itoa(base-1), fill)
		assert.Error(t, err, "shorter than the lines: refused")
	})
}

// "reported R: the ranges the calls reported together, each byte once":
// disjoint ranges cut anywhere and reported in any order come back as the
// ranges; a byte reported by two ranges is named.
func TestReportedRangesAreTheBytesOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Disjoint ranges with gaps: starts and lengths drawn.
		n := rapid.IntRange(1, 5).Draw(t, "n")
		var want []model.FileRange
		off := uint64(0)
		for i := 0; i < n; i++ {
			off += uint64(rapid.IntRange(1, 100).Draw(t, "gap"))
			l := uint64(rapid.IntRange(2, 100).Draw(t, "len"))
			want = append(want, model.FileRange{InitialOffset: off, Length: l})
			off += l
		}
		// Each cut in two at a drawn point, the pieces shuffled.
		var pieces []model.FileRange
		for _, r := range want {
			cut := uint64(rapid.IntRange(1, int(r.Length)-1).Draw(t, "cut"))
			pieces = append(pieces, model.FileRange{InitialOffset: r.InitialOffset, Length: cut},
				model.FileRange{InitialOffset: r.InitialOffset + cut, Length: r.Length - cut})
		}
		perm := rapid.Permutation(pieces).Draw(t, "order")
		assert.Equal(t, rangesString(want), reportedString(perm))
		// One byte reported again: named.
		dup := append(perm, model.FileRange{InitialOffset: want[0].InitialOffset, Length: 1})
		assert.Contains(t, reportedString(dup), "reported twice")
	})
}
