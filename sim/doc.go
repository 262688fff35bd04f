// Package sim is a deterministic simulated BITS service: the mock backend
// for code that drives BITS, and the reference backend of the conformance
// suite.
//
// A Service holds jobs, scripted remote endpoints (SetRemote), client
// applications (StartApp) that connect as users and can Exit or Crash, a
// COM class registry for notification CLSIDs (RegisterClass), scripted
// command-line launches (SetCommandHandler), and a trace of every
// notification attempt (Trace). It keeps the rules of package rules:
// notify flags, callback object versus CLSID precedence and fallback, the
// command line, at-least-once delivery with retries, the job state
// machine, limits, ownership, and what a Restart keeps.
//
// Time is virtual. With Options{Clock: Manual} nothing happens until the
// test calls Advance or RunUntilIdle, and then everything happens on the
// test's goroutine in one deterministic order. The default, Automatic,
// lets work proceed in the background as soon as it is due, with virtual
// time following the wall clock (Options.Speed scales it).
//
// Callbacks run outside the service's lock and may call back into the
// job, as the documentation's sample does when it calls Complete from
// JobTransferred. A callback that panics counts as a failed call.
package sim
