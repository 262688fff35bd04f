package winbits

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	{"IUnknown", "", []string{"QueryInterface", "AddRef", "Release"}, slotUnknown},
	{"IClassFactory", "IUnknown", []string{"CreateInstance", "LockServer"}, slotClassFactory},
	{"IBackgroundCopyManager", "IUnknown", []string{"CreateJob", "GetJob", "EnumJobs", "GetErrorDescription"}, slotManager},
	{"IBackgroundCopyJob", "IUnknown", []string{
		"AddFileSet", "AddFile", "EnumFiles", "Suspend", "Resume", "Cancel", "Complete", "GetId",
		"GetType", "GetProgress", "GetTimes", "GetState", "GetError", "GetOwner", "SetDisplayName",
		"GetDisplayName", "SetDescription", "GetDescription", "SetPriority", "GetPriority",
		"SetNotifyFlags", "GetNotifyFlags", "SetNotifyInterface", "GetNotifyInterface",
		"SetMinimumRetryDelay", "GetMinimumRetryDelay", "SetNoProgressTimeout",
		"GetNoProgressTimeout", "GetErrorCount", "SetProxySettings", "GetProxySettings",
		"TakeOwnership"}, slotJob},
	{"IBackgroundCopyJob2", "IBackgroundCopyJob", []string{
		"SetNotifyCmdLine", "GetNotifyCmdLine", "GetReplyProgress", "GetReplyData",
		"SetReplyFileName", "GetReplyFileName", "SetCredentials", "RemoveCredentials"}, slotJob2},
	{"IBackgroundCopyJob3", "IBackgroundCopyJob2", []string{
		"ReplaceRemotePrefix", "AddFileWithRanges", "SetFileACLFlags", "GetFileACLFlags"}, slotJob3},
	{"IBackgroundCopyJob4", "IBackgroundCopyJob3", []string{
		"SetPeerCachingFlags", "GetPeerCachingFlags", "GetOwnerIntegrityLevel",
		"GetOwnerElevationState", "SetMaximumDownloadTime", "GetMaximumDownloadTime"}, slotJob4},
	{"IBackgroundCopyJob5", "IBackgroundCopyJob4", []string{"SetProperty", "GetProperty"}, slotJob5},
	{"IBackgroundCopyFile", "IUnknown", []string{"GetRemoteName", "GetLocalName", "GetProgress"}, slotFile},
	{"IBackgroundCopyFile2", "IBackgroundCopyFile", []string{"GetFileRanges", "SetRemoteName"}, slotFile2},
	{"IBackgroundCopyFile3", "IBackgroundCopyFile2", []string{
		"GetTemporaryName", "SetValidationState", "GetValidationState", "IsDownloadedFromPeer"}, slotFile3},
	{"IBackgroundCopyFile4", "IBackgroundCopyFile3", []string{"GetPeerDownloadStats"}, slotFile4},
	{"IBackgroundCopyFile5", "IBackgroundCopyFile4", []string{"SetProperty", "GetProperty"}, slotFile5},
	{"IBackgroundCopyFile6", "IBackgroundCopyFile5", []string{
		"UpdateDownloadPosition", "RequestFileRanges", "GetFilledFileRanges"}, slotFile6},
	{"IBackgroundCopyCallback", "IUnknown", []string{"JobTransferred", "JobError", "JobModification"}, slotCallback},
	{"IBackgroundCopyCallback2", "IBackgroundCopyCallback", []string{"FileTransferred"}, slotCallback2},
	{"IBackgroundCopyCallback3", "IBackgroundCopyCallback2", []string{"FileRangesTransferred"}, slotCallback3},
	{"IBackgroundCopyError", "IUnknown", []string{
		"GetError", "GetFile", "GetErrorDescription", "GetErrorContextDescription", "GetProtocol"}, slotError},
	{"IEnumBackgroundCopyJobs", "IUnknown", []string{"Next", "Skip", "Reset", "Clone", "GetCount"}, slotEnum},
	{"IEnumBackgroundCopyFiles", "IUnknown", []string{"Next", "Skip", "Reset", "Clone", "GetCount"}, slotEnum},
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
	assert.Equal(t, 34, slotJob.TakeOwnership, "the last IBackgroundCopyJob method")
	assert.Equal(t, 35, slotJob2.SetNotifyCmdLine, "not 34 (a known hand-counting bug)")
	assert.Equal(t, 53, slotJob5.SetProperty)
	assert.Equal(t, 17, slotFile6.GetFilledFileRanges)
}

func TestManagerClassesNewestFirst(t *testing.T) {
	require.NotEmpty(t, managerClasses)
	seen := map[model.GUID]bool{}
	for i, c := range managerClasses {
		assert.False(t, seen[c.CLSID], "duplicate CLSID %v", c.CLSID)
		seen[c.CLSID] = true
		assert.NotEqual(t, model.CLSID_BackgroundCopyManager, c.CLSID)
		if i > 0 {
			assert.Less(t, c.Version, managerClasses[i-1].Version, "newest first")
		}
	}
}

func TestIIDsDistinct(t *testing.T) {
	all := []model.GUID{iidUnknown, iidClassFactory, iidManager, iidJob, iidJob2, iidJob3, iidJob4, iidJob5,
		iidFile, iidFile2, iidFile3, iidFile4, iidFile5, iidFile6, iidCallback, iidCallback2, iidCallback3,
		iidError, iidEnumJobs, iidEnumFiles}
	seen := map[model.GUID]bool{}
	for _, g := range all {
		assert.False(t, seen[g], "duplicate IID %v", g)
		seen[g] = true
	}
}
