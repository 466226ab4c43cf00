package main

import (
	"net"
	"net/http"
	"path/filepath"
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

// TestServeProfilerOnItsOwnAddress: zfb serve --pprof serves the profiler
// on the address given, and the gateway's address does not serve it.
func TestServeProfilerOnItsOwnAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pprofAddr := ln.Addr().String()
	ln.Close()
	stdout, _, stop := serveUntilReady(t, nil, "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"), "--pprof", pprofAddr)
	defer stop()
	get := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("http://" + pprofAddr + "/debug/pprof/cmdline"); code != http.StatusOK {
		t.Errorf("the profiler answered %d, want 200", code)
	}
	root, ok := strings.CutSuffix(dashboardURL(t, stdout.String()), "/dashboard/")
	if !ok {
		t.Fatalf("the dashboard's URL does not end in /dashboard/: %s", stdout.String())
	}
	if code := get(root + "/debug/pprof/cmdline"); code == http.StatusOK {
		t.Errorf("the gateway's address serves the profiler")
	}
}
