package testenv

import (
	"fmt"
	"strings"
	"testing"
)

func TestCIValue(t *testing.T) {
	for v, want := range map[string]bool{
		"1": true, "true": true, "TRUE": true, "True": true, "t": true,
		"": false, "0": false, "false": false, "no": false, "yes": false, "ci": false,
	} {
		if got := ciValue(v); got != want {
			t.Errorf("CI=%q: in CI %v, want %v", v, got, want)
		}
	}
}

func TestInCIReadsCI(t *testing.T) {
	t.Setenv("CI", "1")
	if !InCI() {
		t.Error("CI=1: not in CI")
	}
	t.Setenv("CI", "false")
	if InCI() {
		t.Error("CI=false: in CI")
	}
}

// recorder is a testing.TB that records how a test ended instead of ending it.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Skip(args ...any)                  { r.skipped = fmt.Sprint(args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestRequire(t *testing.T) {
	t.Setenv("CI", "")
	var r recorder
	Require(&r, PostgreSQL, "ZFB_TEST_POSTGRES is not set")
	if r.failed != "" || r.skipped != "needs PostgreSQL: ZFB_TEST_POSTGRES is not set" {
		t.Errorf("outside CI: skipped %q, failed %q", r.skipped, r.failed)
	}
	if n, ok := NeedOf(r.skipped); !ok || n != PostgreSQL {
		t.Errorf("NeedOf(%q) = %v, %v", r.skipped, n, ok)
	}

	t.Setenv("CI", "true")
	r = recorder{}
	Require(&r, NodeJS, "node not found in PATH")
	if r.skipped != "" || !strings.Contains(r.failed, "needs Node.js: node not found in PATH") {
		t.Errorf("in CI: skipped %q, failed %q", r.skipped, r.failed)
	}
}

func TestSkipIgnoresCI(t *testing.T) {
	t.Setenv("CI", "true")
	var r recorder
	Skip(&r, Java, "java not found in PATH")
	if r.failed != "" || r.skipped != "needs Java: java not found in PATH" {
		t.Errorf("skipped %q, failed %q", r.skipped, r.failed)
	}
}

func TestNeedOf(t *testing.T) {
	for _, n := range Needs() {
		if got, ok := NeedOf(n.Prefix() + " why"); !ok || got != n {
			t.Errorf("NeedOf(%q) = %v, %v", n.Prefix()+" why", got, ok)
		}
	}
	for _, msg := range []string{"listen on 127.0.0.1:1: refused", "needs PostgreSQL", "needs Cobol: x"} {
		if n, ok := NeedOf(msg); ok {
			t.Errorf("NeedOf(%q) = %v", msg, n)
		}
	}
}
