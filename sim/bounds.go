package sim

import (
	"errors"
	"math"
	"time"
)

// Virtual time is kept in nanoseconds since 1970 (int64), which overflows in
// April 2262. The service keeps virtual time between MinTime and MaxTime,
// so that no deadline can wrap around into the past.
var (
	// MinTime is the earliest virtual time: Options.Start may not be
	// earlier.
	MinTime = time.Unix(0, 0).UTC()
	// MaxTime is the latest virtual time: Options.Start must be earlier,
	// Advance past it fails with ErrTimeLimit, and work that would fall
	// due after it never falls due.
	MaxTime = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ErrTimeLimit is returned by Advance when the clock would pass MaxTime.
var ErrTimeLimit = errors.New("sim: virtual time would pass sim.MaxTime")

// never is the timer time of work that falls due after MaxTime: later than
// any time the clock can reach, so it never fires.
const never = math.MaxInt64

// nanos converts a deadline to timer time, saturating: a deadline after
// MaxTime becomes never, one before MinTime becomes MinTime.
func nanos(t time.Time) int64 {
	switch {
	case t.After(MaxTime):
		return never
	case t.Before(MinTime):
		return 0
	}
	return t.UnixNano()
}

// scaled converts a real duration to virtual time at speed, saturating at
// the largest duration instead of overflowing.
func scaled(d time.Duration, speed float64) time.Duration {
	v := float64(d) * speed
	if v >= math.MaxInt64 || math.IsNaN(v) {
		return math.MaxInt64
	}
	return time.Duration(v)
}

// unscaled converts a virtual duration to real time at speed, saturating
// at the largest duration instead of overflowing.
func unscaled(d time.Duration, speed float64) time.Duration {
	v := float64(d) / speed
	if v >= math.MaxInt64 || math.IsNaN(v) {
		return math.MaxInt64
	}
	return time.Duration(v)
}

// realWait is how long the automatic driver sleeps before virtual time
// reaches a timer due in virtual; at most an hour (the driver re-reads the
// timers when it wakes), never negative.
func realWait(virtual int64, speed float64) time.Duration {
	if virtual <= 0 {
		return 0
	}
	w := float64(virtual) / speed
	if w >= float64(time.Hour) || math.IsNaN(w) {
		return time.Hour
	}
	return time.Duration(w)
}
