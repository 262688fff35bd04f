//go:build !windows

package main

func isBrokenPipeOS(error) bool { return false }
