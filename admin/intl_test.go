package admin_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/sandbox"
)

func TestIntlPayments(t *testing.T) {
	h, svc, token := newAdmin(t)
	ctx := context.Background()
	app, err := svc.App(ctx, sandbox.FirstAppID)
	if err != nil {
		t.Fatal(err)
	}
	buyers, err := svc.Buyers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byBehaviour := map[string]*zfb.Buyer{}
	for _, b := range buyers {
		if byBehaviour[b.Behaviour] == nil {
			byBehaviour[b.Behaviour] = b
		}
	}
	pays, password := byBehaviour[zfb.BehaviourPays], byBehaviour[zfb.BehaviourPassword]
	// A password buyer who has 1.00 CNY.
	poorWaiter, err := sandbox.NewBuyer(zfb.BehaviourPassword, 1_00)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateBuyer(ctx, poorWaiter); err != nil {
		t.Fatal(err)
	}

	// Each command a minute after the one before on the app's clock, so
	// that "newest first" is an order of times.
	now := func() time.Time {
		t.Helper()
		n, err := svc.AdvanceClock(ctx, app.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	pay := func(buyer *zfb.Buyer, no, currency, value string) *zfb.IntlPayResult {
		t.Helper()
		res, err := svc.IntlPay(ctx, app, now(), zfb.IntlPayCommand{
			MerchantTransID: no, IdentityCode: buyer.PaymentCode, OrderTitle: "Green tea", Currency: currency, Value: value,
		})
		if err != nil {
			t.Fatalf("pay %s: %v", no, err)
		}
		return res
	}
	wantError := func(name string, status int, out map[string]any, wantStatus int, code string) {
		t.Helper()
		e, _ := out["error"].(map[string]any)
		if status != wantStatus || e["code"] != code {
			t.Fatalf("%s: HTTP %d %v, want %d %s", name, status, out, wantStatus, code)
		}
	}
	money := func(v any) string {
		m, _ := v.(map[string]any)
		return m["currency"].(string) + " " + m["value"].(string)
	}

	m1 := pay(pays, "M1", "USD", "1000").Payment
	if _, err := svc.RefundIntlPayment(ctx, app, now(), zfb.IntlRefundCommand{
		AcquirementID: m1.AcquirementID, MerchantRefundID: "r1", Currency: "USD", Value: "250", Reason: "cold",
	}); err != nil {
		t.Fatal(err)
	}
	m2 := pay(password, "M2", "JPY", "1000").Payment
	m3 := pay(pays, "M3", "HKD", "500").Payment
	m4 := pay(password, "M4", "EUR", "100").Payment
	m5 := pay(poorWaiter, "M5", "USD", "10000").Payment // 72.00 CNY: more than they have
	// A cancel of a merchantTransId never seen: the newest row, and no
	// payment.
	if res, err := svc.IntlPayCancel(ctx, app, now(), zfb.IntlRef{MerchantTransID: "LOST"}); err != nil || res.Payment != nil {
		t.Fatalf("cancel LOST: %v %+v", err, res)
	}
	apps := admin.Prefix + "/apps/" + app.ID + "/intl/payments"
	byAcq := func(acq string) string { return admin.Prefix + "/intl/payments/" + acq }
	buyer := func(acq string) string { return byAcq(acq) + "/buyer" }

	t.Run("show by acquirement_id and by merchant_trans_id", func(t *testing.T) {
		for _, path := range []string{byAcq(m1.AcquirementID), apps + "/M1"} {
			status, out := do(t, h, token, "GET", path, "")
			if status != 200 || out["acquirement_id"] != m1.AcquirementID || out["app_id"] != app.ID || out["merchant_trans_id"] != "M1" ||
				out["acquirement_status"] != "SUCCESS" || out["buyer_id"] != pays.UserID || out["order_title"] != "Green tea" ||
				money(out["order_amount"]) != "USD 1000" || money(out["payment_amount"]) != "CNY 7200" || money(out["refunded_amount"]) != "USD 250" ||
				out["created_at"] == nil || out["paid_at"] == nil || out["closed_at"] != nil || out["cancelled_at"] != nil ||
				out["expires_at"] != nil || out["cancel_action"] != nil {
				t.Fatalf("GET %s: %d %v", path, status, out)
			}
			refunds, _ := out["refunds"].([]any)
			if len(refunds) != 1 {
				t.Fatalf("GET %s: refunds %v", path, out["refunds"])
			}
			r := refunds[0].(map[string]any)
			if r["merchant_refund_id"] != "r1" || r["refund_id"] == "" || money(r["refund_amount"]) != "USD 250" ||
				money(r["refund_cny"]) != "CNY 1800" || r["by_cancel"] != nil || r["created_at"] == nil {
				t.Fatalf("GET %s: refund %v", path, r)
			}
			created, err := time.Parse(time.RFC3339, out["created_at"].(string))
			if err != nil || created.Format("-07:00") != "+08:00" {
				t.Fatalf("created_at %v: want RFC 3339 in Beijing time", out["created_at"])
			}
		}
		status, out := do(t, h, token, "GET", apps+"/M2", "")
		if status != 200 || out["acquirement_status"] != "INIT" || out["expires_at"] == nil || out["paid_at"] != nil ||
			money(out["payment_amount"]) != "CNY 0" || out["refunds"] != nil {
			t.Fatalf("waiting payment: %d %v", status, out)
		}
	})

	t.Run("list", func(t *testing.T) {
		status, out := do(t, h, token, "GET", apps, "")
		payments, _ := out["payments"].([]any)
		if status != 200 || len(payments) != 5 {
			t.Fatalf("list: %d %v", status, out)
		}
		want := []string{"M5", "M4", "M3", "M2", "M1"} // newest first; no LOST
		for i, p := range payments {
			p := p.(map[string]any)
			if p["merchant_trans_id"] != want[i] || p["refunds"] != nil {
				t.Fatalf("list[%d] %v, want %s", i, p, want[i])
			}
		}
		for _, limit := range []int{1, 3, 5, 6} {
			status, out := do(t, h, token, "GET", apps+"?limit="+strconv.Itoa(limit), "")
			payments, _ := out["payments"].([]any)
			if status != 200 || len(payments) != min(limit, 5) || payments[0].(map[string]any)["merchant_trans_id"] != "M5" {
				t.Fatalf("list with limit %d: %d %v", limit, status, out)
			}
		}
		for _, bad := range []string{"0", "-1", "1001", "two"} {
			status, out := do(t, h, token, "GET", apps+"?limit="+bad, "")
			wantError("limit "+bad, status, out, http.StatusBadRequest, "invalid_request")
		}
		// An app without payments lists none.
		other, err := sandbox.NewApp("", zfb.SignTypeRSA2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateApp(ctx, other); err != nil {
			t.Fatal(err)
		}
		status, out = do(t, h, token, "GET", admin.Prefix+"/apps/"+other.ID+"/intl/payments", "")
		if payments, ok := out["payments"].([]any); status != 200 || !ok || len(payments) != 0 {
			t.Fatalf("list of an app without payments: %d %v", status, out)
		}
		// Another app's merchantTransId is not this one's.
		status, out = do(t, h, token, "GET", admin.Prefix+"/apps/"+other.ID+"/intl/payments/M1", "")
		wantError("another app's M1", status, out, http.StatusNotFound, "not_found")
	})

	t.Run("buyer pays and declines", func(t *testing.T) {
		status, out := do(t, h, token, "POST", buyer(m2.AcquirementID), `{"action":"pay"}`)
		if status != 200 || out["acquirement_status"] != "SUCCESS" || money(out["payment_amount"]) != "CNY 4800" ||
			out["paid_at"] == nil || out["expires_at"] != nil {
			t.Fatalf("buyer pays: %d %v", status, out)
		}
		status, out = do(t, h, token, "POST", buyer(m2.AcquirementID), `{"action":"pay"}`)
		wantError("pay twice", status, out, http.StatusConflict, "invalid_action")
		status, out = do(t, h, token, "POST", buyer(m2.AcquirementID), `{"action":"decline"}`)
		wantError("decline a paid payment", status, out, http.StatusConflict, "invalid_action")

		status, out = do(t, h, token, "POST", buyer(m4.AcquirementID), `{"action":"dance"}`)
		wantError("unknown action", status, out, http.StatusConflict, "invalid_action")
		status, out = do(t, h, token, "POST", buyer(m4.AcquirementID), `{"action":"pay","bogus":1}`)
		wantError("unknown field", status, out, http.StatusBadRequest, "invalid_json")
		status, out = do(t, h, token, "POST", buyer(m4.AcquirementID), `{"action":"decline"}`)
		if status != 200 || out["acquirement_status"] != "CLOSED" || out["closed_at"] == nil || out["paid_at"] != nil {
			t.Fatalf("buyer declines: %d %v", status, out)
		}
		status, out = do(t, h, token, "POST", buyer(m4.AcquirementID), `{"action":"pay"}`)
		wantError("pay a declined payment", status, out, http.StatusConflict, "invalid_action")

		// The buyer cannot pay more than they have: refused, still waiting.
		status, out = do(t, h, token, "POST", buyer(m5.AcquirementID), `{"action":"pay"}`)
		wantError("poor buyer", status, out, http.StatusConflict, "PROCESS_FAIL")
		status, out = do(t, h, token, "GET", byAcq(m5.AcquirementID), "")
		if status != 200 || out["acquirement_status"] != "INIT" {
			t.Fatalf("after the refusal: %d %v", status, out)
		}
		if b, err := svc.Buyer(ctx, poorWaiter.UserID); err != nil || b.Balance != 1_00 {
			t.Fatalf("poor buyer %v %+v", err, b)
		}
	})

	t.Run("settle", func(t *testing.T) {
		status, out := do(t, h, token, "POST", admin.Prefix+"/apps/"+app.ID+"/settle", "")
		paid, _ := out["paid_out"].([]any)
		got := map[string]bool{}
		for _, p := range paid {
			got[money(p)] = true
		}
		// USD 1000 − 250 refunded, JPY 1000 paid by the buyer above, HKD 500.
		if status != 200 || len(paid) != 3 || !got["USD 750"] || !got["JPY 1000"] || !got["HKD 500"] {
			t.Fatalf("settle: %d %v", status, out)
		}
		_, err := svc.RefundIntlPayment(ctx, app, now(), zfb.IntlRefundCommand{
			AcquirementID: m3.AcquirementID, MerchantRefundID: "r1", Currency: "HKD", Value: "100",
		})
		if e, ok := zfb.AsError(err); !ok || e.SubCode != "MERCHANT_BALANCE_NOT_ENOUGH" {
			t.Fatalf("refund after settling: %v", err)
		}
		_, err = svc.IntlPayCancel(ctx, app, now(), zfb.IntlRef{AcquirementID: m2.AcquirementID})
		if e, ok := zfb.AsError(err); !ok || e.SubCode != "MERCHANT_BALANCE_NOT_ENOUGH" {
			t.Fatalf("cancel after settling: %v", err)
		}
		for _, tt := range []struct{ no, status, refunded string }{{"M3", "SUCCESS", "HKD 0"}, {"M2", "SUCCESS", "JPY 0"}} {
			status, out := do(t, h, token, "GET", apps+"/"+tt.no, "")
			if status != 200 || out["acquirement_status"] != tt.status || money(out["refunded_amount"]) != tt.refunded ||
				out["refunds"] != nil || out["cancel_action"] != nil {
				t.Fatalf("%s after the refusals: %d %v", tt.no, status, out)
			}
		}
		status, out = do(t, h, token, "POST", admin.Prefix+"/apps/"+app.ID+"/settle", "")
		if paid, ok := out["paid_out"].([]any); status != 200 || !ok || len(paid) != 0 {
			t.Fatalf("settle again: %d %v", status, out)
		}
	})

	t.Run("a waiting payment times out", func(t *testing.T) {
		if _, err := svc.AdvanceClock(ctx, app.ID, 3*time.Hour); err != nil {
			t.Fatal(err)
		}
		status, out := do(t, h, token, "GET", byAcq(m5.AcquirementID), "")
		if status != 200 || out["acquirement_status"] != "CLOSED" || out["closed_at"] == nil {
			t.Fatalf("timed out: %d %v", status, out)
		}
		status, out = do(t, h, token, "POST", buyer(m5.AcquirementID), `{"action":"pay"}`)
		wantError("pay after the time-out", status, out, http.StatusConflict, "invalid_action")
	})

	t.Run("not found", func(t *testing.T) {
		for _, tt := range []struct{ method, path, body string }{
			{"GET", byAcq("2026010111000000000000000404"), ""},
			{"GET", apps + "/nope", ""},
			{"GET", apps + "/LOST", ""}, // a cancel's tombstone
			{"GET", admin.Prefix + "/apps/2021000000000404/intl/payments", ""},
			{"GET", admin.Prefix + "/apps/2021000000000404/intl/payments/M1", ""},
			{"POST", buyer("2026010111000000000000000404"), `{"action":"pay"}`},
			{"POST", admin.Prefix + "/apps/2021000000000404/settle", ""},
		} {
			status, out := do(t, h, token, tt.method, tt.path, tt.body)
			wantError(tt.method+" "+tt.path, status, out, http.StatusNotFound, "not_found")
		}
	})

	t.Run("token required", func(t *testing.T) {
		for _, tt := range []struct{ method, path, body string }{
			{"GET", byAcq(m1.AcquirementID), ""},
			{"GET", apps, ""},
			{"GET", apps + "/M1", ""},
			{"POST", buyer(m5.AcquirementID), `{"action":"decline"}`},
			{"POST", admin.Prefix + "/apps/" + app.ID + "/settle", ""},
		} {
			for _, bad := range []string{"", "wrong", token + "x"} {
				status, out := do(t, h, bad, tt.method, tt.path, tt.body)
				wantError(tt.method+" "+tt.path+" with token "+strconv.Quote(bad), status, out, http.StatusUnauthorized, "unauthorized")
			}
		}
	})

	status, out := do(t, h, token, "GET", admin.Prefix+"/ledger/check", "")
	if status != 200 || out["ok"] != true {
		t.Fatalf("ledger: %d %v", status, out)
	}
}
