package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// seedRequests stores n records, the last of them a failed signature with
// a diagnosis and text that needs escaping; it returns them.
func seedRequests(t *testing.T, svc *zfb.Service, n int) []*zfb.RequestRecord {
	t.Helper()
	var recs []*zfb.RequestRecord
	for i := range n {
		recs = append(recs, &zfb.RequestRecord{
			At: time.Now(), Dialect: zfb.DialectOpenAPI, AppID: "2021000000000001", Method: "alipay.trade.query",
			Params: map[string]string{"method": "alipay.trade.query"}, SignContent: fmt.Sprintf("biz_content={\"out_trade_no\":\"T%d\"}", i),
			Signature: zfb.SignatureVerified, HTTPStatus: 200, Code: "10000", Refs: []string{fmt.Sprintf("T%d", i)},
		})
	}
	bad := recs[n-1]
	bad.Method, bad.Signature, bad.Code, bad.SubCode, bad.Failed = "alipay.trade.pay", zfb.SignatureFailed, "40002", "isv.invalid-signature", true
	bad.Diagnosis = "The signature verifies once the mistake is undone: it signed the string without sign_type <b>."
	if err := svc.RecordRequests(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestRequestsAPI(t *testing.T) {
	h, svc, token := newAdmin(t)
	recs := seedRequests(t, svc, 5)

	code, out := do(t, h, token, "GET", "/admin/v1/requests?limit=2", "")
	list, _ := out["requests"].([]any)
	next, _ := out["next"].(string)
	if code != http.StatusOK || len(list) != 2 || !strings.Contains(next, fmt.Sprintf("before=%d", recs[3].ID)) {
		t.Fatalf("page 1: %d %v", code, out)
	}
	if first := list[0].(map[string]any); first["id"] != float64(recs[4].ID) || first["sign_content"] != nil {
		t.Errorf("newest first, without the bulky fields: %v", first)
	}
	code, out = do(t, h, token, "GET", next, "")
	if list, _ := out["requests"].([]any); code != http.StatusOK || len(list) != 2 || list[0].(map[string]any)["id"] != float64(recs[2].ID) {
		t.Errorf("page 2: %d %v", code, out)
	}
	code, out = do(t, h, token, "GET", "/admin/v1/requests?q=T1", "")
	if list, _ := out["requests"].([]any); code != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["id"] != float64(recs[1].ID) {
		t.Errorf("q=T1: %d %v", code, out)
	}
	code, out = do(t, h, token, "GET", "/admin/v1/requests?failed=1&app_id=2021000000000001&method=alipay.trade.pay", "")
	if list, _ := out["requests"].([]any); code != http.StatusOK || len(list) != 1 || !strings.Contains(list[0].(map[string]any)["diagnosis"].(string), "without sign_type") {
		t.Errorf("failed=1: %d %v", code, out)
	}
	code, out = do(t, h, token, "GET", fmt.Sprintf("/admin/v1/requests/%d", recs[0].ID), "")
	if code != http.StatusOK || out["sign_content"] != `biz_content={"out_trade_no":"T0"}` {
		t.Errorf("one record: %d %v", code, out)
	}
	for _, path := range []string{"/admin/v1/requests?failed=maybe", "/admin/v1/requests?before=x", "/admin/v1/requests?limit=0", "/admin/v1/requests?q=%00"} {
		if code, out := do(t, h, token, "GET", path, ""); code != http.StatusBadRequest {
			t.Errorf("%s: %d %v", path, code, out)
		}
	}
	if code, _ := do(t, h, token, "GET", fmt.Sprintf("/admin/v1/requests/%d", recs[4].ID+1), ""); code != http.StatusNotFound {
		t.Errorf("a missing record: %d", code)
	}
	if code, _ := do(t, h, "", "GET", "/admin/v1/requests", ""); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d", code)
	}
}

func TestDashboardRequests(t *testing.T) {
	e := newDashboard(t, false)
	recs := seedRequests(t, e.svc, 3)
	c := e.browser()
	wantRedirectToLogin(t, "the request log", e.get(c, "/dashboard/requests?q=T0"))
	e.signIn(c)

	page := e.get(c, "/dashboard/requests")
	for _, r := range recs {
		if !strings.Contains(page.body, fmt.Sprintf(`href="/dashboard/requests/%d"`, r.ID)) {
			t.Errorf("the list lacks call %d", r.ID)
		}
	}
	// The URL other pages link to finds the calls that named a number.
	page = e.get(c, "/dashboard/requests?q=T0")
	if page.status != http.StatusOK || !strings.Contains(page.body, fmt.Sprintf(`href="/dashboard/requests/%d"`, recs[0].ID)) ||
		strings.Contains(page.body, fmt.Sprintf(`href="/dashboard/requests/%d"`, recs[1].ID)) ||
		!strings.Contains(page.body, `href="/dashboard/requests?q=T0"`) {
		t.Errorf("q=T0: %d\n%s", page.status, page.body)
	}
	page = e.get(c, "/dashboard/requests?failed=1")
	if strings.Contains(page.body, fmt.Sprintf(`href="/dashboard/requests/%d"`, recs[0].ID)) || !strings.Contains(page.body, "diagnosed") {
		t.Errorf("failed=1:\n%s", page.body)
	}
	page = e.get(c, fmt.Sprintf("/dashboard/requests/%d", recs[2].ID))
	if page.status != http.StatusOK || !strings.Contains(page.body, "The signature did not verify") ||
		!strings.Contains(page.body, "without sign_type &lt;b&gt;") || !strings.Contains(page.body, "isv.invalid-signature") {
		t.Errorf("the failed call: %d\n%s", page.status, page.body)
	}
	page = e.get(c, fmt.Sprintf("/dashboard/requests/%d", recs[0].ID))
	if page.status != http.StatusOK || strings.Contains(page.body, "did not verify") || !strings.Contains(page.body, "{&#34;out_trade_no&#34;:&#34;T0&#34;}") {
		t.Errorf("a good call: %d\n%s", page.status, page.body)
	}
	if a := e.get(c, "/dashboard/requests/999999"); a.status != http.StatusNotFound {
		t.Errorf("a missing call: %d", a.status)
	}
	if a := e.get(c, "/dashboard/requests?q=%ff"); a.status != http.StatusBadRequest {
		t.Errorf("a search that is not UTF-8: %d", a.status)
	}
}
