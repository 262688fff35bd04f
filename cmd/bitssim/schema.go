package main

import (
	_ "embed"
	"flag"
	"fmt"
)

// schemaJSON is bitssim.schema.json: the JSON Schema of every JSON output.
//
//go:embed bitssim.schema.json
var schemaJSON []byte

func runSchema(args []string, s streams) int {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s schema\n\n", programName)
		fmt.Fprintf(fs.Output(), "Prints the JSON Schema (draft 2020-12) of every JSON output: run --format json\n")
		fmt.Fprintf(fs.Output(), "and jsonl, explain --json, rules --json, bench --json and conform --format json.\n")
		fmt.Fprintf(fs.Output(), "Its $defs name each document: runResults, runResult, explanations, rules,\nbenchResult, conformReport.\n")
	}
	pos, code, done := parseFlags(fs, args)
	if done {
		return code
	}
	if !noArgs(fs, pos, s.err) {
		return exitUsage
	}
	if _, err := s.out.Write(schemaJSON); err != nil {
		fmt.Fprintf(s.err, "%s schema: write: %v\n", programName, err)
		return exitUsage
	}
	return exitOK
}
