package sim

import (
	"fmt"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// loadError is a snapshot that decodes but holds a value the service
// cannot hold: it names the job (index and ID), the file and the field.
type loadError struct {
	job   int
	id    model.GUID
	file  int // -1: not inside a file
	field string
	msg   string
}

func (e *loadError) Error() string {
	where := fmt.Sprintf("job %d (%v)", e.job, e.id)
	if e.file >= 0 {
		where += fmt.Sprintf(" file %d", e.file)
	}
	return fmt.Sprintf("sim: invalid snapshot: %s: %s: %s", where, e.field, e.msg)
}

// Unwrap makes errors.Is(err, model.E_INVALIDARG) hold.
func (e *loadError) Unwrap() error { return model.E_INVALIDARG }

// validator checks every field of a decoded snapshot, job by job, against
// what the service itself can produce, so that a snapshot that decodes but
// was damaged or hand-made is refused with an error rather than loaded into
// a service that would misbehave (or panic) on it.
type validator struct {
	sel  rules.Selection
	seen map[model.GUID]int
}

func newValidator(sel rules.Selection, n int) *validator {
	return &validator{sel: sel, seen: make(map[model.GUID]int, n)}
}

// savedAt checks the snapshot's time.
func (v *validator) savedAt(t time.Time) error {
	if !t.IsZero() && !inRange(t) {
		return fmt.Errorf("sim: invalid snapshot: SavedAt: %v is outside %v..%v: %w", t, MinTime, MaxTime, model.E_INVALIDARG)
	}
	return nil
}

// job checks job i, j, and that no earlier job has its ID.
func (v *validator) job(i int, j *jobRecord) error {
	fail := func(file int, field, format string, args ...any) error {
		return &loadError{job: i, id: j.ID, file: file, field: field, msg: fmt.Sprintf(format, args...)}
	}
	if j.ID.IsNull() {
		return fail(-1, "ID", "GUID_NULL")
	}
	if k, dup := v.seen[j.ID]; dup {
		return fail(-1, "ID", "the same ID as job %d", k)
	}
	v.seen[j.ID] = i
	return validateJob(j, v.sel, fail)
}

func validateJob(j *jobRecord, sel rules.Selection, fail func(file int, field, format string, args ...any) error) error {
	switch {
	case !j.Type.Valid():
		return fail(-1, "Type", "%d is not a job type", uint32(j.Type))
	case !j.State.Valid():
		return fail(-1, "State", "%d is not a job state", uint32(j.State))
	case j.State.IsFinal():
		return fail(-1, "State", "%v: final jobs are not persisted", j.State)
	case !j.Priority.Valid():
		return fail(-1, "Priority", "%d is not a job priority", uint32(j.Priority))
	case j.NotifyFlags&^rules.ValidNotifyFlags(model.BITS10_3) != 0:
		return fail(-1, "NotifyFlags", "unknown flags %#x", uint32(j.NotifyFlags))
	case rules.CheckDisplayName(j.DisplayName).Failed():
		return fail(-1, "DisplayName", "empty, too long or with a NUL character")
	case rules.CheckDescription(j.Description).Failed():
		return fail(-1, "Description", "too long or with a NUL character")
	case rules.CheckCmdLine(j.CmdProgram, j.CmdParameters, nil).Failed():
		return fail(-1, "CmdProgram", "not a command line SetNotifyCmdLine accepts")
	case j.CmdProgram != "" && j.CmdUser.Name == "":
		return fail(-1, "CmdUser", "a command line without the user who set it")
	case j.NotifyCLSID.IsNull() && j.CLSIDSetter != (model.Account{}):
		return fail(-1, "CLSIDSetter", "a setter without a CLSID")
	case j.Type != model.BG_JOB_TYPE_DOWNLOAD && len(j.Files) > 1:
		return fail(-1, "Files", "an upload job with %d files", len(j.Files))
	case j.PendingTransferred && !rules.OwedDeliverable(model.EventJobTransferred, j.State, sel):
		return fail(-1, "PendingTransferred", "set in state %v", j.State)
	case j.PendingError && !rules.OwedDeliverable(model.EventJobError, j.State, sel):
		return fail(-1, "PendingError", "set in state %v", j.State)
	}
	for _, a := range []struct {
		field string
		a     model.Account
		empty bool
	}{{"Owner", j.Owner, false}, {"CmdUser", j.CmdUser, j.CmdProgram == ""}, {"CLSIDSetter", j.CLSIDSetter, true}} {
		if a.empty && a.a == (model.Account{}) {
			continue
		}
		if a.a.Name == "" {
			return fail(-1, a.field, "empty account name")
		}
		if a.a.Kind < model.AccountUser || a.a.Kind > model.AccountNetworkService {
			return fail(-1, a.field, "%d is not an account kind", int(a.a.Kind))
		}
	}
	for _, d := range []struct {
		field string
		d     time.Duration
	}{
		{"MinimumRetryDelay", j.MinimumRetryDelay}, {"NoProgressTimeout", j.NoProgressTimeout},
		{"MaximumDownloadTime", j.MaximumDownloadTime}, {"MinimumNotificationInterval", j.MinimumNotificationInterval},
		{"DownloadElapsed", j.DownloadElapsed},
	} {
		if d.d < 0 {
			return fail(-1, d.field, "negative duration %v", d.d)
		}
	}
	for _, t := range []struct {
		field string
		t     time.Time
		need  bool
	}{
		{"Created", j.Created, true}, {"Modified", j.Modified, true}, {"LastActivity", j.LastActivity, true},
		{"TransferCompleted", j.TransferCompleted, false}, {"FirstTransientError", j.FirstTransientError, false},
		{"RetryDue", j.RetryDue, false},
	} {
		if t.t.IsZero() && t.need {
			return fail(-1, t.field, "missing")
		}
		if !t.t.IsZero() && !inRange(t.t) {
			return fail(-1, t.field, "%v is outside %v..%v", t.t, MinTime, MaxTime)
		}
	}
	for k := range j.Files {
		f := &j.Files[k]
		if err := checkFile(model.FileInfo{RemoteName: f.RemoteName, LocalName: f.LocalName}); err != nil {
			return fail(k, "RemoteName/LocalName", "%v", err)
		}
		switch {
		case f.BytesTotal != model.BG_SIZE_UNKNOWN && f.BytesTransferred > f.BytesTotal:
			return fail(k, "BytesTransferred", "%d of %d bytes", f.BytesTransferred, f.BytesTotal)
		case f.Attempts < 0:
			return fail(k, "Attempts", "negative count %d", f.Attempts)
		}
		for _, r := range [][]model.FileRange{f.Ranges, f.Requested, f.Filled} {
			for _, rg := range r {
				if rg.Length != model.BG_LENGTH_TO_EOF && rg.InitialOffset > ^uint64(0)-rg.Length {
					return fail(k, "Ranges", "range %d+%d overflows", rg.InitialOffset, rg.Length)
				}
			}
		}
	}
	return nil
}

// inRange reports whether t is a virtual time the service can hold.
func inRange(t time.Time) bool { return !t.Before(MinTime) && !t.After(MaxTime) }
