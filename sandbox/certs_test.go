package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/sqlstore"
)

// TestSandboxCertificates: the sandbox has a public-key app first and a
// certificate-mode app (CertAppID) beside it; both have certificates from
// one root, their SNs are in sandbox.json, and WriteCertificates writes the
// three files per app, owner-only, whose SNs are those of the JSON. An app
// created later is certified by the same root.
func TestSandboxCertificates(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := zfb.NewService(store, nil, nil)
	if _, err := sandbox.Ensure(ctx, svc); err != nil {
		t.Fatal(err)
	}
	later, err := sandbox.NewApp("", zfb.SignTypeRSA2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sandbox.Certify(ctx, svc, later); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateApp(ctx, later); err != nil {
		t.Fatal(err)
	}
	f, err := sandbox.Load(ctx, svc, "http://127.0.0.1:8650")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Apps) != 4 || f.Apps[0].AppID != sandbox.FirstAppID || f.Apps[1].AppID != sandbox.CertAppID || f.Apps[2].AppID != sandbox.ISVAppID {
		t.Fatalf("apps %d, first %s", len(f.Apps), f.Apps[0].AppID)
	}
	if f.Apps[0].KeyMode != sandbox.KeyModePublicKey || f.Apps[0].CertMode || f.Apps[1].KeyMode != sandbox.KeyModeCert || !f.Apps[1].CertMode || f.Apps[2].KeyMode != sandbox.KeyModePublicKey || f.Apps[3].KeyMode != sandbox.KeyModePublicKey {
		t.Fatalf("key modes %s %s %s %s", f.Apps[0].KeyMode, f.Apps[1].KeyMode, f.Apps[2].KeyMode, f.Apps[3].KeyMode)
	}
	dir := filepath.Join(t.TempDir(), "certs")
	if err := f.WriteCertificates(dir); err != nil {
		t.Fatal(err)
	}
	for _, a := range f.Apps {
		if a.AppCertSN == "" || a.AlipayCertSN == "" || a.AlipayRootCertSN != f.Apps[0].AlipayRootCertSN {
			t.Fatalf("app %s: SNs %q %q %q", a.AppID, a.AppCertSN, a.AlipayCertSN, a.AlipayRootCertSN)
		}
		if a.AppCertPath != filepath.Join(dir, a.AppID, "appCertPublicKey_"+a.AppID+".crt") {
			t.Errorf("app_cert_path %s", a.AppCertPath)
		}
		read := func(path string) string {
			t.Helper()
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, want 0600", path, info.Mode().Perm())
			}
			b, _ := os.ReadFile(path)
			return string(b)
		}
		_, appSN, err := sign.CertPublicKey(read(a.AppCertPath))
		if err != nil || appSN != a.AppCertSN {
			t.Errorf("app certificate file: SN %s, %v; JSON says %s", appSN, err, a.AppCertSN)
		}
		alipayKey, alipaySN, err := sign.CertPublicKey(read(a.AlipayCertPath))
		if err != nil || alipaySN != a.AlipayCertSN || !alipayKey.Equal(mustPublic(t, a.AlipayPublicKeyBare)) {
			t.Errorf("alipay certificate file: SN %s, %v; JSON says %s", alipaySN, err, a.AlipayCertSN)
		}
		if rootSN, err := sign.RootCertSN(read(a.AlipayRootCertPath)); err != nil || rootSN != a.AlipayRootCertSN {
			t.Errorf("root file: SN %s, %v", rootSN, err)
		}
	}
}
