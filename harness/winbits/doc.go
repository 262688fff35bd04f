// Package winbits talks to the real BITS service through COM, in pure Go
// (golang.org/x/sys/windows, no cgo): a model.Manager, model.Job and
// model.File over IBackgroundCopyManager, IBackgroundCopyJob..Job5 and
// IBackgroundCopyFile..File6, callback objects implementing
// IBackgroundCopyCallback..Callback3 whose methods dispatch to a
// model.Callback, and a harness.Backend ("windows", or "wine" under Wine)
// that runs the conformance suite against the service, with helper
// processes playing the other applications.
//
// Everything but the vtable slot table (slots.go) is Windows-only.
//
// The same code runs on Windows and under Wine 8 (whose BITS only calls
// JobTransferred and lacks IBackgroundCopyJob5, command lines, Suspend and
// owners; see reference/wine-qmgr.md and testdata/wine-divergences.txt).
package winbits
