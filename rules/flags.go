package rules

import "github.com/bitssim/bitssim/model"

// DefaultNotifyFlags are the flags of a new job: JOB_TRANSFERRED|JOB_ERROR
// (FLAGS-DEFAULT).
const DefaultNotifyFlags = model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR

// flagMasks maps the oldest version of each mask to the flags it knows
// (FLAGS-VERSION-MASK): BITS 1.5–2.5 know the first four, 3.0–5.0 add
// FILE_TRANSFERRED, 10.1 adds FILE_RANGES_TRANSFERRED.
var flagMasks = [...]struct {
	since model.Version
	mask  model.NotifyFlags
}{
	{model.BITS10_1, 0x3F},
	{model.BITS3_0, 0x1F},
	{0, 0x0F},
}

// ValidNotifyFlags returns the flags SetNotifyFlags accepts on BITS v
// (FLAGS-VERSION-MASK).
func ValidNotifyFlags(v model.Version) model.NotifyFlags {
	for _, m := range flagMasks {
		if v >= m.since {
			return m.mask
		}
	}
	return 0x0F
}

// CheckSetNotifyFlags returns the HRESULT of SetNotifyFlags(flags) on a job in
// state on BITS v: BG_E_INVALID_STATE on a final state (FLAGS-FINAL-STATE),
// E_NOTIMPL for bits outside ValidNotifyFlagsWith(v, sel) (FLAGS-INVALID-NOTIMPL),
// S_OK otherwise, including DISABLE combined with other flags
// (FLAGS-DISABLE-COMBINABLE). sel decides the open questions: which check
// comes first (FLAGS-STATE-CHECK-FIRST) and whether 0 is valid (FLAGS-ZERO).
func CheckSetNotifyFlags(v model.Version, state model.JobState, flags model.NotifyFlags, sel Selection) model.HRESULT {
	invalid := flags&^ValidNotifyFlagsWith(v, sel) != 0 || (flags == 0 && sel.Is("FLAGS-ZERO", VarZeroRejected))
	if invalid && sel.Is("FLAGS-STATE-CHECK-FIRST", VarFlagsFirst) {
		return model.E_NOTIMPL
	}
	if state.IsFinal() {
		return model.BG_E_INVALID_STATE
	}
	if invalid {
		return model.E_NOTIMPL
	}
	return model.S_OK
}

// Wants reports whether a job with the given flags asks for notifications
// of kind (FLAGS-FILTER): never while DISABLE is set (FLAGS-DISABLE). For
// EventCommandLine it reports whether JOB_TRANSFERRED or JOB_ERROR is set,
// the only flags a command line honours (FLAGS-CMDLINE-SUBSET).
func Wants(flags model.NotifyFlags, kind model.EventKind) bool {
	if flags&model.BG_NOTIFY_DISABLE != 0 {
		return false
	}
	if kind == model.EventCommandLine {
		return flags&(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR) != 0
	}
	f := kind.Flag()
	return f != 0 && flags&f == f
}
