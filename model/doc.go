// Package model is the vocabulary and the Go API of Windows BITS (Background
// Intelligent Transfer Service) as far as bitssim needs it: GUIDs, HRESULTs,
// job states and types, notification flags, the Manager/Job/File interfaces
// every backend implements, the callback interfaces BITS calls, and the
// notification Event every backend records.
//
// The package holds no behaviour beyond validation and formatting. The
// semantics live in package rules; the simulated service in package sim.
//
// Names follow BITS so that they can be searched for: constants keep their
// Windows spelling (BG_E_INVALID_STATE, BG_NOTIFY_JOB_TRANSFERRED), and the
// Job methods keep the names of IBackgroundCopyJob's methods (GetState,
// SetNotifyFlags). Where BITS uses out-parameters the Go API returns values;
// where BITS returns an HRESULT the Go API returns an error that is, or wraps,
// an HRESULT, so errors.Is(err, model.BG_E_INVALID_STATE) works.
//
// # Writing a correct notification handler
//
// BITS calls a Callback's methods on its own threads (in the simulator, on
// the service's goroutines), and what the handler returns matters: nil
// (S_OK) means "done", an error means "call me again".
//
//   - Complete only after the success is recorded. Complete makes the files
//     available and ends the job (ACKNOWLEDGED); nothing about it can be
//     asked for again. Record what the download means to the application
//     first (the installed version, a database row) and return an error if
//     that fails: the job stays TRANSFERRED and BITS calls JobTransferred
//     again after the job's MinimumRetryDelay. Completing first and then
//     failing to record loses the success for good.
//   - Handle JobTransferred arriving more than once. Delivery is at least
//     once: a call that failed, panicked or was cut short by a crash or a
//     service restart is made again, possibly to another target (the CLSID
//     after the object). Check the record before acting, and treat
//     BG_E_INVALID_STATE from Complete on an ACKNOWLEDGED job as done.
//   - Register again after a restart. BITS keeps jobs, flags, the command
//     line and the callback CLSID across a service restart, but never a
//     callback object (SetNotifyInterface), nor across the application's
//     own restart: when the application starts, and when it learns the
//     service restarted, enumerate its jobs and register the object again.
//     A callback CLSID lets BITS start the application when no object is
//     registered.
//   - JobError means the job is in ERROR and will not move by itself: fix
//     the cause and Resume, or record the failure and Cancel. A job left in
//     ERROR keeps its files and counts against the user's job limit until
//     the 90-day inactivity timeout cancels it. Transient errors
//     (TRANSIENT_ERROR) are retried by BITS and raise no JobError.
//   - Return quickly and never block for long: BITS runs at most four
//     callbacks of a user at once, and a blocked one holds a slot.
package model
