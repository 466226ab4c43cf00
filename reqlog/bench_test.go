package reqlog

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/reqfile"
)

// queryRecord is what a trade.query call over gateway.do hands the
// recorder once completed: its parameters, the string its signature was
// verified over, and the signed answer, at their usual sizes.
func queryRecord(i int) *zfb.RequestRecord {
	no := "Q" + strconv.Itoa(1_000_000+i)
	biz := `{"out_trade_no":"` + no + `"}`
	params := map[string]string{
		"app_id": "2021000000000001", "method": "alipay.trade.query", "format": "JSON", "charset": "utf-8",
		"sign_type": "RSA2", "timestamp": "2026-11-30 10:43:36", "version": "1.0", "biz_content": biz,
		"sign": strings.Repeat("S", 344),
	}
	content := "app_id=2021000000000001&biz_content=" + biz + "&charset=utf-8&format=JSON&method=alipay.trade.query&sign_type=RSA2&timestamp=2026-11-30 10:43:36&version=1.0"
	answer := `{"alipay_trade_query_response":{"code":"10000","msg":"Success","trade_no":"2026113022001400000000` + strconv.Itoa(i) +
		`","out_trade_no":"` + no + `","buyer_logon_id":"san***@example.com","trade_status":"TRADE_SUCCESS","total_amount":"88.88",` +
		`"buyer_pay_amount":"88.88","point_amount":"0.00","invoice_amount":"88.88","send_pay_date":"2026-11-30 10:43:30",` +
		`"receipt_amount":"88.88","buyer_user_id":"2088102100000001","buyer_open_id":"074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"},` +
		`"sign":"` + strings.Repeat("A", 344) + `"}`
	return &zfb.RequestRecord{
		At: time.Now(), Dialect: zfb.DialectOpenAPI, AppID: params["app_id"], Method: params["method"],
		Params: params, SignContent: content, SignType: "RSA2", Charset: "utf-8", Signature: zfb.SignatureVerified,
		Answer: answer, HTTPStatus: 200, Code: "10000", Latency: time.Millisecond,
	}
}

// BenchmarkWriteQueryRecords is the request log's cost per trade.query
// call, off the request's path: masking, finding references and storing,
// in batches of DefaultBatch, pruned as Run prunes; as rows of a SQLite
// file ("sqlite") and in files beside it (package reqfile, "files").
func BenchmarkWriteQueryRecords(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkWriteQueryRecords(b, newService(b)) })
	b.Run("files", func(b *testing.B) {
		svc := newService(b)
		l, err := reqfile.Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { l.Close() })
		svc.UseRequestLog(l)
		benchmarkWriteQueryRecords(b, svc)
	})
}

func benchmarkWriteQueryRecords(b *testing.B, svc *zfb.Service) {
	r := New(svc, nil, 10_000)
	ctx := context.Background()
	batch := make([]*zfb.RequestRecord, 0, r.batch)
	sincePrune := 0
	b.ReportAllocs()
	cpu0 := processCPU(b)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		batch = batch[:0]
		for j := range r.batch {
			batch = append(batch, queryRecord(i*r.batch+j))
		}
		b.StartTimer()
		r.write(ctx, batch)
		if sincePrune += len(batch); sincePrune >= r.pruneEvery {
			r.prune(ctx)
			sincePrune = 0
		}
	}
	records := float64(b.N * r.batch)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/records, "µs/record")
	// CPU, of every goroutine (the store's committer's too), moves less
	// than the wall clock on a shared machine; it includes the setup of
	// the records, which is the same in every build.
	b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/records, "cpu-µs/record")
}

// processCPU is the user and system time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
