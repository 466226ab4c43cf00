package sandbox_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
	"github.com/zfbpay/zfb/storetest"
)

var openIDPattern = regexp.MustCompile(`^0[0-9A-Za-z_-]{46}$`)

// TestEnsureRace starts several "instances" on one database at once:
// exactly one creates the sandbox, and all of them then see the same one.
func TestEnsureRace(t *testing.T) {
	for name, url := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "zfb.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	} {
		t.Run(name, func(t *testing.T) {
			db := url(t)
			ctx := context.Background()
			const instances = 4
			var wg sync.WaitGroup
			created := make([]bool, instances)
			files := make([]*sandbox.File, instances)
			for i := range instances {
				wg.Add(1)
				go func() {
					defer wg.Done()
					store, err := sqlstore.Open(ctx, db, nil)
					if err != nil {
						t.Error(err)
						return
					}
					defer store.Close()
					svc := zfb.NewService(store, nil, nil)
					if created[i], err = sandbox.Ensure(ctx, svc); err != nil {
						t.Error(err)
						return
					}
					if files[i], err = sandbox.Load(ctx, svc, "http://127.0.0.1:8650"); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			n := 0
			for i := range instances {
				if created[i] {
					n++
				}
				if files[i].AdminToken != files[0].AdminToken || len(files[i].Apps) != 3 || len(files[i].Buyers) != 3 ||
					files[i].Apps[0].AppPrivateKey != files[0].Apps[0].AppPrivateKey || files[i].Apps[1].AlipayRootCertSN != files[0].Apps[1].AlipayRootCertSN ||
					files[i].ISV == nil || files[i].ISV.AppAuthToken != files[0].ISV.AppAuthToken {
					t.Fatalf("instance %d sees another sandbox", i)
				}
				// Instances that issue the buyers' open_ids at once agree on them.
				for j, b := range files[i].Buyers {
					if b.OpenID != files[0].Buyers[j].OpenID || b.OpenIDs[sandbox.FirstAppID] != b.OpenID {
						t.Fatalf("instance %d: buyer %s has open_id %q (%v), instance 0 %q", i, b.UserID, b.OpenID, b.OpenIDs, files[0].Buyers[j].OpenID)
					}
				}
			}
			// The first app names buyers both ways, and each buyer has an
			// open_id in it of the shape of Alipay's (spec isv-and-identity
			// §2.3), one of its own.
			if mode := files[0].Apps[0].IdentityMode; mode != string(zfb.IdentityBoth) {
				t.Errorf("first app's identity_mode = %q, want both", mode)
			}
			seen := map[string]bool{}
			for _, b := range files[0].Buyers {
				if !openIDPattern.MatchString(b.OpenID) || seen[b.OpenID] {
					t.Errorf("buyer %s: open_id %q", b.UserID, b.OpenID)
				}
				seen[b.OpenID] = true
			}
			if n != 1 {
				t.Fatalf("%d instances created the sandbox, want 1", n)
			}
			if f := files[0]; f.GatewayURL != "http://127.0.0.1:8650/gateway.do" || f.AdminURL != "http://127.0.0.1:8650/admin/v1" || f.DashboardURL != "http://127.0.0.1:8650/dashboard/" {
				t.Fatalf("urls %+v", f)
			}
		})
	}
}

// TestAppCredentialsKeyForms: sandbox.json gives the app's private key in
// every form users paste (PKCS#1 and PKCS#8, PEM and bare Base64) and the
// public keys bare as well, each the same key, parsed the way the SDKs
// parse them (Java: bare PKCS#8 and bare X.509; gopay: bare PKCS#1).
func TestAppCredentialsKeyForms(t *testing.T) {
	app, err := sandbox.NewApp("", zfb.SignTypeRSA2, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := sandbox.AppCredentials(app)
	bare := func(name, s string) []byte {
		t.Helper()
		if s == "" || strings.Contains(s, "-----") || strings.ContainsAny(s, " \n") {
			t.Fatalf("%s = %q, want bare Base64 on one line", name, s)
		}
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return der
	}
	pemDER := func(name, s, label string) []byte {
		t.Helper()
		block, rest := pem.Decode([]byte(s))
		if block == nil || block.Type != label || strings.TrimSpace(string(rest)) != "" {
			t.Fatalf("%s = %q, want one %s PEM block", name, s, label)
		}
		return block.Bytes
	}
	pkcs1, err := x509.ParsePKCS1PrivateKey(pemDER("app_private_key", c.AppPrivateKey, "RSA PRIVATE KEY"))
	if err != nil {
		t.Fatal(err)
	}
	fromBare1, err := x509.ParsePKCS1PrivateKey(bare("app_private_key_bare", c.AppPrivateKeyBare))
	if err != nil {
		t.Fatal(err)
	}
	for name, der := range map[string][]byte{
		"app_private_key_pkcs8":      pemDER("app_private_key_pkcs8", c.AppPrivateKeyPKCS8, "PRIVATE KEY"),
		"app_private_key_pkcs8_bare": bare("app_private_key_pkcs8_bare", c.AppPrivateKeyPKCS8Bare),
	} {
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !pkcs1.Equal(k) {
			t.Errorf("%s is another key than app_private_key", name)
		}
	}
	if !pkcs1.Equal(fromBare1) {
		t.Error("app_private_key_bare is another key than app_private_key")
	}
	for name, pair := range map[string][2]string{
		"app_public_key":    {c.AppPublicKey, c.AppPublicKeyBare},
		"alipay_public_key": {c.AlipayPublicKey, c.AlipayPublicKeyBare},
	} {
		fromPEM, err := x509.ParsePKIXPublicKey(pemDER(name, pair[0], "PUBLIC KEY"))
		if err != nil {
			t.Fatal(err)
		}
		fromBare, err := x509.ParsePKIXPublicKey(bare(name+"_bare", pair[1]))
		if err != nil {
			t.Fatal(err)
		}
		if !fromPEM.(*rsa.PublicKey).Equal(fromBare) {
			t.Errorf("%s_bare is another key than %s", name, name)
		}
	}
	if !pkcs1.PublicKey.Equal(mustPublic(t, c.AppPublicKeyBare)) {
		t.Error("app_public_key is not the public half of app_private_key")
	}

	// An app whose key pair the merchant made: no private key to show.
	app.AppPrivateKey = ""
	if c := sandbox.AppCredentials(app); c.AppPrivateKey != "" || c.AppPrivateKeyPKCS8 != "" || c.AppPrivateKeyBare != "" || c.AppPrivateKeyPKCS8Bare != "" {
		t.Errorf("credentials of an app without a private key show one: %+v", c)
	}
}

func mustPublic(t *testing.T, bare string) *rsa.PublicKey {
	t.Helper()
	der, _ := base64.StdEncoding.DecodeString(bare)
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PublicKey)
}
