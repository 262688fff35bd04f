package model

import (
	"fmt"
	"strings"
	"time"
)

// EventKind names what BITS did to notify: one of the five callback methods,
// or a command-line launch.
type EventKind int

// The notification kinds.
const (
	EventJobTransferred EventKind = iota + 1
	EventJobError
	EventJobModification
	EventFileTransferred
	EventFileRangesTransferred
	EventCommandLine
)

var eventKindNames = []string{"", "JobTransferred", "JobError", "JobModification",
	"FileTransferred", "FileRangesTransferred", "CommandLine"}

// EventKinds lists every kind.
func EventKinds() []EventKind {
	return []EventKind{EventJobTransferred, EventJobError, EventJobModification,
		EventFileTransferred, EventFileRangesTransferred, EventCommandLine}
}

// String returns the callback method's name, or "CommandLine".
func (k EventKind) String() string { return enumName("EventKind", eventKindNames, int(k)) }

// ParseEventKind accepts the names String prints, in any case.
func ParseEventKind(s string) (EventKind, error) {
	for i, n := range eventKindNames {
		if n != "" && strings.EqualFold(n, strings.TrimSpace(s)) {
			return EventKind(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown event kind %q (want one of %s)", s, strings.Join(eventKindNames[1:], ", "))
}

// Flag returns the notify flag that enables the callback kind (0 for
// EventCommandLine, which JOB_TRANSFERRED and JOB_ERROR enable).
func (k EventKind) Flag() NotifyFlags {
	switch k {
	case EventJobTransferred:
		return BG_NOTIFY_JOB_TRANSFERRED
	case EventJobError:
		return BG_NOTIFY_JOB_ERROR
	case EventJobModification:
		return BG_NOTIFY_JOB_MODIFICATION
	case EventFileTransferred:
		return BG_NOTIFY_FILE_TRANSFERRED
	case EventFileRangesTransferred:
		return BG_NOTIFY_FILE_RANGES_TRANSFERRED
	}
	return 0
}

// MarshalText encodes the kind by name.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText accepts what ParseEventKind accepts.
func (k *EventKind) UnmarshalText(b []byte) error {
	v, err := ParseEventKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// TargetKind says what BITS notified.
type TargetKind int

// The notification targets.
const (
	// TargetObject is a callback object registered with SetNotifyInterface.
	TargetObject TargetKind = iota + 1
	// TargetCLSID is an instance BITS activated from the notification CLSID.
	TargetCLSID
	// TargetCommandLine is a program run from SetNotifyCmdLine.
	TargetCommandLine
)

var targetKindNames = []string{"", "object", "clsid", "cmdline"}

// String returns "object", "clsid" or "cmdline".
func (k TargetKind) String() string { return enumName("TargetKind", targetKindNames, int(k)) }

// MarshalText encodes the kind by name.
func (k TargetKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText accepts "object", "clsid" or "cmdline".
func (k *TargetKind) UnmarshalText(b []byte) error {
	for i, n := range targetKindNames {
		if n != "" && strings.EqualFold(n, string(b)) {
			*k = TargetKind(i)
			return nil
		}
	}
	return fmt.Errorf("model: unknown target kind %q", b)
}

// Target identifies the receiver of a notification.
type Target struct {
	Kind TargetKind `json:"kind"`
	// App is the application that registered the object (TargetObject) or
	// the server process that hosts the CLSID instance (TargetCLSID).
	App string `json:"app,omitempty"`
	// CLSID is the class of a TargetCLSID instance.
	CLSID GUID `json:"clsid,omitzero"`
	// Instance numbers the activations of the CLSID, from 1.
	Instance int `json:"instance,omitempty"`
	// Program and Parameters are the command line of a TargetCommandLine.
	Program    string `json:"program,omitempty"`
	Parameters string `json:"parameters,omitempty"`
}

// String prints "object(app)", "clsid({…}#n)" or "cmdline(program parameters)".
func (t Target) String() string {
	switch t.Kind {
	case TargetObject:
		return "object(" + t.App + ")"
	case TargetCLSID:
		return fmt.Sprintf("clsid(%v#%d)", t.CLSID, t.Instance)
	case TargetCommandLine:
		return "cmdline(" + strings.TrimSpace(t.Program+" "+t.Parameters) + ")"
	}
	return "none"
}

// Event is one notification attempt, as every backend records it in its
// trace. A failed attempt is recorded too, with the HRESULT it failed with.
type Event struct {
	// Seq numbers the events of one trace from 1, in the order they happened.
	Seq uint64 `json:"seq"`
	// Time is when the attempt was made (virtual time in the simulator).
	Time time.Time `json:"time"`
	// Job is the job the notification is about.
	Job GUID `json:"job"`
	// Kind is the callback method, or EventCommandLine.
	Kind EventKind `json:"kind"`
	// Target is who was notified.
	Target Target `json:"target"`
	// User is the account in whose context the notification ran.
	User string `json:"user"`
	// File is the local name of the file of FileTransferred and
	// FileRangesTransferred.
	File string `json:"file,omitempty"`
	// Ranges are the ranges of FileRangesTransferred.
	Ranges []FileRange `json:"ranges,omitempty"`
	// Result is what the attempt returned: S_OK when delivered; the
	// callback's error; RPC_S_SERVER_UNAVAILABLE when the object's process
	// was gone; an activation error for a CLSID; for a command line S_OK
	// when it exited 0, E_FAIL otherwise.
	Result HRESULT `json:"result"`
	// ExitCode is the exit code of a command line.
	ExitCode int `json:"exitCode,omitempty"`
}

// Delivered reports whether the attempt succeeded.
func (e Event) Delivered() bool { return e.Result.Succeeded() }

// String prints one line with the time of the attempt (when known):
// "#3 2026-01-01T00:10:00Z JobTransferred {job} -> object(app1) as alice: S_OK".
func (e Event) String() string {
	s := fmt.Sprintf("#%d ", e.Seq)
	if !e.Time.IsZero() {
		s += e.Time.UTC().Format(time.RFC3339Nano) + " "
	}
	s += fmt.Sprintf("%v %v -> %v as %s", e.Kind, e.Job, e.Target, e.User)
	if e.File != "" {
		s += " file " + e.File
	}
	if len(e.Ranges) > 0 {
		s += fmt.Sprintf(" ranges %v", e.Ranges)
	}
	if e.Kind == EventCommandLine {
		s += fmt.Sprintf(" exit %d", e.ExitCode)
	}
	return s + ": " + e.Result.String()
}
