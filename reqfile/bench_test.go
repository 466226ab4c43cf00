package reqfile

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// queryRecord is a trade.query call's record as the recorder hands it to
// the log, completed and masked, at its usual size (~1.5 KB).
func queryRecord(i int) *zfb.RequestRecord {
	no := "Q" + strconv.Itoa(1_000_000+i)
	biz := `{"out_trade_no":"` + no + `"}`
	params := map[string]string{
		"app_id": "2021000000000001", "method": "alipay.trade.query", "format": "JSON", "charset": "utf-8",
		"sign_type": "RSA2", "timestamp": "2026-11-30 10:43:36", "version": "1.0", "biz_content": biz,
		"sign": strings.Repeat("S", 344),
	}
	return &zfb.RequestRecord{
		At: time.Now(), Dialect: zfb.DialectOpenAPI, AppID: params["app_id"], Method: params["method"], Params: params,
		SignContent: "app_id=2021000000000001&biz_content=" + biz + "&charset=utf-8&format=JSON&method=alipay.trade.query",
		SignType:    "RSA2", Charset: "utf-8", Signature: zfb.SignatureVerified,
		Answer:     `{"alipay_trade_query_response":{"code":"10000","msg":"Success","out_trade_no":"` + no + `"},"sign":"` + strings.Repeat("A", 344) + `"}` + strings.Repeat(" ", 500),
		HTTPStatus: 200, Code: "10000", Latency: time.Millisecond, Refs: []string{no, "2026113022001400000000" + strconv.Itoa(i)},
	}
}

// BenchmarkRecordRequests is the file log's own cost per record (the
// recorder's masking left out): batches of 64, pruned to 10,000 every
// 1,000 records as the recorder prunes.
func BenchmarkRecordRequests(b *testing.B) {
	l := open(b, b.TempDir())
	batch := make([]*zfb.RequestRecord, 64)
	for i := range batch {
		batch[i] = queryRecord(i)
	}
	b.ReportAllocs()
	written := 0
	for b.Loop() {
		if err := l.RecordRequests(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
		if written += len(batch); written >= 1000 {
			if _, err := l.PruneRequests(b.Context(), 10_000); err != nil {
				b.Fatal(err)
			}
			written = 0
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch))/1000, "µs/record")
}

// BenchmarkRequests is a dashboard page: the newest 50 of 10,000 records,
// and a search by a reference that only the oldest has.
func BenchmarkRequests(b *testing.B) {
	l := open(b, b.TempDir())
	for i := 0; i < 10_000; i += 100 {
		batch := make([]*zfb.RequestRecord, 100)
		for j := range batch {
			batch[j] = queryRecord(i + j)
		}
		if err := l.RecordRequests(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("newest 50", func(b *testing.B) {
		for b.Loop() {
			if rs, err := l.Requests(b.Context(), zfb.RequestFilter{Limit: 50}); err != nil || len(rs) != 50 {
				b.Fatal(len(rs), err)
			}
		}
	})
	b.Run("search 10,000", func(b *testing.B) {
		for b.Loop() {
			if rs, err := l.Requests(b.Context(), zfb.RequestFilter{Query: "Q1000000", Limit: 50}); err != nil || len(rs) != 1 {
				b.Fatal(len(rs), err)
			}
		}
	})
}
