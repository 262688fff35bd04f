package scenario

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// token is one word of a scenario line.
type token struct {
	text   string
	col    int  // 1-based column (in runes) where the token starts
	quoted bool // written in double quotes
}

// SyntaxError is a bad scenario: where, which token, and a hint.
type SyntaxError struct {
	File  string
	Line  int
	Col   int
	Token string
	Msg   string
	Hint  string
}

// Error prints "file:line:col: msg (at "token"); hint".
func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	if e.Token != "" {
		s += fmt.Sprintf(" (at %q)", e.Token)
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// lexCode splits a line into tokens: words separated by blanks, double
// quoted strings (a backslash escapes only a double quote, and \0 is a
// NUL character; other backslashes stay, so a quoted Windows path stays as
// written unless a part of it begins with 0: "C:\dl\0.bin" holds a NUL,
// C:\dl\0.bin unquoted does not), and a '#' at the start of a word begins a
// comment. It also returns where the code ends: the byte offset of the
// comment, or len(line).
func lexCode(file string, lineNo int, line string) ([]token, int, error) {
	return lexInto(nil, file, lineNo, line)
}

// lexInto is lexCode appending to toks[:0], so that a reader can reuse one
// slice for every line.
func lexInto(toks []token, file string, lineNo int, line string) ([]token, int, error) {
	toks = toks[:0]
	col := 1
	i := 0
	for i < len(line) {
		r, size := rune(line[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(line[i:])
		}
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, 0, &SyntaxError{File: file, Line: lineNo, Col: col, Msg: "invalid UTF-8", Hint: "save the scenario as UTF-8"}
		case r == ' ' || r == '\t' || r == '\r':
			i += size
			col++
		case r == '#':
			return toks, i, nil
		case r == '"':
			start := col
			var b strings.Builder
			i += size
			col++
			closed := false
			for i < len(line) {
				r, size = utf8.DecodeRuneInString(line[i:])
				if r == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '0') {
					c := byte('"')
					if line[i+1] == '0' {
						c = 0 // \0: a NUL character
					}
					b.WriteByte(c)
					i += 2
					col += 2
					continue
				}
				i += size
				col++
				if r == '"' {
					closed = true
					break
				}
				b.WriteRune(r)
			}
			if !closed {
				return nil, 0, &SyntaxError{File: file, Line: lineNo, Col: start, Token: line[strings.Index(line, `"`):],
					Msg: "unterminated string", Hint: `close it with a double quote; write \" for a quote inside`}
			}
			toks = append(toks, token{text: b.String(), col: start, quoted: true})
		default:
			start := col
			j := i
			for j < len(line) {
				if c := line[j]; c < utf8.RuneSelf { // ASCII, the commonest
					if c == ' ' || c == '\t' || c == '\r' || c == '"' {
						break
					}
					j++
					col++
					continue
				}
				_, s2 := utf8.DecodeRuneInString(line[j:])
				j += s2
				col++
			}
			toks = append(toks, token{text: line[i:j], col: start})
			i = j
		}
	}
	return toks, len(line), nil
}
