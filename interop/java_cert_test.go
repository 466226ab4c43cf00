package interop

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/internal/testenv"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// TestJavaCertSN: the JDK, computing SNs the way Alipay's Java SDK does (java/CertSN.java: the
// issuer as X500Principal.getName(), RFC 2253), gets the SNs sandbox.json shows for zfb's
// certificates. The Java SDK itself is not here (no Maven repository is reachable); what this
// checks is the part that could differ, the issuer's text as Java writes it. It needs a JDK
// (11 or later) and skips without one, CI included.
func TestJavaCertSN(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		testenv.Skip(t, testenv.Java, "java not found in PATH")
	}
	srv := zfbtest.NewServer(t)
	certApp, _ := certFiles(t, srv)
	for _, app := range []sandbox.App{certApp} {
		ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
		out, err := exec.CommandContext(ctx, java, "java/CertSN.java", app.AppCertPath, app.AlipayCertPath, app.AlipayRootCertPath).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("java CertSN.java: %v\n%s", err, out)
		}
		got := strings.Fields(string(out))
		want := []string{app.AppCertSN, app.AlipayCertSN, app.AlipayRootCertSN}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("app %s: Java SNs %q, sandbox.json %q", app.AppID, got, want)
		}
	}
}
