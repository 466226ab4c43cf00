package openapi_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/openapi"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/sqlstore"
	"github.com/zfbpay/zfb/storetest"
)

// edge is a gateway with the real trade and fund authorisation methods over
// a real store (SQLite or PostgreSQL), and a direct view of that store's
// tables, so that a test can tell that a refused request stored nothing.
type edge struct {
	t       testing.TB
	handler http.Handler
	svc     *zfb.Service
	app     *zfb.App
	appKey  *rsa.PrivateKey
	pub     *rsa.PublicKey
	code    string // a payment code of a buyer who pays at once
	db      *sql.DB
}

// onBackends runs fn against a fresh SQLite file and a fresh PostgreSQL
// schema (skipped when ZFB_TEST_POSTGRES is unset, required when CI=true).
func onBackends(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "zfb.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresURL(t)) })
}

func newEdge(t testing.TB, dbURL string, opts ...openapi.Option) *edge {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, nil, nil)
	sb, err := sandbox.Generate(sandbox.WithKeys(testkeys.Sequence()))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateSandbox(ctx, sb); err != nil {
		t.Fatal(err)
	}
	g := openapi.New(svc, svc.Logger, opts...)
	openapi.RegisterTrades(g, svc)
	openapi.RegisterFundAuth(g, svc)
	app := sb.Apps[0]
	appKey, err := sign.ParsePrivateKey(app.AppPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sign.ParsePublicKey(app.GatewayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	driver := "sqlite"
	if strings.HasPrefix(dbURL, "postgres") {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &edge{t: t, handler: g, svc: svc, app: app, appKey: appKey, pub: pub, db: db}
	for _, b := range sb.Buyers {
		if b.Behaviour == zfb.BehaviourPays {
			e.code = b.PaymentCode
			break
		}
	}
	return e
}

// stored counts the rows of every table a command writes.
func (e *edge) stored() string {
	e.t.Helper()
	var out []string
	for _, table := range []string{"trades", "refunds", "fund_auth_orders", "fund_auth_operations", "intl_payments", "intl_refunds", "outbox", "ledger_transfers"} {
		var n int
		if err := e.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			e.t.Fatalf("counting %s: %v", table, err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(out, " ")
}

// params is a valid, unsigned request for method, stamped now.
func (e *edge) params(method, biz string) map[string]string {
	return map[string]string{
		"app_id": e.app.ID, "method": method, "charset": "utf-8", "sign_type": "RSA2",
		"timestamp": zfb.FormatGatewayTime(time.Now()), "version": "1.0", "biz_content": biz,
	}
}

func (e *edge) sign(p map[string]string) map[string]string {
	e.t.Helper()
	delete(p, "sign")
	if err := sign.SignRequest(e.appKey, sign.RSA2, p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// send posts query and body as they are (a form body; "" for none).
func (e *edge) send(query string, body io.Reader) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/gateway.do", body)
	r.URL.RawQuery = query
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

// post sends every parameter in the form body, as smartwalle and gopay do.
func (e *edge) post(p map[string]string) *httptest.ResponseRecorder {
	return e.send("", strings.NewReader(form(p).Encode()))
}

// check asserts that w is an HTTP 200 envelope under node answering code
// and subCode, signed by the app's gateway key when signed, else unsigned.
func (e *edge) check(t *testing.T, w *httptest.ResponseRecorder, nodeName, code, subCode string, signed bool) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("HTTP %d, want 200: %.300s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json;charset=") {
		t.Fatalf("Content-Type %q: %.300s", ct, w.Body)
	}
	body := w.Body.Bytes()
	sr, err := sign.ExtractResponse(body, nodeName)
	if err != nil {
		t.Fatalf("not an envelope with %s: %v: %.300s", nodeName, err, body)
	}
	var n node
	if err := json.Unmarshal(sr.Value, &n); err != nil {
		t.Fatal(err)
	}
	if n.Code != code || n.SubCode != subCode || n.Msg != zfb.CodeMsg(code) {
		t.Fatalf("got %s %q %s (%s), want %s %s", n.Code, n.Msg, n.SubCode, n.SubMsg, code, subCode)
	}
	if !signed {
		if sr.Sign != "" {
			t.Fatalf("signed, want unsigned (the app is unknown): %s", body)
		}
		return
	}
	if _, err := sign.VerifyResponse(e.pub, sign.RSA2, body, nodeName); err != nil {
		t.Fatalf("answer does not verify: %v\n%s", err, body)
	}
}

func biz(fields ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(fields); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(fields[i])
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(fields[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

func q(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestBoundary: every bad input is refused at the edge, with Alipay's code,
// in a signed envelope when the app is known, and stores nothing — the same
// answer on SQLite and PostgreSQL.
func TestBoundary(t *testing.T) {
	onBackends(t, func(t *testing.T, dbURL string) {
		e := newEdge(t, dbURL)
		const (
			precreate = "alipay.trade.precreate"
			pay       = "alipay.trade.pay"
			refund    = "alipay.trade.refund"
			freeze    = "alipay.fund.auth.order.freeze"
			unfreeze  = "alipay.fund.auth.order.unfreeze"
		)
		// A paid trade to refund.
		paid := e.sign(e.params(pay, biz("out_trade_no", q("PAID1"), "total_amount", q("10.00"), "subject", q("tea"), "scene", q("bar_code"), "auth_code", q(e.code))))
		e.check(t, e.post(paid), "alipay_trade_pay_response", "10000", "", true)

		order := func(no, subject string, extra ...string) string {
			return biz(append([]string{"out_trade_no", q(no), "total_amount", q("1.00"), "subject", q(subject)}, extra...)...)
		}
		signedReq := func(method, b string, edit ...func(map[string]string)) func() *httptest.ResponseRecorder {
			return func() *httptest.ResponseRecorder {
				p := e.params(method, b)
				for _, f := range edit {
					f(p)
				}
				return e.post(e.sign(p))
			}
		}
		set := func(k, v string) func(map[string]string) { return func(p map[string]string) { p[k] = v } }
		node := func(method string) string { return sign.ResponseNode(method) }
		invalidTrade, illegalArg := "ACQ.INVALID_PARAMETER", "ILLEGAL_ARGUMENT"

		// A form body over the 2 MiB limit, app_id and method in the query.
		addressing := url.Values{"app_id": {e.app.ID}, "method": {precreate}, "charset": {"utf-8"}, "sign_type": {"RSA2"}}.Encode()
		huge := func() *httptest.ResponseRecorder {
			return e.send(addressing, io.MultiReader(strings.NewReader("biz_content="), bytes.NewReader(bytes.Repeat([]byte("a"), 3<<20))))
		}
		// The same with app_id in the body (smartwalle, gopay): the part read
		// before the limit still names the app.
		hugeInBody := func() *httptest.ResponseRecorder {
			return e.send("", io.MultiReader(strings.NewReader(addressing+"&biz_content="), bytes.NewReader(bytes.Repeat([]byte("a"), 3<<20))))
		}
		manyParams := func() *httptest.ResponseRecorder {
			var b strings.Builder
			for i := range 10_001 {
				fmt.Fprintf(&b, "p%d=1&", i)
			}
			return e.send(addressing, strings.NewReader(b.String()))
		}
		badForm := func() *httptest.ResponseRecorder {
			return e.send(addressing, strings.NewReader("biz_content=%zz"))
		}

		for _, tt := range []struct {
			name          string
			do            func() *httptest.ResponseRecorder
			node          string
			code, subCode string
			signed        bool
		}{
			{"NUL in app_id", signedReq(precreate, order("B1", "tea"), set("app_id", e.app.ID+"\x00")), node(precreate), "40002", "isv.invalid-app-id", false},
			{"app_id over 32", signedReq(precreate, order("B1", "tea"), set("app_id", strings.Repeat("2", 33))), node(precreate), "40002", "isv.invalid-app-id", false},
			{"NUL in method", signedReq(precreate, order("B1", "tea"), set("method", precreate+"\x00")), "error_response", "40002", "isv.invalid-method", true},
			{"NUL in timestamp", signedReq(precreate, order("B1", "tea"), set("timestamp", "2026-11-23 10:00:0\x00")), node(precreate), "40002", "isv.invalid-timestamp", true},
			{"timestamp of 1970", signedReq(precreate, order("B1", "tea"), set("timestamp", "1970-01-01 08:00:00")), node(precreate), "40002", "isv.invalid-timestamp", true},
			{"notify_url over 256", signedReq(precreate, order("B1", "tea"), set("notify_url", "https://example.com/"+strings.Repeat("n", 237))), node(precreate), "40002", "isv.invalid-parameter", true},
			{"control in notify_url", signedReq(precreate, order("B1", "tea"), set("notify_url", "https://example.com/\n")), node(precreate), "40002", "isv.invalid-parameter", true},
			{"app_auth_token over 40", signedReq(precreate, order("B1", "tea"), set("app_auth_token", strings.Repeat("t", 41))), node(precreate), "40002", "isv.invalid-parameter", true},
			{"%00 in a key", signedReq(precreate, order("B1", "tea"), set("x\x00", "1")), node(precreate), "40002", "isv.invalid-parameter", true},
			{"invalid UTF-8 in a key", signedReq(precreate, order("B1", "tea"), set("x\xff", "1")), node(precreate), "40002", "isv.invalid-charset", true},
			{"invalid UTF-8 in a value", signedReq(precreate, "{\"out_trade_no\":\"B1\",\"total_amount\":\"1.00\",\"subject\":\"\xff\"}"), node(precreate), "40002", "isv.invalid-charset", true},
			{"raw NUL in biz_content", signedReq(precreate, "{\"out_trade_no\":\"B1\",\"total_amount\":\"1.00\",\"subject\":\"a\x00\"}"), node(precreate), "40002", "isv.invalid-parameter", true},
			{"NUL in subject", signedReq(precreate, order("B1", "a\x00b")), node(precreate), "40004", invalidTrade, true},
			{"control in subject", signedReq(precreate, order("B1", "a\x01b")), node(precreate), "40004", invalidTrade, true},
			{"subject over 256", signedReq(precreate, order("B1", strings.Repeat("茶", 257))), node(precreate), "40004", invalidTrade, true},
			{"body over 128", signedReq(precreate, order("B1", "tea", "body", q(strings.Repeat("b", 129)))), node(precreate), "40004", invalidTrade, true},
			{"NUL in body", signedReq(precreate, order("B1", "tea", "body", q("x\x00"))), node(precreate), "40004", invalidTrade, true},
			{"NUL in a nested string", signedReq(precreate, order("B1", "tea", "goods_detail", `[{"goods_id":"g1","goods_name":"a\u0000"}]`)), node(precreate), "40004", invalidTrade, true},
			{"NUL in a biz key", signedReq(precreate, order("B1", "tea", "x\x00", q("1"))), node(precreate), "40004", invalidTrade, true},
			{"NUL in out_trade_no", signedReq(precreate, order("B1\x00", "tea")), node(precreate), "40004", invalidTrade, true},
			{"tab in out_trade_no", signedReq(precreate, order("B1\t", "tea")), node(precreate), "40004", invalidTrade, true},
			{"1.5 MB body field", signedReq(precreate, order("B1", "tea", "body", q(strings.Repeat("b", 1_500_000)))), node(precreate), "40002", "isv.invalid-parameter", true},
			{"NUL in auth_code", signedReq(pay, order("B2", "tea", "scene", q("bar_code"), "auth_code", q(e.code+"\x00"))), node(pay), "40004", invalidTrade, true},
			{"auth_code over 32", signedReq(pay, order("B2", "tea", "scene", q("bar_code"), "auth_code", q(e.code+strings.Repeat("1", 32)))), node(pay), "40004", invalidTrade, true},
			{"NUL in out_request_no of a refund", signedReq(refund, biz("out_trade_no", q("PAID1"), "refund_amount", q("1.00"), "out_request_no", q("R\x001"))), node(refund), "40004", invalidTrade, true},
			{"NUL in out_request_no of a freeze", signedReq(freeze, biz("auth_code", q(e.code), "auth_code_type", q("bar_code"), "out_order_no", q("F1"), "out_request_no", q("F1\x00"), "order_title", q("押金"), "amount", q("1.00"), "product_code", q("PRE_AUTH"))), node(freeze), "40004", illegalArg, true},
			{"control in remark", signedReq(unfreeze, biz("auth_no", q("A1"), "out_request_no", q("U1"), "amount", q("1.00"), "remark", q("r\x07"))), node(unfreeze), "40004", illegalArg, true},
			{"form body over 2 MiB", huge, node(precreate), "40002", "isv.invalid-parameter", true},
			{"form body over 2 MiB, app_id in it", hugeInBody, node(precreate), "40002", "isv.invalid-parameter", true},
			{"10,001 parameters", manyParams, node(precreate), "40002", "isv.invalid-parameter", true},
			{"form that does not parse", badForm, node(precreate), "40002", "isv.invalid-parameter", true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := e.stored()
				e.check(t, tt.do(), tt.node, tt.code, tt.subCode, tt.signed)
				if after := e.stored(); after != before {
					t.Fatalf("stored something:\nbefore %s\nafter  %s", before, after)
				}
			})
		}

		// Free text keeps tabs and line breaks.
		t.Run("tab and newline in subject and body", func(t *testing.T) {
			w := e.post(e.sign(e.params(precreate, order("OK1", "tea\tfor two", "body", q("line 1\r\nline 2")))))
			e.check(t, w, node(precreate), "10000", "", true)
		})
	})
}

// TestTimestampWindow: by default a request stamped further than 24 h from
// zfb's clock is refused; a client in a UTC container that stamps its local
// time (8 h behind Beijing) is not; WithTimestampSkew(0) turns the check off.
func TestTimestampWindow(t *testing.T) {
	onBackends(t, func(t *testing.T, dbURL string) {
		e := newEdge(t, dbURL)
		query := func(g *edge, ts string) *httptest.ResponseRecorder {
			p := g.params("alipay.trade.query", biz("out_trade_no", q("nothing")))
			p["timestamp"] = ts
			return g.post(g.sign(p))
		}
		const node = "alipay_trade_query_response"
		now := time.Now()
		for _, tt := range []struct {
			name    string
			ts      string
			subCode string
		}{
			{"1970", "1970-01-01 08:00:00", "isv.invalid-timestamp"},
			{"25 h ago", zfb.FormatGatewayTime(now.Add(-25 * time.Hour)), "isv.invalid-timestamp"},
			{"25 h ahead", zfb.FormatGatewayTime(now.Add(25 * time.Hour)), "isv.invalid-timestamp"},
			{"7h59m ago (local time in UTC)", zfb.FormatGatewayTime(now.Add(-7*time.Hour - 59*time.Minute)), "ACQ.TRADE_NOT_EXIST"},
			{"8 h ago, as smartwalle stamps in UTC", now.UTC().Format(zfb.GatewayTimeLayout), "ACQ.TRADE_NOT_EXIST"},
			{"7h59m ahead", zfb.FormatGatewayTime(now.Add(7*time.Hour + 59*time.Minute)), "ACQ.TRADE_NOT_EXIST"},
			{"now", zfb.FormatGatewayTime(now), "ACQ.TRADE_NOT_EXIST"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				code := "40004"
				if strings.HasPrefix(tt.subCode, "isv.") {
					code = "40002"
				}
				e.check(t, query(e, tt.ts), node, code, tt.subCode, true)
			})
		}
		t.Run("app clock moved ahead", func(t *testing.T) {
			// A tester moved the app's clock two days on; the client still
			// stamps its own wall clock, and a client stamping the app's
			// time is accepted too.
			appNow, err := e.svc.AdvanceClock(context.Background(), e.app.ID, 48*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			e.check(t, query(e, zfb.FormatGatewayTime(time.Now())), node, "40004", "ACQ.TRADE_NOT_EXIST", true)
			e.check(t, query(e, zfb.FormatGatewayTime(appNow)), node, "40004", "ACQ.TRADE_NOT_EXIST", true)
			e.check(t, query(e, "1970-01-01 08:00:00"), node, "40002", "isv.invalid-timestamp", true)
		})
		t.Run("WithTimestampSkew(0) accepts 1970", func(t *testing.T) {
			off := newEdge(t, filepath.Join(t.TempDir(), "off.db"), openapi.WithTimestampSkew(0))
			off.check(t, query(off, "1970-01-01 08:00:00"), node, "40004", "ACQ.TRADE_NOT_EXIST", true)
		})
	})
}
