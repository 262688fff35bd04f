package scenario

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// box is a rectangle of the picture: x0 ≤ x1, y0 ≤ y1.
type box struct {
	x0, y0, x1, y1 float64
	what           string
}

func (a box) overlaps(b box) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

// svgBoxes reads the boxes of a picture's texts (from textWidth, the
// width the layout measured with), its crosses, and its arrowheads.
func svgBoxes(t *testing.T, svg []byte) (texts, marks []box, width float64) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var cur *xml.StartElement
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	num := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "well-formed XML")
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "svg":
				width = num(attr(e, "width"))
			case "text":
				el := e
				cur = &el
			case "line":
				if m := attr(e, "marker-end"); m != "" {
					x1, x2, y := num(attr(e, "x1")), num(attr(e, "x2")), num(attr(e, "y2"))
					if x2 > x1 {
						marks = append(marks, box{x2 - 10, y - 4, x2, y + 4, "arrowhead"})
					} else {
						marks = append(marks, box{x2, y - 4, x2 + 10, y + 4, "arrowhead"})
					}
				}
			case "path":
				if attr(e, "stroke") == "#c0392b" && strings.HasPrefix(attr(e, "d"), "M") {
					var x0, y0, x1, y1 float64
					f := strings.FieldsFunc(attr(e, "d"), func(r rune) bool { return r == 'M' || r == 'L' || r == ',' || r == ' ' })
					x0, y0, x1, y1 = num(f[0]), num(f[1]), num(f[2]), num(f[3])
					marks = append(marks, box{min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), "cross"})
				}
			}
		case xml.CharData:
			if cur == nil {
				continue
			}
			s := string(e)
			size := svgFont
			if fs := attr(*cur, "font-size"); fs != "" {
				size, _ = strconv.Atoi(fs)
			}
			w := float64(textWidth(s, size))
			x, y := num(attr(*cur, "x")), num(attr(*cur, "y"))
			switch attr(*cur, "text-anchor") {
			case "middle":
				x -= w / 2
			case "end":
				x -= w
			}
			texts = append(texts, box{x, y - float64(size)*0.8, x + w, y + float64(size)*0.25, s})
		case xml.EndElement:
			if e.Name.Local == "text" {
				cur = nil
			}
		}
	}
	return texts, marks, width
}

// Every example's picture: no text overlaps another text, an arrowhead or
// a cross; no text runs out of the picture; nothing is cut short.
func TestSVGLabelsNeverCollideOrGetCut(t *testing.T) {
	files, err := filepath.Glob("../examples/*.bits")
	require.NoError(t, err)
	files = append(files, "testdata/long-names.bits")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			sc, err := Parse(f, data)
			require.NoError(t, err)
			res, err := Run(sc)
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, res.WriteSVG(&buf))
			texts, marks, width := svgBoxes(t, buf.Bytes())
			require.NotEmpty(t, texts)
			for i, a := range texts {
				assert.NotContains(t, a.what, "…", "a label is cut")
				assert.True(t, a.x0 >= 0 && a.x1 <= width, "%q runs out of the picture (%v..%v of %v)", a.what, a.x0, a.x1, width)
				for _, b := range texts[i+1:] {
					assert.False(t, a.overlaps(b), "%q overlaps %q", a.what, b.what)
				}
				for _, m := range marks {
					assert.False(t, a.overlaps(m), "%q overlaps a %s at %v", a.what, m.what, m)
				}
			}
		})
	}
}

// RunText writes, as it goes, exactly what WriteText writes after Run.
func TestRunTextMatchesWriteText(t *testing.T) {
	files, err := filepath.Glob("../examples/*.bits")
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		sc, err := Parse(f, data)
		require.NoError(t, err)
		res, err := Run(sc)
		require.NoError(t, err)
		if sc.Automatic {
			continue // callbacks run concurrently: the order of the log varies
		}
		var want, got bytes.Buffer
		require.NoError(t, res.WriteText(&want))
		streamed, err := RunText(f, bytes.NewReader(data), &got, RunOptions{})
		require.NoError(t, err)
		assert.Equal(t, want.String(), got.String(), f)
		assert.Equal(t, res.Failures(), streamed.Checks, f)
		assert.Equal(t, len(res.Checks), streamed.CheckCount(), f)
		assert.Empty(t, streamed.Steps, "RunText keeps no steps")
		assert.Equal(t, res.Summary(), streamed.Summary())
	}
}

// More notifications after one statement than the service keeps are an
// error, never a silent loss.
func TestRunTextTraceOverflowIsAnError(t *testing.T) {
	defer func(n int) { streamTraceLimit = n }(streamTraceLimit)
	streamTraceLimit = 2
	src := `start A as alice
remote http://s/f
A: create j
A: addfile j http://s/f C:\f
A: setminretrydelay j 5s
A: setnotifyinterface j fails
A: resume j
advance 1m
`
	_, err := RunText("t.bits", strings.NewReader(src), io.Discard, RunOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 2 notifications after one statement")
	_, err = RunText("t.bits", strings.NewReader(src[:len(src)-len("advance 1m\n")]), io.Discard, RunOptions{})
	assert.NoError(t, err)
}

func TestRunTextErrors(t *testing.T) {
	_, err := RunText("t.bits", strings.NewReader("# nothing\n"), io.Discard, RunOptions{})
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, err.Error(), "empty scenario")
	var out bytes.Buffer
	_, err = RunText("t.bits", strings.NewReader("start A as alice\nA: resme j\n"), &out, RunOptions{})
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, se.Line)
}
