package rules

import "fmt"

// Field is one piece of a job's state, for deciding what a service restart
// keeps.
type Field int

// The fields of a job.
const (
	FieldID Field = iota + 1
	FieldType
	FieldOwner
	FieldState
	FieldFiles
	FieldProgress
	FieldTimes
	FieldDisplayName
	FieldDescription
	FieldPriority
	FieldNotifyFlags
	FieldNotifyCmdLine
	FieldNotifyCLSID
	FieldMinimumRetryDelay
	FieldNoProgressTimeout
	FieldMaximumDownloadTime
	FieldError
	FieldProperties
	FieldPendingNotifications
	FieldNotifyObject
	FieldCLSIDInstance
	FieldInFlightNotifications
)

var fieldTable = []struct {
	name    string
	persist bool
	rule    string
}{
	FieldID:                    {"ID", true, "PERSIST-JOBS"},
	FieldType:                  {"Type", true, "PERSIST-JOBS"},
	FieldOwner:                 {"Owner", true, "PERSIST-JOBS"},
	FieldState:                 {"State", true, "PERSIST-ACTIVE-REQUEUED"},
	FieldFiles:                 {"Files", true, "PERSIST-JOBS"},
	FieldProgress:              {"Progress", true, "PERSIST-JOBS"},
	FieldTimes:                 {"Times", true, "PERSIST-JOBS"},
	FieldDisplayName:           {"DisplayName", true, "PERSIST-SETTINGS-KEPT"},
	FieldDescription:           {"Description", true, "PERSIST-SETTINGS-KEPT"},
	FieldPriority:              {"Priority", true, "PERSIST-SETTINGS-KEPT"},
	FieldNotifyFlags:           {"NotifyFlags", true, "PERSIST-FLAGS-KEPT"},
	FieldNotifyCmdLine:         {"NotifyCmdLine", true, "PERSIST-CMDLINE-KEPT"},
	FieldNotifyCLSID:           {"NotifyCLSID", true, "PERSIST-CLSID-KEPT"},
	FieldMinimumRetryDelay:     {"MinimumRetryDelay", true, "PERSIST-SETTINGS-KEPT"},
	FieldNoProgressTimeout:     {"NoProgressTimeout", true, "PERSIST-SETTINGS-KEPT"},
	FieldMaximumDownloadTime:   {"MaximumDownloadTime", true, "PERSIST-SETTINGS-KEPT"},
	FieldError:                 {"Error", true, "PERSIST-JOBS"},
	FieldProperties:            {"Properties", true, "PERSIST-SETTINGS-KEPT"},
	FieldPendingNotifications:  {"PendingNotifications", true, "PERSIST-REDELIVER"},
	FieldNotifyObject:          {"NotifyObject", false, "PERSIST-OBJECT-DROPPED"},
	FieldCLSIDInstance:         {"CLSIDInstance", false, "PERSIST-CLSID-INSTANCE-DROPPED"},
	FieldInFlightNotifications: {"InFlightNotifications", false, "PERSIST-REDELIVER"},
}

// Fields lists every field.
func Fields() []Field {
	out := make([]Field, 0, len(fieldTable)-1)
	for f := FieldID; int(f) < len(fieldTable); f++ {
		out = append(out, f)
	}
	return out
}

// String returns the field's name.
func (f Field) String() string {
	if f > 0 && int(f) < len(fieldTable) {
		return fieldTable[f].name
	}
	return fmt.Sprintf("Field(%d)", int(f))
}

// Persists reports whether a service restart keeps f, and the rule that
// says so: the job and its settings, flags, command line, CLSID and
// undelivered JobTransferred/JobError notifications are kept; the callback
// object, any CLSID instance and notifications in flight are dropped (an
// undelivered one is delivered again after the restart). Unknown fields
// are not persisted.
func Persists(f Field) (bool, string) {
	if f <= 0 || int(f) >= len(fieldTable) {
		return false, ""
	}
	e := fieldTable[f]
	return e.persist, e.rule
}
