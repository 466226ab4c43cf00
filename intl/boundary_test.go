package intl_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

// onBackends runs fn against a zfb on a fresh SQLite file and on a fresh
// PostgreSQL schema (skipped when ZFB_TEST_POSTGRES is unset, required when
// CI=true), with a direct view of the store's tables.
func onBackends(t *testing.T, fn func(t *testing.T, srv *zfbtest.Server, db *sql.DB), opts ...zfbtest.Option) {
	run := func(t *testing.T, driver, dbURL string) {
		srv := zfbtest.NewServer(t, append([]zfbtest.Option{zfbtest.WithDatabase(dbURL), zfbtest.WithIntlOptions(intl.WithRateLimit(0, 0))}, opts...)...)
		db, err := sql.Open(driver, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, srv, db)
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "sqlite", filepath.Join(t.TempDir(), "zfb.db")) })
	t.Run("postgres", func(t *testing.T) { run(t, "pgx", storetest.PostgresURL(t)) })
}

// stored counts the rows of every table a command writes.
func stored(t *testing.T, db *sql.DB) string {
	t.Helper()
	var out []string
	for _, table := range []string{"trades", "refunds", "fund_auth_orders", "fund_auth_operations", "intl_payments", "intl_refunds", "outbox", "ledger_transfers"} {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("counting %s: %v", table, err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(out, " ")
}

// TestBoundary: every bad string of the envelope is refused with
// PARAM_ILLEGAL before anything reads or writes the store — signed when
// the client is known — and stores nothing, the same on both backends.
func TestBoundary(t *testing.T) {
	onBackends(t, func(t *testing.T, srv *zfbtest.Server, db *sql.DB) {
		c := newClient(t, srv.URL, srv.App())
		code := srv.Buyer(t, zfb.BehaviourPays).PaymentCode
		paid := c.pay("PAID1", code, usd10)
		want(t, c, paid, "SUCCESS", "00000000", "S", sign.RSA2)
		acq := paid.str("acquirementId")

		payBody := func(transID, title string, extra ...kv) string {
			return c.body(append([]kv{{"productCode", "OFFLINE_PAY"}, {"merchantTransId", transID}, {"codeType", "BARCODE"},
				{"identityCode", code}, {"order", raw(obj(kv{"orderAmount", usd10}, kv{"orderTitle", title}))}}, extra...)...)
		}
		refundBody := func(refundID, reason string, extra ...kv) string {
			return c.body(append([]kv{{"acquirementId", acq}, {"merchantRefundId", refundID},
				{"refundAmount", raw(`{"currency":"USD","value":"100"}`)}, {"refundReason", reason}}, extra...)...)
		}
		long := func(n int) string { return strings.Repeat("x", n) }
		type req struct {
			path, value string
		}
		pay := func(head, body string) req { return req{pathPay, value(head, body)} }
		refund := func(head, body string) req { return req{pathRefund, value(head, body)} }

		for _, tt := range []struct {
			name   string
			req    req
			signed bool
		}{
			{"NUL in clientId", pay(c.head(fnPay, kv{"clientId", c.app.IntlClientID + "\x00"}), payBody("B1", "tea")), false},
			{"clientId over 32", pay(c.head(fnPay, kv{"clientId", long(33)}), payBody("B1", "tea")), false},
			{"NUL in reqMsgId", pay(c.head(fnPay, kv{"reqMsgId", "m\x00"}), payBody("B1", "tea")), true},
			{"control in function", pay(c.head(fnPay+"\x01"), payBody("B1", "tea")), true},
			{"function over 128", pay(c.head(long(129)), payBody("B1", "tea")), true},
			{"NUL in version", pay(c.head(fnPay, kv{"version", "2.0.2\x00"}), payBody("B1", "tea")), true},
			{"reserve over 256", pay(c.head(fnPay, kv{"reserve", `{"k":"` + long(256) + `"}`}), payBody("B1", "tea")), true},
			{"reserve an object over 256", pay(c.head(fnPay, kv{"reserve", raw(`{"k":"` + long(256) + `"}`)}), payBody("B1", "tea")), true},
			{"NUL in reserve", pay(c.head(fnPay, kv{"reserve", "{\"k\":\"\x00\"}"}), payBody("B1", "tea")), true},
			{"reqTime of 1970", pay(c.head(fnPay, kv{"reqTime", "1970-01-01T00:00:00Z"}), payBody("B1", "tea")), true},
			{"reqTime 25 h ahead", pay(c.head(fnPay, kv{"reqTime", time.Now().Add(25 * time.Hour).Format(time.RFC3339)}), payBody("B1", "tea")), true},
			{"NUL in merchantTransId", pay(c.head(fnPay), payBody("B1\x00", "tea")), true},
			{"tab in merchantTransId", pay(c.head(fnPay), payBody("B1\t", "tea")), true},
			{"merchantTransId over 64", pay(c.head(fnPay), payBody(long(65), "tea")), true},
			{"NUL in orderTitle", pay(c.head(fnPay), payBody("B1", "tea\x00")), true},
			{"control in orderTitle", pay(c.head(fnPay), payBody("B1", "tea\x1b[31m")), true},
			{"orderTitle over 256", pay(c.head(fnPay), payBody("B1", strings.Repeat("茶", 257))), true},
			{"NUL in identityCode", pay(c.head(fnPay), c.body(kv{"productCode", "OFFLINE_PAY"}, kv{"merchantTransId", "B1"}, kv{"codeType", "BARCODE"},
				kv{"identityCode", code + "\x00"}, kv{"order", raw(obj(kv{"orderAmount", usd10}, kv{"orderTitle", "tea"}))})), true},
			{"NUL in currency", pay(c.head(fnPay), c.body(kv{"productCode", "OFFLINE_PAY"}, kv{"merchantTransId", "B1"}, kv{"codeType", "BARCODE"},
				kv{"identityCode", code}, kv{"order", raw(obj(kv{"orderAmount", raw(`{"currency":"US\u0000","value":"1000"}`)}, kv{"orderTitle", "tea"}))})), true},
			{"NUL in partnerId", pay(c.head(fnPay), payBody("B1", "tea", kv{"partnerId", c.app.IntlPartnerID + "\x00"})), true},
			{"NUL in a body key", pay(c.head(fnPay), payBody("B1", "tea", kv{"x\x00", "1"})), true},
			{"NUL in an unknown member", pay(c.head(fnPay), payBody("B1", "tea", kv{"envInfo", raw(`{"terminalType":"\u0000"}`)})), true},
			{"string over 4 KiB", pay(c.head(fnPay), payBody("B1", "tea", kv{"envInfo", raw(obj(kv{"x", long(4097)}))})), true},
			{"NUL in merchantRefundId", refund(c.head(fnRefund), refundBody("R\x00", "broken")), true},
			{"NUL in refundReason", refund(c.head(fnRefund), refundBody("R1", "broken\x00")), true},
			{"refundReason over 256", refund(c.head(fnRefund), refundBody("R1", long(257))), true},
			{"extendInfo over 2048", refund(c.head(fnRefund), refundBody("R1", "broken", kv{"extendInfo", long(2049)})), true},
			{"extendInfo an object over 2048", refund(c.head(fnRefund), refundBody("R1", "broken", kv{"extendInfo", raw(obj(kv{"k", long(2048)}))})), true},
			{"NUL in acquirementId", refund(c.head(fnRefund), c.body(kv{"acquirementId", acq + "\x00"}, kv{"merchantRefundId", "R1"},
				kv{"refundAmount", raw(`{"currency":"USD","value":"100"}`)})), true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := stored(t, db)
				alg := sign.RSA2
				if !tt.signed {
					alg = ""
				}
				a := c.call(tt.req.path, tt.req.value)
				want(t, c, a, "PARAM_ILLEGAL", "00000004", "F", alg)
				if after := stored(t, db); after != before {
					t.Fatalf("stored something:\nbefore %s\nafter  %s", before, after)
				}
			})
		}

		t.Run("NUL in signType", func(t *testing.T) {
			// signType is checked before the signature, with its own code.
			before := stored(t, db)
			a := c.call(pathPay, value(c.head(fnPay, kv{"signType", "RSA2\x00"}), payBody("B1", "tea")))
			want(t, c, a, "SIGN_TYPE_INVALID", "12005134", "F", sign.RSA2)
			if after := stored(t, db); after != before {
				t.Fatalf("stored something:\nbefore %s\nafter  %s", before, after)
			}
		})
		t.Run("tab and newline in orderTitle and refundReason", func(t *testing.T) {
			want(t, c, c.call(pathPay, value(c.head(fnPay), payBody("OK1", "green\ttea\r\n2 cups"))), "SUCCESS", "00000000", "S", sign.RSA2)
			want(t, c, c.call(pathRefund, value(c.head(fnRefund), refundBody("OK-R1", "cold\ntea"))), "SUCCESS", "00000000", "S", sign.RSA2)
		})
		t.Run("reqTime within the window", func(t *testing.T) {
			for _, at := range []time.Time{time.Now().Add(-7*time.Hour - 59*time.Minute), time.Now().Add(7*time.Hour + 59*time.Minute), time.Now().Add(-23 * time.Hour)} {
				a := c.call(pathPayQuery, value(c.head(fnQuery, kv{"reqTime", at.Format(time.RFC3339)}), c.body(kv{"merchantTransId", "nothing"})))
				want(t, c, a, "ORDER_NOT_EXIST", "12005004", "F", sign.RSA2)
			}
		})
	})
}
