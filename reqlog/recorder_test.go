package reqlog

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sqlstore"
)

func newService(t testing.TB) *zfb.Service {
	t.Helper()
	store, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "zfb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return zfb.NewService(store, nil, nil)
}

func TestRecordNeverBlocks(t *testing.T) {
	r := New(newService(t), nil, 10, WithQueue(2))
	start := time.Now()
	for range 5 {
		r.Record(&zfb.RequestRecord{Method: "m"}) // nobody runs the queue
	}
	if d := r.Dropped(); d != 3 {
		t.Errorf("dropped %d, want 3", d)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("5 records took %v", took)
	}
}

// TestRunFlushesOnShutdown: what is queued when ctx ends is written (and
// completed) before Run returns, and the log is pruned to its bound.
func TestRunFlushesOnShutdown(t *testing.T) {
	svc := newService(t)
	r := New(svc, nil, 4, WithQueue(64))
	var completed sync.WaitGroup
	for i := range 10 {
		completed.Add(1)
		r.Record(&zfb.RequestRecord{At: time.Now(), Method: "m", Complete: func(_ context.Context, rec *zfb.RequestRecord, diagnose bool) {
			defer completed.Done()
			if !diagnose {
				t.Error("a queue under half full skips diagnoses")
			}
			rec.Refs = []string{"T" + string(rune('0'+i))}
		}})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // Run starts stopped: it only flushes
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	completed.Wait()
	if r.Written() != 10 {
		t.Errorf("written %d, want 10", r.Written())
	}
	got, err := svc.Requests(t.Context(), zfb.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, rec := range got {
		refs = append(refs, rec.Refs...)
	}
	if want := []string{"T9", "T8", "T7", "T6"}; !slices.Equal(refs, want) {
		t.Errorf("kept %v, want %v", refs, want)
	}
}

func TestPrepareMasksSecretsAndFindsReferences(t *testing.T) {
	const code = "281234567890123456"
	rec := &zfb.RequestRecord{
		Params: map[string]string{
			"app_auth_token": "202611BBabcdefghijklmnop",
			"sign":           strings.Repeat("A", 344),
			"biz_content":    `{"out_trade_no":"T1","auth_code":"` + code + `","nested":{"auth_no":"A1"},"goods":[{"out_request_no":"R1"}]}`,
			"body":           `{"identityCode":"` + code + `","merchantTransId":"M1"}`,
			"short":          "x",
		},
		SignContent: "app_auth_token=202611BBabcdefghijklmnop&biz_content={\"auth_code\":\"" + code + "\"}",
		Answer:      `{"alipay_open_auth_token_app_response":{"app_auth_token":"202611BBabcdefghijklmnop","app_refresh_token":"202611RRzyxwvutsrqponm","trade_no":"2026112922001","acquirementId":"Q1"}}`,
	}
	prepare(rec)
	all := rec.SignContent + rec.Answer
	for _, v := range rec.Params {
		all += v
	}
	for _, secret := range []string{code, "202611BBabcdefghijklmnop", "202611RRzyxwvutsrqponm", strings.Repeat("A", 20)} {
		if strings.Contains(all, secret) {
			t.Errorf("%s is in the record: %+v", secret, rec)
		}
	}
	if !strings.Contains(all, "28************3456") || rec.Params["app_auth_token"] != "2026****mnop" ||
		!strings.Contains(rec.Answer, "2026****ponm") || !strings.HasPrefix(rec.Params["sign"], "AAAAAAAA…(344") {
		t.Errorf("masked as %+v", rec)
	}
	slices.Sort(rec.Refs)
	if want := []string{"2026112922001", "A1", "M1", "Q1", "R1", "T1"}; !reflect.DeepEqual(rec.Refs, want) {
		t.Errorf("refs %v, want %v", rec.Refs, want)
	}
	long := &zfb.RequestRecord{Answer: strings.Repeat("测", zfb.MaxRecordedAnswer)}
	prepare(long)
	if len(long.Answer) > zfb.MaxRecordedAnswer || !long.AnswerTruncated || !strings.HasSuffix(long.Answer, "测") {
		t.Errorf("a long answer kept %d bytes, truncated %v", len(long.Answer), long.AnswerTruncated)
	}
}
