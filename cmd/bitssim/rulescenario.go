package main

import (
	"fmt"
	"io"

	"github.com/bitssim/bitssim/conformance"
)

// printRuleCheck prints, under a rule of 'rules' or 'explain --scenarios',
// how the conformance suite checks it: its scenario files with the command
// that runs each, or what checks it instead.
func printRuleCheck(w io.Writer, indent, id string) {
	files := conformance.ScenarioFiles(id)
	if len(files) == 0 {
		fmt.Fprintf(w, "%scheck: %s\n", indent, conformance.HowChecked(id))
		return
	}
	for _, f := range files {
		label := "scenario"
		if v, ok := f.Variants[f.Rule]; ok {
			label += " (" + v + ")"
		}
		fmt.Fprintf(w, "%s%s: %s\n%s  run: %s\n", indent, label, f.Path, indent, f.Command())
	}
}
