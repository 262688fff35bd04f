package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPersists(t *testing.T) {
	// Reference §10 and the rulebook's PERSIST-* decisions.
	kept := []Field{FieldID, FieldType, FieldOwner, FieldState, FieldFiles, FieldProgress, FieldTimes,
		FieldDisplayName, FieldDescription, FieldPriority, FieldNotifyFlags, FieldNotifyCmdLine,
		FieldNotifyCLSID, FieldMinimumRetryDelay, FieldNoProgressTimeout, FieldMaximumDownloadTime,
		FieldError, FieldProperties, FieldPendingNotifications}
	dropped := []Field{FieldNotifyObject, FieldCLSIDInstance, FieldInFlightNotifications}
	for _, f := range kept {
		p, rule := Persists(f)
		assert.True(t, p, f.String())
		assert.NotEmpty(t, rule)
	}
	for _, f := range dropped {
		p, _ := Persists(f)
		assert.False(t, p, f.String())
	}
	assert.Len(t, Fields(), len(kept)+len(dropped))
	p, rule := Persists(FieldNotifyCLSID)
	assert.True(t, p)
	assert.Equal(t, "PERSIST-CLSID-KEPT", rule)
	p, rule = Persists(FieldNotifyObject)
	assert.False(t, p)
	assert.Equal(t, "PERSIST-OBJECT-DROPPED", rule)
	p, rule = Persists(Field(0))
	assert.False(t, p)
	assert.Empty(t, rule)
	assert.Equal(t, "Field(99)", Field(99).String())
}
