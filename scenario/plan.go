package scenario

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"sort"
	"strings"
	"unsafe"

	"github.com/bitssim/bitssim/model"
)

// Plan is a script read once, checked, and kept in a compact form for
// RunText: each statement as parsed (about 10 bytes of it; the strings it
// has are places in its line, read again from the source when it runs),
// and the statement after which each job is never named again, where the
// run lets go of its handles on the job so that the service can free a
// finished job. A scenario of any length then runs in memory for its
// notifications, not its jobs, and is parsed once: RunText given the Plan
// (RunOptions.Plan) reads the lines of the same source again, but neither
// lexes nor checks them.
type Plan struct {
	header   Script   // version, seed, variants and clock; no Stmts
	code     [][]byte // the statements, encoded by planEncoder, in chunks
	strs     []string // strings of statements that are not in their line (a quoted string with \")
	seed     maphash.Seed
	stmts    int       // statements in code
	lines    int       // lines of the source
	size     int64     // bytes of the source
	releases []release // in the order of the statements
}

// release: after statement number stmt (from 0), the script never names
// again the job jobsNamed gives at pos for it.
type release struct{ stmt, pos uint32 }

// Statements returns how many statements the script has (those of its
// header aside: version, seed, variant and clock).
func (p *Plan) Statements() int { return p.stmts }

// Prepare reads a script and checks it as Validate does, and returns its
// Plan.
func Prepare(name string, src io.Reader) (*Plan, error) {
	cr := &countingReader{r: src}
	sr := newStmtReader(name, cr)
	sr.p.reuse, sr.p.view = true, true // each statement is encoded before the next is read
	enc := planEncoder{idx: map[string]uint32{}, seed: maphash.MakeSeed()}
	var last []release // the last mention of each job, by the job's number
	n := uint32(0)
	for {
		st, ok, err := sr.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		enc.stmt(sr.line, sr.virt, &st)
		eachJobNamed(&st, func(pos int, job string) {
			if no, ok := sr.p.jobNumber(job); ok { // it is: the statement checked
				for len(last) <= no {
					last = append(last, release{})
				}
				last[no] = release{n, uint32(pos)}
			}
		})
		n++
	}
	p := &Plan{header: *sr.sc, code: enc.done(), strs: enc.strs, seed: enc.seed, stmts: int(n), lines: sr.lineNo, size: cr.n,
		releases: last}
	sort.Slice(p.releases, func(i, j int) bool {
		a, b := p.releases[i], p.releases[j]
		return a.stmt < b.stmt || (a.stmt == b.stmt && a.pos < b.pos)
	})
	return p, nil
}

// eachJobNamed calls f with the jobs a statement names, whose handles it
// may use: the job of a call, of an expectation and of each event of
// expect order. (expect enumjobs compares names: it needs no handle.)
func eachJobNamed(st *Stmt, f func(pos int, job string)) {
	switch {
	case st.Actor != "" && st.Verb != "enumjobs" && len(st.Args) > 0:
		f(0, st.Args[0])
	case st.Expect != nil:
		pos := 0
		if st.Expect.Job != "" {
			f(pos, st.Expect.Job)
			pos++
		}
		for _, item := range st.Expect.Order {
			if item.Job != "" {
				f(pos, item.Job)
				pos++
			}
		}
	}
}

// jobNamedAt returns the job eachJobNamed gives at pos.
func jobNamedAt(st *Stmt, pos int) (job string, ok bool) {
	eachJobNamed(st, func(i int, j string) {
		if i == pos {
			job, ok = j, true
		}
	})
	return job, ok
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// The flags of an encoded statement.
const (
	codeActor     = 1 << iota // an actor follows
	codeWant                  // an HRESULT follows
	codeOpts                  // options follow
	codeExpect                // an expectation follows
	codeWholeLine             // Text is the whole line (else it follows)
	codeWantNot               // the call may return anything but the HRESULT
)

// The flags of an encoded expectation: which of its fields are set.
const (
	expJob = 1 << iota
	expValue
	expParameters
	expTarget
	expSince
	expUser
	expFile
	expApp
	expNegate
	expFailed
	expAll
	expOrder
	expJobs
	expFileN
	expExt // what a notification carried, a getter's failure, a certificate (expectExt)
)

// verbNames numbers the verbs for the Plan's code.
var verbNames = sortedVerbs()

// verbIndex is verbNames' index of each verb.
var verbIndex = func() map[string]uint64 {
	m := make(map[string]uint64, len(verbNames))
	for i, v := range verbNames {
		m[v] = uint64(i)
	}
	return m
}()

// verbSpecs is the spec of each of verbNames.
var verbSpecs = func() []verbSpec {
	specs := make([]verbSpec, len(verbNames))
	for i, v := range verbNames {
		specs[i] = verbs[v]
	}
	return specs
}()

// verbCache remembers the last verbs a reader met, so that the verb of a
// statement is found, most of the time, by comparing it with a string or
// two instead of hashing it: a script uses a few verbs, in the same order
// statement after statement, and the search starts where the last ended.
type verbCache struct {
	idx  [8]int32 // in verbNames, plus one (0: empty)
	last int      // the entry found last
	next int      // the entry to replace next
}

// index returns verbNames' index of v.
func (c *verbCache) index(v string) (int, bool) {
	for k := range len(c.idx) {
		j := (c.last + k) % len(c.idx)
		if i := c.idx[j]; i > 0 && verbNames[i-1] == v {
			c.last = j
			return int(i - 1), true
		}
	}
	i, ok := verbIndex[v]
	if ok {
		c.idx[c.next] = int32(i) + 1
		c.last, c.next = c.next, (c.next+1)%len(c.idx)
	}
	return int(i), ok
}

// verb returns the spec of the verb v, and its name as verbNames has it
// (memory of its own, where v may be a view of the scanner's bytes).
func (p *parser) verb(v string) (name string, spec verbSpec, ok bool) {
	i, ok := p.verbs.index(v)
	if !ok {
		return v, verbSpec{}, false
	}
	return verbNames[i], verbSpecs[i], true
}

// planEncoder writes statements as a Plan's code: a hash of the
// statement's line (4 bytes, little-endian; a statement runs only from
// the line Prepare checked), then numbers as uvarints,
// and a string as its place in the line (offset<<1, length) or, when the
// line does not have it, its index in strs (index<<1 | 1). The code is
// kept in chunks of 64 KiB (or one statement, when longer), which no
// statement straddles: it grows without copying what it has.
type planEncoder struct {
	b        []byte   // the statement being written
	chunk    []byte   // the chunk being filled
	chunks   [][]byte // the chunks filled
	line     string   // the line of the statement being written
	seed     maphash.Seed
	virt     int // the lineSource line of the statement being written
	prevLine int // the lineSource line of the statement before
	strs     []string
	idx      map[string]uint32
	verbs    verbCache
}

// planChunk is the size of a chunk of a Plan's code.
const planChunk = 64 << 10

// done returns the code.
func (e *planEncoder) done() [][]byte {
	if len(e.chunk) > 0 {
		e.chunks = append(e.chunks, e.chunk)
		e.chunk = nil
	}
	return e.chunks
}

func (e *planEncoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *planEncoder) str(s string) {
	if i, ok := within(e.line, s); ok { // a word of the line: where it is, without searching
		e.uint(uint64(i) << 1)
		e.uint(uint64(len(s)))
		return
	}
	if i := strings.Index(e.line, s); i >= 0 {
		e.uint(uint64(i) << 1)
		e.uint(uint64(len(s)))
		return
	}
	k, ok := e.idx[s]
	if !ok {
		k = uint32(len(e.strs))
		e.strs = append(e.strs, s)
		e.idx[s] = k
	}
	e.uint(uint64(k)<<1 | 1)
}

// within returns where s is in line when s is a part of line's memory.
func within(line, s string) (int, bool) {
	if len(s) == 0 || len(s) > len(line) {
		return 0, false
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(line)))
	at := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	if at < start || at-start > uintptr(len(line)-len(s)) {
		return 0, false
	}
	return int(at - start), true
}

// stmt writes a statement of line, the virt'th line lineSource read.
func (e *planEncoder) stmt(line string, virt int, st *Stmt) {
	e.line, e.virt = line, virt
	e.b = binary.LittleEndian.AppendUint32(e.b[:0], uint32(maphash.String(e.seed, line)))
	e.write(st)
	if len(e.chunk)+len(e.b) > cap(e.chunk) {
		if len(e.chunk) > 0 {
			e.chunks = append(e.chunks, e.chunk)
		}
		e.chunk = make([]byte, 0, max(planChunk, len(e.b)))
	}
	e.chunk = append(e.chunk, e.b...)
}

// write encodes the statement into e.b.
func (e *planEncoder) write(st *Stmt) {
	e.uint(uint64(e.virt - e.prevLine))
	e.prevLine = e.virt
	i, _ := e.verbs.index(st.Verb)
	e.uint(uint64(i))
	var flags uint64
	if st.Actor != "" {
		flags |= codeActor
	}
	if st.Want != 0 {
		flags |= codeWant
	}
	if st.WantNot {
		flags |= codeWantNot
	}
	if len(st.opts) > 0 {
		flags |= codeOpts
	}
	if st.Expect != nil {
		flags |= codeExpect
	}
	if st.Text == e.line {
		flags |= codeWholeLine
	}
	e.uint(flags)
	if flags&codeWholeLine == 0 {
		e.str(st.Text)
	}
	if flags&codeActor != 0 {
		e.str(st.Actor)
	}
	if flags&codeWant != 0 {
		e.uint(uint64(st.Want))
	}
	e.uint(uint64(len(st.Args)))
	for _, a := range st.Args {
		e.str(a)
	}
	if flags&codeOpts != 0 {
		e.uint(uint64(len(st.opts)))
		for k, v := range st.opts {
			e.str(k)
			e.str(v)
		}
	}
	if flags&codeExpect != 0 {
		e.expectation(st.Expect)
	}
}

func (e *planEncoder) expectation(x *Expectation) {
	var flags uint64
	strs := [...]string{x.Job, x.Value, x.Parameters, x.Target, x.Since, x.User, x.File, x.App}
	for i, s := range strs {
		if s != "" {
			flags |= 1 << i
		}
	}
	set := func(ok bool, bit uint64) {
		if ok {
			flags |= bit
		}
	}
	set(x.Negate, expNegate)
	set(x.Failed, expFailed)
	set(x.All, expAll)
	set(len(x.Order) > 0, expOrder)
	set(len(x.Jobs) > 0, expJobs)
	set(x.FileN != 0, expFileN)
	set(x.hasExt(), expExt)
	e.uint(uint64(x.Kind))
	e.uint(flags)
	for _, s := range strs {
		if s != "" {
			e.str(s)
		}
	}
	e.uint(uint64(x.Event))
	e.b = binary.AppendVarint(e.b, int64(x.Count))
	if flags&expFileN != 0 {
		e.uint(uint64(x.FileN))
	}
	if flags&expOrder != 0 {
		e.uint(uint64(len(x.Order)))
		for _, item := range x.Order {
			e.expectation(item)
		}
	}
	if flags&expJobs != 0 {
		e.uint(uint64(len(x.Jobs)))
		for _, j := range x.Jobs {
			e.str(j)
		}
	}
	if flags&expExt != 0 {
		e.expectationExt(x)
	}
}

// planReader reads a Plan's statements back, their strings from the
// lines of the source read again. The Stmt it returns, with its Args,
// options and Expectation, is reused by the next statement: its strings
// may be kept, its slices and maps may not.
type planReader struct {
	name   string
	p      *Plan
	code   []byte   // the chunk being read
	pos    int      // where in code
	chunks [][]byte // the chunks after it
	src    *countingReader
	lines  lineSource
	line   string
	n      int // statements read
	st     Stmt
	args   []string
	opts   map[string]string
	exp    Expectation
	bad    bool // the code does not fit the lines: the source changed
	arena  lineArena
}

// lineArena copies strings into chunks it shares between them, so that
// keeping a line that must outlive the scanner's buffer is not an
// allocation each. A chunk lives as long as any string in it: a string
// kept keeps at most lineArenaChunk bytes of other lines with it, and never
// more than the source's size in all.
type lineArena struct{ buf []byte }

// lineArenaChunk is the size of a lineArena's chunk; a string longer than
// an eighth of it has memory of its own.
const lineArenaChunk = 8 << 10

// clone returns a copy of s.
func (a *lineArena) clone(s string) string {
	if len(s) == 0 || len(s) > lineArenaChunk/8 {
		return strings.Clone(s)
	}
	if len(s) > cap(a.buf)-len(a.buf) {
		a.buf = make([]byte, 0, lineArenaChunk)
	}
	n := len(a.buf)
	a.buf = append(a.buf, s...)
	return unsafe.String(&a.buf[n], len(s))
}

func newPlanReader(name string, p *Plan, src io.Reader) *planReader {
	cr := &countingReader{r: src}
	return &planReader{name: name, p: p, chunks: p.code, src: cr, lines: lineSource{scanner: newLineScanner(cr)}, args: make([]string, 0, 8)}
}

// changed is the error of a source that is not the one Prepare read.
func (d *planReader) changed() error {
	if err := d.lines.scanner.Err(); err != nil {
		return fmt.Errorf("scenario: read %s: %w", d.name, err)
	}
	return fmt.Errorf("scenario: %s changed after Prepare read it (line %d): check it and run it again", d.name, d.lines.lineNo)
}

// next returns the next statement; ok is false at the end.
func (d *planReader) next() (st *Stmt, ok bool, err error) {
	if d.n == d.p.stmts {
		for d.lines.scanner.Scan() { // to the end, to see that nothing changed
			d.lines.lineNo++
		}
		if d.lines.scanner.Err() != nil || d.lines.lineNo != d.p.lines || d.src.n != d.p.size {
			return nil, false, d.changed()
		}
		return nil, false, nil
	}
	if d.pos == len(d.code) && len(d.chunks) > 0 {
		d.code, d.chunks, d.pos = d.chunks[0], d.chunks[1:], 0
	}
	if len(d.code)-d.pos < 4 {
		return nil, false, d.changed()
	}
	sum := binary.LittleEndian.Uint32(d.code[d.pos:])
	d.pos += 4
	virt := d.lines.virt + int(d.uint())
	var lineNo int
	var line string
	for d.lines.virt < virt {
		var more bool
		lineNo, line, more = d.lines.nextLine()
		if !more {
			return nil, false, d.changed()
		}
		if d.lines.virt < virt && startsRepeat(line) {
			toks, _, err := lexInto(d.lines.toks, d.name, lineNo, line)
			d.lines.toks = toks
			if err != nil || len(toks) == 0 {
				return nil, false, d.changed()
			}
			if t := toks[0]; !t.quoted && strings.EqualFold(t.text, "repeat") && d.lines.startRepeat(d.name, lineNo, toks) != nil {
				return nil, false, d.changed()
			}
		}
	}
	if uint32(maphash.String(d.p.seed, line)) != sum {
		return nil, false, d.changed()
	}
	d.line = d.arena.clone(line) // its strings may be kept: by the backend (names, URLs, paths), by the runner
	d.n++
	verb := d.uint()
	flags := d.uint()
	if verb >= uint64(len(verbNames)) {
		d.bad = true
	}
	d.st = Stmt{Line: lineNo, Verb: verbNames[min(verb, uint64(len(verbNames)-1))], Text: d.line}
	if flags&codeWholeLine == 0 {
		d.st.Text = d.str()
	}
	if flags&codeActor != 0 {
		d.st.Actor = d.str()
	}
	if flags&codeWant != 0 {
		d.st.Want = model.HRESULT(uint32(d.uint()))
	}
	d.st.WantNot = flags&codeWantNot != 0
	d.args = d.args[:0]
	for n := d.uint(); n > 0 && !d.bad; n-- {
		d.args = append(d.args, d.str())
	}
	d.st.Args = d.args
	if flags&codeOpts != 0 {
		if d.opts == nil {
			d.opts = map[string]string{}
		}
		clear(d.opts)
		for n := d.uint(); n > 0 && !d.bad; n-- {
			k := d.str()
			d.opts[k] = d.str()
		}
		d.st.opts = d.opts
	}
	if flags&codeExpect != 0 {
		jobs := d.exp.Jobs[:0]
		d.exp = Expectation{}
		d.expectation(&d.exp, jobs)
		d.st.Expect = &d.exp
	}
	if d.bad {
		return nil, false, d.changed()
	}
	return &d.st, true, nil
}

// startsRepeat reports whether line may be a repeat statement: its first
// word is repeat, in any case.
func startsRepeat(line string) bool {
	line = strings.TrimLeft(line, " \t")
	return len(line) >= len("repeat") && strings.EqualFold(line[:len("repeat")], "repeat")
}

// expectation reads an expectation into x; jobs is memory for x.Jobs.
func (d *planReader) expectation(x *Expectation, jobs []string) {
	x.Kind = ExpectKind(d.uint())
	flags := d.uint()
	for i, s := range [...]*string{&x.Job, &x.Value, &x.Parameters, &x.Target, &x.Since, &x.User, &x.File, &x.App} {
		if flags&(1<<i) != 0 {
			*s = d.str()
		}
	}
	x.Negate, x.Failed, x.All = flags&expNegate != 0, flags&expFailed != 0, flags&expAll != 0
	x.Event = model.EventKind(d.uint())
	x.Count = d.int()
	if flags&expFileN != 0 {
		x.FileN = int(d.uint())
	}
	if flags&expOrder != 0 {
		for n := d.uint(); n > 0 && !d.bad; n-- {
			item := &Expectation{}
			d.expectation(item, nil)
			x.Order = append(x.Order, item)
		}
	}
	if flags&expJobs != 0 {
		for n := d.uint(); n > 0 && !d.bad; n-- {
			jobs = append(jobs, d.str())
		}
		x.Jobs = jobs
	}
	if flags&expExt != 0 {
		d.expectationExt(x)
	}
}

func (d *planReader) uint() uint64 {
	if p := d.pos; p < len(d.code) && d.code[p] < 0x80 { // one byte, most of them: inlined
		d.pos = p + 1
		return uint64(d.code[p])
	}
	return d.uvarint()
}

// uvarint reads a number of any length.
func (d *planReader) uvarint() uint64 {
	v, n := binary.Uvarint(d.code[d.pos:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.pos += n
	return v
}

func (d *planReader) int() int {
	v, n := binary.Varint(d.code[d.pos:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.pos += n
	return int(v)
}

// str reads a string: a place in the line, or one of the Plan's strs.
func (d *planReader) str() string {
	if p := d.pos; p+1 < len(d.code) && d.code[p]&0x81 == 0 && d.code[p+1] < 0x80 {
		// A place in the line, its offset and length a byte each: most.
		off, n := int(d.code[p]>>1), int(d.code[p+1])
		d.pos = p + 2
		if off+n > len(d.line) {
			d.bad = true
			return ""
		}
		return d.line[off : off+n]
	}
	v := d.uint()
	if v&1 == 1 {
		if i := v >> 1; i < uint64(len(d.p.strs)) {
			return d.p.strs[i]
		}
		d.bad = true
		return ""
	}
	off, n := v>>1, d.uint()
	if off > uint64(len(d.line)) || n > uint64(len(d.line))-off {
		d.bad = true
		return ""
	}
	return d.line[off : off+n]
}

// lower is strings.ToLower(s) without an allocation for a word it has
// seen before: a notification kind, which expect statements name by the
// thousand. It keeps at most lowerWords words.
func (p *parser) lower(s string) string {
	if l, ok := p.lowered[s]; ok {
		return l
	}
	l := strings.ToLower(s)
	if l != s && len(p.lowered) < lowerWords { // ToLower made a new string
		if p.lowered == nil {
			p.lowered = map[string]string{}
		}
		p.lowered[p.keep(s)] = l
	}
	return l
}

// lowerWords bounds the words parser.lower keeps.
const lowerWords = 64
