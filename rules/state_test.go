package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

const (
	queued       = model.BG_JOB_STATE_QUEUED
	connecting   = model.BG_JOB_STATE_CONNECTING
	transferring = model.BG_JOB_STATE_TRANSFERRING
	suspended    = model.BG_JOB_STATE_SUSPENDED
	errState     = model.BG_JOB_STATE_ERROR
	transient    = model.BG_JOB_STATE_TRANSIENT_ERROR
	transferred  = model.BG_JOB_STATE_TRANSFERRED
	acknowledged = model.BG_JOB_STATE_ACKNOWLEDGED
	cancelled    = model.BG_JOB_STATE_CANCELLED
)

var (
	download    = JobFacts{Type: model.BG_JOB_TYPE_DOWNLOAD, Files: 2, FilesTransferred: 0}
	downloadAll = JobFacts{Type: model.BG_JOB_TYPE_DOWNLOAD, Files: 2, FilesTransferred: 2}
	empty       = JobFacts{Type: model.BG_JOB_TYPE_DOWNLOAD}
	upload      = JobFacts{Type: model.BG_JOB_TYPE_UPLOAD, Files: 1}
	uploadDone  = JobFacts{Type: model.BG_JOB_TYPE_UPLOAD, Files: 1, FilesTransferred: 1}
)

func TestApply(t *testing.T) {
	cases := []struct {
		from  model.JobState
		op    Op
		facts JobFacts
		next  model.JobState
		hr    model.HRESULT
		rule  string
	}{
		// Resume (reference §6.3, §6.4).
		{suspended, OpResume, download, queued, model.S_OK, "STATE-RESUME-QUEUED"},
		{suspended, OpResume, empty, suspended, model.BG_E_EMPTY, "STATE-RESUME-EMPTY"},
		{errState, OpResume, download, queued, model.S_OK, "STATE-RESUME-FROM-ERROR"},
		{transient, OpResume, download, queued, model.S_OK, "STATE-RESUME-FROM-ERROR"},
		{queued, OpResume, download, queued, model.S_OK, "STATE-RESUME-ACTIVE-NOOP"},
		{connecting, OpResume, download, connecting, model.S_OK, "STATE-RESUME-ACTIVE-NOOP"},
		{transferring, OpResume, download, transferring, model.S_OK, "STATE-RESUME-ACTIVE-NOOP"},
		{transferred, OpResume, downloadAll, transferred, model.S_OK, "STATE-RESUME-TRANSFERRED"},
		{transferred, OpResume, JobFacts{Files: 3, FilesTransferred: 2}, queued, model.S_OK, "STATE-RESUME-QUEUED"},
		{cancelled, OpResume, download, cancelled, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"},
		{acknowledged, OpResume, download, acknowledged, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"},
		// Suspend.
		{queued, OpSuspend, download, suspended, model.S_OK, "STATE-SUSPEND"},
		{transferring, OpSuspend, download, suspended, model.S_OK, "STATE-SUSPEND"},
		{suspended, OpSuspend, download, suspended, model.S_OK, "STATE-SUSPEND"},
		{errState, OpSuspend, download, errState, model.S_OK, "STATE-SUSPEND-ERROR"}, // "stays in ERROR"
		{transferred, OpSuspend, downloadAll, transferred, model.S_OK, "STATE-SUSPEND-TRANSFERRED"},
		{cancelled, OpSuspend, download, cancelled, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"},
		// Cancel.
		{suspended, OpCancel, download, cancelled, model.S_OK, "STATE-CANCEL"},
		{transferred, OpCancel, downloadAll, cancelled, model.S_OK, "STATE-CANCEL"},
		{transferring, OpCancel, download, cancelled, model.S_OK, "STATE-CANCEL"},
		{cancelled, OpCancel, download, cancelled, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"},
		{acknowledged, OpCancel, downloadAll, acknowledged, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"},
		// Complete, download.
		{transferred, OpComplete, downloadAll, acknowledged, model.S_OK, "STATE-COMPLETE-DOWNLOAD"},
		{suspended, OpComplete, download, acknowledged, model.BG_S_PARTIAL_COMPLETE, "STATE-PARTIAL-COMPLETE"},
		{errState, OpComplete, JobFacts{Files: 2, FilesTransferred: 1}, acknowledged, model.BG_S_PARTIAL_COMPLETE, "STATE-PARTIAL-COMPLETE"},
		{acknowledged, OpComplete, downloadAll, acknowledged, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"},
		{cancelled, OpComplete, downloadAll, cancelled, model.BG_E_INVALID_STATE, "STATE-FINAL-IMMUTABLE"},
		// Complete, upload: only from TRANSFERRED.
		{transferred, OpComplete, uploadDone, acknowledged, model.S_OK, "STATE-COMPLETE-UPLOAD"},
		{suspended, OpComplete, upload, suspended, model.BG_E_INVALID_STATE, "STATE-COMPLETE-UPLOAD"},
		{errState, OpComplete, upload, errState, model.BG_E_INVALID_STATE, "STATE-COMPLETE-UPLOAD"},
		{transferring, OpComplete, JobFacts{Type: model.BG_JOB_TYPE_UPLOAD_REPLY, Files: 1}, transferring, model.BG_E_INVALID_STATE, "STATE-COMPLETE-UPLOAD"},
	}
	for _, c := range cases {
		got := Apply(c.from, c.op, c.facts, nil)
		assert.Equal(t, Transition{c.next, c.hr, c.rule}, got, "%v.%v(%+v)", c.from, c.op, c.facts)
	}
}

func TestApplyBadInput(t *testing.T) {
	assert.Equal(t, model.E_INVALIDARG, Apply(model.JobState(42), OpResume, download, nil).Result)
	assert.Equal(t, model.E_INVALIDARG, Apply(suspended, Op(0), download, nil).Result)
	assert.Equal(t, suspended, Apply(suspended, Op(99), download, nil).Next)
}

func TestApplyFailureKeepsState(t *testing.T) {
	for _, s := range model.JobStates() {
		for _, op := range Ops() {
			for _, f := range []JobFacts{download, downloadAll, empty, upload, uploadDone} {
				tr := Apply(s, op, f, nil)
				if tr.Result.Failed() {
					assert.Equal(t, s, tr.Next, "%v.%v failed but moved", s, op)
				}
				assert.NotEmpty(t, tr.Rule, "%v.%v cites no rule", s, op)
			}
		}
	}
}

func TestCheckModifyAndPriority(t *testing.T) {
	for _, s := range model.JobStates() {
		want := model.S_OK
		if s == cancelled || s == acknowledged {
			want = model.BG_E_INVALID_STATE
		}
		assert.Equal(t, want, CheckModify(s), s)
		assert.Equal(t, want, CheckSetPriority(s, model.BG_JOB_PRIORITY_HIGH), s)
	}
	assert.Equal(t, model.E_NOTIMPL, CheckSetPriority(suspended, model.JobPriority(4)))
	assert.Equal(t, model.BG_E_INVALID_STATE, CheckSetPriority(cancelled, model.JobPriority(4)))
	assert.False(t, Visible(cancelled))
	assert.False(t, Visible(acknowledged))
	assert.True(t, Visible(transferred))
}

func TestOnServiceEvent(t *testing.T) {
	cases := []struct {
		from   model.JobState
		ev     ServiceEvent
		next   model.JobState
		notify model.EventKind
		ok     bool
	}{
		{queued, EvStart, connecting, 0, true},
		{connecting, EvConnected, transferring, 0, true},
		{transferring, EvAllFilesDone, transferred, model.EventJobTransferred, true},
		{transferring, EvTransientError, transient, 0, true}, // no JobError for transient errors
		{connecting, EvTransientError, transient, 0, true},
		{transferring, EvFatalError, errState, model.EventJobError, true},
		{transient, EvRetryDue, queued, 0, true},
		{transient, EvNoProgressTimeout, errState, model.EventJobError, true},
		{transferring, EvMaxDownloadTime, errState, model.EventJobError, true},
		{transferred, EvInactivityTimeout, cancelled, 0, true},
		{suspended, EvInactivityTimeout, cancelled, 0, true},
		{transferred, EvValidationFailed, errState, model.EventJobError, true},
		{transferring, EvPreempted, queued, 0, true},
		{transferring, EvRestart, queued, 0, true},
		{connecting, EvRestart, queued, 0, true},
		{transferred, EvRestart, transferred, 0, true},
		{suspended, EvRestart, suspended, 0, true},
		// Events that cannot happen in a state leave it alone.
		{suspended, EvStart, suspended, 0, false},
		{queued, EvFatalError, queued, 0, false},
		{suspended, EvRetryDue, suspended, 0, false},
		{cancelled, EvInactivityTimeout, cancelled, 0, false},
		{transferred, EvAllFilesDone, transferred, 0, false},
		{queued, ServiceEvent(99), queued, 0, false},
	}
	for _, c := range cases {
		got := OnServiceEvent(c.from, c.ev)
		assert.Equal(t, c.next, got.Next, "%v on %v", c.ev, c.from)
		assert.Equal(t, c.notify, got.Notify, "%v on %v", c.ev, c.from)
		assert.Equal(t, c.ok, got.OK, "%v on %v", c.ev, c.from)
		if c.ok {
			assert.NotEmpty(t, got.Rule)
		}
	}
}

func TestModificationOnChange(t *testing.T) {
	// DELIV-MODIFICATION-EVENTS / DELIV-NO-MODIFICATION-ERROR-TRANSFERRED.
	assert.True(t, ModificationOnChange(suspended, queued))
	assert.True(t, ModificationOnChange(queued, connecting))
	assert.True(t, ModificationOnChange(transferring, transient))
	assert.True(t, ModificationOnChange(transferring, suspended))
	assert.False(t, ModificationOnChange(transferring, transferred))
	assert.False(t, ModificationOnChange(transient, errState))
	assert.False(t, ModificationOnChange(queued, queued))
	assert.False(t, ModificationOnChange(transferred, acknowledged))
}

func TestNames(t *testing.T) {
	assert.Equal(t, "Resume", OpResume.String())
	assert.Equal(t, "Op(9)", Op(9).String())
	assert.Equal(t, "AllFilesDone", EvAllFilesDone.String())
	assert.Equal(t, "ServiceEvent(0)", ServiceEvent(0).String())
}

// Each variant's statement, written literally.
func TestApplyUnderVariants(t *testing.T) {
	all := JobFacts{Type: model.BG_JOB_TYPE_DOWNLOAD, Files: 1, FilesTransferred: 1}
	some := JobFacts{Type: model.BG_JOB_TYPE_DOWNLOAD, Files: 1}
	transferred, errState := model.BG_JOB_STATE_TRANSFERRED, model.BG_JOB_STATE_ERROR
	cases := []struct {
		sel   Selection
		from  model.JobState
		op    Op
		facts JobFacts
		next  model.JobState
		hr    model.HRESULT
	}{
		// STATE-RESUME-TRANSFERRED: "returns S_OK and the job stays TRANSFERRED".
		{nil, transferred, OpResume, all, transferred, model.S_OK},
		// bg-e-empty: "fails with BG_E_EMPTY (0x80200003) and the job stays TRANSFERRED".
		{Selection{"STATE-RESUME-TRANSFERRED": VarEmpty}, transferred, OpResume, all, transferred, model.BG_E_EMPTY},
		// requeued: "returns S_OK, moves the job to QUEUED".
		{Selection{"STATE-RESUME-TRANSFERRED": VarRequeued}, transferred, OpResume, all, model.BG_JOB_STATE_QUEUED, model.S_OK},
		// STATE-SUSPEND-TRANSFERRED suspended: "returns S_OK and moves it to SUSPENDED".
		{Selection{"STATE-SUSPEND-TRANSFERRED": VarSuspended}, transferred, OpSuspend, all, model.BG_JOB_STATE_SUSPENDED, model.S_OK},
		// STATE-SUSPEND-ERROR suspended: "returns S_OK and moves it to SUSPENDED".
		{Selection{"STATE-SUSPEND-ERROR": VarSuspended}, errState, OpSuspend, some, model.BG_JOB_STATE_SUSPENDED, model.S_OK},
		{Selection{"STATE-SUSPEND-ERROR": VarStays}, errState, OpSuspend, some, errState, model.S_OK},
	}
	for _, c := range cases {
		got := Apply(c.from, c.op, c.facts, c.sel)
		assert.Equal(t, c.next, got.Next, "%v: %v.%v", c.sel, c.from, c.op)
		assert.Equal(t, c.hr, got.Result, "%v: %v.%v", c.sel, c.from, c.op)
	}
}
