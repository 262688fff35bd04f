package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStandaloneRunsCleanupsLastFirstAndKeepsTheFirstFatal(t *testing.T) {
	s := NewStandalone("x")
	var order []int
	s.Cleanup(func() { order = append(order, 1) })
	s.Cleanup(func() { order = append(order, 2) })
	assert.NoError(t, s.Err())
	s.Fatalf("first %d", 1)
	s.Fatalf("second")
	assert.EqualError(t, s.Err(), "first 1")
	s.Close()
	assert.Equal(t, []int{2, 1}, order)
	s.Close()
	assert.Equal(t, []int{2, 1}, order, "Close runs each cleanup once")
	assert.Equal(t, "x", s.Name())
}
