//go:build !openssl

package sign

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/internal/testenv"
)

// TestOpenSSLBuild runs this package's signer tests in the openssl build,
// so that the test command covers the OpenSSL signer without a flag: it
// builds with cgo against libcrypto, which CI installs (.ci/run). Where
// the headers or a C compiler are missing it skips, saying so, except in
// CI.
func TestOpenSSLBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package again with cgo")
	}
	// Reading the openssl build's files makes go test's cache depend on
	// them, though this build does not compile them.
	for _, f := range []string{"signer_openssl.go", "signer_openssl_test.go"} {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-tags", "openssl", "-count", "1", "-run", "Signer|OpenSSL|Sign", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Logf("go test -tags openssl:\n%s", out)
		return
	}
	if lacksOpenSSL(string(out)) {
		testenv.Require(t, testenv.OpenSSL, "the openssl build cannot compile here: "+firstLine(string(out)))
		return
	}
	t.Fatalf("go test -tags openssl: %v\n%s", err, out)
}

// lacksOpenSSL reports whether the build's output says that OpenSSL's
// headers or library, or a C compiler, are missing: gcc writes "fatal
// error: openssl/evp.h: No such file or directory", clang "fatal error:
// 'openssl/evp.h' file not found".
func lacksOpenSSL(out string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "fatal error:") && strings.Contains(line, "openssl/") ||
			strings.Contains(line, "cannot find -lcrypto") || strings.Contains(line, "library 'crypto' not found") ||
			strings.Contains(line, "cgo: C compiler") {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return s
}

func TestLacksOpenSSL(t *testing.T) {
	for out, want := range map[string]bool{
		"./signer_openssl.go:8:10: fatal error: openssl/evp.h: No such file or directory":  true, // gcc
		"./signer_openssl.go:8:10: fatal error: 'openssl/evp.h' file not found":            true, // clang
		"/usr/bin/ld: cannot find -lcrypto: No such file or directory":                     true,
		"ld: library 'crypto' not found":                                                   true,
		`cgo: C compiler "gcc" not found: exec: "gcc": executable file not found in $PATH`: true,
		"--- FAIL: TestOpenSSLSignerInUse (0.00s)":                                         false,
		"./signer_openssl.go:40:2: fatal error: 'stdio.h' file not found":                  false,
	} {
		if got := lacksOpenSSL(out); got != want {
			t.Errorf("lacksOpenSSL(%q) = %v, want %v", out, got, want)
		}
	}
}
