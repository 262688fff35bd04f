package textdist

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"FLAGS-ZERO", "FLAGS-ZER0", 1},
		{"resume", "resume", 0},
		{"PREC-FAILURE-KEEP-OBJECT", "PREC-FAILURE-KEEPS-OBJECT", 1},
	} {
		assert.Equal(t, c.want, Distance(c.a, c.b), "%q %q", c.a, c.b)
		assert.Equal(t, c.want, Distance(c.b, c.a), "symmetric: %q %q", c.b, c.a)
	}
}

func ExampleDistance() {
	fmt.Println(Distance("resme", "resume"))
	// Output: 1
}
