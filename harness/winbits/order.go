package winbits

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bitssim/bitssim/model"
)

// eventOrder puts the events of several sources in the order they
// happened. The backend's sources are read at different moments (a
// helper's report arrives through its pipe as soon as the call returns, a
// class server's and a command line's lines are in files read by Settle
// and Trace), so the order of reading is not the order of events: a
// command line that BITS ran after a failed call could be read first.
// Every event is therefore stamped where it happens (stamp: the machine's
// performance counter, shared by all its processes), held here, and
// handed on in the order of the stamps when the backend has drained its
// sources (flush). Events with the same stamp keep the order they were
// held in; an event without a stamp (0) is stamped when it is held.
type eventOrder struct {
	mu   sync.Mutex
	now  func() int64 // the counter now
	held []heldEvent
}

type heldEvent struct {
	e   model.Event
	at  int64
	src string // the source's key in reports ("obj:pid<N>", "clsid", "cmd"), or ""
}

// hold keeps e, which happened at counter value at, from source src (a
// key of reports, or "").
func (o *eventOrder) hold(src string, e model.Event, at int64) {
	if at == 0 {
		at = o.now()
	}
	o.mu.Lock()
	o.held = append(o.held, heldEvent{e, at, src})
	o.mu.Unlock()
}

// pending reports how many events are held.
func (o *eventOrder) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.held)
}

// flush hands every held event to add, in the order of the stamps, and
// forgets them.
func (o *eventOrder) flush(add func(src string, e model.Event, at int64)) {
	o.mu.Lock()
	held := o.held
	o.held = nil
	o.mu.Unlock()
	slices.SortStableFunc(held, func(a, b heldEvent) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	for _, h := range held {
		add(h.src, h.e, h.at)
	}
}

// counterClock turns counter values into wall-clock times: the time it
// was made plus the ticks since then at freq ticks a second.
type counterClock struct {
	at0   int64
	wall0 time.Time
	freq  int64
}

// time returns the wall-clock time of counter value at.
func (c counterClock) time(at int64) time.Time {
	if c.freq <= 0 {
		return c.wall0
	}
	d := at - c.at0
	sec, rest := d/c.freq, d%c.freq
	return c.wall0.Add(time.Duration(sec)*time.Second + time.Duration(rest*int64(time.Second)/c.freq))
}

// ticks is the inverse of time: the counter value at t.
func (c counterClock) ticks(t time.Time) int64 {
	if c.freq <= 0 {
		return c.at0
	}
	d := t.Sub(c.wall0)
	sec, rest := int64(d/time.Second), int64(d%time.Second)
	return c.at0 + sec*c.freq + rest*c.freq/int64(time.Second)
}

// reports counts the reports of calls and runs the backend's sources owe
// or have given, by source: "obj:pid<N>" (the objects of the helper with
// process ID N, which is how a bitssim COM server names the app of a
// client process), "clsid" (the class servers), "cmd" (the recorded
// command lines). Only calls that succeeded and runs that started are
// counted: each of those has a report on its way, while a call to a dead
// helper or a failed activation has none.
type reports map[string]int

// source returns the key in reports of the source that reports server
// event e ("" for none of the backend's).
func source(e model.Event, helperApps map[string]bool, ours func(program, parameters string) bool) string {
	switch {
	case e.Target.Kind == model.TargetObject && helperApps[e.Target.App]:
		return "obj:" + e.Target.App
	case e.Target.Kind == model.TargetCLSID:
		return "clsid"
	case e.Target.Kind == model.TargetCommandLine && ours(e.Target.Program, e.Target.Parameters):
		return "cmd"
	}
	return ""
}

// virtualTimes gives the backend's reports the times a bitssim COM server
// made the calls and runs they report: the server runs the simulator's
// clock, so its trace's times are virtual, and a backend with VirtualTime
// must report those (the suite checks the spacing of calls in virtual
// time). Each report takes the time of the first server event not yet
// taken with the same source, job, kind and, for calls, result.
type virtualTimes struct {
	events []sourced // the server's events not yet taken, in its order
	last   time.Time // the time of the last report given one
}

type sourced struct {
	src string
	e   model.Event
}

// add keeps the server's events that a source of the backend reports.
func (v *virtualTimes) add(evs []model.Event, helperApps map[string]bool, ours func(program, parameters string) bool) {
	for _, e := range evs {
		if src := source(e, helperApps, ours); src != "" && e.Result.Succeeded() {
			v.events = append(v.events, sourced{src, e})
		}
	}
}

// take returns the time of the server event that report e from source src
// reports; a report without one (a source the server's trace does not
// show) takes the time of the report before it, so times never go back.
func (v *virtualTimes) take(src string, e model.Event) time.Time {
	for i, s := range v.events {
		if s.src == src && s.e.Job == e.Job && s.e.Kind == e.Kind && (src == "cmd" || s.e.Result == e.Result) {
			v.events = append(v.events[:i], v.events[i+1:]...)
			if s.e.Time.After(v.last) {
				v.last = s.e.Time
			}
			return s.e.Time
		}
	}
	return v.last
}

// owe adds the reports a bitssim COM server's trace events promise: the
// server records every call it made and every command line it started, so
// once the backend has that many reports from a source, the source is
// drained. helperApps are the server's names of the backend's helpers
// ("pid<N>"); ours tells the backend's recorded command lines.
func (r reports) owe(evs []model.Event, helperApps map[string]bool, ours func(program, parameters string) bool) {
	for _, e := range evs {
		if src := source(e, helperApps, ours); src != "" && e.Result.Succeeded() && !(src == "cmd" && e.ExitCode == -1) {
			r[src]++
		}
	}
}

// missing describes, sorted, each source of which got has fewer reports
// than r owes.
func (r reports) missing(got reports) []string {
	var out []string
	for k, n := range r {
		if got[k] < n {
			out = append(out, fmt.Sprintf("%s: %d of %d", k, got[k], n))
		}
	}
	slices.Sort(out)
	return out
}
