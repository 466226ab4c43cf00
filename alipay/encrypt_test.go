package alipay

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/sign"
)

const testAESKey = "cW8mcZgoMGUVp5g7uv7bHw==" // the Node SDK's test key (spec §1.6)

// encryptedReply answers value encrypted with testAESKey, as a quoted
// string node.
func encryptedReply(t *testing.T, value string, unsigned bool) func(gwCall) answer {
	key, _ := base64.StdEncoding.DecodeString(testAESKey)
	ct, err := sign.EncryptAES(key, []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	return func(gwCall) answer { return answer{value: `"` + ct + `"`, unsigned: unsigned} }
}

func TestWithAESKey(t *testing.T) {
	g := newFakeGateway(t, encryptedReply(t, paidValue, false))
	for _, bad := range []string{"", "not base64!", "c2hvcnQ="} {
		app, ali := testKeys(t)
		if _, err := New(testAppID, sign.PrivateKeyPKCS1PEM(app), sign.PublicKeyPEM(&ali.PublicKey), WithAESKey(bad)); err == nil {
			t.Errorf("WithAESKey(%q) was accepted", bad)
		}
	}
	ctx := context.Background()
	req := Request{Method: "alipay.trade.pay", BizContent: tradePay{OutTradeNo: "T1", TotalAmount: "88.88", Subject: "咖啡"}}

	t.Run("request encrypted, answer verified and decrypted", func(t *testing.T) {
		var out tradePayResponse
		if err := g.client(WithAESKey(testAESKey)).Do(ctx, req, &out); err != nil {
			t.Fatal(err)
		}
		if out.TradeNo != "2024010222001400001234567890" || out.TotalAmount != "88.88" {
			t.Fatalf("decoded %+v", out)
		}
		call := g.last()
		if call.Query.Get("encrypt_type") != "AES" || strings.Contains(call.Biz, "T1") {
			t.Fatalf("sent encrypt_type %q, biz_content %s", call.Query.Get("encrypt_type"), call.Biz)
		}
	})
	t.Run("encrypted success without sign", func(t *testing.T) {
		g := newFakeGateway(t, encryptedReply(t, paidValue, true))
		if err := g.client(WithAESKey(testAESKey)).Do(ctx, req, nil); !errors.Is(err, ErrSignature) {
			t.Fatalf("got %v, want a signature error", err)
		}
	})
	t.Run("encrypted answer, client without key", func(t *testing.T) {
		err := g.client().Do(ctx, req, nil)
		if err == nil || !strings.Contains(err.Error(), "no AES key") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("encrypt_type is the client's to set", func(t *testing.T) {
		r := req
		r.Params = map[string]string{"encrypt_type": "AES"}
		if err := g.client().Do(ctx, r, nil); err == nil {
			t.Fatal("Request.Params set encrypt_type")
		}
	})
}
