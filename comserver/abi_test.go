package comserver

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/model"
)

func TestProgram(t *testing.T) {
	for cmd, want := range map[string]string{
		`"C:\Program Files\bitssim\bitssim-comserver.exe" -takeover -store x`: `C:\Program Files\bitssim\bitssim-comserver.exe`,
		`C:\bitssim\server.exe -takeover`:                                     `C:\bitssim\server.exe`,
		`  Z:\tmp\server.exe`:                                                 `Z:\tmp\server.exe`,
		`"unterminated`:                                                       `unterminated`,
		``:                                                                    ``,
	} {
		assert.Equal(t, want, program(cmd), cmd)
	}
}

// Served gives a BITS version's manager classes and those of older
// versions, never a newer one's: a client creating
// BackgroundCopyManager10_3 of a 5.0 service must fail, as on Windows
// (determining-the-version-of-bits-on-a-computer).
func TestServed(t *testing.T) {
	v5 := Served(model.BITS5_0)
	assert.Contains(t, v5, model.MustParseGUID("{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}"), "BackgroundCopyManager5_0")
	assert.Contains(t, v5, model.MustParseGUID("{4991D34B-80A1-4291-83B6-3328366B9097}"), "CLSID_BackgroundCopyManager")
	assert.Contains(t, v5, model.MustParseGUID("{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}"), "BackgroundCopyManager1_5")
	assert.NotContains(t, v5, model.MustParseGUID("{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}"), "BackgroundCopyManager10_1")
	assert.Len(t, Served(model.BITS10_3), 10)
	assert.Len(t, Served(model.BITS1_5), 2)
	assert.NotEqual(t, CLSID, model.CLSID_BackgroundCopyManager)
}
