package main

import (
	"strings"
	"testing"
)

// TestProfilerServesOnLoopbackOnly: --pprof refuses an address beyond
// loopback (profiles show the process's memory, keys included).
func TestProfilerServesOnLoopbackOnly(t *testing.T) {
	stop, err := serveProfiler("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if _, err := serveProfiler("0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("--pprof 0.0.0.0:0: %v, want a refusal naming loopback", err)
	}
}
