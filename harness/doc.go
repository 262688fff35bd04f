// Package harness will put every BITS backend behind one interface: the
// model API, a control plane (start an application as a user, let it exit or
// kill it, register a callback class, restart the service, script remote
// sources, drive time, read the notification trace) and Capabilities, so
// that one conformance suite can run against the simulator, Wine's BITS and
// real BITS. harness/winbits will be the real backend over COM, built only
// on Windows.
package harness
