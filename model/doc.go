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
package model
