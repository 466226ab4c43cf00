package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// runFixture runs testall on testdata/fixture and its interop module with
// args, and returns the exit code, what it printed, and its last line.
func runFixture(t *testing.T, args ...string) (code int, out, last string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("testdata", "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	dirs := modules(root)
	if len(dirs) != 2 || dirs[1] != filepath.Join(root, "interop") {
		t.Fatalf("modules(%s) = %q, want the root and its interop module", root, dirs)
	}
	var stdout, stderr bytes.Buffer
	code = run(context.Background(), dirs, args, &stdout, &stderr)
	out = stdout.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	t.Logf("testall %q: exit %d\n%s\nstderr:\n%s", args, code, out, stderr.String())
	return code, out, lines[len(lines)-1]
}

func TestNothingSkipped(t *testing.T) {
	code, out, last := runFixture(t, "-run", "Passes")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if last != "all tests ran: nothing skipped" {
		t.Errorf("last line %q", last)
	}
	for _, want := range []string{"ok  \texample.com/fixture\t", "ok  \texample.com/fixture/interop\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "not shown") || strings.Contains(out, "=== RUN") {
		t.Error("a passing test's output is shown without -v")
	}
}

func TestSkipsSummed(t *testing.T) {
	code, out, last := runFixture(t, "-run", "Needs|NoNetwork|Subtests|SkipNow")
	if code != 0 {
		t.Errorf("exit %d, want 0: skips are no failure", code)
	}
	want := `skipped: 1 test for want of PostgreSQL (set ZFB_TEST_POSTGRES), ` +
		`2 for want of Node.js (install Node.js >= 18 with npm), 1 because "no network here", 1 because "no reason given" ` +
		`(run with -v to see them)`
	if last != want {
		t.Errorf("last line\n%s\nwant\n%s", last, want)
	}
	if n := strings.Count(out, "needs PostgreSQL"); n != 0 {
		t.Errorf("the skip messages are shown without -v (%d times)", n)
	}
}

func TestFailure(t *testing.T) {
	code, out, last := runFixture(t)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"--- FAIL: TestFails", "fails on purpose\n", "with a second line\n",
		"FAIL\texample.com/fixture\t", "ok  \texample.com/fixture/interop\t",
		"FAIL: 1 package failed: example.com/fixture\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, unwanted := range []string{"not shown", "TestPasses", "=== RUN", "--- SKIP"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("output shows %q of a test that did not fail", unwanted)
		}
	}
	if !strings.HasPrefix(last, "skipped: 1 test for want of PostgreSQL") {
		t.Errorf("last line %q", last)
	}
}

func TestBuildFailure(t *testing.T) {
	code, out, last := runFixture(t, "-tags", "broken", "-run", "Passes")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"undefined: undefinedName", "FAIL: 1 package failed: example.com/fixture/broken\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if last != "all tests ran: nothing skipped" {
		t.Errorf("last line %q", last)
	}
}

func TestVerbose(t *testing.T) {
	code, out, last := runFixture(t, "-v", "-run", "NoNetwork|InteropPasses")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	for _, want := range []string{"=== RUN   TestNoNetwork", "no network here", "--- SKIP: TestNoNetwork", "--- PASS: TestInteropPasses"} {
		if !strings.Contains(out, want) {
			t.Errorf("-v output lacks %q", want)
		}
	}
	if last != `skipped: 1 test because "no network here" (run with -v to see them)` {
		t.Errorf("last line %q", last)
	}
}

func TestVerboseFlag(t *testing.T) {
	for args, want := range map[string]bool{
		"-v": true, "--v": true, "-v=true": true, "-test.v": true,
		"-run v": false, "-count 1": false, "": false, "-vet=off": false,
	} {
		if got := verbose(strings.Fields(args)); got != want {
			t.Errorf("verbose(%q) = %v, want %v", args, got, want)
		}
	}
}
