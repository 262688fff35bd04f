package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

func TestDefaultNotifyFlags(t *testing.T) {
	// FLAGS-DEFAULT: a new job has JOB_TRANSFERRED|JOB_ERROR, 0x3.
	assert.Equal(t, model.NotifyFlags(0x3), DefaultNotifyFlags)
}

func TestValidNotifyFlags(t *testing.T) {
	// FLAGS-VERSION-MASK: 1.5–2.5 0x0F; 3.0–5.0 0x1F; 10.1+ 0x3F.
	want := map[model.Version]model.NotifyFlags{
		model.BITS1_5: 0x0F, model.BITS2_0: 0x0F, model.BITS2_5: 0x0F,
		model.BITS3_0: 0x1F, model.BITS4_0: 0x1F, model.BITS5_0: 0x1F,
		model.BITS10_1: 0x3F, model.BITS10_2: 0x3F, model.BITS10_3: 0x3F,
	}
	for v, mask := range want {
		assert.Equal(t, mask, ValidNotifyFlags(v), v.String())
	}
}

func TestCheckSetNotifyFlags(t *testing.T) {
	cases := []struct {
		name  string
		v     model.Version
		state model.JobState
		flags model.NotifyFlags
		want  model.HRESULT
	}{
		{"default flags", model.BITS10_3, model.BG_JOB_STATE_SUSPENDED, 0x3, model.S_OK},
		{"zero is accepted", model.BITS10_3, model.BG_JOB_STATE_SUSPENDED, 0, model.S_OK},
		{"disable with others", model.BITS3_0, model.BG_JOB_STATE_QUEUED, 0x1F, model.S_OK},
		{"all six on 10.1", model.BITS10_1, model.BG_JOB_STATE_TRANSFERRED, 0x3F, model.S_OK},
		{"ranges flag on 5.0", model.BITS5_0, model.BG_JOB_STATE_SUSPENDED, 0x20, model.E_NOTIMPL},
		{"file flag on 2.5", model.BITS2_5, model.BG_JOB_STATE_SUSPENDED, 0x10, model.E_NOTIMPL},
		{"0xFF on 10.3", model.BITS10_3, model.BG_JOB_STATE_SUSPENDED, 0xFF, model.E_NOTIMPL},
		{"high bit", model.BITS10_3, model.BG_JOB_STATE_ERROR, 0x80000000, model.E_NOTIMPL},
		{"cancelled", model.BITS10_3, model.BG_JOB_STATE_CANCELLED, 0x3, model.BG_E_INVALID_STATE},
		{"acknowledged", model.BITS10_3, model.BG_JOB_STATE_ACKNOWLEDGED, 0x3, model.BG_E_INVALID_STATE},
		{"final state checked before flags", model.BITS10_3, model.BG_JOB_STATE_CANCELLED, 0xFF, model.BG_E_INVALID_STATE},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, CheckSetNotifyFlags(c.v, c.state, c.flags, nil), c.name)
	}
}

func TestWants(t *testing.T) {
	cases := []struct {
		flags model.NotifyFlags
		kind  model.EventKind
		want  bool
	}{
		{0x3, model.EventJobTransferred, true},
		{0x3, model.EventJobError, true},
		{0x3, model.EventJobModification, false},
		{0x3, model.EventFileTransferred, false},
		{0x8, model.EventJobModification, true},
		{0x10, model.EventFileTransferred, true},
		{0x20, model.EventFileRangesTransferred, true},
		{0x1, model.EventJobError, false},
		{0x2, model.EventJobTransferred, false},
		{0, model.EventJobTransferred, false},
		// FLAGS-DISABLE: BITS ignores the other flags.
		{0x7, model.EventJobTransferred, false},
		{0x3F, model.EventJobModification, false},
		// FLAGS-CMDLINE-SUBSET: only JOB_TRANSFERRED and JOB_ERROR count.
		{0x1, model.EventCommandLine, true},
		{0x2, model.EventCommandLine, true},
		{0x38, model.EventCommandLine, false},
		{0x5, model.EventCommandLine, false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Wants(c.flags, c.kind), "%v %v", c.flags, c.kind)
	}
}
