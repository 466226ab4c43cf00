package openapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

// certSNs are the SNs of an app's certificates, as its SDK computes them.
type certSNs struct{ app, root, gateway string }

// newCertGateway is the test gateway addressed as the sandbox's
// certificate-mode app, with the certificate download registered.
func newCertGateway(t *testing.T) (*testGateway, certSNs) {
	t.Helper()
	g := newTestGateway(t)
	openapi.RegisterCertDownload(g.handler.(*openapi.Gateway))
	app, err := g.svc.App(context.Background(), sandbox.CertAppID)
	if err != nil {
		t.Fatal(err)
	}
	if !app.CertMode {
		t.Fatal("the sandbox's second app is not in certificate mode")
	}
	g.app = app
	if g.appKey, err = sign.ParsePrivateKey(app.AppPrivateKey); err != nil {
		t.Fatal(err)
	}
	var sns certSNs
	if g.gatewayPub, sns.gateway, err = sign.CertPublicKey(app.GatewayCertificate); err != nil {
		t.Fatal(err)
	}
	if _, sns.app, err = sign.CertPublicKey(app.AppCertificate); err != nil {
		t.Fatal(err)
	}
	if sns.root, err = sign.RootCertSN(app.RootCertificate); err != nil {
		t.Fatal(err)
	}
	return g, sns
}

// certSNOf checks the layout node → alipay_cert_sn → sign (spec §2.2) and
// returns the SN ("" when absent).
func certSNOf(t *testing.T, w *httptest.ResponseRecorder, node string) string {
	t.Helper()
	sr, err := sign.ExtractResponse(w.Body.Bytes(), node)
	if err != nil {
		t.Fatal(err)
	}
	want := sign.Envelope(node, sr.Value, sr.CertSN, sr.Sign)
	if !bytes.Equal(w.Body.Bytes(), want) {
		t.Fatalf("envelope layout:\n%s\nwant\n%s", w.Body.Bytes(), want)
	}
	return sr.CertSN
}

// TestCertModeAnswers: a certificate-mode app's requests must carry its
// certificate's SN and the root's; every answer to it, errors included, is
// signed and names the gateway certificate between the node and the sign.
// Nothing is called when an SN is missing or wrong.
func TestCertModeAnswers(t *testing.T) {
	g, sns := newCertGateway(t)
	calls := 0
	g.handler.(*openapi.Gateway).Register("zfb.test.count", openapi.Method{Handle: func(context.Context, *openapi.Call) (any, error) {
		calls++
		return map[string]string{"n": "1"}, nil
	}})
	const node = "zfb_test_count_response"
	valid := func() map[string]string {
		p := g.params("zfb.test.count", `{"a":"1"}`)
		p["app_cert_sn"], p["alipay_root_cert_sn"] = sns.app, sns.root
		return p
	}
	w := g.post(g.signed(valid()))
	if n := g.answer(w, node, true); n.Code != "10000" || calls != 1 {
		t.Fatalf("valid request: %+v, %d calls", n, calls)
	}
	if sn := certSNOf(t, w, node); sn != sns.gateway {
		t.Fatalf("alipay_cert_sn %q, want the gateway certificate's %q", sn, sns.gateway)
	}
	tests := []struct {
		name    string
		edit    func(p map[string]string)
		subCode string
	}{
		{"no SNs (a key-mode SDK)", func(p map[string]string) { delete(p, "app_cert_sn"); delete(p, "alipay_root_cert_sn") }, "isv.missing-app-cert-sn"},
		{"wrong app_cert_sn", func(p map[string]string) { p["app_cert_sn"] = "0123456789abcdef0123456789abcdef" }, "isv.app-cert-not-exist"},
		{"app_cert_sn of the root", func(p map[string]string) { p["app_cert_sn"] = sns.root }, "isv.app-cert-not-exist"},
		{"no alipay_root_cert_sn", func(p map[string]string) { delete(p, "alipay_root_cert_sn") }, "isv.missing-alipay-root-cert-sn"},
		{"wrong alipay_root_cert_sn", func(p map[string]string) { p["alipay_root_cert_sn"] = sns.root + "_x" }, "isv.invalid-alipay-root-cert-sn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.edit(p)
			w := g.post(g.signed(p))
			n := g.answer(w, node, true)
			if n.Code != "40002" || n.SubCode != tt.subCode || n.SubMsg == "" {
				t.Fatalf("got %s %s (%s), want 40002 %s", n.Code, n.SubCode, n.SubMsg, tt.subCode)
			}
			if sn := certSNOf(t, w, node); sn != sns.gateway {
				t.Fatalf("error answer alipay_cert_sn %q, want %q", sn, sns.gateway)
			}
		})
	}
	// A bad signature with the right SNs is answered as usual, with the SN.
	p := g.signed(valid())
	p["biz_content"] = `{"a":"2"}`
	w = g.post(p)
	if n := g.answer(w, node, true); n.SubCode != "isv.invalid-signature" || certSNOf(t, w, node) != sns.gateway {
		t.Fatalf("tampered request: %+v", n)
	}
	if calls != 1 {
		t.Fatalf("refused requests reached the method: %d calls", calls)
	}
}

// TestKeyModeIgnoresCertSNs: a key-mode app's answers carry no
// alipay_cert_sn, and SNs it sends (right or wrong) change nothing.
func TestKeyModeIgnoresCertSNs(t *testing.T) {
	g := newTestGateway(t)
	for _, sn := range []string{"", "0123456789abcdef0123456789abcdef"} {
		p := g.params("zfb.test.echo", `{"a":"1"}`)
		if sn != "" {
			p["app_cert_sn"], p["alipay_root_cert_sn"] = sn, sn
		}
		w := g.post(g.signed(p))
		if n := g.answer(w, "zfb_test_echo_response", true); n.Code != "10000" {
			t.Fatalf("SN %q: %+v", sn, n)
		}
		if got := certSNOf(t, w, "zfb_test_echo_response"); got != "" {
			t.Fatalf("key-mode answer carries alipay_cert_sn %q", got)
		}
	}
}

// TestCertDownload: alipay.open.app.alipaycert.download gives the gateway
// certificate file (leaf, then intermediate) as Base64 of its PEM text for
// the SN zfb answers with, also to a request without version (PHP); an
// unknown SN is 40004.
func TestCertDownload(t *testing.T) {
	g, sns := newCertGateway(t)
	const method, node = "alipay.open.app.alipaycert.download", "alipay_open_app_alipaycert_download_response"
	request := func(biz string, edit func(map[string]string)) (*httptest.ResponseRecorder, map[string]string) {
		p := g.params(method, biz)
		p["app_cert_sn"], p["alipay_root_cert_sn"] = sns.app, sns.root
		if edit != nil {
			edit(p)
		}
		w := g.post(g.signed(p))
		sr, err := sign.VerifyResponse(g.gatewayPub, sign.RSA2, w.Body.Bytes(), node)
		if err != nil {
			t.Fatalf("%s: %v", w.Body.Bytes(), err)
		}
		var fields map[string]string
		if err := json.Unmarshal(sr.Value, &fields); err != nil {
			t.Fatal(err)
		}
		return w, fields
	}
	for name, edit := range map[string]func(map[string]string){
		"with version":    nil,
		"without version": func(p map[string]string) { delete(p, "version") },
	} {
		w, f := request(`{"alipay_cert_sn":"`+sns.gateway+`"}`, edit)
		if f["code"] != "10000" {
			t.Fatalf("%s: %v", name, f)
		}
		pemText, err := base64.StdEncoding.DecodeString(f["alipay_cert_content"])
		if err != nil || string(pemText) != g.app.GatewayCertificate {
			t.Fatalf("%s: alipay_cert_content is not Base64 of the gateway certificate file: %v", name, err)
		}
		if _, sn, err := sign.CertPublicKey(string(pemText)); err != nil || sn != sns.gateway {
			t.Fatalf("%s: first certificate SN %s, %v", name, sn, err)
		}
		if certSNOf(t, w, node) != sns.gateway {
			t.Fatalf("%s: answer without alipay_cert_sn", name)
		}
	}
	if _, f := request(`{"alipay_cert_sn":"0123456789abcdef0123456789abcdef"}`, nil); f["code"] != zfb.CodeBusinessFailed || f["sub_code"] != "isv.alipay-cert-not-exist" {
		t.Fatalf("unknown SN: %v", f)
	}
	if _, f := request(`{}`, nil); f["code"] != "40001" || f["sub_code"] != "isv.missing-parameter" {
		t.Fatalf("no SN: %v", f)
	}
	// Only this method may leave version out.
	p := g.params("zfb.test.echo", `{"a":"1"}`)
	p["app_cert_sn"], p["alipay_root_cert_sn"] = sns.app, sns.root
	delete(p, "version")
	if n := g.answer(g.post(g.signed(p)), "zfb_test_echo_response", true); n.SubCode != "isv.missing-version" {
		t.Fatalf("echo without version: %+v", n)
	}
}
