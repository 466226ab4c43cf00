package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// commandNames are every command run knows.
var commandNames = []string{"serve", "sandbox", "app", "admin-token", "keys", "call", "trade", "buyer", "clock", "fault", "notify", "version"}

// TestHelpListsEveryFlag: `zfb CMD --help` (and -h, and `zfb help CMD`)
// exits 0 and prints, on stdout, every flag the command parses with its
// ZFB_* variable.
func TestHelpListsEveryFlag(t *testing.T) {
	for _, name := range commandNames {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			var parsed []*flag.FlagSet
			env := environment{getenv: noEnv, stdout: &stdout, stderr: &stderr, helps: map[*flag.FlagSet]command{},
				onParse: func(fs *flag.FlagSet) { parsed = append(parsed, fs) }}
			if err := dispatch(context.Background(), []string{name, "--help"}, env); !errors.Is(err, errHelp) {
				t.Fatalf("%s --help: %v, want the help printed", name, err)
			}
			if len(parsed) != 1 {
				t.Fatalf("%s --help parsed %d flag sets", name, len(parsed))
			}
			help := stdout.String()
			if !strings.Contains(help, "usage: zfb "+name) || stderr.Len() != 0 {
				t.Errorf("%s --help: stdout\n%s\nstderr %q", name, help, stderr.String())
			}
			n := 0
			parsed[0].VisitAll(func(f *flag.Flag) {
				n++
				line := "--" + f.Name
				i := strings.Index(help, "  "+line+" ")
				if i < 0 {
					t.Errorf("%s --help does not list %s:\n%s", name, line, help)
					return
				}
				if rest, _, _ := strings.Cut(help[i:], "\n"); !strings.HasSuffix(rest, envName(f.Name)) {
					t.Errorf("%s --help: %q does not name %s", name, rest, envName(f.Name))
				}
				if f.Usage != "" && !strings.Contains(help, strings.ReplaceAll(f.Usage, "`", "")) {
					t.Errorf("%s --help lacks what %s does (%q)", name, line, f.Usage)
				}
			})
			if n == 0 && name != "version" {
				t.Errorf("%s has no flags?", name)
			}

			for _, args := range [][]string{{name, "--help"}, {name, "-h"}, {"help", name}} {
				var out, errOut bytes.Buffer
				if err := testRun(context.Background(), args, noEnv, &out, &errOut); err != nil {
					t.Errorf("%q: %v, want exit status 0", args, err)
				}
				if out.String() != help {
					t.Errorf("%q prints another help than %s --help:\n%s", args, name, out.String())
				}
			}
		})
	}
}

// TestUsageListsEveryCommand: the usage names every command; an unknown
// command or none exits 2 with it on stderr; `zfb help` exits 0.
func TestUsageListsEveryCommand(t *testing.T) {
	for _, name := range commandNames {
		if !strings.Contains(usage, "zfb "+name+" ") {
			t.Errorf("the usage does not list %s", name)
		}
	}
	for _, args := range [][]string{nil, {"frobnicate"}, {"--bogus"}} {
		var out, errOut bytes.Buffer
		if err := testRun(context.Background(), args, noEnv, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want errUsage (exit status 2)", args, err)
		}
		if !strings.Contains(errOut.String(), usage) || out.Len() != 0 {
			t.Errorf("%q: stderr %q, stdout %q; want the usage on stderr", args, errOut.String(), out.String())
		}
	}
	var out bytes.Buffer
	if err := testRun(context.Background(), []string{"help"}, noEnv, &out, &out); err != nil || out.String() != usage {
		t.Errorf("zfb help: %v\n%s", err, out.String())
	}
}

// TestBadFlagsAreUsageErrors: an unknown flag, a missing subcommand and
// an unknown one exit 2, with the command's help on stderr.
func TestBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--nope"}, {"clock", "--nope", "show"}, {"clock"}, {"clock", "rewind"}, {"trade", "show"},
		{"buyer", "top-up", "2088000000000001"}, {"fault", "add"}, {"notify", "replay", "x"}, {"call"}, {"version", "extra"},
	} {
		var out, errOut bytes.Buffer
		if err := testRun(context.Background(), args, noEnv, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want errUsage", args, err)
		}
		if !strings.Contains(errOut.String(), "usage: zfb "+args[0]) {
			t.Errorf("%q: stderr lacks the help:\n%s", args, errOut.String())
		}
	}
}

// TestEnvironmentSetsEveryFlag: a ZFB_* variable sets its flag; a flag
// given wins; a bad value names the variable.
func TestEnvironmentSetsEveryFlag(t *testing.T) {
	env := environment{getenv: func(k string) string {
		return map[string]string{"ZFB_APP_ID": "2021000000000001", "ZFB_JSON": "true", "ZFB_DELAY": "soon"}[k]
	}, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	app := fs.String("app-id", "", "")
	asJSON := fs.Bool("json", false, "")
	if err := env.parse(fs, []string{"show", "--app-id", "2021000000000002"}); err != nil {
		t.Fatal(err)
	}
	if *app != "2021000000000002" || !*asJSON || fs.NArg() != 1 || fs.Arg(0) != "show" {
		t.Fatalf("app %q json %v args %q", *app, *asJSON, fs.Args())
	}
	fs.Duration("delay", 0, "")
	if err := env.parse(fs, nil); err == nil || !strings.Contains(err.Error(), "ZFB_DELAY") {
		t.Fatalf("a bad ZFB_DELAY: %v", err)
	}
}
