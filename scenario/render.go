package scenario

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bitssim/bitssim/model"
)

// WriteText writes the log of a run, one step per line, with every check
// in its place: "ok" or "FAIL" and, for failures, what was expected and
// seen.
func (r *Result) WriteText(w io.Writer) error {
	var at atCache
	var buf []byte
	return r.interleave(func(s *Step) (err error) {
		buf, err = writeStepBuf(w, *s, buf, &at)
		return err
	}, func(c *Check) (err error) {
		buf, err = writeCheck(w, r.File, *c, buf)
		return err
	})
}

// interleave calls step for every step and check for every check, in the
// order the run made them: a check after the steps recorded before it.
// The checks of a Result built outside the runner, which does not record
// that order, are placed by their lines: after the steps of earlier lines and
// of their own (checks in a repeat body then come after its last round).
// The first error ends the walk.
func (r *Result) interleave(step func(*Step) error, check func(*Check) error) error {
	checks := sortedChecks(r.Checks)
	next := 0
	byOrder := len(checks) > 0
	for i := range checks {
		byOrder = byOrder && checks[i].afterSteps > 0
	}
	// flush calls check for the checks due once n steps are written, or,
	// by line, for the checks of the lines up to and including upTo.
	flush := func(n, upTo int) error {
		for ; next < len(checks); next++ {
			c := &checks[next]
			if byOrder && c.afterSteps-1 > n || !byOrder && c.Line > upTo {
				return nil
			}
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	}
	const end = int(^uint(0) >> 1)
	for i := range r.Steps {
		s := &r.Steps[i]
		if byOrder || s.Line > 0 {
			if err := flush(i, s.Line-1); err != nil {
				return err
			}
		}
		if err := step(s); err != nil {
			return err
		}
		if !byOrder && s.Line > 0 {
			if err := flush(i+1, s.Line); err != nil {
				return err
			}
		}
	}
	return flush(end, end)
}

// atCache keeps the last time fmtAt printed: the steps of a log share
// their times, most of them.
type atCache struct {
	d   time.Duration
	s   string
	set bool
}

// fmtAt is fmtAt(d), printed once for a run of steps at the same time.
func (c *atCache) fmtAt(d time.Duration) string {
	if !c.set || c.d != d {
		c.d, c.s, c.set = d, fmtAt(d), true
	}
	return c.s
}

// writeStepBuf writes one step as a line of the text log (time, from,
// arrow, to, label and result in columns), built in buf's memory, and
// returns that memory for the next line.
func writeStepBuf(w io.Writer, s Step, buf []byte, at *atCache) ([]byte, error) {
	arrow := "->"
	if !s.OK {
		arrow = "-x"
	}
	b := buf[:0]
	b = field(b, at.fmtAt(s.At), 10)
	b = append(b, ' ')
	b = field(b, s.From, 12)
	b = append(append(append(b, ' '), arrow...), ' ')
	b = field(b, s.To, 12)
	b = append(b, ' ')
	if s.hasTail {
		b = append(append(append(b, s.Label...), ' '), s.labelTail...)
		b = pad(b, utf8.RuneCountInString(s.Label)+1+utf8.RuneCountInString(s.labelTail), 44)
	} else {
		b = field(b, s.Label, 44)
	}
	b = append(b, ' ')
	if s.Kind != StepControl {
		b = append(b, s.Result.String()...)
	}
	if s.Retry {
		b = append(b, "  (retry)"...)
	}
	if s.Event != nil && s.Event.Kind == model.EventCommandLine {
		b = append(b, "  ["...)
		b = append(b, s.Event.Target.Program...)
		b = append(b, ' ')
		b = append(b, s.Event.Target.Parameters...)
		b = append(b, ']')
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	if !plain(b) { // a copy only when a control character must be escaped
		_, err := w.Write(append([]byte(SafeText(string(b))), '\n'))
		return b, err
	}
	b = append(b, '\n')
	_, err := w.Write(b)
	return b, err
}

// plain reports whether text is printable ASCII only: nothing for
// SafeText to escape.
func plain(text []byte) bool {
	for _, c := range text {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// appendSafeString appends s to dst as SafeText writes it.
func appendSafeString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return append(dst, SafeText(s)...)
		}
	}
	return append(dst, s...)
}

// field appends s padded with spaces to width runes, as fmt's %-Ns does.
func field(b []byte, s string, width int) []byte {
	return pad(append(b, s...), utf8.RuneCountInString(s), width)
}

// pad appends spaces after n runes up to width.
func pad(b []byte, n, width int) []byte {
	for n < width {
		k := min(width-n, len(spaces))
		b = append(b, spaces[:k]...)
		n += k
	}
	return b
}

// spaces pad the fields of the text log.
const spaces = "                                                "

// sortedChecks returns the checks in the order the run made them, or of
// their lines where that is not known.
func sortedChecks(c []Check) []Check {
	checks := append([]Check(nil), c...)
	sort.SliceStable(checks, func(i, j int) bool {
		if a, b := checks[i].afterSteps, checks[j].afterSteps; a > 0 && b > 0 {
			return a < b // the order the run made them
		}
		return checks[i].Line < checks[j].Line
	})
	return checks
}

// writeCheck writes a check as lines of the text log, built in buf's
// memory, and returns that memory for the next line.
func writeCheck(w io.Writer, file string, c Check, buf []byte) ([]byte, error) {
	b := buf[:0]
	if c.OK {
		b = append(b, "ok   "...)
	} else {
		b = append(b, "FAIL "...)
	}
	b = appendSafeString(b, file)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(c.Line), 10)
	b = append(b, ": "...)
	b = appendSafeString(b, c.Text)
	if !c.OK {
		b = append(b, "\n     expected "...)
		b = appendSafeString(b, c.Want)
		b = append(b, "\n     seen     "...)
		b = appendSafeString(b, c.Got)
	}
	b = append(b, '\n')
	_, err := w.Write(b)
	return b, err
}

// SafeText returns s with every control character (C0, DEL and C1: the
// start of every terminal escape sequence) written as \xHH, so text from
// a scenario cannot drive the terminal it is printed on.
func SafeText(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fmtAt prints a virtual time as "t+0s", "t+10m0s".
func fmtAt(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 0 {
		return fmt.Sprintf("t+%dd", d/(24*time.Hour))
	}
	return "t+" + d.String()
}

// WriteJSON writes the result as one JSON object (see JSONResult and
// the schema in cmd/bitssim/bitssim.schema.json), indented, with a final
// newline.
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r.JSON())
}

// WriteJSONLine writes the result as one JSON object on one line: a line
// of JSON Lines.
func (r *Result) WriteJSONLine(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r.JSON())
}

// Summary is one line: "hello.bits: 5 checks, all passed" or "…: 2 of 5
// checks failed".
func (r *Result) Summary() string {
	if len(r.Variants) > 0 {
		return r.summary() + " (variants: " + r.Variants.String() + ")"
	}
	return r.summary()
}

func (r *Result) summary() string {
	if r.Skipped != "" {
		return fmt.Sprintf("%s: skipped on %s: %s", r.File, r.Backend, r.Skipped)
	}
	failed := len(r.Failures())
	n := r.CheckCount()
	if n == 0 {
		return fmt.Sprintf("%s: no checks: write expect statements, or -> HRESULT after a call, to check something", r.File)
	}
	if failed == 0 {
		if n == 1 {
			return fmt.Sprintf("%s: 1 check, passed", r.File)
		}
		return fmt.Sprintf("%s: %d checks, all passed", r.File, n)
	}
	return fmt.Sprintf("%s: %d of %d checks failed", r.File, failed, n)
}

// mermaidID makes a participant name safe for Mermaid.
func mermaidID(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return "p_" + b.String()
}

func mermaidText(s string) string {
	return SafeText(strings.NewReplacer(";", ",", "#", "&#35;", "\n", " ").Replace(s))
}

// WriteMermaid writes the run as a Mermaid sequence diagram: lifelines for
// the apps, the BITS service, CLSID instances and the command line; failed
// deliveries are crossed arrows, failed calls get a dotted return arrow
// with their HRESULT, retries are marked, restarts and marks are notes
// over every lifeline, and every expectation is a note ("✓" or "✗" with
// what was expected and seen) in its place.
func (r *Result) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for _, p := range r.Participants {
		label := p.Name
		if p.User != "" {
			label += " (" + p.User + ")"
		}
		if p.Kind == "bits" {
			label = "BITS service"
		}
		fmt.Fprintf(&b, "    participant %s as %s\n", mermaidID(p.Name), mermaidText(label))
	}
	across := "p_BITS"
	if n := len(r.Participants); n > 1 {
		across = mermaidID(r.Participants[0].Name) + "," + mermaidID(r.Participants[n-1].Name)
	}
	if len(r.Variants) > 0 {
		fmt.Fprintf(&b, "    Note over %s: %s\n", across, mermaidText("variants: "+r.Variants.String()))
	}
	_ = r.interleave(func(s *Step) error {
		label := fmt.Sprintf("%s %s", fmtAt(s.At), s.Label)
		switch {
		case s.Kind == StepControl && (s.Label == "service restart" || strings.HasPrefix(s.Label, "mark ")):
			fmt.Fprintf(&b, "    Note over %s: %s\n", across, mermaidText(label))
		case s.Kind == StepControl:
			fmt.Fprintf(&b, "    Note over %s: %s\n", mermaidID(s.From), mermaidText(label))
		case s.Kind == StepCall && !s.OK:
			fmt.Fprintf(&b, "    %s->>%s: %s\n", mermaidID(s.From), mermaidID(s.To), mermaidText(label))
			fmt.Fprintf(&b, "    %s-->>%s: %s\n", mermaidID(s.To), mermaidID(s.From), mermaidText("returns "+s.Result.String()))
		default:
			arrow := "->>"
			if !s.OK {
				arrow = "-x"
			}
			if s.Kind == StepNotify || s.Result != model.S_OK {
				label += " = " + s.Result.String()
			}
			if s.Retry {
				label += " (retry)"
			}
			fmt.Fprintf(&b, "    %s%s%s: %s\n", mermaidID(s.From), arrow, mermaidID(s.To), mermaidText(label))
		}
		return nil
	}, func(c *Check) error {
		text := fmt.Sprintf("✓ line %d: %s", c.Line, c.Text)
		if !c.OK {
			text = fmt.Sprintf("✗ line %d: %s — expected %s, seen %s", c.Line, c.Text, c.Want, c.Got)
		}
		fmt.Fprintf(&b, "    Note over %s: %s\n", across, mermaidText(text))
		return nil
	}) // writing to a strings.Builder does not fail
	_, err := io.WriteString(w, b.String())
	return err
}
