// Package mutate generates mutants of Go source files with go/ast, for
// mutation testing: each mutant is one small, deliberate break of the code
// (a negated condition, a dropped statement, swapped branches, an
// off-by-one constant or comparison, a replaced HRESULT). A test suite that
// fails on a mutant "kills" it; the mutants that survive show what the
// suite does not check.
//
// Mutants are made by replacing a byte range of the original file, so
// everything else in the file stays as it was and positions stay
// meaningful. Package mutate only generates and applies mutants; running a
// suite on them is the job of the command in internal/mutate/cmd/mutate.
package mutate

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Operator names a kind of mutation.
type Operator string

// The mutation operators.
const (
	// Negate wraps the condition of an if or for statement in !( ).
	Negate Operator = "negate-condition"
	// Compare replaces a comparison operator with its off-by-one or
	// opposite neighbour (< and <=, > and >=, == and !=).
	Compare Operator = "compare"
	// Logical swaps && and ||.
	Logical Operator = "logical"
	// Drop removes a statement (a call, an assignment, an increment, a
	// send, a defer or go statement).
	Drop Operator = "drop-statement"
	// Swap exchanges the then and else blocks of an if statement.
	Swap Operator = "swap-branches"
	// OffByOne adds one to an integer constant.
	OffByOne Operator = "off-by-one"
	// HRESULT replaces a named HRESULT (model.E_FAIL, model.S_OK, ...)
	// with a different one.
	HRESULT Operator = "hresult"
)

// Operators lists every operator, in a fixed order.
func Operators() []Operator {
	return []Operator{Negate, Compare, Logical, Drop, Swap, OffByOne, HRESULT}
}

// Mutant is one change to one file.
type Mutant struct {
	// File is the path of the mutated file, as given to Generate.
	File string
	// Line and Col locate the change in the original file.
	Line, Col int
	// Func is the function or method the change is in ("" at top level).
	Func string
	// Op is the kind of change.
	Op Operator
	// Original is the replaced source text; Replacement replaces it.
	Original, Replacement string
	// Key identifies the mutant independently of line numbers, so that a
	// reviewed list of equivalent mutants survives edits elsewhere in the
	// file: file base name, function, operator, its occurrence among
	// identical changes in that function, and the change, as in
	//	job.go (*Job).Resume compare#1 "<" -> "<="
	Key string

	start, end int // byte offsets of Original in the file
}

// String returns "file:line:col op: original -> replacement".
func (m Mutant) String() string {
	return fmt.Sprintf("%s:%d:%d %s: %s -> %s", m.File, m.Line, m.Col, m.Op, short(m.Original), short(m.Replacement))
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}

// Apply returns the source of the file with m applied. src must be the
// file's original content.
func (m Mutant) Apply(src []byte) ([]byte, error) {
	if m.start < 0 || m.end > len(src) || m.start > m.end || string(src[m.start:m.end]) != m.Original {
		return nil, fmt.Errorf("mutate: %s does not match the source it was generated from", m)
	}
	out := make([]byte, 0, len(src)+len(m.Replacement))
	out = append(out, src[:m.start]...)
	out = append(out, m.Replacement...)
	return append(out, src[m.end:]...), nil
}

// Dir generates the mutants of every non-test Go file in dir that is
// built for the current GOOS and GOARCH (a mutant of a file the build
// leaves out could never be killed), in file order.
func Dir(dir string) ([]Mutant, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("mutate: list %s: %w", dir, err)
	}
	sort.Strings(names)
	var all []Mutant
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, filepath.Base(name)); err != nil {
			return nil, fmt.Errorf("mutate: %w", err)
		} else if !ok {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("mutate: %w", err)
		}
		ms, err := Generate(name, src)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
	}
	return all, nil
}

// Generate returns the mutants of one Go source file. name is used for
// positions and keys only.
func Generate(name string, src []byte) ([]Mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("mutate: parse: %w", err)
	}
	g := &gen{fset: fset, src: src, name: name, seen: map[string]int{}}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue // constants and types: their mutants mostly do not compile
		}
		g.fn = funcName(fd)
		ast.Inspect(fd.Body, g.visit)
	}
	sort.SliceStable(g.out, func(i, j int) bool { return g.out[i].start < g.out[j].start })
	return g.out, nil
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	star := ""
	if s, ok := t.(*ast.StarExpr); ok {
		t, star = s.X, "*"
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return "(" + star + id.Name + ")." + fd.Name.Name
	}
	return fd.Name.Name
}

type gen struct {
	fset *token.FileSet
	src  []byte
	name string
	fn   string
	seen map[string]int
	out  []Mutant
}

func (g *gen) text(from, to token.Pos) string {
	return string(g.src[g.fset.Position(from).Offset:g.fset.Position(to).Offset])
}

func (g *gen) add(op Operator, from, to token.Pos, repl string) {
	p := g.fset.Position(from)
	start, end := p.Offset, g.fset.Position(to).Offset
	orig := string(g.src[start:end])
	if orig == repl {
		return
	}
	fn := g.fn
	if fn == "" {
		fn = "-"
	}
	base := fmt.Sprintf("%s %s %s", filepath.Base(g.name), fn, op)
	change := fmt.Sprintf("%q -> %q", strings.Join(strings.Fields(orig), " "), strings.Join(strings.Fields(repl), " "))
	g.seen[base+change]++
	g.out = append(g.out, Mutant{File: g.name, Line: p.Line, Col: p.Column, Func: g.fn, Op: op,
		Original: orig, Replacement: repl, Key: fmt.Sprintf("%s#%d %s", base, g.seen[base+change], change), start: start, end: end})
}

var compareSwap = map[token.Token]string{
	token.LSS: "<=", token.LEQ: "<", token.GTR: ">=", token.GEQ: ">", token.EQL: "!=", token.NEQ: "==",
}

func (g *gen) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FuncLit:
		return true
	case *ast.IfStmt:
		g.add(Negate, n.Cond.Pos(), n.Cond.End(), "!("+g.text(n.Cond.Pos(), n.Cond.End())+")")
		if blk, ok := n.Else.(*ast.BlockStmt); ok {
			then, els := g.text(n.Body.Pos(), n.Body.End()), g.text(blk.Pos(), blk.End())
			g.add(Swap, n.Body.Pos(), blk.End(), els+" else "+then)
		}
	case *ast.ForStmt:
		if n.Cond != nil {
			g.add(Negate, n.Cond.Pos(), n.Cond.End(), "!("+g.text(n.Cond.Pos(), n.Cond.End())+")")
		}
	case *ast.BinaryExpr:
		if r, ok := compareSwap[n.Op]; ok {
			g.add(Compare, n.OpPos, n.OpPos+token.Pos(len(n.Op.String())), r)
		}
		switch n.Op {
		case token.LAND:
			g.add(Logical, n.OpPos, n.OpPos+2, "||")
		case token.LOR:
			g.add(Logical, n.OpPos, n.OpPos+2, "&&")
		}
	case *ast.BasicLit:
		if n.Kind == token.INT {
			if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
				g.add(OffByOne, n.Pos(), n.End(), strconv.FormatInt(v+1, 10))
			}
		}
	case *ast.SelectorExpr:
		if x, ok := n.X.(*ast.Ident); ok && x.Name == "model" {
			if r, ok := hresultSwap(n.Sel.Name); ok {
				g.add(HRESULT, n.Pos(), n.End(), "model."+r)
			}
		}
	case *ast.BlockStmt:
		for _, s := range n.List {
			if droppable(s) {
				g.add(Drop, s.Pos(), s.End(), "")
			}
		}
	case *ast.CaseClause:
		for _, s := range n.Body {
			if droppable(s) {
				g.add(Drop, s.Pos(), s.End(), "")
			}
		}
	case *ast.CommClause:
		for _, s := range n.Body {
			if droppable(s) {
				g.add(Drop, s.Pos(), s.End(), "")
			}
		}
	}
	return true
}

// droppable reports whether removing s can still compile: a statement
// that declares nothing.
func droppable(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ExprStmt:
		if c, ok := s.X.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "panic" {
				return false
			}
			return true
		}
		return false
	case *ast.AssignStmt:
		return s.Tok != token.DEFINE
	case *ast.IncDecStmt, *ast.SendStmt, *ast.DeferStmt, *ast.GoStmt:
		return true
	}
	return false
}

// hresultSwap says which HRESULT replaces name, if name is one: a failure
// becomes a different failure, a success becomes a failure (S_FALSE
// becomes S_OK).
func hresultSwap(name string) (string, bool) {
	isHR := false
	for _, p := range []string{"S_", "E_", "BG_E_", "BG_S_", "REGDB_E_", "CO_E_", "RPC_E_", "RPC_S_"} {
		if strings.HasPrefix(name, p) {
			isHR = true
			break
		}
	}
	if !isHR {
		return "", false
	}
	switch {
	case name == "S_FALSE":
		return "S_OK", true
	case name == "E_FAIL":
		return "E_UNEXPECTED", true
	case strings.HasPrefix(name, "S_") || strings.HasPrefix(name, "BG_S_") || strings.HasPrefix(name, "RPC_S_"):
		return "E_FAIL", true
	default:
		return "E_FAIL", true
	}
}

// Equivalents is a reviewed list of equivalent mutants: changes that
// cannot alter what the code does (or not in a way any test can observe),
// each with the reason it was accepted.
type Equivalents map[string]string

// ParseEquivalents reads a list of equivalent mutants: one per line, the
// mutant's Key, then " # " and the reason. Blank lines and lines starting
// with # are comments. A line without a reason, or whose key is not a
// mutant key, is an error: every equivalent mutant must say why it is one.
func ParseEquivalents(data []byte) (Equivalents, error) {
	eq := Equivalents{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		m := keyLine.FindStringSubmatch(s)
		if m == nil {
			return nil, fmt.Errorf("mutate: equivalents line %d: %q is not \"key # reason\" (key: file func op#n \"original\" -> \"replacement\")", i+1, s)
		}
		if _, dup := eq[m[1]]; dup {
			return nil, fmt.Errorf("mutate: equivalents line %d: %s is listed twice", i+1, m[1])
		}
		eq[m[1]] = m[2]
	}
	return eq, nil
}

// keyLine matches "key # reason": the key ends with the quoted replacement.
var keyLine = regexp.MustCompile(`^(\S+ \S+ [a-z-]+#[0-9]+ "(?:[^"\\]|\\.)*" -> "(?:[^"\\]|\\.)*")\s+#\s+(\S.*)$`)
