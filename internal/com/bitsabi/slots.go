package bitsabi

import "github.com/bitssim/bitssim/model"

// The vtable slot of every BITS method, one struct per interface, one
// field per method, in IDL order. Slots 0-2 are IUnknown's (com.SlotUnknown)
// on every interface; an interface derived from another continues its
// base's numbering (IBackgroundCopyJob2 starts at 35, after
// IBackgroundCopyJob's 34). slots_test.go checks every field against the
// IDL written out literally. Source: Windows SDK Bits.h, bits1_5.h,
// bits2_0.h, bits2_5.h, bits3_0.h, bits4_0.h, bits5_0.h, bits10_1.h (see
// reference/bits-semantics.md §13.3).
var (
	// SlotManager is IBackgroundCopyManager.
	SlotManager = struct {
		CreateJob, GetJob, EnumJobs, GetErrorDescription int
	}{3, 4, 5, 6}

	// SlotJob is IBackgroundCopyJob.
	SlotJob = struct {
		AddFileSet, AddFile, EnumFiles, Suspend, Resume, Cancel, Complete, GetId, GetType,
		GetProgress, GetTimes, GetState, GetError, GetOwner, SetDisplayName, GetDisplayName,
		SetDescription, GetDescription, SetPriority, GetPriority, SetNotifyFlags, GetNotifyFlags,
		SetNotifyInterface, GetNotifyInterface, SetMinimumRetryDelay, GetMinimumRetryDelay,
		SetNoProgressTimeout, GetNoProgressTimeout, GetErrorCount, SetProxySettings,
		GetProxySettings, TakeOwnership int
	}{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
		28, 29, 30, 31, 32, 33, 34}

	// SlotJob2 is IBackgroundCopyJob2's own methods.
	SlotJob2 = struct {
		SetNotifyCmdLine, GetNotifyCmdLine, GetReplyProgress, GetReplyData, SetReplyFileName,
		GetReplyFileName, SetCredentials, RemoveCredentials int
	}{35, 36, 37, 38, 39, 40, 41, 42}

	// SlotJob3 is IBackgroundCopyJob3's own methods.
	SlotJob3 = struct {
		ReplaceRemotePrefix, AddFileWithRanges, SetFileACLFlags, GetFileACLFlags int
	}{43, 44, 45, 46}

	// SlotJob4 is IBackgroundCopyJob4's own methods.
	SlotJob4 = struct {
		SetPeerCachingFlags, GetPeerCachingFlags, GetOwnerIntegrityLevel, GetOwnerElevationState,
		SetMaximumDownloadTime, GetMaximumDownloadTime int
	}{47, 48, 49, 50, 51, 52}

	// SlotJob5 is IBackgroundCopyJob5's own methods.
	SlotJob5 = struct {
		SetProperty, GetProperty int
	}{53, 54}

	// SlotFile is IBackgroundCopyFile.
	SlotFile = struct {
		GetRemoteName, GetLocalName, GetProgress int
	}{3, 4, 5}

	// SlotFile2 is IBackgroundCopyFile2's own methods.
	SlotFile2 = struct {
		GetFileRanges, SetRemoteName int
	}{6, 7}

	// SlotFile3 is IBackgroundCopyFile3's own methods.
	SlotFile3 = struct {
		GetTemporaryName, SetValidationState, GetValidationState, IsDownloadedFromPeer int
	}{8, 9, 10, 11}

	// SlotFile4 is IBackgroundCopyFile4's own method.
	SlotFile4 = struct {
		GetPeerDownloadStats int
	}{12}

	// SlotFile5 is IBackgroundCopyFile5's own methods.
	SlotFile5 = struct {
		SetProperty, GetProperty int
	}{13, 14}

	// SlotFile6 is IBackgroundCopyFile6's own methods.
	SlotFile6 = struct {
		UpdateDownloadPosition, RequestFileRanges, GetFilledFileRanges int
	}{15, 16, 17}

	// SlotCallback is IBackgroundCopyCallback.
	SlotCallback = struct {
		JobTransferred, JobError, JobModification int
	}{3, 4, 5}

	// SlotCallback2 is IBackgroundCopyCallback2's own method.
	SlotCallback2 = struct {
		FileTransferred int
	}{6}

	// SlotCallback3 is IBackgroundCopyCallback3's own method.
	SlotCallback3 = struct {
		FileRangesTransferred int
	}{7}

	// SlotError is IBackgroundCopyError.
	SlotError = struct {
		GetError, GetFile, GetErrorDescription, GetErrorContextDescription, GetProtocol int
	}{3, 4, 5, 6, 7}

	// SlotEnum is IEnumBackgroundCopyJobs and IEnumBackgroundCopyFiles,
	// which share one layout.
	SlotEnum = struct {
		Next, Skip, Reset, Clone, GetCount int
	}{3, 4, 5, 6, 7}
)

// ManagerClasses are the class identifiers of the BITS manager, newest
// first: creating the first one that is registered tells the installed
// BITS version (determining-the-version-of-bits-on-a-computer).
var ManagerClasses = []struct {
	Version model.Version
	CLSID   model.GUID
}{
	{model.BITS10_3, model.MustParseGUID("{5FD42AD5-C04E-4D36-ADC7-E08FF15737AD}")},
	{model.BITS10_2, model.MustParseGUID("{4575438F-A6C8-4976-B0FE-2F26B80D959E}")},
	{model.BITS10_1, model.MustParseGUID("{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}")},
	{model.BITS5_0, model.MustParseGUID("{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}")},
	{model.BITS4_0, model.MustParseGUID("{BB6DF56B-CACE-11DC-9992-0019B93A3A84}")},
	{model.BITS3_0, model.MustParseGUID("{659CDEA7-489E-11D9-A9CD-000D56965251}")},
	{model.BITS2_5, model.MustParseGUID("{03CA98D6-FF5D-49B8-ABC6-03DD84127020}")},
	{model.BITS2_0, model.MustParseGUID("{6D18AD12-BDE3-4393-B311-099C346E6DF9}")},
	{model.BITS1_5, model.MustParseGUID("{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}")},
}

// Interface identifiers of BITS (bits*.h).
var (
	IIDManager   = model.IID_IBackgroundCopyManager // IBackgroundCopyManager
	IIDJob       = model.IID_IBackgroundCopyJob     // IBackgroundCopyJob
	IIDJob2      = model.MustParseGUID("{54B50739-686F-45EB-9DFF-D6A9A0FAA9AF}")
	IIDJob3      = model.MustParseGUID("{443C8934-90FF-48ED-BCDE-26F5C7450042}")
	IIDJob4      = model.MustParseGUID("{659CDEAE-489E-11D9-A9CD-000D56965251}")
	IIDJob5      = model.MustParseGUID("{E847030C-BBBA-4657-AF6D-484AA42BF1FE}")
	IIDFile      = model.MustParseGUID("{01B7BD23-FB88-4A77-8490-5891D3E4653A}")
	IIDFile2     = model.MustParseGUID("{83E81B93-0873-474D-8A8C-F2018B1A939C}")
	IIDFile3     = model.MustParseGUID("{659CDEAA-489E-11D9-A9CD-000D56965251}")
	IIDFile4     = model.MustParseGUID("{EF7E0655-7888-4960-B0E5-730846E03492}")
	IIDFile5     = model.MustParseGUID("{85C1657F-DAFC-40E8-8834-DF18EA25717E}")
	IIDFile6     = model.MustParseGUID("{CF6784F7-D677-49FD-9368-CB47AEE9D1AD}")
	IIDCallback  = model.IID_IBackgroundCopyCallback  // IBackgroundCopyCallback
	IIDCallback2 = model.IID_IBackgroundCopyCallback2 // IBackgroundCopyCallback2
	IIDCallback3 = model.IID_IBackgroundCopyCallback3 // IBackgroundCopyCallback3
	IIDError     = model.MustParseGUID("{19C613A0-FCB8-4F28-81AE-897C3D078F81}")
	IIDEnumJobs  = model.MustParseGUID("{1AF4F612-3B71-466F-8F58-7B6F73AC57AD}")
	IIDEnumFiles = model.MustParseGUID("{CA51E165-C365-424C-8D41-24AAA4FF3C40}")
)
