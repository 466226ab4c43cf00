// Package testenv holds the rules both modules' tests follow about their
// surroundings: whether they run in CI, and how a test that lacks a tool
// (PostgreSQL, Node.js, Java, Chromium, OpenSSL's headers) says so. Its skip messages start
// with "needs <tool>:", which internal/testall counts to say, at the end of
// the test command, what was not tested.
//
// The interop module imports it too: its module path lies under this one's,
// so Go's internal rule lets it.
package testenv

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// InCI reports whether the tests run in CI: CI is a true value for
// strconv.ParseBool ("1", "t", "true", "TRUE", …). There a check that cannot
// run is a failure, not a skip.
func InCI() bool { return ciValue(os.Getenv("CI")) }

// ciValue is the rule InCI applies to the value of CI.
func ciValue(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

// Need is something outside Go that some tests need.
type Need struct {
	Name string // as the skip message names it: "PostgreSQL"
	Hint string // how to provide it: "set ZFB_TEST_POSTGRES"
}

// What the tests of zfb may need.
var (
	PostgreSQL = Need{"PostgreSQL", "set ZFB_TEST_POSTGRES"}
	NodeJS     = Need{"Node.js", "install Node.js >= 18 with npm"}
	Java       = Need{"Java", "install a JDK >= 11"}
	Chromium   = Need{"Chromium", "install chromium"}
	OpenSSL    = Need{"OpenSSL", "install libssl-dev and a C compiler"}
)

// Needs lists every Need, in the order a summary names them.
func Needs() []Need { return []Need{PostgreSQL, NodeJS, Java, Chromium, OpenSSL} }

// Prefix is how a skip message for want of n starts: "needs PostgreSQL:".
func (n Need) Prefix() string { return "needs " + n.Name + ":" }

// Skip skips tb for want of n, giving why. Use it for what CI does not
// promise to have; Require for what it does.
func Skip(tb testing.TB, n Need, why string) {
	tb.Helper()
	tb.Skip(n.Prefix() + " " + why)
}

// Require skips tb for want of n (giving why), except in CI, where it fails
// tb: there a skipped check would be an unchecked one.
func Require(tb testing.TB, n Need, why string) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("CI is set, and this test %s %s (%s)", n.Prefix(), why, n.Hint)
		return
	}
	Skip(tb, n, why)
}

// NeedOf returns the Need a skip message names by its prefix, if any.
func NeedOf(msg string) (Need, bool) {
	for _, n := range Needs() {
		if strings.HasPrefix(msg, n.Prefix()) {
			return n, true
		}
	}
	return Need{}, false
}
