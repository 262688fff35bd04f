package scenario

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The verb cache answers as the verb table does, whatever the order of the
// verbs asked (more than it holds, unknown ones among them), and a verb in
// memory of its own (a view of a line, then overwritten) does not stay in
// it.
func TestVerbCacheAnswersAsTheTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var c verbCache
		words := append(append([]string(nil), verbNames...), "resme", "", "expects", "Create")
		for _, w := range rapid.SliceOfN(rapid.SampledFrom(words), 1, 64).Draw(t, "verbs") {
			buf := []byte(w) // the verb as a line's bytes
			i, ok := c.index(string(buf))
			want, known := verbIndex[w]
			require.Equal(t, known, ok, w)
			if known {
				require.Equal(t, int(want), i, w)
				require.Equal(t, w, verbNames[i])
			}
			clear(buf)
		}
	})
}

// parser.verb gives the table's own string for a known verb.
func TestParserVerbGivesTheTablesString(t *testing.T) {
	p := &parser{}
	line := []byte("resume")
	name, spec, ok := p.verb(string(line))
	require.True(t, ok)
	copy(line, "xxxxxx") // the line's memory is reused
	assert.Equal(t, "resume", name)
	assert.Equal(t, verbs["resume"].usage, spec.usage)
	_, _, ok = p.verb("resme")
	assert.False(t, ok)
}

// Strings a lineArena returns keep their bytes while later ones are added,
// across chunks, and long ones get memory of their own.
func TestLineArenaKeepsItsStrings(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var a lineArena
		var got, want []string
		for _, s := range rapid.SliceOfN(rapid.StringN(0, lineArenaChunk/4, -1), 1, 200).Draw(t, "lines") {
			buf := []byte(s)
			got = append(got, a.clone(string(buf)))
			want = append(want, s)
			clear(buf) // the scanner's buffer is reused
		}
		require.Equal(t, want, got)
	})
	var a lineArena
	long := strings.Repeat("x", lineArenaChunk)
	assert.Equal(t, long, a.clone(long))
	assert.Empty(t, a.buf, "a long string does not go into a chunk")
}

// within finds a part of a string by its address, and nothing for a
// string elsewhere with the same bytes.
func TestWithin(t *testing.T) {
	line := "A: addfile j1 http://s/f C:\\dl\\j1"
	i, ok := within(line, line[3:10])
	assert.True(t, ok)
	assert.Equal(t, 3, i)
	i, ok = within(line, line[len(line)-2:])
	assert.True(t, ok)
	assert.Equal(t, len(line)-2, i)
	_, ok = within(line, strings.Clone(line[3:10]))
	assert.False(t, ok, "the same bytes elsewhere")
	_, ok = within(line[:5], line[3:10])
	assert.False(t, ok, "runs past the end")
	_, ok = within(line, "")
	assert.False(t, ok)
}
