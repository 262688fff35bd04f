package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

var (
	alice = model.Account{Name: "alice", Kind: model.AccountUser}
	admin = model.Account{Name: "root", Kind: model.AccountAdministrator}
)

func TestDefaultLimits(t *testing.T) {
	assert.Equal(t, Limits{JobsPerUser: 60, JobsPerMachine: 300, FilesPerJob: 200, RangesPerFile: 500}, DefaultLimits)
	assert.Equal(t, 600*time.Second, DefaultMinimumRetryDelay)
	assert.Equal(t, 1209600*time.Second, DefaultNoProgressTimeout)
	assert.Equal(t, 90*24*time.Hour, JobInactivityTimeout)
	assert.Equal(t, 7776000*time.Second, DefaultMaximumDownloadTime)
	assert.Equal(t, 500*time.Millisecond, MinimumNotificationInterval)
}

func TestCheckCreateJob(t *testing.T) {
	l := DefaultLimits
	v := model.BITS10_3
	cases := []struct {
		name          string
		caller        model.Account
		v             model.Version
		user, machine int
		want          model.HRESULT
	}{
		{"59 of 60", alice, v, 59, 100, model.S_OK},
		{"60 of 60", alice, v, 60, 100, model.BG_E_TOO_MANY_JOBS_PER_USER},
		{"machine full", alice, v, 10, 300, model.BG_E_TOO_MANY_JOBS_PER_MACHINE},
		{"both: user limit first", alice, v, 60, 300, model.BG_E_TOO_MANY_JOBS_PER_USER},
		{"admin exempt", admin, v, 1000, 1000, model.S_OK},
		{"LocalSystem exempt", model.LocalSystem, v, 1000, 1000, model.S_OK},
		{"NetworkService exempt", model.NetworkService, v, 1000, 1000, model.S_OK},
		{"LocalService exempt", model.LocalService, v, 1000, 1000, model.S_OK},
		{"no limits before 3.0", alice, model.BITS2_5, 1000, 1000, model.S_OK},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, CheckCreateJob(l, c.v, c.caller, c.user, c.machine), c.name)
	}
	assert.Equal(t, model.S_OK, CheckCreateJob(Limits{}, v, alice, 1e6, 1e6), "zero limits are unlimited")
}

func TestCheckAddFiles(t *testing.T) {
	l := DefaultLimits
	v := model.BITS10_3
	dl, up := model.BG_JOB_TYPE_DOWNLOAD, model.BG_JOB_TYPE_UPLOAD
	assert.Equal(t, model.S_OK, CheckAddFiles(l, v, alice, suspended, dl, 199, 1))
	assert.Equal(t, model.BG_E_TOO_MANY_FILES_IN_JOB, CheckAddFiles(l, v, alice, suspended, dl, 200, 1))
	assert.Equal(t, model.BG_E_TOO_MANY_FILES_IN_JOB, CheckAddFiles(l, v, alice, suspended, dl, 0, 201))
	assert.Equal(t, model.S_OK, CheckAddFiles(l, v, admin, suspended, dl, 200, 1))
	assert.Equal(t, model.S_OK, CheckAddFiles(l, v, alice, suspended, up, 0, 1))
	assert.Equal(t, model.BG_E_TOO_MANY_FILES, CheckAddFiles(l, v, alice, suspended, up, 1, 1))
	assert.Equal(t, model.BG_E_TOO_MANY_FILES, CheckAddFiles(l, v, admin, suspended, model.BG_JOB_TYPE_UPLOAD_REPLY, 0, 2))
	assert.Equal(t, model.BG_E_INVALID_STATE, CheckAddFiles(l, v, alice, cancelled, dl, 0, 1))
	assert.Equal(t, model.BG_E_INVALID_STATE, CheckAddFiles(l, v, alice, acknowledged, dl, 0, 1))
	assert.Equal(t, model.S_OK, CheckAddFiles(l, v, alice, transferred, dl, 1, 1))
}

func TestCheckRanges(t *testing.T) {
	l := DefaultLimits
	v := model.BITS10_3
	dl := model.BG_JOB_TYPE_DOWNLOAD
	r := func(off, n uint64) model.FileRange { return model.FileRange{InitialOffset: off, Length: n} }
	many := make([]model.FileRange, 501)
	for i := range many {
		many[i] = r(uint64(i*10), 5)
	}
	assert.Equal(t, model.S_OK, CheckRanges(l, v, alice, dl, []model.FileRange{r(0, 10), r(10, 10), r(100, model.BG_LENGTH_TO_EOF)}))
	assert.Equal(t, model.E_INVALIDARG, CheckRanges(l, v, alice, dl, nil))
	assert.Equal(t, model.BG_E_INVALID_RANGE, CheckRanges(l, v, alice, dl, []model.FileRange{r(0, 0)}))
	assert.Equal(t, model.BG_E_INVALID_RANGE, CheckRanges(l, v, alice, dl, []model.FileRange{r(^uint64(0)-1, 5)}))
	assert.Equal(t, model.BG_E_OVERLAPPING_RANGES, CheckRanges(l, v, alice, dl, []model.FileRange{r(0, 10), r(5, 10)}))
	assert.Equal(t, model.BG_E_OVERLAPPING_RANGES, CheckRanges(l, v, alice, dl, []model.FileRange{r(0, model.BG_LENGTH_TO_EOF), r(50, 1)}))
	assert.Equal(t, model.BG_E_TOO_MANY_RANGES_IN_FILE, CheckRanges(l, v, alice, dl, many))
	assert.Equal(t, model.S_OK, CheckRanges(l, v, admin, dl, many))
	assert.Equal(t, model.S_OK, CheckRanges(l, v, alice, dl, many[:500]))
	assert.Equal(t, model.E_NOTIMPL, CheckRanges(l, v, alice, model.BG_JOB_TYPE_UPLOAD, many[:1]))
}

func TestStringLimits(t *testing.T) {
	assert.Equal(t, model.S_OK, CheckDisplayName(strings.Repeat("a", 256)))
	assert.Equal(t, model.E_INVALIDARG, CheckDisplayName(strings.Repeat("a", 257)))
	assert.Equal(t, model.E_INVALIDARG, CheckDisplayName(""))
	// A character outside the BMP is two UTF-16 units.
	assert.Equal(t, model.E_INVALIDARG, CheckDisplayName(strings.Repeat("a", 255)+"😀"))
	assert.Equal(t, model.S_OK, CheckDescription(strings.Repeat("d", 1024)))
	assert.Equal(t, model.S_OK, CheckDescription(""))
	assert.Equal(t, model.BG_E_STRING_TOO_LONG, CheckDescription(strings.Repeat("d", 1025)))

	prog := `C:\Program Files\app\notify.exe`
	assert.Equal(t, model.S_OK, CheckCmdLine(prog, `"`+prog+`" job`, nil))
	assert.Equal(t, model.S_OK, CheckCmdLine("", "", nil))
	assert.Equal(t, model.S_OK, CheckCmdLine(prog, "", nil))
	assert.Equal(t, model.E_INVALIDARG, CheckCmdLine("", "x", nil))
	assert.Equal(t, model.S_OK, CheckCmdLine(strings.Repeat("p", 260), "", nil))
	assert.Equal(t, model.BG_E_STRING_TOO_LONG, CheckCmdLine(strings.Repeat("p", 261), "", nil))
	assert.Equal(t, model.S_OK, CheckCmdLine(prog, strings.Repeat("q", 4000), nil))
	assert.Equal(t, model.BG_E_STRING_TOO_LONG, CheckCmdLine(prog, strings.Repeat("q", 4001), nil))

	assert.Equal(t, 3, Len16("a😀"))
	assert.Equal(t, 1, Len16("\xff"))
}

func TestTimers(t *testing.T) {
	assert.Equal(t, 5*time.Second, ClampRetryDelay(0))
	assert.Equal(t, 5*time.Second, ClampRetryDelay(4*time.Second))
	assert.Equal(t, 5*time.Second, ClampRetryDelay(-time.Hour))
	assert.Equal(t, 7*time.Second, ClampRetryDelay(7900*time.Millisecond))
	assert.Equal(t, 600*time.Second, NotificationRetryDelay(600*time.Second, nil))
	assert.Equal(t, 5*time.Second, NotificationRetryDelay(time.Second, nil))

	assert.Equal(t, model.S_OK, CheckSeconds(0))
	assert.Equal(t, model.S_OK, CheckSeconds((1<<32-1)*time.Second))
	assert.Equal(t, model.E_INVALIDARG, CheckSeconds(1<<32*time.Second))
	assert.Equal(t, model.E_INVALIDARG, CheckSeconds(-time.Second))

	day := 24 * time.Hour
	assert.Equal(t, transient, TransientErrorOutcome(13*day, 14*day))
	assert.Equal(t, errState, TransientErrorOutcome(14*day, 14*day))
	assert.Equal(t, errState, TransientErrorOutcome(0, 0), "a timeout of 0 means no retries")

	assert.True(t, CanNotifyConcurrently(3))
	assert.False(t, CanNotifyConcurrently(4))
}
