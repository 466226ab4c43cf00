package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/sandbox"
)

// listedTradeNos runs a trade list and returns its trade_nos and "next".
func listedTradeNos(t *testing.T, h http.Handler, token, query string) ([]string, string) {
	t.Helper()
	status, out := do(t, h, token, "GET", admin.Prefix+"/trades?"+query, "")
	if status != http.StatusOK {
		t.Fatalf("trades?%s: %d %v", query, status, out)
	}
	var nos []string
	for _, tr := range out["trades"].([]any) {
		nos = append(nos, tr.(map[string]any)["trade_no"].(string))
	}
	next, _ := out["next"].(string)
	return nos, next
}

func TestListTrades(t *testing.T) {
	h, svc, token := newAdmin(t)
	ctx := context.Background()
	app, err := svc.App(ctx, sandbox.FirstAppID)
	if err != nil {
		t.Fatal(err)
	}
	// Three precreated trades a second apart (the wall clock stands
	// still: the app's clock moves), the first paid by a buyer.
	var nos []string
	for i := range 3 {
		now, err := svc.AdvanceClock(ctx, app.ID, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Precreate(ctx, app, now, zfb.CreateCommand{OutTradeNo: fmt.Sprintf("LIST-%d", i), TotalAmount: "1.00", Subject: "x", TimeoutExpress: "10m"})
		if err != nil {
			t.Fatal(err)
		}
		nos = append(nos, res.TradeNo)
	}
	if _, err := svc.ActAsBuyer(ctx, nos[0], zfb.BuyerActionPay, ""); err != nil {
		t.Fatal(err)
	}
	want := func(what string, got []string, want ...string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	got, next := listedTradeNos(t, h, token, "")
	want("all", got, nos[2], nos[1], nos[0])
	if next != "" {
		t.Errorf("next %q on the only page", next)
	}
	got, next = listedTradeNos(t, h, token, "app_id="+app.ID+"&limit=2")
	want("page 1", got, nos[2], nos[1])
	got, next = listedTradeNos(t, h, token, "limit=2&before="+url.QueryEscape(next))
	want("page 2", got, nos[0])
	got, _ = listedTradeNos(t, h, token, "q=LIST-1")
	want("by out_trade_no", got, nos[1])
	got, _ = listedTradeNos(t, h, token, "q="+nos[2])
	want("by trade_no", got, nos[2])
	got, _ = listedTradeNos(t, h, token, "q=LIST-")
	want("by prefix", got, nos[2], nos[1], nos[0])
	got, _ = listedTradeNos(t, h, token, "status=TRADE_SUCCESS")
	want("paid", got, nos[0])
	got, _ = listedTradeNos(t, h, token, "status=WAIT_BUYER_PAY")
	want("waiting", got, nos[2], nos[1])
	got, _ = listedTradeNos(t, h, token, "app_id=2021000000000999")
	want("unknown app", got)
	// Past their time the waiting trades are closed, as a query shows them.
	if _, err := svc.AdvanceClock(ctx, app.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, _ = listedTradeNos(t, h, token, "status=WAIT_BUYER_PAY")
	want("waiting after an hour", got)
	got, _ = listedTradeNos(t, h, token, "status=TRADE_CLOSED")
	want("closed after an hour", got, nos[2], nos[1])
	for _, bad := range []string{"status=PAID", "limit=0", "before=x"} {
		if status, out := do(t, h, token, "GET", admin.Prefix+"/trades?"+bad, ""); status != http.StatusBadRequest {
			t.Errorf("%s: %d %v", bad, status, out)
		}
	}
}

func TestTopUpBuyer(t *testing.T) {
	h, svc, token := newAdmin(t)
	ctx := context.Background()
	buyers, err := svc.Buyers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := buyers[0]
	path := admin.Prefix + "/buyers/" + b.UserID + "/top-up"
	status, out := do(t, h, token, "POST", path, `{"amount":"100.50"}`)
	if status != http.StatusOK || out["balance"] != zfb.FormatAmount(b.Balance+100_50) {
		t.Fatalf("top-up: %d %v", status, out)
	}
	for _, bad := range []string{`{"amount":"0"}`, `{"amount":"-1"}`, `{"amount":"1.001"}`, `{"amount":"abc"}`, `{}`, `{"amount":"100000000.01"}`} {
		if status, out := do(t, h, token, "POST", path, bad); status != http.StatusBadRequest {
			t.Errorf("%s: %d %v", bad, status, out)
		}
	}
	if status, _ := do(t, h, token, "POST", admin.Prefix+"/buyers/2088000000009999/top-up", `{"amount":"1.00"}`); status != http.StatusNotFound {
		t.Errorf("unknown buyer: %d", status)
	}
	after, err := svc.Buyer(ctx, b.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Balance != b.Balance+100_50 {
		t.Errorf("balance %d, want %d: a refused top-up moved money", after.Balance, b.Balance+100_50)
	}
	report, err := svc.CheckLedger(ctx)
	if err != nil || !report.OK {
		t.Fatalf("ledger after top-ups: %v %+v", err, report)
	}
}
