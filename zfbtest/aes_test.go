package zfbtest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// wireLog is an http.RoundTripper that records each exchange and may
// change the answer before the SDK reads it.
type wireLog struct {
	mu       sync.Mutex
	params   []url.Values // query and body, merged
	answers  [][]byte
	mutilate func([]byte) []byte
}

func (l *wireLog) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body.Close()
	params := r.URL.Query()
	form, _ := url.ParseQuery(string(body))
	for k, vs := range form {
		params[k] = append(params[k], vs...)
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.params, l.answers = append(l.params, params), append(l.answers, answer)
	if l.mutilate != nil {
		answer = l.mutilate(answer)
	}
	l.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	resp.ContentLength = int64(len(answer))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func (l *wireLog) last(t *testing.T) (url.Values, []byte) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.params) == 0 {
		t.Fatal("nothing went over the wire")
	}
	return l.params[len(l.params)-1], l.answers[len(l.answers)-1]
}

// wantEncryptedExchange checks that the last call went out encrypted
// (encrypt_type=AES, biz_content Base64, not JSON) and that its answer's
// node is a JSON string.
func (l *wireLog) wantEncryptedExchange(t *testing.T, method string) {
	t.Helper()
	params, answer := l.last(t)
	if params.Get("encrypt_type") != "AES" {
		t.Errorf("%s: encrypt_type %q, want AES", method, params.Get("encrypt_type"))
	}
	if biz := params.Get("biz_content"); strings.HasPrefix(biz, "{") {
		t.Errorf("%s: biz_content went in plaintext: %s", method, biz)
	} else if _, err := base64.StdEncoding.DecodeString(biz); err != nil {
		t.Errorf("%s: biz_content is not Base64: %s", method, biz)
	}
	if !bytes.HasPrefix(answer, []byte(`{"`+sign.ResponseNode(method)+`":"`)) {
		t.Errorf("%s: the answer is not encrypted: %s", method, answer)
	}
}

// TestSDKEncryption: the Go SDK with the app's AES key (alipay.WithAESKey)
// pays, queries and refunds against a real zfb with every biz_content and
// every answer encrypted, in UTF-8 and in GBK.
func TestSDKEncryption(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app := srv.App()
	if app.AESKey == "" {
		t.Fatal("the sandbox app has no aes_key")
	}
	ctx := context.Background()
	newClient := func(t *testing.T, aesKey string, opts ...alipay.Option) (*alipay.Client, *wireLog) {
		log := &wireLog{}
		opts = append(opts, alipay.WithAESKey(aesKey), alipay.WithHTTPClient(&http.Client{Transport: log}))
		return client(t, srv, app, opts...), log
	}
	payer := srv.Buyer(t, zfb.BehaviourPays)

	t.Run("pay, query, refund", func(t *testing.T) {
		c, log := newClient(t, app.AESKey)
		pay, err := c.TradePay(ctx, alipay.TradePay{OutTradeNo: "aes-1", Scene: "bar_code", AuthCode: payer.PaymentCode, Subject: "加密 test", TotalAmount: "0.50"})
		if err != nil {
			t.Fatal(err)
		}
		log.wantEncryptedExchange(t, "alipay.trade.pay")
		if pay.Code != alipay.CodeSuccess || pay.OutTradeNo != "aes-1" || pay.TradeNo == "" || pay.TotalAmount != "0.50" {
			t.Fatalf("pay: %+v", pay)
		}
		q, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "aes-1"})
		if err != nil {
			t.Fatal(err)
		}
		log.wantEncryptedExchange(t, "alipay.trade.query")
		if q.TradeStatus != "TRADE_SUCCESS" || q.TradeNo != pay.TradeNo {
			t.Fatalf("query: %+v", q)
		}
		r, err := c.TradeRefund(ctx, alipay.TradeRefund{OutTradeNo: "aes-1", RefundAmount: "0.20", OutRequestNo: "r1"})
		if err != nil {
			t.Fatal(err)
		}
		log.wantEncryptedExchange(t, "alipay.trade.refund")
		if r.FundChange != "Y" || r.RefundFee != "0.20" {
			t.Fatalf("refund: %+v", r)
		}
		if got := srv.Trade(t, app.AppID, "aes-1").Subject; got != "加密 test" {
			t.Fatalf("stored subject %q", got)
		}
	})

	t.Run("business error: encrypted, decrypted by the SDK", func(t *testing.T) {
		c, log := newClient(t, app.AESKey)
		_, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "aes-no-such-trade"})
		var ae *alipay.Error
		if !errors.As(err, &ae) || ae.Code != "40004" || ae.SubCode != "ACQ.TRADE_NOT_EXIST" || !bytes.HasPrefix(ae.Body, []byte(`{"code":"40004"`)) {
			t.Fatalf("got %v", err)
		}
		log.wantEncryptedExchange(t, "alipay.trade.query")
	})

	t.Run("GBK: plaintext and answers in GBK", func(t *testing.T) {
		c, log := newClient(t, app.AESKey, alipay.WithCharset("GBK"))
		if _, err := c.TradePay(ctx, alipay.TradePay{OutTradeNo: "aes-gbk", Scene: "bar_code", AuthCode: payer.PaymentCode, Subject: "测试商品 咖啡", TotalAmount: "0.30"}); err != nil {
			t.Fatal(err)
		}
		log.wantEncryptedExchange(t, "alipay.trade.pay")
		if got := srv.Trade(t, app.AppID, "aes-gbk").Subject; got != "测试商品 咖啡" {
			t.Fatalf("stored subject %q", got)
		}
		// A business error with a Chinese sub_msg comes back readable: the
		// plaintext under the encryption was GBK.
		_, err := c.TradeRefund(ctx, alipay.TradeRefund{OutTradeNo: "aes-gbk", RefundAmount: "9.99", OutRequestNo: "r1"})
		var ae *alipay.Error
		if !errors.As(err, &ae) || ae.Code != "40004" || !containsHan(ae.SubMsg) {
			t.Fatalf("got %v", err)
		}
		log.wantEncryptedExchange(t, "alipay.trade.refund")
	})

	t.Run("wrong key: the gateway's decryption error, in plaintext and signed", func(t *testing.T) {
		c, log := newClient(t, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 16)))
		_, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "aes-1"})
		var ae *alipay.Error
		if !errors.As(err, &ae) || ae.Code != "40003" || ae.SubCode != "isv.decryption-error-unknown" {
			t.Fatalf("got %v", err)
		}
		if _, answer := log.last(t); !bytes.HasPrefix(answer, []byte(`{"alipay_trade_query_response":{"code":"40003"`)) || !bytes.Contains(answer, []byte(`,"sign":"`)) {
			t.Fatalf("answer %s", answer)
		}
	})

	t.Run("a changed ciphertext fails the signature check", func(t *testing.T) {
		c, log := newClient(t, app.AESKey)
		log.mutilate = func(b []byte) []byte {
			// Swap two characters of the ciphertext: still Base64 of whole
			// blocks, but not what was signed.
			out := bytes.Clone(b)
			i := len(`{"alipay_trade_query_response":"`)
			out[i], out[i+1] = out[i+1], out[i]
			if bytes.Equal(out, b) {
				out[i] ^= 'A' ^ 'B'
			}
			return out
		}
		_, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "aes-1"})
		if !errors.Is(err, alipay.ErrSignature) {
			t.Fatalf("got %v, want a signature error", err)
		}
	})

	t.Run("notifications stay plain", func(t *testing.T) {
		// Spec §5: a notification is signed form fields; no SDK decrypts
		// one, so an encrypted call's notification is plain.
		c, _ := newClient(t, app.AESKey)
		rc := zfbtest.NewReceiver(t)
		if _, err := c.TradePay(ctx, alipay.TradePay{NotifyURL: rc.URL, OutTradeNo: "aes-notify", Scene: "bar_code", AuthCode: payer.PaymentCode, Subject: "咖啡", TotalAmount: "0.10"}); err != nil {
			t.Fatal(err)
		}
		f := rc.Wait(t, notifyWait, byField("out_trade_no", "aes-notify")).Form
		if err := c.VerifyNotification(f); err != nil {
			t.Fatal(err)
		}
		if f.Has("encrypt_type") || f.Get("subject") != "咖啡" || f.Get("total_amount") != "0.10" {
			t.Fatalf("notification %v", f)
		}
	})

	t.Run("without the key the same calls go in plaintext", func(t *testing.T) {
		log := &wireLog{}
		c := client(t, srv, app, alipay.WithHTTPClient(&http.Client{Transport: log}))
		if _, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "aes-1"}); err != nil {
			t.Fatal(err)
		}
		params, answer := log.last(t)
		if params.Has("encrypt_type") || !bytes.HasPrefix(answer, []byte(`{"alipay_trade_query_response":{`)) {
			t.Fatalf("params %v, answer %s", params, answer)
		}
	})
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
