package bitsabi_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// idl is every interface's methods in declaration order, copied from the
// Windows SDK IDL (Bits.idl, bits1_5.idl, bits2_0.idl, bits3_0.idl,
// bits4_0.idl, bits5_0.idl, bits10_1.idl, unknwn.idl), with its base
// interface. The slot of a method is the number of methods of all its bases
// plus its position here.
var idl = []struct {
	name    string
	base    string
	methods []string
	table   any
}{
	{"IUnknown", "", []string{"QueryInterface", "AddRef", "Release"}, com.SlotUnknown},
	{"IClassFactory", "IUnknown", []string{"CreateInstance", "LockServer"}, com.SlotClassFactory},
	{"IBackgroundCopyManager", "IUnknown", []string{"CreateJob", "GetJob", "EnumJobs", "GetErrorDescription"}, bitsabi.SlotManager},
	{"IBackgroundCopyJob", "IUnknown", []string{
		"AddFileSet", "AddFile", "EnumFiles", "Suspend", "Resume", "Cancel", "Complete", "GetId",
		"GetType", "GetProgress", "GetTimes", "GetState", "GetError", "GetOwner", "SetDisplayName",
		"GetDisplayName", "SetDescription", "GetDescription", "SetPriority", "GetPriority",
		"SetNotifyFlags", "GetNotifyFlags", "SetNotifyInterface", "GetNotifyInterface",
		"SetMinimumRetryDelay", "GetMinimumRetryDelay", "SetNoProgressTimeout",
		"GetNoProgressTimeout", "GetErrorCount", "SetProxySettings", "GetProxySettings",
		"TakeOwnership"}, bitsabi.SlotJob},
	{"IBackgroundCopyJob2", "IBackgroundCopyJob", []string{
		"SetNotifyCmdLine", "GetNotifyCmdLine", "GetReplyProgress", "GetReplyData",
		"SetReplyFileName", "GetReplyFileName", "SetCredentials", "RemoveCredentials"}, bitsabi.SlotJob2},
	{"IBackgroundCopyJob3", "IBackgroundCopyJob2", []string{
		"ReplaceRemotePrefix", "AddFileWithRanges", "SetFileACLFlags", "GetFileACLFlags"}, bitsabi.SlotJob3},
	{"IBackgroundCopyJob4", "IBackgroundCopyJob3", []string{
		"SetPeerCachingFlags", "GetPeerCachingFlags", "GetOwnerIntegrityLevel",
		"GetOwnerElevationState", "SetMaximumDownloadTime", "GetMaximumDownloadTime"}, bitsabi.SlotJob4},
	{"IBackgroundCopyJob5", "IBackgroundCopyJob4", []string{"SetProperty", "GetProperty"}, bitsabi.SlotJob5},
	{"IBackgroundCopyFile", "IUnknown", []string{"GetRemoteName", "GetLocalName", "GetProgress"}, bitsabi.SlotFile},
	{"IBackgroundCopyFile2", "IBackgroundCopyFile", []string{"GetFileRanges", "SetRemoteName"}, bitsabi.SlotFile2},
	{"IBackgroundCopyFile3", "IBackgroundCopyFile2", []string{
		"GetTemporaryName", "SetValidationState", "GetValidationState", "IsDownloadedFromPeer"}, bitsabi.SlotFile3},
	{"IBackgroundCopyFile4", "IBackgroundCopyFile3", []string{"GetPeerDownloadStats"}, bitsabi.SlotFile4},
	{"IBackgroundCopyFile5", "IBackgroundCopyFile4", []string{"SetProperty", "GetProperty"}, bitsabi.SlotFile5},
	{"IBackgroundCopyFile6", "IBackgroundCopyFile5", []string{
		"UpdateDownloadPosition", "RequestFileRanges", "GetFilledFileRanges"}, bitsabi.SlotFile6},
	{"IBackgroundCopyCallback", "IUnknown", []string{"JobTransferred", "JobError", "JobModification"}, bitsabi.SlotCallback},
	{"IBackgroundCopyCallback2", "IBackgroundCopyCallback", []string{"FileTransferred"}, bitsabi.SlotCallback2},
	{"IBackgroundCopyCallback3", "IBackgroundCopyCallback2", []string{"FileRangesTransferred"}, bitsabi.SlotCallback3},
	{"IBackgroundCopyError", "IUnknown", []string{
		"GetError", "GetFile", "GetErrorDescription", "GetErrorContextDescription", "GetProtocol"}, bitsabi.SlotError},
	{"IEnumBackgroundCopyJobs", "IUnknown", []string{"Next", "Skip", "Reset", "Clone", "GetCount"}, bitsabi.SlotEnum},
	{"IEnumBackgroundCopyFiles", "IUnknown", []string{"Next", "Skip", "Reset", "Clone", "GetCount"}, bitsabi.SlotEnum},
}

func TestSlotsMatchIDL(t *testing.T) {
	size := map[string]int{}
	for _, itf := range idl {
		first := 0
		if itf.base != "" {
			n, ok := size[itf.base]
			require.True(t, ok, "%s: base %s must come first", itf.name, itf.base)
			first = n
		}
		size[itf.name] = first + len(itf.methods)

		v := reflect.ValueOf(itf.table)
		typ := v.Type()
		require.Equal(t, len(itf.methods), typ.NumField(), "%s: the table has one field per IDL method", itf.name)
		for i, m := range itf.methods {
			f := typ.Field(i)
			assert.Equal(t, m, f.Name, "%s: method %d in IDL order", itf.name, i)
			assert.Equal(t, first+i, int(v.Field(i).Int()), "%s::%s slot", itf.name, m)
		}
	}
	// Spot checks of slots known from other sources.
	assert.Equal(t, 34, bitsabi.SlotJob.TakeOwnership, "the last IBackgroundCopyJob method")
	assert.Equal(t, 35, bitsabi.SlotJob2.SetNotifyCmdLine, "not 34 (a known hand-counting bug)")
	assert.Equal(t, 53, bitsabi.SlotJob5.SetProperty)
	assert.Equal(t, 17, bitsabi.SlotFile6.GetFilledFileRanges)
}

func TestManagerClassesNewestFirst(t *testing.T) {
	require.NotEmpty(t, bitsabi.ManagerClasses)
	seen := map[model.GUID]bool{}
	for i, c := range bitsabi.ManagerClasses {
		assert.False(t, seen[c.CLSID], "duplicate CLSID %v", c.CLSID)
		seen[c.CLSID] = true
		assert.NotEqual(t, model.CLSID_BackgroundCopyManager, c.CLSID)
		if i > 0 {
			assert.Less(t, c.Version, bitsabi.ManagerClasses[i-1].Version, "newest first")
		}
	}
}

func TestIIDsDistinct(t *testing.T) {
	all := []model.GUID{com.IIDUnknown, com.IIDClassFactory, bitsabi.IIDManager, bitsabi.IIDJob, bitsabi.IIDJob2, bitsabi.IIDJob3, bitsabi.IIDJob4, bitsabi.IIDJob5,
		bitsabi.IIDFile, bitsabi.IIDFile2, bitsabi.IIDFile3, bitsabi.IIDFile4, bitsabi.IIDFile5, bitsabi.IIDFile6, bitsabi.IIDCallback, bitsabi.IIDCallback2, bitsabi.IIDCallback3,
		bitsabi.IIDError, bitsabi.IIDEnumJobs, bitsabi.IIDEnumFiles}
	seen := map[model.GUID]bool{}
	for _, g := range all {
		assert.False(t, seen[g], "duplicate IID %v", g)
		seen[g] = true
	}
}
