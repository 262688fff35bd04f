package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bitssim/bitssim/model"
)

// classCLSID is the CLSID of a declared class: the GUID it is named by,
// or one derived from its name.
func classCLSID(name string) model.GUID {
	if g, err := model.ParseGUID(name); err == nil {
		return g
	}
	return model.GUID(uuid.NewSHA1(uuid.NameSpaceURL, []byte("bitssim:class:"+name)))
}

// onCall selects the calls a behaviour applies to: a method, and for
// FileTransferred and FileRangesTransferred optionally the file's
// position in the job (from 1).
type onCall struct {
	kind model.EventKind
	file int // 0: every file
}

// behavior scripts a callback object of a scenario, or the instances of
// a class.
type behavior struct {
	// ret is what the selected calls return (0: S_OK); fails sets E_FAIL.
	ret model.HRESULT
	// failFirst: only the first failFirst selected calls return ret (or
	// E_FAIL when ret is unset); later ones succeed.
	failFirst int
	// on selects calls; empty means JobTransferred, JobError and
	// FileTransferred.
	on []onCall
	// complete and cancel: JobTransferred (complete) or JobTransferred
	// and JobError (cancel) act on the job after succeeding.
	complete, cancel bool
	// hold: the selected calls wait until the script releases them
	// (clock automatic), counted under holder.
	hold   bool
	holder string
	// iface is the interfaces the object implements: "ranges" (all three,
	// the default), "file" (IBackgroundCopyCallback2), "basic"
	// (IBackgroundCopyCallback only) or "none".
	iface string
}

// behaviorOf reads the behaviour options of setnotifyinterface or class.
func behaviorOf(opts map[string]string) (behavior, error) {
	b := behavior{iface: "ranges"}
	if len(opts) == 1 { // the commonest: one bare word (complete, fails, hold …)
		for k, v := range opts {
			switch {
			case v != "":
			case k == "complete":
				b.complete = true
				return b, nil
			case k == "cancel":
				b.cancel = true
				return b, nil
			case k == "fails":
				b.ret = model.E_FAIL
				return b, nil
			}
		}
	}
	if _, ok := opts["fails"]; ok {
		b.ret = model.E_FAIL
	}
	if v, ok := opts["return"]; ok {
		if b.ret != 0 {
			return b, errors.New("write fails or return=HRESULT, not both")
		}
		hr, err := model.ParseHRESULT(v)
		if err != nil {
			return b, fmt.Errorf("return takes an HRESULT (S_FALSE, E_FAIL, 0x80070005), not %q", v)
		}
		if hr == model.S_OK {
			return b, errors.New("return=S_OK is what every call returns anyway")
		}
		b.ret = hr
	}
	if v, ok := opts["failfirst"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return b, fmt.Errorf("failfirst takes a count, not %q", v)
		}
		b.failFirst = n
	}
	if v, ok := opts["on"]; ok {
		for _, item := range strings.Split(v, ",") {
			name, file, hasFile := strings.Cut(item, ":")
			k, err := model.ParseEventKind(name)
			if err != nil || k == model.EventCommandLine {
				return b, fmt.Errorf("on takes callback methods (JobTransferred, JobError, JobModification, FileTransferred, FileRangesTransferred), not %q", name)
			}
			c := onCall{kind: k}
			if hasFile {
				n, err := strconv.Atoi(file)
				if err != nil || n < 1 || (k != model.EventFileTransferred && k != model.EventFileRangesTransferred) {
					return b, fmt.Errorf("%q: only FileTransferred and FileRangesTransferred take a file number (from 1)", item)
				}
				c.file = n
			}
			b.on = append(b.on, c)
		}
		if _, hold := opts["hold"]; b.ret == 0 && b.failFirst == 0 && !hold {
			return b, errors.New("on selects the calls that fail or hold: add fails, failfirst=N, return=HRESULT or hold")
		}
	}
	if v, ok := opts["iface"]; ok {
		switch v {
		case "basic", "file", "ranges", "none":
			b.iface = v
		default:
			return b, fmt.Errorf("iface is basic, file, ranges or none, not %q", v)
		}
	}
	_, b.hold = opts["hold"]
	if b.hold && len(b.on) == 0 && b.ret == 0 && b.failFirst == 0 {
		b.on = nil // every JobTransferred, JobError and FileTransferred
	}
	_, b.complete = opts["complete"]
	_, b.cancel = opts["cancel"]
	return b, nil
}

// callback is a scenario's callback object.
type callback struct {
	b     behavior
	app   string // the app that registered it ("" for a class instance)
	gates *gates // where hold calls wait (nil: none hold)
	mu    sync.Mutex
	n     int // selected calls so far
}

// gates hold the calls of hold objects until the script releases them,
// counted per holder (an app or a class).
type gates struct {
	mu      sync.Mutex
	changed *sync.Cond
	waiting map[string]int // holder → calls waiting now
	permits map[string]int // holder → calls that may go
	open    bool           // the run is over: every call goes
	onHold  func()         // called (without mu) when a call starts waiting
	// hold, on the simulator's manual clock, parks a call in the service
	// until ready reports true (sim.Service.Hold): the service goes on
	// meanwhile, and lets the call go in turn once it is released. nil:
	// the call waits here, on a backend whose callbacks run concurrently.
	hold func(ready func() bool) error
}

func newGates() *gates {
	g := &gates{waiting: map[string]int{}, permits: map[string]int{}}
	g.changed = sync.NewCond(&g.mu)
	return g
}

// wait holds a call of holder until a permit lets it go.
func (g *gates) wait(holder string) {
	g.mu.Lock()
	g.waiting[holder]++
	g.changed.Broadcast()
	notify, hold := g.onHold, g.hold
	g.mu.Unlock()
	if notify != nil {
		notify()
	}
	if hold != nil {
		// Called by the service with its lock held: it reads only the gates.
		_ = hold(func() bool {
			g.mu.Lock()
			defer g.mu.Unlock()
			return g.open || g.permits[holder] > 0
		}) // an error: the service closed, and openAll let every call go
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for !g.open && g.permits[holder] == 0 {
		g.changed.Wait()
	}
	if !g.open {
		g.permits[holder]--
	}
	g.waiting[holder]--
	g.changed.Broadcast()
}

// release lets n calls of holder go (n < 0: every call waiting now).
func (g *gates) release(holder string, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if n < 0 {
		n = g.waiting[holder] - g.permits[holder]
	}
	g.permits[holder] += max(n, 0)
	g.changed.Broadcast()
}

// await waits until n calls of holder are waiting, or timeout passes.
func (g *gates) await(holder string, n int, timeout time.Duration) error {
	timer := time.AfterFunc(timeout, func() {
		g.mu.Lock()
		g.changed.Broadcast()
		g.mu.Unlock()
	})
	defer timer.Stop()
	deadline := time.Now().Add(timeout)
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.waiting[holder]-g.permits[holder] != n {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d calls of %s held after %v, not %d", g.waiting[holder]-g.permits[holder], holder, timeout, n)
		}
		g.changed.Wait()
	}
	return nil
}

// held returns how many calls wait, over every holder.
func (g *gates) held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for h, w := range g.waiting {
		n += w - g.permits[h]
	}
	return n
}

// openAll lets every call go, now and later: the run is over.
func (g *gates) openAll() {
	g.mu.Lock()
	g.open = true
	g.changed.Broadcast()
	g.mu.Unlock()
}

// noCallback implements no callback interface: BITS refuses it.
type noCallback struct{ _ byte }

// answer is the object's answer to a call, for harness.Behavior.Answer:
// the scripted result, then what the object does to the job.
func (c *callback) answer(job model.Job, kind model.EventKind, file model.File) error {
	switch kind {
	case model.EventJobTransferred:
		return c.JobTransferred(job)
	case model.EventJobError:
		return c.JobError(job, model.JobError{})
	case model.EventJobModification:
		return c.JobModification(job)
	case model.EventFileTransferred:
		return c.FileTransferred(job, file)
	case model.EventFileRangesTransferred:
		return c.FileRangesTransferred(job, file, nil)
	}
	return nil
}

// selected reports whether the call of kind for the file at position
// file (0 for none) is one b scripts.
func (b *behavior) selected(kind model.EventKind, file int) bool {
	if len(b.on) == 0 {
		return kind == model.EventJobTransferred || kind == model.EventJobError || kind == model.EventFileTransferred
	}
	for _, o := range b.on {
		if o.kind == kind && (o.file == 0 || o.file == file) {
			return true
		}
	}
	return false
}

// result is what the call returns: nil for S_OK, else the HRESULT. A
// hold call first waits for its release.
func (c *callback) result(kind model.EventKind, file int) error {
	if !c.b.selected(kind, file) {
		return nil
	}
	if c.b.hold && c.gates != nil {
		c.gates.wait(c.b.holder)
	}
	ret := c.b.ret
	if c.b.failFirst > 0 {
		c.mu.Lock()
		c.n++
		n := c.n
		c.mu.Unlock()
		if n > c.b.failFirst {
			return nil
		}
		if ret == 0 {
			ret = model.E_FAIL
		}
	}
	if ret == 0 {
		return nil
	}
	return ret
}

// JobTransferred returns the scripted result, then completes or cancels
// the job when told to.
func (c *callback) JobTransferred(job model.Job) error {
	if err := c.result(model.EventJobTransferred, 0); err != nil {
		return err
	}
	return c.act(job)
}

// act completes or cancels the job, as scripted; a job already in a
// final state is left as it is (delivery is at least once).
func (c *callback) act(job model.Job) error {
	var err error
	switch {
	case c.b.complete:
		_, err = job.Complete()
	case c.b.cancel:
		err = job.Cancel()
	}
	if errors.Is(err, model.BG_E_INVALID_STATE) {
		return nil
	}
	return err
}

// JobError returns the scripted result, then cancels the job when told to.
func (c *callback) JobError(job model.Job, _ model.JobError) error {
	if err := c.result(model.EventJobError, 0); err != nil {
		return err
	}
	if c.b.cancel {
		return c.act(job)
	}
	return nil
}

// JobModification returns the scripted result (S_OK unless on= names it).
func (c *callback) JobModification(model.Job) error {
	return c.result(model.EventJobModification, 0)
}

// FileTransferred returns the scripted result for the file's position.
func (c *callback) FileTransferred(job model.Job, file model.File) error {
	return c.result(model.EventFileTransferred, filePosition(c.b, job, file))
}

// FileRangesTransferred returns the scripted result for the file's position.
func (c *callback) FileRangesTransferred(job model.Job, file model.File, _ []model.FileRange) error {
	return c.result(model.EventFileRangesTransferred, filePosition(c.b, job, file))
}

// filePosition is the position of file in job, from 1; 0 when b does not
// need it or the job cannot be read.
func filePosition(b behavior, job model.Job, file model.File) int {
	need := false
	for _, o := range b.on {
		need = need || o.file > 0
	}
	if !need {
		return 0
	}
	name, err := file.GetLocalName()
	if err != nil {
		return 0
	}
	files, err := job.EnumFiles()
	if err != nil {
		return 0
	}
	for i, f := range files {
		if n, err := f.GetLocalName(); err == nil && n == name {
			return i + 1
		}
	}
	return 0
}

// parsePropertyValue reads the value of a job property as a scenario
// writes it: true/false for the boolean properties, a number for
// COST_FLAGS, MINIMUM_NOTIFICATION_INTERVAL_MS and MAX_DOWNLOAD_SIZE, a
// class, GUID or NULL for NOTIFICATION_CLSID.
func parsePropertyValue(id model.JobPropertyID, s string, class func(string) (model.GUID, bool)) (model.JobPropertyValue, error) {
	var v model.JobPropertyValue
	switch id {
	case model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
		g, ok := class(s)
		if !ok {
			return v, fmt.Errorf("unknown class %q", s)
		}
		v.ClsID = g
	case model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS:
		n, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			return v, fmt.Errorf("%v takes a 32-bit number, not %q", id, s)
		}
		v.DWORD = uint32(n)
	case model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
		n, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return v, fmt.Errorf("%v takes a number of bytes, not %q", id, s)
		}
		v.Uint64 = n
	default:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return v, fmt.Errorf("%v takes true or false, not %q", id, s)
		}
		v.Enable = b
	}
	return v, nil
}

// propertyHint says how to write a property's value.
func propertyHint(id model.JobPropertyID) string {
	switch id {
	case model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
		return "write a declared class, a GUID or NULL"
	case model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
		return "write a number, e.g. 0 or 0x10"
	}
	return "write true or false"
}

// propertyString prints a property value the way parsePropertyValue reads it.
func propertyString(id model.JobPropertyID, v model.JobPropertyValue, className func(model.GUID) string) string {
	switch id {
	case model.BITS_JOB_PROPERTY_NOTIFICATION_CLSID:
		return className(v.ClsID)
	case model.BITS_JOB_PROPERTY_ID_COST_FLAGS, model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS:
		return strconv.FormatUint(uint64(v.DWORD), 10)
	case model.BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE:
		return strconv.FormatUint(v.Uint64, 10)
	}
	return strconv.FormatBool(v.Enable)
}
