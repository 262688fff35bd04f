package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJobStateNames(t *testing.T) {
	want := map[JobState]string{
		BG_JOB_STATE_QUEUED:          "QUEUED",
		BG_JOB_STATE_CONNECTING:      "CONNECTING",
		BG_JOB_STATE_TRANSFERRING:    "TRANSFERRING",
		BG_JOB_STATE_SUSPENDED:       "SUSPENDED",
		BG_JOB_STATE_ERROR:           "ERROR",
		BG_JOB_STATE_TRANSIENT_ERROR: "TRANSIENT_ERROR",
		BG_JOB_STATE_TRANSFERRED:     "TRANSFERRED",
		BG_JOB_STATE_ACKNOWLEDGED:    "ACKNOWLEDGED",
		BG_JOB_STATE_CANCELLED:       "CANCELLED",
	}
	require.Len(t, JobStates(), 9)
	for s, name := range want {
		assert.Equal(t, name, s.String())
		p, err := ParseJobState("bg_job_state_" + name)
		require.NoError(t, err)
		assert.Equal(t, s, p)
	}
	assert.Equal(t, "JobState(9)", JobState(9).String())
	_, err := ParseJobState("DONE")
	assert.ErrorContains(t, err, `"DONE"`)
}

func TestJobStateClasses(t *testing.T) {
	final := map[JobState]bool{BG_JOB_STATE_ACKNOWLEDGED: true, BG_JOB_STATE_CANCELLED: true}
	active := map[JobState]bool{BG_JOB_STATE_QUEUED: true, BG_JOB_STATE_CONNECTING: true, BG_JOB_STATE_TRANSFERRING: true}
	for _, s := range JobStates() {
		assert.Equal(t, final[s], s.IsFinal(), s)
		assert.Equal(t, active[s], s.IsActive(), s)
		assert.True(t, s.Valid())
	}
	assert.False(t, JobState(9).Valid())
}

func TestOtherEnumNames(t *testing.T) {
	assert.Equal(t, "DOWNLOAD", BG_JOB_TYPE_DOWNLOAD.String())
	assert.Equal(t, "UPLOAD", BG_JOB_TYPE_UPLOAD.String())
	assert.Equal(t, "UPLOAD_REPLY", BG_JOB_TYPE_UPLOAD_REPLY.String())
	assert.Equal(t, "FOREGROUND", BG_JOB_PRIORITY_FOREGROUND.String())
	assert.Equal(t, "HIGH", BG_JOB_PRIORITY_HIGH.String())
	assert.Equal(t, "NORMAL", BG_JOB_PRIORITY_NORMAL.String())
	assert.Equal(t, "LOW", BG_JOB_PRIORITY_LOW.String())
	assert.Equal(t, "JobPriority(4)", JobPriority(4).String())
	assert.Equal(t, "NONE", BG_ERROR_CONTEXT_NONE.String())
	assert.Equal(t, "QUEUE_MANAGER_NOTIFICATION", BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION.String())
	assert.Equal(t, "REMOTE_FILE", BG_ERROR_CONTEXT_REMOTE_FILE.String())
	assert.Equal(t, "SERVER_CERTIFICATE_CALLBACK", BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK.String())
	assert.Equal(t, "NOTIFICATION_CLSID", BITS_JOB_PROPERTY_NOTIFICATION_CLSID.String())
	assert.Equal(t, "ON_DEMAND_MODE", BITS_JOB_PROPERTY_ON_DEMAND_MODE.String())
	assert.Equal(t, "MINIMUM_NOTIFICATION_INTERVAL_MS", BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS.String())
	assert.Equal(t, "JobPropertyID(6)", JobPropertyID(6).String())
	assert.False(t, JobPropertyID(6).Valid())
	assert.True(t, BITS_JOB_PROPERTY_NOTIFICATION_CLSID.Valid())
	assert.Equal(t, "ALL_USERS", BG_JOB_ENUM_ALL_USERS.String())

	typ, err := ParseJobType("upload_reply")
	require.NoError(t, err)
	assert.Equal(t, BG_JOB_TYPE_UPLOAD_REPLY, typ)
	prio, err := ParseJobPriority("BG_JOB_PRIORITY_LOW")
	require.NoError(t, err)
	assert.Equal(t, BG_JOB_PRIORITY_LOW, prio)
	prop, err := ParseJobPropertyID("BITS_JOB_PROPERTY_NOTIFICATION_CLSID")
	require.NoError(t, err)
	assert.Equal(t, JobPropertyID(2), prop)
	ctx, err := ParseErrorContext("remote_file")
	require.NoError(t, err)
	assert.Equal(t, ErrorContext(5), ctx)
}

func TestNotifyFlagsString(t *testing.T) {
	cases := []struct {
		flags NotifyFlags
		want  string
	}{
		{0, "0"},
		{0x3, "JOB_TRANSFERRED|JOB_ERROR"},
		{0x4, "DISABLE"},
		{0x1F, "JOB_TRANSFERRED|JOB_ERROR|DISABLE|JOB_MODIFICATION|FILE_TRANSFERRED"},
		{0x3F, "JOB_TRANSFERRED|JOB_ERROR|DISABLE|JOB_MODIFICATION|FILE_TRANSFERRED|FILE_RANGES_TRANSFERRED"},
		{0xC1, "JOB_TRANSFERRED|0xC0"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.flags.String())
		back, err := ParseNotifyFlags(c.want)
		require.NoError(t, err, c.want)
		assert.Equal(t, c.flags, back, c.want)
	}
}

func TestParseNotifyFlags(t *testing.T) {
	f, err := ParseNotifyFlags(" bg_notify_job_error | 0x8 ")
	require.NoError(t, err)
	assert.Equal(t, NotifyFlags(0xA), f)
	for _, bad := range []string{"", "JOB_DONE", "JOB_ERROR|", "0x1FFFFFFFF"} {
		_, err := ParseNotifyFlags(bad)
		assert.Error(t, err, "%q", bad)
	}
	assert.True(t, NotifyFlags(0x3).Has(BG_NOTIFY_JOB_ERROR))
	assert.False(t, NotifyFlags(0x3).Has(BG_NOTIFY_DISABLE))
}

func TestVersions(t *testing.T) {
	names := []string{"1.5", "2.0", "2.5", "3.0", "4.0", "5.0", "10.1", "10.2", "10.3"}
	require.Len(t, Versions(), len(names))
	for i, v := range Versions() {
		assert.Equal(t, names[i], v.String())
		p, err := ParseVersion(names[i])
		require.NoError(t, err)
		assert.Equal(t, v, p)
		if i > 0 {
			assert.Less(t, Versions()[i-1], v, "versions are ordered")
		}
	}
	v, err := ParseVersion("5")
	require.NoError(t, err)
	assert.Equal(t, BITS5_0, v)
	for _, bad := range []string{"", "1.0", "10.4", "x", "10.3.1", "300.1"} {
		_, err := ParseVersion(bad)
		assert.Error(t, err, bad)
	}
}

func TestAccounts(t *testing.T) {
	alice := Account{Name: "alice", Kind: AccountUser}
	assert.False(t, alice.IsAdmin())
	assert.False(t, alice.IsServiceAccount())
	assert.True(t, alice.Same(Account{Name: "ALICE"}))
	assert.True(t, LocalSystem.IsAdmin())
	assert.True(t, LocalSystem.IsServiceAccount())
	assert.False(t, LocalService.IsAdmin())
	assert.True(t, LocalService.IsServiceAccount())
	assert.True(t, NetworkService.IsServiceAccount())
	assert.True(t, Account{Name: "root", Kind: AccountAdministrator}.IsAdmin())
	k, err := ParseAccountKind("Admin")
	require.NoError(t, err)
	assert.Equal(t, AccountAdministrator, k)
	k, err = ParseAccountKind("networkservice")
	require.NoError(t, err)
	assert.Equal(t, AccountNetworkService, k)
	_, err = ParseAccountKind("guest")
	assert.Error(t, err)
}

func TestEventKinds(t *testing.T) {
	names := []string{"JobTransferred", "JobError", "JobModification", "FileTransferred", "FileRangesTransferred", "CommandLine"}
	flags := []NotifyFlags{0x1, 0x2, 0x8, 0x10, 0x20, 0}
	for i, k := range EventKinds() {
		assert.Equal(t, names[i], k.String())
		assert.Equal(t, flags[i], k.Flag(), k)
		p, err := ParseEventKind(names[i])
		require.NoError(t, err)
		assert.Equal(t, k, p)
	}
	_, err := ParseEventKind("JobDone")
	assert.Error(t, err)
}

func TestAccountIdentityFoldsCaseLikeWindows(t *testing.T) {
	// Windows compares account names case-insensitively: every spelling
	// below is one principal, for Same and for Key alike.
	for _, pair := range [][2]string{{"alice", "ALICE"}, {"alice", "aLiCe"}, {"sam", "ſam"}, {"SAM", "ſam"}, {"kelvin", "\u212Aelvin"}, {"straße", "STRAẞE"}} {
		a, b := Account{Name: pair[0]}, Account{Name: pair[1]}
		assert.True(t, a.Same(b), "%q and %q are one user", pair[0], pair[1])
		assert.Equal(t, a.Key(), b.Key(), "%q and %q have one key", pair[0], pair[1])
	}
	for _, pair := range [][2]string{{"alice", "alicia"}, {"sam", "sa"}, {"ß", "ss"}} {
		a, b := Account{Name: pair[0]}, Account{Name: pair[1]}
		assert.False(t, a.Same(b), "%q and %q are two users", pair[0], pair[1])
		assert.NotEqual(t, a.Key(), b.Key(), "%q and %q have two keys", pair[0], pair[1])
	}
}

func TestAccountKindIsPartOfTheIdentity(t *testing.T) {
	impostor := Account{Name: `nt authority\system`, Kind: AccountUser}
	assert.False(t, impostor.Same(LocalSystem), "a user named like LocalSystem is not LocalSystem")
	assert.NotEqual(t, impostor.Key(), LocalSystem.Key())
	assert.False(t, impostor.IsAdmin())
}

func TestAccountElevationAndIntegrity(t *testing.T) {
	admin := Account{Name: "root", Kind: AccountAdministrator}
	filtered := Account{Name: "ROOT", Kind: AccountAdministrator, Unelevated: true}
	assert.True(t, admin.Same(filtered), "elevation belongs to the token, not the principal")
	assert.True(t, admin.Elevated())
	assert.False(t, filtered.Elevated())
	assert.False(t, filtered.IsAdmin(), "an unelevated administrator has no administrator rights")
	assert.Equal(t, IntegrityHigh, admin.Integrity())
	assert.Equal(t, IntegrityMedium, filtered.Integrity())
	assert.Equal(t, IntegrityMedium, Account{Name: "alice"}.Integrity())
	assert.Equal(t, IntegritySystem, LocalSystem.Integrity())
	assert.Equal(t, IntegritySystem, NetworkService.Integrity())
	assert.Equal(t, IntegrityLevel(0x4000), IntegritySystem, "SECURITY_MANDATORY_SYSTEM_RID")
	assert.Equal(t, "high", IntegrityHigh.String())
}
