package interop

// Reading a signature diagnosis at the dashboard, in a real headless Chromium (browser_test.go):
// a Go SDK call signed with the wrong app's private key is answered as Alipay answers it, and the
// request log's page for the call says whose key signed it.

import (
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

func TestDashboardBrowserDiagnosis(t *testing.T) {
	srv := zfbtest.NewServer(t, zfbtest.WithRequestLog(100))
	app := srv.App()
	var other sandbox.App
	for _, a := range srv.Sandbox.Apps {
		if a.AppID != app.AppID && a.AppPrivateKey != "" {
			other = a
			break
		}
	}
	if other.AppID == "" {
		t.Fatalf("the sandbox has no second app with a private key: %+v", srv.Sandbox.Apps)
	}
	// The app's id, the other app's private key.
	wrong, err := alipay.New(app.AppID, other.AppPrivateKey, app.AlipayPublicKey,
		alipay.WithGateway(srv.GatewayURL), alipay.WithSignType(sign.Algorithm(app.SignType)))
	if err != nil {
		t.Fatal(err)
	}
	out := newOutTradeNo(t, "browser_diag")
	_, err = wrong.TradeQuery(t.Context(), alipay.TradeQuery{OutTradeNo: out})
	if !alipay.IsCode(err, "isv.invalid-signature") {
		t.Fatalf("a call signed with another app's key: %v, want isv.invalid-signature", err)
	}

	b := newBrowser(t, srv.URL)
	b.signIn(srv.Sandbox.AdminToken)
	// The log is written in batches: look until the call is there.
	var row string
	for range 50 {
		b.open("/dashboard/requests?q=" + out)
		if row = b.rowText("", "alipay.trade.query"); row != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(row, "isv.invalid-signature") || !strings.Contains(row, "failed") {
		t.Fatalf("the request log's row of the call is %q, want its sub_code and a failed signature; the page shows:\n%s", row, b.text())
	}
	id, _, _ := strings.Cut(row, "\t")
	b.clickAndLoad(id)
	diagnosis := b.textOf(".diagnosis")
	for _, want := range []string{"did not verify", "private key of app " + other.AppID} {
		if !strings.Contains(diagnosis, want) {
			t.Errorf("the diagnosis of call %s does not say %q: %q", id, want, diagnosis)
		}
	}
	t.Logf("diagnosis: %s", diagnosis)
	b.requireNoPageErrors()
}
