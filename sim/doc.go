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
//
// # Time and waiting
//
// Advance moves virtual time on both clocks: on the manual clock it does
// the work due on the way on the calling goroutine; on the automatic clock
// it jumps, like miniredis's FastForward. RunUntilIdle (manual) does the
// work due now without moving the clock; AdvanceUntilIdle (manual) moves
// the clock from one piece of work to the next. WaitIdle, WaitState and
// WaitEvent wait, with a context, on both clocks: until no work is due now
// and no callback is running; until a job is in a state and the callback
// that caused it has returned; until a matching event. Subscribe reads the
// events one by one as they happen. On the manual clock a wait does the
// work due now and then returns ErrWouldBlock if what it waits for has
// not happened, because nothing more can happen until Advance. Package
// simtest binds all of this to a testing.TB.
//
// The automatic clock's ordering guarantees: the service's own work
// (scheduling, transfers, retries, timeouts) happens on one goroutine in
// order of virtual time, ties in the order it was scheduled; a job's
// notifications are delivered one at a time, in order (FileTransferred
// before JobTransferred), each on a goroutine of its own, at most four
// callbacks of a user at once. Deliveries of different jobs are not
// ordered with each other, and virtual time moves with the wall clock
// (Options.Speed) while a callback runs, so events carry the time the
// attempt was made.
//
// # Remotes
//
// SetRemote scripts a URL: size, rate, latency, transient and fatal
// failures, or an outcome per attempt (Remote.Attempts, Sequence: "503,
// 503, then 404, then OK"). Contradictory scripts are an error. A change
// applies from the next attempt of every job, running ones included.
//
// # Writing a correct notification handler
//
// The package documentation of model says what a handler must do:
// complete only after the success is recorded, handle JobTransferred more
// than once, register again after a restart, and on JobError resume or
// cancel. The examples of this package show JobError with Cancel, a
// failing callback retried, and a scripted command line.
package sim
