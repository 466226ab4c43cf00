//go:build !unix

package main

// lockData takes no lock where flock is not available (the standard
// library has no portable file lock): two servers on one data directory
// are not refused there.
func lockData(dir, addr string) (unlock func(), err error) { return func() {}, nil }
