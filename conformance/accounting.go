package conformance

// untestable are the rules no backend-neutral scenario can observe, with
// the reason; files add to it with markUntestable at init.
var untestable = map[string]string{}

// markUntestable records that rule id cannot be checked by a scenario.
func markUntestable(id, reason string) {
	if _, dup := untestable[id]; dup {
		panic("conformance: " + id + " marked untestable twice")
	}
	untestable[id] = reason
}
