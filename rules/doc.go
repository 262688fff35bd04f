// Package rules is bitssim's rulebook: the single written statement of the
// BITS notification semantics.
//
// It has two halves. The catalogue (All, Lookup, ByFamily) lists every rule
// with a stable ID, a one-sentence statement, the Microsoft page it comes
// from, and whether the documentation states it, it was observed, or we
// assumed it. The decision functions (CheckSetNotifyFlags, Apply, Route,
// Persists, CheckCreateJob, …) are pure, table-driven translations of those
// rules that the simulator obeys and the conformance suite's oracle uses.
// They depend only on package model, allocate nothing on the hot path, and
// name the rule IDs they implement in their doc comments.
package rules
