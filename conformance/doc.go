// Package conformance will hold the property-based conformance suite that
// runs against any harness backend: a scenario per rule whose expectation is
// written from the rule's statement, and a rapid state machine checked by an
// oracle built only from packages model and rules.
package conformance
