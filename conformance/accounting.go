package conformance

// untestable are the rules no backend-neutral test can observe, with the
// reason.
var untestable = map[string]string{}
