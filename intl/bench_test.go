package intl_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/testkeys"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/sqlstore"
)

// BenchmarkPayQuery is payQuery through the intl handler in process (no
// network, no background workers), each call on another of 200 payments,
// logging at warn as zfbload's zfb does: every answer is signed afresh, so
// RSA signing is most of ns/op (read the rest with -cpuprofile and pprof
// -ignore=SignPKCS1v15, and allocs/op). The requests are signed before
// the loop.
func BenchmarkPayQuery(b *testing.B) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "zfb.db"), logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc := zfb.NewService(store, nil, logger)
	if _, err := sandbox.Ensure(ctx, svc, sandbox.WithKeys(testkeys.Sequence())); err != nil {
		b.Fatal(err)
	}
	sb, err := sandbox.Load(ctx, svc, "http://127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	h := intl.New(svc, logger, intl.WithRateLimit(0, 0))
	c := newClient(b, "", sb.Apps[0])
	var code string
	for _, buyer := range sb.Buyers {
		if buyer.Behaviour == zfb.BehaviourPays {
			code = buyer.PaymentCode
		}
	}
	post := func(path string, body []byte) []byte {
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !bytes.Contains(w.Body.Bytes(), []byte(`"resultCode":"SUCCESS"`)) {
			b.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	alg := sign.Algorithm(c.app.SignType)
	queries := make([][]byte, 200)
	for i := range queries {
		id := fmt.Sprintf("BQ%d", i)
		post(pathPay, c.envelope(value(c.head(fnPay), c.payBody(id, code, usd10)), alg))
		queries[i] = c.envelope(value(c.head(fnQuery), c.body(kv{"merchantTransId", id})), alg)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		post(pathPayQuery, queries[i%len(queries)])
	}
}
