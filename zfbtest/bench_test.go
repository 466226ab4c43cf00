package zfbtest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

// BenchmarkQueryOverHTTP is a till polling alipay.trade.query on a paid
// trade: real HTTP on loopback, parallel keep-alive clients, the SQLite
// store, request verification, and the (cached) answer signature. The
// request is signed once, outside the loop, so the client's RSA does not
// count.
func BenchmarkQueryOverHTTP(b *testing.B) { benchQueryOverHTTP(b) }

// BenchmarkQueryOverHTTPWithRequestLog is BenchmarkQueryOverHTTP with
// every call recorded in the request log, at its default bound.
func BenchmarkQueryOverHTTPWithRequestLog(b *testing.B) {
	benchQueryOverHTTP(b, zfbtest.WithRequestLog(10000))
}

func benchQueryOverHTTP(b *testing.B, opts ...zfbtest.Option) {
	srv := zfbtest.NewServer(b, opts...)
	app := srv.App()
	c, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey, alipay.WithGateway(srv.GatewayURL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.TradePay(ctx, alipay.TradePay{OutTradeNo: "bench-1", Scene: "bar_code", AuthCode: srv.Buyer(b, zfb.BehaviourPays).PaymentCode, Subject: "x", TotalAmount: "1.00"}); err != nil {
		b.Fatal(err)
	}
	key, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		b.Fatal(err)
	}
	p := map[string]string{
		"app_id": app.AppID, "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA2",
		"timestamp": zfb.FormatGatewayTime(time.Now()), "version": "1.0", "biz_content": `{"out_trade_no":"bench-1"}`,
	}
	if err := sign.SignRequest(key, sign.RSA2, p); err != nil {
		b.Fatal(err)
	}
	form := url.Values{}
	for k, v := range p {
		form.Set(k, v)
	}
	payload := form.Encode()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer() // ns/op without the server's start (its RSA keys)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Post(srv.GatewayURL, "application/x-www-form-urlencoded;charset=utf-8", strings.NewReader(payload))
			if err != nil {
				b.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), `"trade_status":"TRADE_SUCCESS"`) {
				b.Errorf("answer: %s", body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}
