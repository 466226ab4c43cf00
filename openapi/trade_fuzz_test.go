package openapi

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sqlstore"
)

// FuzzTradeBizContent feeds arbitrary JSON to every trade method, as a
// verified call would carry it. Whatever it holds, a method answers a
// result or an Alipay error — never a panic, never an internal error.
func FuzzTradeBizContent(f *testing.F) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(f.TempDir(), "zfb.db"), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, nil, nil)
	sb, err := sandbox.Generate(sandbox.WithKeys(testkeys.Sequence()))
	if err != nil {
		f.Fatal(err)
	}
	if err := svc.CreateSandbox(ctx, sb); err != nil {
		f.Fatal(err)
	}
	g := New(svc, svc.Logger)
	RegisterTrades(g, svc)
	methods := g.Methods()
	code := sb.Buyers[0].PaymentCode
	for i, biz := range []string{
		`{"out_trade_no":"F1","total_amount":"1.00","subject":"x","auth_code":"` + code + `","scene":"bar_code"}`,
		`{"out_trade_no":"F1","refund_amount":0.5,"out_request_no":"r"}`,
		`{"trade_no":123,"out_trade_no":null}`,
		`{"out_trade_no":"F2","total_amount":1e2,"subject":true,"timeout_express":"1c"}`,
		`{"out_trade_no":{"a":1}}`,
		`{"buyer_id":"2088","out_trade_no":"F3","total_amount":"0.01","subject":"s"}`,
	} {
		f.Add(uint8(i), biz)
	}
	f.Fuzz(func(t *testing.T, which uint8, biz string) {
		name := methods[int(which)%len(methods)]
		call := &Call{App: sb.Apps[0], Method: name, BizContent: []byte(biz), Params: map[string]string{}, Now: time.Now()}
		_, err := g.methods[name].Handle(ctx, call)
		if err != nil {
			if _, ok := zfb.AsError(err); !ok {
				t.Fatalf("%s(%q): internal error %v", name, biz, err)
			}
		}
	})
}
