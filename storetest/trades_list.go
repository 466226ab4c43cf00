package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zfbpay/zfb"
)

// tradeNos lists the trade_nos of trades, in order.
func tradeNos(trades []*zfb.Trade) []string {
	out := make([]string, len(trades))
	for i, t := range trades {
		out[i] = t.TradeNo
	}
	return out
}

func testTradesList(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	a1, a2 := newApp(1), newApp(2)
	ok(t, s.CreateApp(ctx, a1))
	ok(t, s.CreateApp(ctx, a2))
	// Trades 1..6 of app 1, made at seconds 1..6 (4 and 5 at the same
	// second), 7 of app 2; 3 waits, 6 is a tombstone.
	mk := func(app *zfb.App, n, sec int) *zfb.Trade {
		tr := newTrade(app, n)
		tr.CreatedAt = at(sec)
		return tr
	}
	trades := []*zfb.Trade{mk(a1, 1, 1), mk(a1, 2, 2), mk(a1, 3, 3), mk(a1, 4, 4), mk(a1, 5, 4), mk(a1, 6, 6), mk(a2, 7, 7)}
	trades[2].Status = zfb.TradeWaitBuyerPay
	trades[5].Kind = zfb.TradeKindCancelled
	trades[1].OutTradeNo = "shop-50%_off"
	for _, tr := range trades {
		ok(t, s.CreateTrade(ctx, tr))
	}
	no := func(n int) string { return trades[n-1].TradeNo }
	cases := []struct {
		name string
		f    zfb.TradeFilter
		want []string
	}{
		{"every app", zfb.TradeFilter{Limit: 10}, []string{no(7), no(5), no(4), no(3), no(2), no(1)}},
		{"one app", zfb.TradeFilter{AppID: a1.ID, Limit: 10}, []string{no(5), no(4), no(3), no(2), no(1)}},
		{"no such app", zfb.TradeFilter{AppID: "2021000999999999", Limit: 10}, nil},
		{"limit", zfb.TradeFilter{AppID: a1.ID, Limit: 2}, []string{no(5), no(4)}},
		{"limit 0", zfb.TradeFilter{}, nil},
		{"page after a trade made at the same time", zfb.TradeFilter{AppID: a1.ID, Limit: 2,
			Before: &zfb.TradeCursor{CreatedAt: at(4), TradeNo: no(5)}}, []string{no(4), no(3)}},
		{"last page", zfb.TradeFilter{AppID: a1.ID, Limit: 2,
			Before: &zfb.TradeCursor{CreatedAt: at(2), TradeNo: no(2)}}, []string{no(1)}},
		{"status", zfb.TradeFilter{Statuses: []zfb.TradeStatus{zfb.TradeWaitBuyerPay}, Limit: 10}, []string{no(3)}},
		{"statuses", zfb.TradeFilter{Statuses: []zfb.TradeStatus{zfb.TradeWaitBuyerPay, zfb.TradeClosed}, Limit: 10}, []string{no(3)}},
		{"trade_no", zfb.TradeFilter{Number: no(4), Limit: 10}, []string{no(4)}},
		{"trade_no of another app", zfb.TradeFilter{AppID: a1.ID, Number: no(7), Limit: 10}, nil},
		{"out_trade_no", zfb.TradeFilter{Number: "out-3", Limit: 10}, []string{no(3)}},
		{"out_trade_no with LIKE's wildcards", zfb.TradeFilter{Number: "shop-50%_", Limit: 10}, []string{no(2)}},
		{"wildcards match only themselves", zfb.TradeFilter{Number: "shop-5_", Limit: 10}, nil},
		{"prefix of out_trade_no", zfb.TradeFilter{AppID: a1.ID, Number: "out-", Limit: 10}, []string{no(5), no(4), no(3), no(1)}},
		{"prefix of trade_no", zfb.TradeFilter{Number: no(1)[:20], Limit: 10}, []string{no(7), no(5), no(4), no(3), no(2), no(1)}},
		{"case matters", zfb.TradeFilter{Number: "OUT-3", Limit: 10}, nil},
		{"tombstone", zfb.TradeFilter{Number: "out-6", Limit: 10}, nil},
		{"nothing", zfb.TradeFilter{Number: "nope", Limit: 10}, nil},
	}
	for _, c := range cases {
		got, err := s.Trades(ctx, c.f)
		ok(t, err)
		if !slices.Equal(tradeNos(got), c.want) {
			t.Errorf("%s: trades %v, want %v", c.name, tradeNos(got), c.want)
		}
	}
	// Every field comes back.
	got, err := s.Trades(ctx, zfb.TradeFilter{Number: no(4), Limit: 1})
	ok(t, err)
	if len(got) != 1 {
		t.Fatalf("%d trades", len(got))
	}
	sameTrade(t, got[0], trades[3])
}

func testAccounts(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	all, err := s.Accounts(ctx, "")
	ok(t, err)
	if len(all) != 0 {
		t.Fatalf("%d accounts in an empty store", len(all))
	}
	b := fund(t, s, "buyer:2", 700)
	fund(t, s, "buyer:1", 300)
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: "merchant:1", Kind: zfb.AccountKindMerchant, Owner: "1", Currency: "USD", Floor: floor(-5)}))
	all, err = s.Accounts(ctx, "")
	ok(t, err)
	var got []string
	for _, a := range all {
		got = append(got, fmt.Sprintf("%s %s %s %d", a.Kind, a.ID, a.Currency, a.Balance))
	}
	want := []string{"buyer_available buyer:1 CNY 300", "buyer_available buyer:2 CNY 700", "funding funding:CNY CNY -1000", "merchant merchant:1 USD 0"}
	if !slices.Equal(got, want) {
		t.Errorf("accounts %q, want %q", got, want)
	}
	if all[0].Floor == nil || *all[0].Floor != 0 || all[2].Floor != nil || all[3].Floor == nil || *all[3].Floor != -5 {
		t.Errorf("floors not kept: %+v %+v %+v", all[0], all[2], all[3])
	}
	buyers, err := s.Accounts(ctx, zfb.AccountKindBuyerAvailable)
	ok(t, err)
	if len(buyers) != 2 || buyers[1].ID != b || buyers[1].Owner != b {
		t.Errorf("buyer accounts %+v", buyers)
	}
	none, err := s.Accounts(ctx, zfb.AccountKindFX)
	ok(t, err)
	if len(none) != 0 {
		t.Errorf("%d fx accounts, want none", len(none))
	}
}

// testServiceTopUpBuyer tops a buyer up through the Service: the balance
// rises, the funding account pays, the ledger stays balanced, and a bad
// amount or an unknown buyer moves nothing.
func testServiceTopUpBuyer(t *testing.T, s zfb.Store) {
	ctx := t.Context()
	svc := zfb.NewService(s, nil, nil)
	b := newBuyer(1, 100_00)
	ok(t, svc.CreateBuyer(ctx, b))
	got, err := svc.TopUpBuyer(ctx, b.UserID, 25_50)
	ok(t, err)
	if got.Balance != 125_50 || got.UserID != b.UserID {
		t.Errorf("after top-up: %+v, want balance 12550", got)
	}
	if f := balance(t, s, zfb.FundingAccount(zfb.CNY)); f != -125_50 {
		t.Errorf("funding balance %d, want -12550", f)
	}
	ts, err := s.Transfers(ctx, b.UserID)
	ok(t, err)
	if len(ts) != 2 || ts[1].Kind != zfb.TransferTopUp || ts[1].Amount != 25_50 || ts[1].Credit != zfb.BuyerAccount(b.UserID, zfb.CNY) {
		t.Errorf("transfers %+v", ts)
	}
	for _, amount := range []int64{0, -1, zfb.MaxAmount + 1} {
		_, err := svc.TopUpBuyer(ctx, b.UserID, amount)
		wantErr(t, err, zfb.ErrInvalidAmount)
	}
	_, err = svc.TopUpBuyer(ctx, "2088999999999999", 1)
	wantErr(t, err, zfb.ErrNotFound)
	if bal := balance(t, s, zfb.BuyerAccount(b.UserID, zfb.CNY)); bal != 125_50 {
		t.Errorf("balance %d after refused top-ups, want 12550", bal)
	}
	ledgerOK(t, s)
}
