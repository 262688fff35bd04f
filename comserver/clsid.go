package comserver

import "github.com/bitssim/bitssim/model"

// CLSID is the server's own class: on Windows, where BITS itself owns
// CLSID_BackgroundCopyManager, a program under test creates this class
// instead (the only change it needs), and gets the same
// IBackgroundCopyManager.
var CLSID = model.MustParseGUID("{EBE93248-980D-4B0D-9F3A-FF4F3D7BF786}")

// ManagerCLSIDs are the classes of the BITS manager a Wine takeover
// redirects to the server: CLSID_BackgroundCopyManager and the versioned
// classes a client creates to ask for a BITS version
// (determining-the-version-of-bits-on-a-computer), newest first.
var ManagerCLSIDs = []struct {
	Name    string
	Version model.Version
	CLSID   model.GUID
}{
	{"BackgroundCopyManager10_3", model.BITS10_3, model.MustParseGUID("{5FD42AD5-C04E-4D36-ADC7-E08FF15737AD}")},
	{"BackgroundCopyManager10_2", model.BITS10_2, model.MustParseGUID("{4575438F-A6C8-4976-B0FE-2F26B80D959E}")},
	{"BackgroundCopyManager10_1", model.BITS10_1, model.MustParseGUID("{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}")},
	{"BackgroundCopyManager5_0", model.BITS5_0, model.MustParseGUID("{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}")},
	{"BackgroundCopyManager4_0", model.BITS4_0, model.MustParseGUID("{BB6DF56B-CACE-11DC-9992-0019B93A3A84}")},
	{"BackgroundCopyManager3_0", model.BITS3_0, model.MustParseGUID("{659CDEA7-489E-11D9-A9CD-000D56965251}")},
	{"BackgroundCopyManager2_5", model.BITS2_5, model.MustParseGUID("{03CA98D6-FF5D-49B8-ABC6-03DD84127020}")},
	{"BackgroundCopyManager2_0", model.BITS2_0, model.MustParseGUID("{6D18AD12-BDE3-4393-B311-099C346E6DF9}")},
	{"BackgroundCopyManager1_5", model.BITS1_5, model.MustParseGUID("{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}")},
	{"BackgroundCopyManager", model.BITS1_5, model.CLSID_BackgroundCopyManager},
}

// Served returns the CLSIDs a server of BITS version v answers under a
// takeover: the manager classes of v and older (a client that creates a
// newer version's class learns that this BITS is older, as on Windows).
func Served(v model.Version) []model.GUID {
	var out []model.GUID
	for _, c := range ManagerCLSIDs {
		if c.Version <= v {
			out = append(out, c.CLSID)
		}
	}
	return out
}
