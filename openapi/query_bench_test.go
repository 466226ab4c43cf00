package openapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/openapi"
)

// BenchmarkGatewayTradeQuery is alipay.trade.query through the whole
// gateway in process (no network), each call on another of benchTrades
// paid trades. In "fresh" the signature cache is off: every answer is
// signed, as in zfbload's query workload, and RSA signing is most of
// ns/op (read the rest with -cpuprofile and pprof -ignore=SignPKCS1v15).
// "unsigned" is the same calls with the cache on and warm: everything the
// gateway does for a fresh query except the RSA signature (whose cost the
// stub of zfbload pays too), so its ns/op and allocs/op show what zfb adds.
// cpu-ns/op is the process's CPU time per op, steadier than ns/op on a
// shared machine.
func BenchmarkGatewayTradeQuery(b *testing.B) {
	b.Run("fresh", func(b *testing.B) { benchmarkGatewayTradeQuery(b, false) })
	b.Run("unsigned", func(b *testing.B) { benchmarkGatewayTradeQuery(b, true) })
}

func benchmarkGatewayTradeQuery(b *testing.B, cachedSignatures bool) {
	const benchTrades = 200
	cache := 0
	if cachedSignatures {
		cache = 2 * benchTrades
	}
	g := newTestGateway(b, openapi.WithSignatureCache(cache))
	openapi.RegisterTrades(g.handler.(*openapi.Gateway), g.svc)
	ctx := context.Background()
	buyers, err := g.svc.Buyers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var code string
	for _, buyer := range buyers {
		if buyer.Behaviour == zfb.BehaviourPays {
			code = buyer.PaymentCode
		}
	}
	type call struct{ target, payload string }
	calls := make([]call, benchTrades)
	for i := range calls {
		no := fmt.Sprintf("Q%d", i)
		if _, err := g.svc.Pay(ctx, g.app, testNow, zfb.PayCommand{OutTradeNo: no, TotalAmount: "0.01", Subject: "bench", AuthCode: code}); err != nil {
			b.Fatal(err)
		}
		// As the Java SDK sends it: biz_content in the body, the rest in
		// the query string.
		query, body := url.Values{}, url.Values{}
		for k, v := range g.signed(g.params("alipay.trade.query", `{"out_trade_no":"`+no+`"}`)) {
			if k == "biz_content" {
				body.Set(k, v)
			} else {
				query.Set(k, v)
			}
		}
		calls[i] = call{"/gateway.do?" + query.Encode(), body.Encode()}
	}
	query := func(c call) {
		r := httptest.NewRequest(http.MethodPost, c.target, strings.NewReader(c.payload))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
		w := httptest.NewRecorder()
		g.handler.ServeHTTP(w, r)
		if !bytes.Contains(w.Body.Bytes(), []byte(`"trade_status":"TRADE_SUCCESS"`)) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	if cachedSignatures {
		for _, c := range calls {
			query(c) // signs each answer once, outside the timing
		}
	}
	b.ReportAllocs()
	cpu := processCPU(b)
	for i := 0; b.Loop(); i++ {
		query(calls[i%len(calls)])
	}
	b.ReportMetric(float64(processCPU(b)-cpu)/float64(b.N), "cpu-ns/op")
}

// processCPU is the CPU time the process has used (user and system, every
// thread, the garbage collector's included). Per op, it moves much less
// than ns/op when other work shares the machine.
func processCPU(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
