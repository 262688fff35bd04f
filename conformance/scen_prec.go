package conformance

func init() {
	register()
}
