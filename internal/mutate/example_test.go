package mutate_test

import (
	"fmt"

	"github.com/bitssim/bitssim/internal/mutate"
)

func Example() {
	src := []byte("package p\n\nfunc limit(n int) bool {\n\treturn n >= 4\n}\n")
	ms, err := mutate.Generate("p.go", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range ms {
		fmt.Println(m)
	}
	out, _ := ms[0].Apply(src)
	fmt.Printf("%s", out)
	// Output:
	// p.go:4:11 compare: ">=" -> ">"
	// p.go:4:14 off-by-one: "4" -> "5"
	// package p
	//
	// func limit(n int) bool {
	// 	return n > 4
	// }
}
