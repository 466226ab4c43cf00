package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

// TestServeWritesCertificates: zfb serve writes every app's three
// certificate files to <data>/certs/<app_id>/, owner-only, and sandbox.json
// names them with their SNs; the second sandbox app is in certificate mode.
func TestServeWritesCertificates(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	file, stop := startServe(t, "--data", data)
	defer stop()
	if len(file.Apps) != 3 || file.Apps[0].KeyMode != sandbox.KeyModePublicKey || file.Apps[1].AppID != sandbox.CertAppID || file.Apps[1].KeyMode != sandbox.KeyModeCert {
		t.Fatalf("apps: %d, modes %q", len(file.Apps), file.Apps[0].KeyMode)
	}
	for _, a := range file.Apps {
		dir, _ := filepath.Abs(filepath.Join(data, "certs", a.AppID))
		for path, check := range map[string]func(string) (string, error){
			a.AppCertPath:        func(s string) (string, error) { _, sn, err := sign.CertPublicKey(s); return sn, err },
			a.AlipayCertPath:     func(s string) (string, error) { _, sn, err := sign.CertPublicKey(s); return sn, err },
			a.AlipayRootCertPath: sign.RootCertSN,
		} {
			if filepath.Dir(path) != dir {
				t.Errorf("app %s: %q is not in %s", a.AppID, path, dir)
				continue
			}
			info, err := os.Stat(path)
			if err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("%s: %v, %v", path, info, err)
			}
			b, _ := os.ReadFile(path)
			sn, err := check(string(b))
			if err != nil || (sn != a.AppCertSN && sn != a.AlipayCertSN && sn != a.AlipayRootCertSN) {
				t.Errorf("%s: SN %s, %v: not in sandbox.json", path, sn, err)
			}
		}
	}
}

// TestAppCreateCertMode: zfb app create --cert-mode makes an app in
// certificate mode; without it the app has certificates too, from the same
// root, in key mode.
func TestAppCreateCertMode(t *testing.T) {
	db := filepath.Join(t.TempDir(), "zfb.db")
	ctx := context.Background()
	create := func(args ...string) sandbox.App {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := testRun(ctx, append([]string{"app", "create", "--db", db}, args...), noEnv, &out, &errOut); err != nil {
			t.Fatalf("%v: %s", err, errOut.String())
		}
		var a sandbox.App
		if err := json.Unmarshal(out.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	cert, key := create("--cert-mode"), create()
	if !cert.CertMode || cert.KeyMode != sandbox.KeyModeCert || cert.AppCertSN == "" {
		t.Fatalf("--cert-mode: %+v", cert.AppCertificates)
	}
	if key.CertMode || key.KeyMode != sandbox.KeyModePublicKey || key.AppCertSN == "" || key.AlipayRootCertSN != cert.AlipayRootCertSN {
		t.Fatalf("without --cert-mode: %+v", key.AppCertificates)
	}
}

// TestAppCreateBeforeSandbox: an app created on an empty database makes the
// CA; the sandbox created afterwards uses the same root. zfb sandbox prints
// the certificates inline and writes no files.
func TestAppCreateBeforeSandbox(t *testing.T) {
	db := filepath.Join(t.TempDir(), "zfb.db")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := testRun(ctx, []string{"app", "create", "--db", db}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	var early sandbox.App
	if err := json.Unmarshal(out.Bytes(), &early); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	data := t.TempDir()
	if err := testRun(ctx, []string{"sandbox", "--db", db, "--data", data}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	var f sandbox.File
	if err := json.Unmarshal(out.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	for _, a := range f.Apps {
		if a.AlipayRootCertSN != early.AlipayRootCertSN || a.AlipayRootCert != early.AlipayRootCert {
			t.Errorf("app %s chains to another root than the app created before the sandbox", a.AppID)
		}
		if a.AppCertPath != "" || a.AppCert == "" {
			t.Errorf("zfb sandbox: app %s: path %q without zfb serve having written the files, certificate inline %v", a.AppID, a.AppCertPath, a.AppCert != "")
		}
	}
	if _, err := os.Stat(filepath.Join(data, "certs")); !os.IsNotExist(err) {
		t.Errorf("zfb sandbox wrote certificate files (%v)", err)
	}
}

// TestSandboxCommandFindsCertificates: after zfb serve wrote the files,
// zfb sandbox on the same data directory prints their paths.
func TestSandboxCommandFindsCertificates(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	served, stop := startServe(t, "--data", data)
	stop()
	var out, errOut bytes.Buffer
	if err := testRun(context.Background(), []string{"sandbox", "--data", data}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	var printed sandbox.File
	if err := json.Unmarshal(out.Bytes(), &printed); err != nil {
		t.Fatal(err)
	}
	for i, a := range printed.Apps {
		if a.AppCertificates != served.Apps[i].AppCertificates || a.AlipayRootCertPath == "" {
			t.Errorf("app %s: zfb sandbox prints %+v, serve wrote %+v", a.AppID, a.AppCertificates, served.Apps[i].AppCertificates)
		}
	}
}
