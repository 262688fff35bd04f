package scenario

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// SVG layout, in pixels.
const (
	svgMargin  = 20
	svgColW    = 190
	svgHeadH   = 56
	svgRowH    = 30
	svgMaxText = 44
)

// WriteSVG draws the run as a sequence diagram: a lifeline per
// participant, an arrow per call and notification (failed deliveries red
// with a cross, retries dashed), notes for apps starting, exiting and
// crashing, restarts and time passing.
func (r *Result) WriteSVG(w io.Writer) error {
	col := map[string]int{}
	for i, p := range r.Participants {
		col[p.Name] = i
	}
	x := func(name string) int { return svgMargin + col[name]*svgColW + svgColW/2 }
	width := 2*svgMargin + len(r.Participants)*svgColW
	height := svgHeadH + (len(r.Steps)+1)*svgRowH + svgMargin
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	b.WriteString(`<defs>` +
		`<marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#222"/></marker>` +
		`<marker id="arrow-blue" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#1f5fbf"/></marker>` +
		`<marker id="cross" markerWidth="12" markerHeight="12" refX="6" refY="6" orient="auto"><path d="M1,1 L11,11 M11,1 L1,11" stroke="#c0392b" stroke-width="2"/></marker>` +
		"</defs>\n")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	// Lifelines and headers.
	for _, p := range r.Participants {
		cx := x(p.Name)
		fill := "#eef3fb"
		switch p.Kind {
		case "bits":
			fill = "#fff4d6"
		case "clsid":
			fill = "#e8f6ec"
		case "cmdline":
			fill = "#f3e9f8"
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999" stroke-dasharray="4 4"/>`+"\n", cx, svgHeadH-6, cx, height-svgMargin)
		fmt.Fprintf(&b, `<rect x="%d" y="8" width="%d" height="%d" rx="6" fill="%s" stroke="#556"/>`+"\n", cx-svgColW/2+8, svgColW-16, svgHeadH-18, fill)
		name := p.Name
		if p.Kind == "bits" {
			name = "BITS service"
		}
		fmt.Fprintf(&b, `<text x="%d" y="28" text-anchor="middle" font-weight="bold">%s</text>`+"\n", cx, esc(name))
		sub := p.Kind
		if p.User != "" {
			sub += " · " + p.User
		}
		fmt.Fprintf(&b, `<text x="%d" y="42" text-anchor="middle" fill="#555" font-size="10">%s</text>`+"\n", cx, esc(sub))
	}
	// Steps.
	for i, s := range r.Steps {
		y := svgHeadH + (i+1)*svgRowH
		label := fmtAt(s.At) + " " + s.Label
		if s.Kind == StepControl {
			cx := x(s.From)
			tw := min(len(label)*6+16, svgColW*2)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" rx="3" fill="#fffbe6" stroke="#b8a04a"/>`+"\n", cx-tw/2, y-14, tw)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#5a4a00">%s</text>`+"\n", cx, y, esc(clip(label, svgMaxText*2)))
			continue
		}
		x1, x2 := x(s.From), x(s.To)
		color, marker, dash := "#222", "arrow", ""
		if s.Kind == StepNotify {
			color, marker = "#1f5fbf", "arrow-blue"
		}
		if !s.OK {
			color, marker = "#c0392b", "cross"
		}
		if s.Retry {
			dash = ` stroke-dasharray="6 3"`
		}
		if s.Kind == StepNotify || !s.OK {
			label += " = " + s.Result.String()
		}
		if s.Retry {
			label += " (retry)"
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1.6"%s marker-end="url(#%s)"/>`+"\n", x1, y, x2, y, color, dash, marker)
		mid := (x1 + x2) / 2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", mid, y-5, color, esc(clip(label, max(svgMaxText, abs(x2-x1)/6))))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func esc(s string) string { return html.EscapeString(s) }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
