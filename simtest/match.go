package simtest

import (
	"fmt"
	"strings"

	"github.com/bitssim/bitssim/model"
)

// Matcher is a typed condition on a notification event, for people who
// prefer code to the expectation language. Matchers given together must
// all hold.
type Matcher struct {
	desc  string
	match func(model.Event) bool
}

// String says what the matcher matches.
func (m Matcher) String() string { return m.desc }

// Match reports whether e matches.
func (m Matcher) Match(e model.Event) bool { return m.match == nil || m.match(e) }

// Kind matches notifications of a kind (model.EventJobTransferred …).
func Kind(k model.EventKind) Matcher {
	return Matcher{k.String(), func(e model.Event) bool { return e.Kind == k }}
}

// ForJob matches notifications about the job.
func ForJob(job model.Job) Matcher {
	id := job.GetId()
	return Matcher{"job " + id.String(), func(e model.Event) bool { return e.Job == id }}
}

// To matches notifications sent to the callback object of the app named
// app, or to a CLSID instance hosted by it.
func To(app string) Matcher {
	return Matcher{"to " + app, func(e model.Event) bool {
		return e.Target.App == app && e.Target.Kind != model.TargetCommandLine
	}}
}

// ToClass matches notifications sent to instances of the CLSID.
func ToClass(clsid model.GUID) Matcher {
	return Matcher{"to class " + clsid.String(), func(e model.Event) bool {
		return e.Target.Kind == model.TargetCLSID && e.Target.CLSID == clsid
	}}
}

// ToCommandLine matches command-line launches.
func ToCommandLine() Matcher {
	return Matcher{"to the command line", func(e model.Event) bool { return e.Target.Kind == model.TargetCommandLine }}
}

// Delivered matches attempts that succeeded.
func Delivered() Matcher {
	return Matcher{"delivered", func(e model.Event) bool { return e.Delivered() }}
}

// Failed matches attempts that failed.
func Failed() Matcher {
	return Matcher{"failed", func(e model.Event) bool { return !e.Delivered() }}
}

// Result matches attempts that returned hr.
func Result(hr model.HRESULT) Matcher {
	return Matcher{"returning " + hr.Name(), func(e model.Event) bool { return e.Result == hr }}
}

// all combines matchers.
func all(ms []Matcher) Matcher {
	if len(ms) == 0 {
		return Matcher{desc: "any event"}
	}
	var descs []string
	for _, m := range ms {
		descs = append(descs, m.desc)
	}
	return Matcher{strings.Join(descs, ", "), func(e model.Event) bool {
		for _, m := range ms {
			if !m.Match(e) {
				return false
			}
		}
		return true
	}}
}

// Events returns the events after the mark that match every matcher.
func (s *Service) Events(since Mark, ms ...Matcher) []model.Event {
	m := all(ms)
	var out []model.Event
	for _, e := range s.TraceSince(uint64(since)) {
		if m.Match(e) {
			out = append(out, e)
		}
	}
	return out
}

// AwaitEvent waits for the first event after the mark that matches every
// matcher, and returns it; it fails the test when the wait ends otherwise.
func (s *Service) AwaitEvent(since Mark, ms ...Matcher) model.Event {
	s.t.Helper()
	m := all(ms)
	ctx, cancel := s.ctx()
	defer cancel()
	e, err := s.WaitEvent(ctx, uint64(since), m.Match)
	if err != nil {
		s.fail("AwaitEvent(%s): %v", m, err)
	}
	return e
}

// ExpectEvents checks that exactly n events after the mark match every
// matcher, and reports a failure (the test goes on) otherwise.
func (s *Service) ExpectEvents(since Mark, n int, ms ...Matcher) bool {
	s.t.Helper()
	got := s.Events(since, ms...)
	if len(got) == n {
		return true
	}
	var b strings.Builder
	for _, e := range got {
		fmt.Fprintf(&b, "\n    %v", e)
	}
	s.t.Errorf("simtest: expected %d events (%s), seen %d:%s", n, all(ms), len(got), b.String())
	return false
}
