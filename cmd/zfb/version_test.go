package main

import (
	"bytes"
	"runtime/debug"
	"testing"
)

// TestReadVersion: the module version, the VCS revision, its time and
// whether the tree was modified come from the build information.
func TestReadVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/zfbpay/zfb", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0fc5eda1"}, {Key: "vcs.time", Value: "2026-11-29T21:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	v := readVersion(bi)
	if v != (versionInfo{Module: "github.com/zfbpay/zfb", Version: "v1.2.3", Revision: "0fc5eda1", Time: "2026-11-29T21:00:00Z", Modified: true, GoVersion: "go1.26.0"}) {
		t.Fatalf("%+v", v)
	}
	var out bytes.Buffer
	writeVersion(&out, v)
	if want := "zfb v1.2.3 (revision 0fc5eda1, 2026-11-29T21:00:00Z, modified) github.com/zfbpay/zfb, built with go1.26.0\n"; out.String() != want {
		t.Fatalf("%q\nwant %q", out.String(), want)
	}
	if v := readVersion(&debug.BuildInfo{GoVersion: "go1.26.0"}); v.Version != "(devel)" || v.Revision != "" {
		t.Fatalf("no version: %+v", v)
	}
}
