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

func TestFundAuthOrders(t *testing.T) {
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
	pays, password, poor := byBehaviour[zfb.BehaviourPays], byBehaviour[zfb.BehaviourPassword], byBehaviour[zfb.BehaviourPoor]
	freeze := func(buyer *zfb.Buyer, outOrderNo, amount string) *zfb.FreezeResult {
		t.Helper()
		res, err := svc.Freeze(ctx, app, frozen, zfb.FreezeCommand{
			AuthCode: buyer.PaymentCode, AuthCodeType: "bar_code", OutOrderNo: outOrderNo, OutRequestNo: outOrderNo + "-f",
			OrderTitle: "押金", Amount: amount, ProductCode: "PRE_AUTH",
		})
		if err != nil {
			t.Fatalf("freeze %s: %v", outOrderNo, err)
		}
		return res
	}
	operations := func(out map[string]any) []map[string]any {
		t.Helper()
		raw, _ := out["operations"].([]any)
		ops := make([]map[string]any, len(raw))
		for i, op := range raw {
			ops[i] = op.(map[string]any)
		}
		return ops
	}
	wantError := func(name string, status int, out map[string]any, wantStatus int, code string) {
		t.Helper()
		e, _ := out["error"].(map[string]any)
		if status != wantStatus || e["code"] != code {
			t.Fatalf("%s: HTTP %d %v, want %d %s", name, status, out, wantStatus, code)
		}
	}

	f1 := freeze(pays, "F1", "10.00")
	authNo := f1.Order.AuthNo
	u, err := svc.Unfreeze(ctx, app, frozen, zfb.UnfreezeCommand{AuthNo: authNo, OutRequestNo: "u1", Amount: "2.00", Remark: "部分归还"})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("show by auth_no and by out_order_no", func(t *testing.T) {
		for _, path := range []string{
			admin.Prefix + "/fund-auth/orders/" + authNo,
			admin.Prefix + "/apps/" + app.ID + "/fund-auth/orders/F1",
		} {
			status, out := do(t, h, token, "GET", path, "")
			if status != 200 || out["auth_no"] != authNo || out["app_id"] != app.ID || out["out_order_no"] != "F1" ||
				out["kind"] != zfb.AuthKindFreeze || out["order_status"] != "AUTHORIZED" || out["payee_user_id"] != app.SellerID ||
				out["payer_user_id"] != pays.UserID || out["order_title"] != "押金" || out["product_code"] != "PRE_AUTH" ||
				out["total_freeze_amount"] != "10.00" || out["total_unfreeze_amount"] != "2.00" || out["total_pay_amount"] != "0.00" ||
				out["rest_amount"] != "8.00" || out["created_at"] == nil || out["closed_at"] != nil {
				t.Fatalf("GET %s: %d %v", path, status, out)
			}
			ops := operations(out)
			if len(ops) != 2 {
				t.Fatalf("GET %s: operations %v", path, ops)
			}
			// Both were made at the frozen clock's one instant: their order
			// is the operation ids'.
			if ops[0]["operation_type"] != "FREEZE" {
				ops[0], ops[1] = ops[1], ops[0]
			}
			if ops[0]["operation_id"] != f1.Operation.OperationID || ops[0]["operation_type"] != "FREEZE" || ops[0]["status"] != "SUCCESS" ||
				ops[0]["amount"] != "10.00" || ops[0]["out_request_no"] != "F1-f" || ops[0]["trans_at"] == nil {
				t.Fatalf("GET %s: freeze %v", path, ops[0])
			}
			if ops[1]["operation_id"] != u.Operation.OperationID || ops[1]["operation_type"] != "UNFREEZE" || ops[1]["status"] != "SUCCESS" ||
				ops[1]["amount"] != "2.00" || ops[1]["out_request_no"] != "u1" || ops[1]["remark"] != "部分归还" {
				t.Fatalf("GET %s: unfreeze %v", path, ops[1])
			}
		}
	})

	p1 := freeze(password, "P1", "20.00")
	p2 := freeze(password, "P2", "20.00")
	voucher, err := svc.VoucherCreate(ctx, app, frozen, zfb.FreezeCommand{OutOrderNo: "V1", OutRequestNo: "V1-f", OrderTitle: "租车", Amount: "50.00"})
	if err != nil {
		t.Fatal(err)
	}
	// A cancel of an out_order_no never seen leaves no order to show. It
	// comes a second later, so that it is the newest row.
	if _, err := svc.OperationCancel(ctx, app, frozen.Add(time.Second), zfb.OperationCancelCommand{OutOrderNo: "C1", OutRequestNo: "C1-f", Remark: "r"}); err != nil {
		t.Fatal(err)
	}

	t.Run("list", func(t *testing.T) {
		list := admin.Prefix + "/apps/" + app.ID + "/fund-auth/orders"
		status, out := do(t, h, token, "GET", list, "")
		orders, _ := out["orders"].([]any)
		if status != 200 || len(orders) != 4 {
			t.Fatalf("list: %d %v", status, out)
		}
		seen := map[any]bool{}
		for _, o := range orders {
			o := o.(map[string]any)
			seen[o["out_order_no"]] = true
			if o["operations"] != nil {
				t.Fatalf("a listed order carries its operations: %v", o)
			}
		}
		if !seen["F1"] || !seen["P1"] || !seen["P2"] || !seen["V1"] {
			t.Fatalf("list: %v", orders)
		}
		// The limit counts orders shown: the newest row, the cancel's
		// tombstone, is not one of them.
		for _, limit := range []int{1, 2, 4} {
			status, out = do(t, h, token, "GET", list+"?limit="+strconv.Itoa(limit), "")
			if orders, _ := out["orders"].([]any); status != 200 || len(orders) != limit {
				t.Errorf("list with limit %d: HTTP %d, %d orders: %v", limit, status, len(orders), out)
			}
		}
		for _, bad := range []string{"0", "-1", "1001", "two"} {
			status, out := do(t, h, token, "GET", list+"?limit="+bad, "")
			wantError("limit "+bad, status, out, http.StatusBadRequest, "invalid_request")
		}
		status, out = do(t, h, token, "GET", admin.Prefix+"/apps/2021000000000404/fund-auth/orders", "")
		wantError("list of an unknown app", status, out, http.StatusNotFound, "not_found")
	})

	t.Run("authorize and decline", func(t *testing.T) {
		buyer := func(authNo string) string { return admin.Prefix + "/fund-auth/orders/" + authNo + "/buyer" }
		status, out := do(t, h, token, "GET", admin.Prefix+"/fund-auth/orders/"+p1.Order.AuthNo, "")
		if status != 200 || out["order_status"] != "INIT" || out["expires_at"] == nil || out["total_freeze_amount"] != "0.00" {
			t.Fatalf("waiting order: %d %v", status, out)
		}
		status, out = do(t, h, token, "POST", buyer(p1.Order.AuthNo), `{"action":"authorize"}`)
		if ops := operations(out); status != 200 || out["order_status"] != "AUTHORIZED" || out["total_freeze_amount"] != "20.00" ||
			out["rest_amount"] != "20.00" || out["payer_user_id"] != password.UserID || len(ops) != 1 || ops[0]["status"] != "SUCCESS" || ops[0]["trans_at"] == nil {
			t.Fatalf("authorize: %d %v", status, out)
		}
		status, out = do(t, h, token, "POST", buyer(p1.Order.AuthNo), `{"action":"authorize"}`)
		wantError("authorize twice", status, out, http.StatusConflict, "invalid_action")
		status, out = do(t, h, token, "POST", buyer(p1.Order.AuthNo), `{"action":"decline"}`)
		wantError("decline an authorised order", status, out, http.StatusConflict, "invalid_action")

		status, out = do(t, h, token, "POST", buyer(p2.Order.AuthNo), `{"action":"dance"}`)
		wantError("unknown action", status, out, http.StatusConflict, "invalid_action")
		status, out = do(t, h, token, "POST", buyer(p2.Order.AuthNo), `{"action":"decline","bogus":1}`)
		wantError("unknown field", status, out, http.StatusBadRequest, "invalid_json")
		status, out = do(t, h, token, "POST", buyer(p2.Order.AuthNo), `{"action":"decline"}`)
		if ops := operations(out); status != 200 || out["order_status"] != "CLOSED" || out["closed_at"] == nil || len(ops) != 1 || ops[0]["status"] != "CLOSED" {
			t.Fatalf("decline: %d %v", status, out)
		}
		status, out = do(t, h, token, "POST", buyer(p2.Order.AuthNo), `{"action":"authorize"}`)
		wantError("authorize a declined order", status, out, http.StatusConflict, "invalid_action")

		// A voucher: a poor buyer cannot authorise 50.00, and it keeps waiting.
		status, out = do(t, h, token, "POST", buyer(voucher.Order.AuthNo), `{"action":"authorize","buyer_id":"`+poor.UserID+`"}`)
		wantError("poor buyer", status, out, http.StatusConflict, "MONEY_NOT_ENOUGH")
		status, out = do(t, h, token, "POST", buyer(voucher.Order.AuthNo), `{"action":"authorize","buyer_id":"2088000000000404"}`)
		wantError("unknown buyer", status, out, http.StatusConflict, "invalid_action")
		status, out = do(t, h, token, "GET", admin.Prefix+"/apps/"+app.ID+"/fund-auth/orders/V1", "")
		if status != 200 || out["order_status"] != "INIT" || out["payer_user_id"] != nil || out["code_value"] != voucher.Order.CodeValue {
			t.Fatalf("voucher after the refusal: %d %v", status, out)
		}
		status, out = do(t, h, token, "POST", buyer(voucher.Order.AuthNo), `{"action":"authorize"}`)
		if status != 200 || out["order_status"] != "AUTHORIZED" || out["payer_user_id"] != pays.UserID || out["total_freeze_amount"] != "50.00" {
			t.Fatalf("voucher authorised: %d %v", status, out)
		}
		status, out = do(t, h, token, "GET", admin.Prefix+"/ledger/check", "")
		if status != 200 || out["ok"] != true {
			t.Fatalf("ledger: %d %v", status, out)
		}
	})

	t.Run("cancel_action shows", func(t *testing.T) {
		f := freeze(pays, "F2", "1.00")
		if _, err := svc.OperationCancel(ctx, app, frozen, zfb.OperationCancelCommand{AuthNo: f.Order.AuthNo, OperationID: f.Operation.OperationID, Remark: "r"}); err != nil {
			t.Fatal(err)
		}
		status, out := do(t, h, token, "GET", admin.Prefix+"/fund-auth/orders/"+f.Order.AuthNo, "")
		if ops := operations(out); status != 200 || out["order_status"] != "CLOSED" || len(ops) != 1 || ops[0]["cancel_action"] != "unfreeze" || ops[0]["status"] != "CLOSED" {
			t.Fatalf("cancelled order: %d %v", status, out)
		}
	})

	t.Run("not found", func(t *testing.T) {
		for _, tt := range []struct{ method, path, body string }{
			{"GET", admin.Prefix + "/fund-auth/orders/2026010100002001000000000000", ""},
			{"GET", admin.Prefix + "/apps/" + app.ID + "/fund-auth/orders/nope", ""},
			{"GET", admin.Prefix + "/apps/" + app.ID + "/fund-auth/orders/C1", ""}, // a cancel's tombstone
			{"GET", admin.Prefix + "/apps/2021000000000404/fund-auth/orders/F1", ""},
			{"POST", admin.Prefix + "/fund-auth/orders/2026010100002001000000000000/buyer", `{"action":"authorize"}`},
		} {
			status, out := do(t, h, token, tt.method, tt.path, tt.body)
			wantError(tt.method+" "+tt.path, status, out, http.StatusNotFound, "not_found")
		}
	})

	t.Run("token required", func(t *testing.T) {
		for _, tt := range []struct{ method, path, body string }{
			{"GET", admin.Prefix + "/fund-auth/orders/" + authNo, ""},
			{"GET", admin.Prefix + "/apps/" + app.ID + "/fund-auth/orders", ""},
			{"GET", admin.Prefix + "/apps/" + app.ID + "/fund-auth/orders/F1", ""},
			{"POST", admin.Prefix + "/fund-auth/orders/" + authNo + "/buyer", `{"action":"decline"}`},
		} {
			for _, bad := range []string{"", "wrong"} {
				if status, _ := do(t, h, bad, tt.method, tt.path, tt.body); status != http.StatusUnauthorized {
					t.Fatalf("%s %s with token %q: HTTP %d", tt.method, tt.path, bad, status)
				}
			}
		}
		// Nothing changed.
		status, out := do(t, h, token, "GET", admin.Prefix+"/fund-auth/orders/"+authNo, "")
		if status != 200 || out["order_status"] != "AUTHORIZED" {
			t.Fatalf("after the refusals: %d %v", status, out)
		}
	})
}
