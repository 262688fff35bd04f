package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// ClockMode chooses how virtual time moves.
type ClockMode int

const (
	// Automatic: virtual time follows the wall clock (scaled by
	// Options.Speed) and a background goroutine does the work as soon as it
	// is due: jobs transfer and callbacks are called without the test
	// driving anything. The friendly default for a mock. Callbacks run on
	// their own goroutines, at most four at a time per user.
	Automatic ClockMode = iota
	// Manual: virtual time moves only in Advance, and work happens only in
	// Advance and RunUntilIdle, on the calling goroutine, in a fully
	// deterministic order. The mode of the conformance suite.
	Manual
)

// String returns "automatic" or "manual".
func (m ClockMode) String() string {
	switch m {
	case Automatic:
		return "automatic"
	case Manual:
		return "manual"
	}
	return fmt.Sprintf("ClockMode(%d)", int(m))
}

// Options configure a Service. The zero value is a BITS 10.3 service with
// the default limits, an automatic clock and an in-memory store.
type Options struct {
	// Version is the BITS version profile (default model.BITS10_3). Older
	// profiles hide newer interfaces and flags.
	Version model.Version
	// Limits are the group-policy limits (default rules.DefaultLimits).
	Limits *rules.Limits
	// Clock is Automatic (default) or Manual.
	Clock ClockMode
	// Speed scales the automatic clock: 60 makes a virtual minute pass in a
	// real second. Default 1; from MinSpeed to MaxSpeed; ignored by the
	// manual clock.
	Speed float64
	// Start is the virtual time the service starts at (default
	// 2026-01-01T00:00:00Z), from MinTime to before MaxTime.
	Start time.Time
	// Seed seeds the service's randomness (job GUIDs, temporary names), so
	// that two services with the same seed and inputs behave identically.
	Seed int64
	// Store is where New loads and Restart saves and loads the persisted
	// state (default: a new MemoryStore). A WriteThroughStore (FileStore)
	// also gets every acknowledged change (a BatchingStore, a FileStore with
	// Sync: Batched, in groups); a LockingStore (FileStore) is locked from
	// New to Close.
	Store Store
	// DefaultRemote is how remote URLs without a SetRemote script behave
	// (default: 1 KiB, transferred at once).
	DefaultRemote *Remote
	// TimeSlice is how long a background job transfers before it yields to
	// another job of the same priority (default 5 minutes; at least
	// MinInterval).
	TimeSlice time.Duration
	// ProgressInterval is how often a rate-limited transfer reports
	// progress (default 1 s; at least MinInterval).
	ProgressInterval time.Duration
	// TraceLimit caps the notification trace kept in memory (0: unlimited;
	// negative: keep none).
	TraceLimit int
	// Variants selects, by rule ID, the reading of each open rule the
	// documentation leaves undecided (see rules.Uncertain); rules it does
	// not name take their default. An unknown rule or variant is an error
	// from New.
	Variants rules.Selection
	// LaunchLimit caps the command-line launches Launches returns: the
	// service keeps the last LaunchLimit (0: DefaultLaunchLimit; negative:
	// unlimited, which grows for ever in a long-running service).
	LaunchLimit int
}

// Bounds of the options.
const (
	// MinSpeed and MaxSpeed bound Options.Speed. Slower or faster clocks
	// cannot be driven by the wall clock with any precision.
	MinSpeed = 1e-3
	MaxSpeed = 1e6
	// MinInterval is the shortest Options.TimeSlice and
	// Options.ProgressInterval: shorter ones only burn CPU.
	MinInterval = time.Millisecond
	// DefaultLaunchLimit is how many command-line launches a service keeps
	// unless Options.LaunchLimit says otherwise.
	DefaultLaunchLimit = 1000
)

// DefaultStart is the virtual time a service starts at unless
// Options.Start says otherwise.
var DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// badOption is the error of an option with a bad value: it names the field
// and wraps E_INVALIDARG.
func badOption(field string, format string, args ...any) error {
	return fmt.Errorf("sim: Options.%s: %s: %w", field, fmt.Sprintf(format, args...), model.E_INVALIDARG)
}

// withDefaults validates every option and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Version == 0 {
		o.Version = model.BITS10_3
	}
	if !o.Version.Valid() {
		return o, badOption("Version", "unknown BITS version %v", o.Version)
	}
	if err := o.Variants.Validate(); err != nil {
		return o, fmt.Errorf("sim: Options.Variants: %w", err)
	}
	o.Variants = o.Variants.Normalized()
	for id, name := range o.Variants {
		if why, ok := NotSimulated[id+"="+name]; ok {
			return o, fmt.Errorf("sim: Options.Variants: %s=%s is not simulated yet (%s)", id, name, why)
		}
	}
	if o.Limits == nil {
		l := rules.DefaultLimits
		o.Limits = &l
	} else {
		l := *o.Limits // a copy: the caller's struct may change later
		for _, f := range []struct {
			name string
			v    int
		}{{"JobsPerUser", l.JobsPerUser}, {"JobsPerMachine", l.JobsPerMachine}, {"FilesPerJob", l.FilesPerJob}, {"RangesPerFile", l.RangesPerFile}} {
			if f.v < 0 {
				return o, badOption("Limits."+f.name, "negative limit %d", f.v)
			}
		}
		o.Limits = &l
	}
	if o.Clock != Automatic && o.Clock != Manual {
		return o, badOption("Clock", "unknown clock mode %d", int(o.Clock))
	}
	if o.Speed == 0 {
		o.Speed = 1
	}
	if math.IsNaN(o.Speed) || o.Speed < MinSpeed || o.Speed > MaxSpeed {
		return o, badOption("Speed", "clock speed %v is not between %v and %v", o.Speed, MinSpeed, MaxSpeed)
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC()
	if o.Start.Before(MinTime) || !o.Start.Before(MaxTime) {
		return o, badOption("Start", "%v is not from %v to before %v", o.Start.Format(time.RFC3339Nano), MinTime.Format(time.RFC3339), MaxTime.Format(time.RFC3339))
	}
	if o.Store == nil {
		o.Store = NewMemoryStore()
	}
	if o.DefaultRemote == nil {
		o.DefaultRemote = &Remote{Size: 1024}
	}
	if err := o.DefaultRemote.validate(); err != nil {
		return o, fmt.Errorf("sim: Options.DefaultRemote: %w", err)
	}
	if o.TimeSlice == 0 {
		o.TimeSlice = 5 * time.Minute
	}
	if o.TimeSlice < MinInterval {
		return o, badOption("TimeSlice", "%v is shorter than %v", o.TimeSlice, MinInterval)
	}
	if o.ProgressInterval == 0 {
		o.ProgressInterval = time.Second
	}
	if o.ProgressInterval < MinInterval {
		return o, badOption("ProgressInterval", "%v is shorter than %v", o.ProgressInterval, MinInterval)
	}
	if o.LaunchLimit == 0 {
		o.LaunchLimit = DefaultLaunchLimit
	}
	return o, nil
}

// Variants returns the readings of the open rules the service follows
// (Options.Variants without the entries that select a default; nil when
// every default applies).
func (s *Service) Variants() rules.Selection {
	out := rules.Selection(nil)
	for id, name := range s.opts.Variants {
		out = out.With(id, name)
	}
	return out
}

// NotSimulated lists the readings of open rules ("RULE-ID=name") that the
// simulator cannot follow yet, with what is missing. New refuses them
// rather than silently simulating the default.
var NotSimulated = map[string]string{}
