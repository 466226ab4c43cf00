package interop

// Helpers shared by the trade scenarios of both SDKs: the sandbox's buyers, zfb's admin API
// (faults, acting as the buyer, the ledger check), and checks that an answer looks like
// Alipay's whichever SDK parsed it.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// Sandbox buyer behaviours (sandbox.Generate makes one buyer of each).
const (
	buyerPays     = "pays"     // pay answers 10000 at once
	buyerPassword = "password" // pay answers 10003; the trade waits in WAIT_BUYER_PAY
	buyerPoor     = "poor"     // balance 1.00
)

// sandboxBuyer returns the sandbox buyer with behaviour b.
func sandboxBuyer(t *testing.T, srv *zfbtest.Server, b string) sandbox.Buyer {
	t.Helper()
	for _, buyer := range srv.Sandbox.Buyers {
		if buyer.Behaviour == b {
			return buyer
		}
	}
	t.Fatalf("the sandbox has no %q buyer: %+v", b, srv.Sandbox.Buyers)
	return sandbox.Buyer{}
}

// newOutTradeNo returns a fresh out_trade_no (letters, digits, underscores; ≤ 64) naming tag.
func newOutTradeNo(t *testing.T, tag string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "interop_" + tag + "_" + hex.EncodeToString(b)
}

// adminDo calls zfb's admin API (srv.Sandbox.AdminURL + path, with the admin token), fails the
// test unless the status is one of want, and returns the decoded JSON body (nil when empty).
func adminDo(t *testing.T, srv *zfbtest.Server, method, path string, body any, want ...int) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	// Not t.Context(): clearFaults also runs from a cleanup, after that context is done.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.Sandbox.AdminURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Sandbox.AdminToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("admin %s %s: reading the answer: %v", method, path, err)
	}
	ok := false
	for _, w := range want {
		ok = ok || resp.StatusCode == w
	}
	if !ok {
		t.Fatalf("admin %s %s %v: status %d, want %v; body: %s", method, path, body, resp.StatusCode, want, raw)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("admin %s %s: answer is not a JSON object: %v; body: %s", method, path, err, raw)
	}
	return out
}

// addFault makes zfb fail method for out_trade_no (a path.Match pattern) with effect
// (error_before, error_after or delay), answering the default system error (20000
// isp.unknow-error). A cleanup clears the app's faults again.
func addFault(t *testing.T, srv *zfbtest.Server, appID, method, outTradeNo, effect string) {
	t.Helper()
	out := adminDo(t, srv, http.MethodPost, "/apps/"+appID+"/faults",
		map[string]any{"method": method, "out_trade_no": outTradeNo, "effect": effect}, http.StatusCreated)
	if out["id"] == nil {
		t.Fatalf("admin: the new fault has no id: %v", out)
	}
	t.Cleanup(func() { clearFaults(t, srv, appID) })
}

// clearFaults removes every fault rule of the app.
func clearFaults(t *testing.T, srv *zfbtest.Server, appID string) {
	t.Helper()
	adminDo(t, srv, http.MethodDelete, "/apps/"+appID+"/faults", nil, http.StatusOK, http.StatusNoContent)
}

// buyerActs makes the buyer of a waiting trade act: "pay" or "decline".
func buyerActs(t *testing.T, srv *zfbtest.Server, tradeNo, action string) {
	t.Helper()
	adminDo(t, srv, http.MethodPost, "/trades/"+tradeNo+"/buyer", map[string]any{"action": action}, http.StatusOK)
}

// buyerBalance returns the buyer's balance as the admin API shows it ("99999.99").
func buyerBalance(t *testing.T, srv *zfbtest.Server, userID string) string {
	t.Helper()
	out := adminDo(t, srv, http.MethodGet, "/buyers", nil, http.StatusOK)
	list, _ := out["buyers"].([]any)
	for _, b := range list {
		m, _ := b.(map[string]any)
		if m["user_id"] == userID {
			s, _ := m["balance"].(string)
			return s
		}
	}
	t.Fatalf("admin /buyers does not list %s: %v", userID, out)
	return ""
}

// requireLedgerOK fails the test unless zfb's ledger check passes.
func requireLedgerOK(t *testing.T, srv *zfbtest.Server) {
	t.Helper()
	out := adminDo(t, srv, http.MethodGet, "/ledger/check", nil, http.StatusOK)
	if out["ok"] != true {
		t.Fatalf("ledger check failed: %v", out)
	}
}

// Alipay's msg for each gateway code (spec/openapi.md §3), written out here so that the tests
// do not take zfb's own table as the oracle.
var alipayMsgs = map[string]string{
	"10000": "Success",
	"10003": " order success pay inprocess", // the leading space is Alipay's
	"20000": "Service Currently Unavailable",
	"20001": "Insufficient Token Permissions",
	"40001": "Missing Required Arguments",
	"40002": "Invalid Arguments",
	"40004": "Business Failed",
}

var (
	amountRE  = regexp.MustCompile(`^(0|[1-9][0-9]*)\.[0-9]{2}$`)
	gmtTimeRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`)
)

// normKey folds snake_case (zfb's raw answer) and camelCase (what alipay-sdk resolves with) to
// one form: "sub_code" and "subCode" both become "subcode".
func normKey(k string) string { return strings.ToLower(strings.ReplaceAll(k, "_", "")) }

// alipayLike returns what in an answer node (raw snake_case or camelCased) is not the way Alipay
// writes it (spec §7.1): a msg that is not the code's, a sub_code on success, an amount that is
// not a 2-decimal string, a time not "yyyy-MM-dd HH:mm:ss".
func alipayLike(node map[string]any) []string {
	var bad []string
	code, _ := node["code"].(string)
	if want, ok := alipayMsgs[code]; !ok {
		bad = append(bad, fmt.Sprintf("code %v is not one of Alipay's", node["code"]))
	} else if node["msg"] != want {
		bad = append(bad, fmt.Sprintf("code %s has msg %q, want %q", code, node["msg"], want))
	}
	for k := range node {
		if (code == "10000" || code == "10003") && (normKey(k) == "subcode" || normKey(k) == "submsg") {
			bad = append(bad, fmt.Sprintf("%s on a %s answer", k, code))
		}
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := path + "." + k
				n := normKey(k)
				switch {
				case strings.HasSuffix(n, "amount") || strings.HasSuffix(n, "fee"):
					if s, ok := v[k].(string); !ok || !amountRE.MatchString(s) {
						bad = append(bad, fmt.Sprintf("%s = %#v is not a 2-decimal amount string", p, v[k]))
					}
				case strings.HasPrefix(n, "gmt") || n == "sendpaydate":
					if s, ok := v[k].(string); !ok || !gmtTimeRE.MatchString(s) {
						bad = append(bad, fmt.Sprintf("%s = %#v is not a yyyy-MM-dd HH:mm:ss time", p, v[k]))
					} else if _, err := time.Parse(time.DateTime, s); err != nil {
						bad = append(bad, fmt.Sprintf("%s = %q: %v", p, s, err))
					}
				default:
					walk(p, v[k])
				}
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("", node)
	return bad
}
