package conformance

func init() {
	register()
}

func init() {
	markUntestable("OBJ-GET-NULL-ARG",
		"the Go API returns the object as a value (GetNotifyInterface() (Callback, error)): there is no output pointer a caller could pass as NULL, on any backend")

	register()
}
