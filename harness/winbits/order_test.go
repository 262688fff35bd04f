package winbits

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/bitssim/bitssim/model"
)

// The case the issue describes (PREC-CMDLINE-LAST): BITS calls the CLSID
// instance, which fails, then runs the command line; the backend reads the
// command line's file before the class server's, yet the trace has the
// failed call first.
func TestEventOrderPutsAFailedCallBeforeTheCommandLineReadFirst(t *testing.T) {
	o := &eventOrder{now: func() int64 { return 1000 }}
	call := model.Event{Kind: model.EventJobTransferred, Result: model.E_FAIL, Target: model.Target{Kind: model.TargetCLSID}}
	launch := model.Event{Kind: model.EventCommandLine, Target: model.Target{Kind: model.TargetCommandLine}}
	o.hold("cmd", launch, 20) // read first: the command line ran at 20
	o.hold("clsid", call, 10) // read second: the call began at 10
	require.Equal(t, 2, o.pending())
	var got []model.Event
	o.flush(func(_ string, e model.Event, _ int64) { got = append(got, e) })
	assert.Equal(t, []model.Event{call, launch}, got)
	assert.Zero(t, o.pending(), "a flush forgets what it handed on")
}

func TestEventOrderStampsAnUnstampedEventWhenHeld(t *testing.T) {
	o := &eventOrder{now: func() int64 { return 15 }}
	o.hold("", model.Event{Seq: 1}, 20)
	o.hold("", model.Event{Seq: 2}, 0) // no stamp: held at 15
	o.hold("", model.Event{Seq: 3}, 10)
	var seqs []uint64
	var ats []int64
	o.flush(func(_ string, e model.Event, at int64) { seqs, ats = append(seqs, e.Seq), append(ats, at) })
	assert.Equal(t, []uint64{3, 2, 1}, seqs)
	assert.Equal(t, []int64{10, 15, 20}, ats)
}

// Whatever order the sources are read in, the flushed events are in the
// order of their stamps, and events with equal stamps in the order they
// were held.
func TestEventOrderIsTheOrderOfStamps(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 30).Draw(t, "n")
		o := &eventOrder{now: func() int64 { return 0 }}
		stamps := make(map[uint64]int64, n)
		for i := range n {
			at := rapid.Int64Range(1, 8).Draw(t, fmt.Sprintf("at%d", i))
			stamps[uint64(i)] = at
			o.hold("", model.Event{Seq: uint64(i)}, at)
		}
		var got []model.Event
		o.flush(func(_ string, e model.Event, at int64) {
			if at != stamps[e.Seq] {
				t.Fatalf("event %d handed on with stamp %d, held with %d", e.Seq, at, stamps[e.Seq])
			}
			got = append(got, e)
		})
		if len(got) != n {
			t.Fatalf("flushed %d of %d events", len(got), n)
		}
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if stamps[a.Seq] > stamps[b.Seq] || (stamps[a.Seq] == stamps[b.Seq] && a.Seq > b.Seq) {
				t.Fatalf("event %d (stamp %d) before event %d (stamp %d)", a.Seq, stamps[a.Seq], b.Seq, stamps[b.Seq])
			}
		}
	})
}

func TestCounterClockTurnsTicksIntoTime(t *testing.T) {
	wall := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	c := counterClock{at0: 5_000, wall0: wall, freq: 10_000_000} // 100 ns ticks, as on Windows
	assert.Equal(t, wall, c.time(5_000))
	assert.Equal(t, wall.Add(1500*time.Millisecond), c.time(5_000+15_000_000))
	assert.Equal(t, wall.Add(-100*time.Nanosecond), c.time(4_999))
	assert.Equal(t, wall, counterClock{wall0: wall}.time(12345), "no frequency: every event at the start")
}

func TestCounterClockTicksIsTheInverseOfTime(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := counterClock{at0: rapid.Int64Range(0, 1<<40).Draw(t, "at0"), wall0: time.Unix(1_800_000_000, 0),
			freq: rapid.SampledFrom([]int64{10_000_000, 1_000_000_000, 3_579_545}).Draw(t, "freq")}
		at := c.at0 + rapid.Int64Range(-1<<34, 1<<34).Draw(t, "ticks")
		back := c.ticks(c.time(at))
		// One tick of a counter slower than 1 GHz is more than a nanosecond:
		// time truncates to the nanosecond, so ticks may give a neighbour.
		if back < at-1 || back > at+1 {
			t.Fatalf("ticks(time(%d)) = %d", at, back)
		}
	})
}

// A server's trace promises a report for each call that reached a live
// helper of the backend, each instance call that succeeded and each
// command line of the backend that started; the backend's sources are
// drained when each has given that many.
func TestReportsOwedByTheServersTrace(t *testing.T) {
	helpers := map[string]bool{"pid10": true, "pid11": true}
	ours := func(program, _ string) bool { return program == `C:\t\conformance.test.exe` }
	obj := func(app string, hr model.HRESULT) model.Event {
		return model.Event{Kind: model.EventJobTransferred, Result: hr, Target: model.Target{Kind: model.TargetObject, App: app}}
	}
	cmd := func(program string, exit int) model.Event {
		return model.Event{Kind: model.EventCommandLine, ExitCode: exit, Target: model.Target{Kind: model.TargetCommandLine, Program: program}}
	}
	want := reports{}
	want.owe([]model.Event{
		obj("pid10", model.S_OK),
		obj("pid10", model.S_OK),
		obj("pid11", model.RPC_S_SERVER_UNAVAILABLE), // a dead helper reports nothing
		obj("pid99", model.S_OK),                     // not this backend's helper
		{Kind: model.EventJobError, Result: model.S_OK, Target: model.Target{Kind: model.TargetCLSID}},
		{Kind: model.EventJobError, Result: model.REGDB_E_CLASSNOTREG, Target: model.Target{Kind: model.TargetCLSID}},
		cmd(`C:\t\conformance.test.exe`, 0),
		cmd(`C:\t\conformance.test.exe`, 3),  // ran, and exited with 3
		cmd(`C:\t\conformance.test.exe`, -1), // could not start
		cmd(`C:\other.exe`, 0),
	}, helpers, ours)
	assert.Equal(t, reports{"obj:pid10": 2, "clsid": 1, "cmd": 2}, want)

	got := reports{"obj:pid10": 1, "cmd": 2}
	assert.Equal(t, []string{"clsid: 0 of 1", "obj:pid10: 1 of 2"}, want.missing(got))
	got["obj:pid10"]++
	got["clsid"]++
	assert.Empty(t, want.missing(got), "drained")
}

// Against a bitssim COM server a report takes the virtual time of the
// server event it reports: the first not yet taken with the same source,
// job, kind and (for calls) result.
func TestVirtualTimesOfReports(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	job := model.NewGUID()
	helpers := map[string]bool{"pid10": true}
	ours := func(program, _ string) bool { return program == "me.exe" }
	mod := func(sec int, hr model.HRESULT) model.Event {
		return model.Event{Job: job, Kind: model.EventJobModification, Result: hr, Time: t0.Add(time.Duration(sec) * time.Second),
			Target: model.Target{Kind: model.TargetObject, App: "pid10"}}
	}
	v := &virtualTimes{}
	v.add([]model.Event{
		mod(1, model.S_OK),
		mod(2, model.RPC_S_SERVER_UNAVAILABLE), // no report comes of it
		mod(3, model.S_OK),
		{Job: job, Kind: model.EventCommandLine, Time: t0.Add(4 * time.Second), Result: model.S_OK,
			Target: model.Target{Kind: model.TargetCommandLine, Program: "me.exe"}},
	}, helpers, ours)
	report := model.Event{Job: job, Kind: model.EventJobModification, Result: model.S_OK}
	assert.Equal(t, t0.Add(1*time.Second), v.take("obj:pid10", report))
	assert.Equal(t, t0.Add(3*time.Second), v.take("obj:pid10", report), "the failed call is no report's")
	assert.Equal(t, t0.Add(3*time.Second), v.take("obj:pid10", report), "no server event left: the time before")
	run := model.Event{Job: job, Kind: model.EventCommandLine, Result: model.E_FAIL, ExitCode: 3}
	assert.Equal(t, t0.Add(4*time.Second), v.take("cmd", run), "a run matches whatever its exit code")
	assert.Empty(t, v.events)
}
