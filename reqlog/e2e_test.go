package reqlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/alipay/intl"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

// keep is the bound of the log in these tests.
const keep = 6

// backends runs fn on a server with the request log on SQLite and, when
// ZFB_TEST_POSTGRES is set, on PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, srv *zfbtest.Server)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, zfbtest.NewServer(t, zfbtest.WithRequestLog(keep))) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, zfbtest.NewServer(t, zfbtest.WithRequestLog(keep), zfbtest.WithDatabase(storetest.PostgresURL(t))))
	})
}

type record struct {
	ID          int64             `json:"id"`
	AppID       string            `json:"app_id"`
	Method      string            `json:"method"`
	Dialect     string            `json:"dialect"`
	Signature   string            `json:"signature"`
	Diagnosis   string            `json:"diagnosis"`
	Code        string            `json:"code"`
	SubCode     string            `json:"sub_code"`
	Failed      bool              `json:"failed"`
	Refs        []string          `json:"refs"`
	Params      map[string]string `json:"params"`
	SignContent string            `json:"sign_content"`
	Answer      string            `json:"answer"`
}

func adminGet(t *testing.T, srv *zfbtest.Server, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.AdminURL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+srv.Sandbox.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// waitFor lists the log with query until ok accepts the list (the recorder
// writes in the background), and returns it.
func waitFor(t *testing.T, srv *zfbtest.Server, query string, ok func([]record) bool) []record {
	t.Helper()
	var list struct{ Requests []record }
	for deadline := time.Now().Add(10 * time.Second); ; {
		if code := adminGet(t, srv, "/requests?"+query, &list); code != http.StatusOK {
			t.Fatalf("GET /requests?%s: %d", query, code)
		}
		if ok(list.Requests) {
			return list.Requests
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /requests?%s: still %+v", query, list.Requests)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func one(rs []record) bool { return len(rs) == 1 }

func detail(t *testing.T, srv *zfbtest.Server, id int64) record {
	t.Helper()
	var r record
	if code := adminGet(t, srv, "/requests/"+strconv.FormatInt(id, 10), &r); code != http.StatusOK {
		t.Fatalf("GET /requests/%d: %d", id, code)
	}
	return r
}

func TestRequestLogEndToEnd(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		ctx := context.Background()
		app := srv.App()
		c, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey,
			alipay.WithGateway(srv.GatewayURL), alipay.WithSignType(sign.Algorithm(app.SignType)))
		if err != nil {
			t.Fatal(err)
		}
		code := srv.Buyer(t, zfb.BehaviourPays).PaymentCode
		paid, err := c.TradePay(ctx, alipay.TradePay{OutTradeNo: "LOG-1", Scene: "bar_code", AuthCode: code, Subject: "咖啡", TotalAmount: "9.99"})
		if err != nil || paid.Code != "10000" {
			t.Fatalf("pay: %v %+v", err, paid)
		}

		// A search by the merchant's number and by Alipay's finds the call.
		byOut := waitFor(t, srv, "q=LOG-1", one)
		byTradeNo := waitFor(t, srv, "q="+paid.TradeNo, one)
		if byOut[0].ID != byTradeNo[0].ID {
			t.Fatalf("LOG-1 finds %d, %s finds %d", byOut[0].ID, paid.TradeNo, byTradeNo[0].ID)
		}
		r := detail(t, srv, byOut[0].ID)
		if r.Method != "alipay.trade.pay" || r.AppID != app.AppID || r.Dialect != zfb.DialectOpenAPI ||
			r.Signature != zfb.SignatureVerified || r.Code != "10000" || r.Failed {
			t.Errorf("record %+v", r)
		}
		masked := code[:2] + strings.Repeat("*", len(code)-6) + code[len(code)-4:]
		whole := r.SignContent + r.Answer + fmt.Sprint(r.Params)
		if strings.Contains(whole, code) || !strings.Contains(r.Params["biz_content"], masked) || !strings.Contains(r.SignContent, masked) {
			t.Errorf("payment code %s not masked as %s:\nparams %q\nsign content %s", code, masked, r.Params, r.SignContent)
		}
		if s := r.Params["sign"]; len(s) > 40 || !strings.Contains(s, "characters") {
			t.Errorf("sign shown as %q", s)
		}
		if !strings.HasPrefix(r.SignContent, "alipay_sdk=") && !strings.Contains(r.SignContent, "app_id="+app.AppID) ||
			!strings.Contains(r.SignContent, "sign_type=RSA2") || !strings.Contains(r.Answer, paid.TradeNo) {
			t.Errorf("sign content %q, answer %q", r.SignContent, r.Answer)
		}

		// A request signed without sign_type: the wire answer is Alipay's,
		// the log says why.
		key, err := sign.ParsePrivateKey(app.AppPrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		p := map[string]string{
			"app_id": app.AppID, "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA2",
			"timestamp": time.Now().In(zfb.Beijing).Format("2006-01-02 15:04:05"), "version": "1.0",
			"biz_content": `{"out_trade_no":"LOG-1"}`,
		}
		p["sign"], err = sign.Sign(key, sign.RSA2, []byte(sign.NotifyContent(p)))
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{}
		for k, v := range p {
			form.Set(k, v)
		}
		resp, err := http.PostForm(srv.GatewayURL, form)
		if err != nil {
			t.Fatal(err)
		}
		var answer map[string]json.RawMessage
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var node map[string]string
		if err := json.Unmarshal(answer["alipay_trade_query_response"], &node); err != nil {
			t.Fatal(err)
		}
		if node["code"] != "40002" || node["sub_code"] != "isv.invalid-signature" || len(node) != 4 ||
			!strings.HasPrefix(node["sub_msg"], "验签出错") || answer["sign"] == nil || len(answer) != 2 {
			t.Errorf("wire answer %v %v", answer, node)
		}
		failed := waitFor(t, srv, "failed=1&method=alipay.trade.query", one)
		r = detail(t, srv, failed[0].ID)
		if r.Signature != zfb.SignatureFailed || r.SubCode != "isv.invalid-signature" || !r.Failed ||
			!strings.Contains(r.Diagnosis, "without sign_type") || !strings.Contains(r.Answer, "isv.invalid-signature") {
			t.Errorf("failed record %+v", r)
		}
		if strings.Contains(r.Answer, "without sign_type") {
			t.Error("the diagnosis reached the wire")
		}

		// Declared UTF-8, signed over GBK bytes.
		p = map[string]string{
			"app_id": app.AppID, "method": "alipay.trade.precreate", "charset": "utf-8", "sign_type": "RSA2",
			"timestamp": time.Now().In(zfb.Beijing).Format("2006-01-02 15:04:05"), "version": "1.0",
			"biz_content": `{"out_trade_no":"LOG-GBK","subject":"测试商品","total_amount":"1.00"}`,
		}
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(sign.RequestContent(p))
		if err != nil {
			t.Fatal(err)
		}
		if p["sign"], err = sign.Sign(key, sign.RSA2, []byte(gbk)); err != nil {
			t.Fatal(err)
		}
		form = url.Values{}
		for k, v := range p {
			form.Set(k, v)
		}
		resp, err = http.PostForm(srv.GatewayURL, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r = detail(t, srv, waitFor(t, srv, "q=LOG-GBK", one)[0].ID)
		if r.Signature != zfb.SignatureFailed || !strings.Contains(r.Diagnosis, "GBK bytes") {
			t.Errorf("GBK-signed record %+v", r)
		}

		// The log keeps the newest keep calls.
		for i := range keep + 3 {
			if _, err := c.TradeQuery(ctx, alipay.TradeQuery{OutTradeNo: "LOG-1"}); err != nil {
				t.Fatalf("query %d: %v", i, err)
			}
		}
		all := waitFor(t, srv, "limit=100", func(rs []record) bool {
			return len(rs) == keep && rs[0].Method == "alipay.trade.query" && rs[keep-1].Method == "alipay.trade.query"
		})
		if code := adminGet(t, srv, "/requests/"+strconv.FormatInt(byOut[0].ID, 10), &r); code != http.StatusNotFound {
			t.Errorf("the oldest call is still there (%d); the log holds %d", code, len(all))
		}
	})
}

func TestRequestLogIntl(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		app := srv.App()
		c, err := intl.New(app.IntlClientID, app.AppPrivateKey, app.AlipayPublicKey,
			intl.WithBaseURL(srv.URL), intl.WithPartnerID(app.IntlPartnerID))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.PayCancel(context.Background(), intl.PayCancelRequest{PartnerID: app.IntlPartnerID, MerchantTransID: "LOG-M1"})
		var rerr *intl.Error
		if err != nil && !errors.As(err, &rerr) {
			t.Fatalf("payCancel: %v", err)
		}
		found := waitFor(t, srv, "q=LOG-M1", one)
		r := detail(t, srv, found[0].ID)
		if r.Dialect != zfb.DialectIntl || r.Method != "alipay.intl.acquiring.common.payCancel" || r.AppID != app.AppID ||
			r.Signature != zfb.SignatureVerified || r.Params["clientId"] != app.IntlClientID ||
			!strings.Contains(r.Params["body"], "LOG-M1") || !strings.HasPrefix(r.SignContent, "{") {
			t.Errorf("intl record %+v", r)
		}

		// Signed over the compact JSON, sent pretty: the answer is
		// INVALID_SIGNATURE, the log says why.
		key, err := sign.ParsePrivateKey(app.AppPrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		value := `{
  "head": {"version": "2.0.2", "function": "alipay.intl.acquiring.common.payCancel", "clientId": "` + app.IntlClientID + `",
           "reqTime": "` + time.Now().Format(time.RFC3339) + `", "reqMsgId": "m-1"},
  "body": {"partnerId": "` + app.IntlPartnerID + `", "merchantTransId": "LOG-M2"}
}`
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(value)); err != nil {
			t.Fatal(err)
		}
		sig, err := sign.Sign(key, sign.RSA2, compact.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(srv.URL+"/api/alipay/intl/acquiring/common/paycancel.htm", "application/json; charset=utf-8",
			strings.NewReader(`{"request":`+value+`,"signature":"`+sig+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `"resultCode":"INVALID_SIGNATURE"`) || strings.Contains(string(body), "re-formatted") {
			t.Errorf("wire answer %s", body)
		}
		found = waitFor(t, srv, "q=LOG-M2", one)
		r = detail(t, srv, found[0].ID)
		if r.Signature != zfb.SignatureFailed || r.SubCode != "INVALID_SIGNATURE" || r.Code != "F" || !r.Failed ||
			!strings.Contains(r.Diagnosis, "re-formatted") {
			t.Errorf("failed intl record %+v", r)
		}
	})
}
