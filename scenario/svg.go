package scenario

import (
	"fmt"
	"html"
	"io"
	"strings"
	"unicode"

	"github.com/bitssim/bitssim/model"
)

// SVG layout, in pixels.
const (
	svgMargin   = 16
	svgGutter   = 78  // the time column at the left
	svgMinColW  = 170 // narrowest lifeline column
	svgMaxColW  = 460 // widest; longer labels wrap
	svgHeadH    = 52
	svgLineH    = 15 // one line of text
	svgFont     = 12
	svgSmall    = 11
	svgArrowPad = 22 // room kept free at each end of an arrow's label
)

// rowKind is what a row of the diagram shows.
type rowKind int

const (
	rowArrow    rowKind = iota + 1 // a call or a notification
	rowReturn                      // the HRESULT a failed call returned, back to the caller
	rowNote                        // a note on one lifeline (start, advance)
	rowEnd                         // an app's process ends (crash, exit)
	rowRestart                     // the service restarts: a band across
	rowMark                        // a mark: a dotted rule across
	rowCheck                       // an expectation: a green or red band across
	rowVariants                    // the readings of open rules the run followed
)

// svgRow is one row of the diagram, laid out top to bottom.
type svgRow struct {
	kind  rowKind
	step  *Step
	check *Check
	lines []string // text, wrapped to fit
	sub   string   // second text under an arrow: the result
	y, h  int      // top and height
}

// textWidth estimates the width of s in pixels at size px: capitals,
// digits and wide letters take more than the rest. It errs on the wide
// side so that labels never overrun what was measured for them.
func textWidth(s string, px int) int {
	w := 0.0
	for _, r := range s {
		switch {
		case r == ' ' || r == '.' || r == ',' || r == ':' || r == '|' || r == 'i' || r == 'l' || r == 'j' || r == '\'':
			w += 0.34
		case r == 'm' || r == 'w' || r == 'M' || r == 'W' || r == '@':
			w += 0.95
		case unicode.IsUpper(r) || unicode.IsDigit(r) || r == '_' || r == '#' || r == '{' || r == '}':
			w += 0.72
		default:
			w += 0.6
		}
	}
	return int(w*float64(px)) + 2
}

// wrapText breaks s into lines no wider than width pixels, at spaces, and
// splits a word that is wider on its own: text is wrapped, never cut.
func wrapText(s string, width, px int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		for textWidth(word, px) > width && len([]rune(word)) > 1 {
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			r := []rune(word)
			n := len(r) - 1
			for n > 1 && textWidth(string(r[:n]), px) > width {
				n--
			}
			lines = append(lines, string(r[:n]))
			word = string(r[n:])
		}
		switch {
		case cur == "":
			cur = word
		case textWidth(cur+" "+word, px) <= width:
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = word
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// WriteSVG draws the run as a sequence diagram: a lifeline per
// participant (an app's begins when it starts and ends with a cross when
// it crashes, a bar when it exits), an arrow per call and notification
// (failed deliveries red with a cross on the target, retries dashed,
// failed calls with a red return arrow to the caller), notes for time
// passing, a band for each service restart, a rule for each mark, and a
// green or red band for each expectation, with what was expected and seen
// when it failed. Labels are measured and wrapped, never cut.
func (r *Result) WriteSVG(w io.Writer) error {
	col := map[string]int{}
	for i, p := range r.Participants {
		col[p.Name] = i
	}
	rows := r.svgRows()
	// Column width: wide enough for every arrow's label over its span.
	colW := svgMinColW
	for _, row := range rows {
		if row.kind != rowArrow && row.kind != rowReturn {
			continue
		}
		span := max(1, abs(col[row.step.To]-col[row.step.From]))
		need := max(textWidth(row.step.Label, svgFont), textWidth(row.sub, svgSmall)) + 2*svgArrowPad
		colW = max(colW, min(svgMaxColW, (need+span-1)/span))
	}
	x := func(name string) int { return svgMargin + svgGutter + col[name]*colW + colW/2 }
	width := 2*svgMargin + svgGutter + max(1, len(r.Participants))*colW
	left, right := svgMargin, width-svgMargin
	bandW := right - left - 16
	// Wrap and place the rows.
	y := svgHeadH + 14
	for i := range rows {
		row := &rows[i]
		switch row.kind {
		case rowArrow, rowReturn:
			span := max(1, abs(col[row.step.To]-col[row.step.From]))
			row.lines = wrapText(row.step.Label, span*colW-2*svgArrowPad, svgFont)
			row.h = len(row.lines)*svgLineH + 14
			if row.sub != "" {
				row.h += svgLineH
			}
		case rowNote, rowEnd:
			row.lines = wrapText(row.step.Label, 2*colW-24, svgFont)
			row.h = len(row.lines)*svgLineH + 14
		case rowRestart, rowMark, rowVariants:
			row.lines = wrapText(row.step.Label, bandW, svgFont)
			row.h = len(row.lines)*svgLineH + 14
		case rowCheck:
			c := row.check
			mark := "✓"
			if !c.OK {
				mark = "✗"
			}
			row.lines = wrapText(fmt.Sprintf("%s line %d: %s", mark, c.Line, SafeText(c.Text)), bandW, svgFont)
			if !c.OK {
				row.lines = append(row.lines, wrapText("expected "+SafeText(c.Want), bandW-12, svgFont)...)
				row.lines = append(row.lines, wrapText("seen "+SafeText(c.Got), bandW-12, svgFont)...)
			}
			row.h = len(row.lines)*svgLineH + 10
		}
		row.y = y
		y += row.h + 4
	}
	height := y + svgMargin
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="%d">`+"\n", width, height, width, height, svgFont)
	b.WriteString(`<defs>` +
		`<marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#222"/></marker>` +
		`<marker id="arrow-blue" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#1f5fbf"/></marker>` +
		`<marker id="arrow-red" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#c0392b"/></marker>` +
		"</defs>\n")
	// Arrow labels get a white halo, so that lifelines they cross do not
	// run through their letters.
	b.WriteString("<style>.l{paint-order:stroke;stroke:#ffffff;stroke-width:4px;stroke-linejoin:round}</style>\n")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	// Lifelines, then headers, so that rows draw over them.
	segs := r.lifelines(rows, y)
	for _, p := range r.Participants {
		cx := x(p.Name)
		for _, s := range segs[p.Name] {
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999" stroke-dasharray="4 4"/>`+"\n", cx, s[0], cx, s[1])
		}
		fill := map[string]string{"bits": "#fff4d6", "clsid": "#e8f6ec", "cmdline": "#f3e9f8"}[p.Kind]
		if fill == "" {
			fill = "#eef3fb"
		}
		name := p.Name
		if p.Kind == "bits" {
			name = "BITS service"
		}
		sub := p.Kind
		if p.User != "" {
			sub += " · " + p.User
		}
		title := wrapText(SafeText(name), colW-28, svgFont)[0]
		if title != SafeText(name) {
			title = SafeText(name) // too long for one line: let the box grow
		}
		boxW := max(colW-16, textWidth(title, svgFont)+16)
		fmt.Fprintf(&b, `<rect x="%d" y="8" width="%d" height="%d" rx="6" fill="%s" stroke="#556"/>`+"\n", cx-boxW/2, boxW, svgHeadH-16, fill)
		fmt.Fprintf(&b, `<text x="%d" y="26" text-anchor="middle" font-weight="bold">%s</text>`+"\n", cx, esc(title))
		fmt.Fprintf(&b, `<text x="%d" y="40" text-anchor="middle" fill="#555" font-size="10">%s</text>`+"\n", cx, esc(SafeText(sub)))
	}
	lastAt := ""
	for _, row := range rows {
		mid := row.y + row.h/2
		if row.step != nil && (row.kind == rowArrow || row.kind == rowNote || row.kind == rowEnd || row.kind == rowRestart) {
			if at := fmtAt(row.step.At); at != lastAt {
				fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#777" font-size="%d">%s</text>`+"\n", left, mid+4, svgSmall, esc(at))
				lastAt = at
			}
		}
		switch row.kind {
		case rowArrow, rowReturn:
			r.drawArrow(&b, row, x(row.step.From), x(row.step.To))
		case rowNote:
			drawNote(&b, x(row.step.From), left, right, row, "#fffbe6", "#b8a04a", "#5a4a00")
		case rowEnd:
			cx, ly := x(row.step.From), row.y+4
			if row.step.Label == "crash" {
				fmt.Fprintf(&b, `<path d="M%d,%d L%d,%d M%d,%d L%d,%d" stroke="#c0392b" stroke-width="3"/>`+"\n", cx-8, ly-8, cx+8, ly+8, cx+8, ly-8, cx-8, ly+8)
			} else {
				fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555" stroke-width="3"/>`+"\n", cx-10, ly, cx+10, ly)
			}
			tx := cx + 14
			for i, l := range row.lines {
				fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#5a4a00">%s</text>`+"\n", tx, ly+4+i*svgLineH, esc(l))
			}
		case rowRestart:
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#fde8d7" stroke="#d9822b" stroke-dasharray="6 3"/>`+"\n", left+svgGutter, row.y, right-left-svgGutter, row.h)
			for i, l := range row.lines {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-weight="bold" fill="#8a4510">%s</text>`+"\n", (left+svgGutter+right)/2, row.y+svgLineH+2+i*svgLineH, esc(l))
			}
		case rowVariants:
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="#efeafb" stroke="#6a5acd"/>`+"\n", left, row.y, right-left, row.h)
			for i, l := range row.lines {
				fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#3d2f8f">%s</text>`+"\n", left+8, row.y+svgLineH+2+i*svgLineH, esc(l))
			}
		case rowMark:
			x1 := max(left+svgGutter, left+textWidth(row.lines[0], svgFont)+8) // the rule starts after its label
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#6a5acd" stroke-dasharray="2 3"/>`+"\n", x1, mid, right, mid)
			fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#6a5acd">%s</text>`+"\n", left, mid+4, esc(row.lines[0]))
		case rowCheck:
			fill, stroke, ink := "#e9f7ef", "#5aa36f", "#1e6b35"
			if !row.check.OK {
				fill, stroke, ink = "#fdecea", "#c0392b", "#8e1b10"
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s" stroke="%s"/>`+"\n", left, row.y, right-left, row.h, fill, stroke)
			for i, l := range row.lines {
				indent := 8
				if i > 0 && !row.check.OK && !strings.HasPrefix(l, "✗") {
					indent = 24
				}
				fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s</text>`+"\n", left+indent, row.y+svgLineH+i*svgLineH, ink, esc(l))
			}
		}
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// svgRows lays the steps and checks out in the order WriteText prints
// them.
func (r *Result) svgRows() []svgRow {
	var rows []svgRow
	if len(r.Variants) > 0 {
		rows = append(rows, svgRow{kind: rowVariants, step: &Step{Label: "variants: " + r.Variants.String()}})
	}
	_ = r.interleave(func(s *Step) error {
		switch {
		case s.Kind == StepControl && s.Label == "service restart":
			rows = append(rows, svgRow{kind: rowRestart, step: s})
		case s.Kind == StepControl && strings.HasPrefix(s.Label, "mark "):
			rows = append(rows, svgRow{kind: rowMark, step: s})
		case s.Kind == StepControl && s.From == s.To && (s.Label == "crash" || s.Label == "exit"):
			rows = append(rows, svgRow{kind: rowEnd, step: s})
		case s.Kind == StepControl:
			rows = append(rows, svgRow{kind: rowNote, step: s})
		case s.Kind == StepCall && !s.OK:
			rows = append(rows, svgRow{kind: rowArrow, step: s})
			back := *s
			back.From, back.To, back.Label = s.To, s.From, "returns"
			rows = append(rows, svgRow{kind: rowReturn, step: &back, sub: s.Result.String()})
		default:
			row := svgRow{kind: rowArrow, step: s}
			if s.Kind == StepNotify || s.Result != model.S_OK {
				row.sub = s.Result.String() // a notification's result, or a success code such as BG_S_PARTIAL_COMPLETE
			}
			if s.Retry {
				row.sub += " (retry)"
			}
			rows = append(rows, row)
		}
		return nil
	}, func(c *Check) error {
		rows = append(rows, svgRow{kind: rowCheck, check: c})
		return nil
	}) // appending rows does not fail
	return rows
}

// lifelines returns, per participant, the vertical segments of its
// lifeline: an app's runs from its start to its crash or exit (and again
// if it starts again); a CLSID instance's from its first notification to
// the next restart; the others' from the top to the bottom.
func (r *Result) lifelines(rows []svgRow, bottom int) map[string][][2]int {
	out := map[string][][2]int{}
	open := map[string]int{} // participant → top of its open segment
	kind := map[string]string{}
	for _, p := range r.Participants {
		kind[p.Name] = p.Kind
		if p.Kind != "app" && p.Kind != "clsid" {
			open[p.Name] = svgHeadH - 8
		}
	}
	closeAt := func(name string, y int) {
		if top, ok := open[name]; ok {
			out[name] = append(out[name], [2]int{top, y})
			delete(open, name)
		}
	}
	for _, row := range rows {
		if row.step == nil {
			continue
		}
		s := row.step
		switch row.kind {
		case rowNote:
			if strings.HasPrefix(s.Label, "start as ") {
				if _, ok := open[s.From]; !ok {
					open[s.From] = row.y
				}
			}
		case rowEnd:
			closeAt(s.From, row.y+4)
		case rowRestart:
			for name, k := range kind {
				if k == "clsid" {
					closeAt(name, row.y)
				}
			}
		case rowArrow, rowReturn:
			for _, name := range []string{s.From, s.To} {
				if _, ok := open[name]; !ok && kind[name] == "clsid" {
					open[name] = row.y
				}
			}
		}
	}
	for name := range open {
		closeAt(name, bottom)
	}
	return out
}

// drawArrow draws a call, a notification or a failed call's return: the
// label above the line, the result under it, a cross on the target when a
// notification failed.
func (r *Result) drawArrow(b *strings.Builder, row svgRow, x1, x2 int) {
	s := row.step
	color, marker, dash := "#222", "arrow", ""
	switch {
	case row.kind == rowReturn:
		color, marker, dash = "#c0392b", "arrow-red", ` stroke-dasharray="5 3"`
	case !s.OK && s.Kind == StepNotify:
		color, marker = "#c0392b", ""
	case !s.OK:
		color, marker = "#c0392b", "arrow-red"
	case s.Kind == StepNotify:
		color, marker = "#1f5fbf", "arrow-blue"
	}
	if s.Retry {
		dash = ` stroke-dasharray="6 3"`
	}
	ly := row.y + len(row.lines)*svgLineH + 6 // the line
	mid := (x1 + x2) / 2
	if x1 == x2 { // to itself: a loop to the right
		mid = x1 + svgMinColW/2
	}
	for i, l := range row.lines {
		fmt.Fprintf(b, `<text class="l" x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", mid, row.y+svgLineH-2+i*svgLineH, color, esc(l))
	}
	end := ""
	if marker != "" {
		end = fmt.Sprintf(` marker-end="url(#%s)"`, marker)
	}
	if x1 == x2 {
		fmt.Fprintf(b, `<path d="M%d,%d h30 v8 h-30" fill="none" stroke="%s" stroke-width="1.6"%s%s/>`+"\n", x1, ly-4, color, dash, end)
	} else {
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.6"%s%s/>`+"\n", x1, ly, x2, ly, color, dash, end)
	}
	if !s.OK && s.Kind == StepNotify { // the cross sits on the target's lifeline
		fmt.Fprintf(b, `<path d="M%d,%d L%d,%d M%d,%d L%d,%d" stroke="#c0392b" stroke-width="2.4"/>`+"\n", x2-6, ly-6, x2+6, ly+6, x2+6, ly-6, x2-6, ly+6)
	}
	if row.sub != "" {
		fmt.Fprintf(b, `<text class="l" x="%d" y="%d" text-anchor="middle" fill="%s" font-size="%d">%s</text>`+"\n", mid, ly+svgLineH, color, svgSmall, esc(row.sub))
	}
}

// drawNote draws a note centred on a lifeline, moved in to stay between
// left and right (a wide note on the first or last lifeline).
func drawNote(b *strings.Builder, cx, left, right int, row svgRow, fill, stroke, ink string) {
	w := 0
	for _, l := range row.lines {
		w = max(w, textWidth(l, svgFont))
	}
	w += 16
	cx = max(min(cx, right-w/2), left+w/2)
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s" stroke="%s"/>`+"\n", cx-w/2, row.y+2, w, row.h-4, fill, stroke)
	for i, l := range row.lines {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", cx, row.y+svgLineH+2+i*svgLineH, ink, esc(l))
	}
}

// esc makes text safe in SVG: control characters, which XML does not
// allow even escaped, are written as \xHH, and markup is escaped.
func esc(s string) string { return html.EscapeString(SafeText(s)) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
