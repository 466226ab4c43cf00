package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// versionInfo is what `zfb version` prints.
type versionInfo struct {
	Module    string `json:"module"`
	Version   string `json:"version"`            // the module version, "(devel)" for a build from a checkout
	Revision  string `json:"revision,omitempty"` // the VCS revision, when built from a repository
	Time      string `json:"time,omitempty"`     // the revision's commit time
	Modified  bool   `json:"modified,omitempty"` // the work tree had uncommitted changes
	GoVersion string `json:"go_version"`
}

func readVersion(bi *debug.BuildInfo) versionInfo {
	v := versionInfo{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	return v
}

// version runs `zfb version`: the module version and VCS revision the
// binary was built from, and its Go version.
func (e environment) version(args []string) error {
	fs := e.newFlags("zfb version", command{usage: "zfb version [--json]",
		about: "Prints the module version and VCS revision zfb was built from (runtime/debug.ReadBuildInfo), and the Go version."})
	asJSON := fs.Bool("json", false, "print JSON, for programs, instead of text")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return e.usageError(fs, "version takes no arguments")
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("this binary carries no build information")
	}
	v := readVersion(bi)
	if *asJSON {
		return e.printJSON(v)
	}
	writeVersion(e.stdout, v)
	return nil
}

func writeVersion(w io.Writer, v versionInfo) {
	fmt.Fprintf(w, "zfb %s", v.Version)
	if v.Revision != "" {
		fmt.Fprintf(w, " (revision %s", v.Revision)
		if v.Time != "" {
			fmt.Fprintf(w, ", %s", v.Time)
		}
		if v.Modified {
			fmt.Fprint(w, ", modified")
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintf(w, " %s, built with %s\n", v.Module, v.GoVersion)
}
