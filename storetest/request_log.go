package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

func newRequestRecord(n int) *zfb.RequestRecord {
	return &zfb.RequestRecord{
		At:          at(n),
		Dialect:     zfb.DialectOpenAPI,
		AppID:       "2021000000000001",
		Method:      "alipay.trade.pay",
		Params:      map[string]string{"method": "alipay.trade.pay", "biz_content": fmt.Sprintf(`{"out_trade_no":"T%d","subject":"测试"}`, n)},
		SignContent: fmt.Sprintf("app_id=2021000000000001&biz_content={\"out_trade_no\":\"T%d\"}", n),
		SignType:    "RSA2",
		Charset:     "utf-8",
		Signature:   zfb.SignatureVerified,
		Answer:      `{"alipay_trade_pay_response":{"code":"10000"},"sign":"…"}`,
		HTTPStatus:  200,
		Code:        "10000",
		Latency:     1234 * time.Microsecond,
		Refs:        []string{fmt.Sprintf("T%d", n), fmt.Sprintf("2025%06d", n)},
	}
}

func requestIDs(rs []*zfb.RequestRecord) []int64 {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// RunRequestLog runs the request log's part of the suite against any
// zfb.RequestLog (a Store, or package reqfile's files), so that every kind
// of log behaves alike. open must return a new, empty log for each call,
// closed when its test ends (t.Cleanup).
func RunRequestLog(t *testing.T, open func(t *testing.T) zfb.RequestLog) {
	t.Run("RequestLog", func(t *testing.T) { testRequestLog(t, open(t)) })
}

func testStoreRequestLog(t *testing.T, s zfb.Store) { testRequestLog(t, s) }

func testRequestLog(t *testing.T, s zfb.RequestLog) {
	ctx := t.Context()
	var recs []*zfb.RequestRecord
	for n := range 5 {
		recs = append(recs, newRequestRecord(n))
	}
	failed := recs[3]
	failed.Signature, failed.Diagnosis = zfb.SignatureFailed, "signed with sign_type left out"
	failed.Code, failed.SubCode, failed.Failed = "40002", "isv.invalid-signature", true
	failed.AnswerTruncated = true
	intl := recs[4]
	intl.Dialect, intl.AppID, intl.Method = zfb.DialectIntl, "2021000000000002", "alipay.intl.acquiring.common.payCancel"
	intl.Refs = []string{"T1", "acq-1", "acq-1", ""} // shares T1 with recs[1]; repeats and blanks dropped
	intl.Params["nul"] = "a\x00b"                    // stored as text on both backends
	ok(t, s.RecordRequests(ctx, recs[:2]))           // two batches
	ok(t, s.RecordRequests(ctx, recs[2:]))
	for i := 1; i < len(recs); i++ {
		if recs[i].ID <= recs[i-1].ID {
			t.Fatalf("IDs %v do not grow", requestIDs(recs))
		}
	}

	got, err := s.Request(ctx, failed.ID)
	ok(t, err)
	sameTime(t, "At", got.At, failed.At)
	want := *failed
	want.At, got.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Request = %+v\nwant %+v", *got, want)
	}
	got, err = s.Request(ctx, intl.ID)
	ok(t, err)
	if !reflect.DeepEqual(got.Refs, []string{"T1", "acq-1"}) || got.Params["nul"] != "a\uFFFDb" {
		t.Errorf("intl record: refs %q, params %q", got.Refs, got.Params)
	}
	_, err = s.Request(ctx, intl.ID+100)
	wantErr(t, err, zfb.ErrNotFound)

	list := func(f zfb.RequestFilter) []int64 {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 100
		}
		rs, err := s.Requests(ctx, f)
		ok(t, err)
		return requestIDs(rs)
	}
	id := func(rs ...*zfb.RequestRecord) []int64 { return requestIDs(rs) }
	for _, tc := range []struct {
		name string
		f    zfb.RequestFilter
		want []int64
	}{
		{"all, newest first", zfb.RequestFilter{}, id(recs[4], recs[3], recs[2], recs[1], recs[0])},
		{"by a reference both share", zfb.RequestFilter{Query: "T1"}, id(recs[4], recs[1])},
		{"by a reference of the answer", zfb.RequestFilter{Query: "2025000002"}, id(recs[2])},
		{"by a method in q", zfb.RequestFilter{Query: intl.Method}, id(recs[4])},
		{"by an app in q", zfb.RequestFilter{Query: intl.AppID}, id(recs[4])},
		{"a number nobody named", zfb.RequestFilter{Query: "T"}, nil},
		{"by app", zfb.RequestFilter{AppID: "2021000000000001"}, id(recs[3], recs[2], recs[1], recs[0])},
		{"by method", zfb.RequestFilter{Method: "alipay.trade.pay", Query: "T1"}, id(recs[1])},
		{"failed only", zfb.RequestFilter{FailedOnly: true}, id(recs[3])},
		{"page 1", zfb.RequestFilter{Limit: 2}, id(recs[4], recs[3])},
		{"page 2", zfb.RequestFilter{Limit: 2, Before: recs[3].ID}, id(recs[2], recs[1])},
		{"page 3", zfb.RequestFilter{Limit: 2, Before: recs[1].ID}, id(recs[0])},
	} {
		if got := list(tc.f); !reflect.DeepEqual(got, tc.want) && (len(got) > 0 || len(tc.want) > 0) {
			t.Errorf("%s: IDs %v, want %v", tc.name, got, tc.want)
		}
	}

	// Pruning keeps the newest N, and their references only.
	n, err := s.PruneRequests(ctx, 10)
	ok(t, err)
	if n != 0 {
		t.Errorf("pruning 5 records to 10 deleted %d", n)
	}
	n, err = s.PruneRequests(ctx, 2)
	ok(t, err)
	if n != 3 {
		t.Errorf("pruning 5 records to 2 deleted %d", n)
	}
	if got, want := list(zfb.RequestFilter{}), id(recs[4], recs[3]); !reflect.DeepEqual(got, want) {
		t.Errorf("after pruning: IDs %v, want %v", got, want)
	}
	if got, want := list(zfb.RequestFilter{Query: "T1"}), id(recs[4]); !reflect.DeepEqual(got, want) {
		t.Errorf("after pruning, T1 finds %v, want %v", got, want)
	}
	_, err = s.Request(ctx, recs[0].ID)
	wantErr(t, err, zfb.ErrNotFound)
	// A new record after pruning gets a new ID, never a pruned one's.
	next := newRequestRecord(9)
	ok(t, s.RecordRequests(ctx, []*zfb.RequestRecord{next}))
	if next.ID <= recs[4].ID {
		t.Errorf("ID %d after %d", next.ID, recs[4].ID)
	}
	n, err = s.PruneRequests(ctx, 0)
	ok(t, err)
	if n != 3 || len(list(zfb.RequestFilter{})) != 0 || len(list(zfb.RequestFilter{Query: "acq-1"})) != 0 {
		t.Errorf("pruning to 0 deleted %d and left %v", n, list(zfb.RequestFilter{}))
	}

	// A batch larger than one statement: every record gets its own ID and
	// its own references.
	var big []*zfb.RequestRecord
	for n := range 40 {
		r := newRequestRecord(100 + n)
		r.Refs = append(r.Refs, fmt.Sprintf("big-%d", n))
		big = append(big, r)
	}
	ok(t, s.RecordRequests(ctx, big))
	for n, r := range big {
		got, err := s.Request(ctx, r.ID)
		ok(t, err)
		if !reflect.DeepEqual(got.Refs, r.Refs) || got.Params["biz_content"] != r.Params["biz_content"] {
			t.Fatalf("record %d (ID %d): refs %v, want %v", n, r.ID, got.Refs, r.Refs)
		}
		if found := list(zfb.RequestFilter{Query: fmt.Sprintf("big-%d", n)}); !reflect.DeepEqual(found, id(r)) {
			t.Fatalf("big-%d finds %v, want %v", n, found, id(r))
		}
	}
	// Pruning keeps exactly the newest N even after records were written
	// in a transaction that rolled back (their IDs may be skipped).
	if store, isStore := s.(zfb.Store); isStore {
		rolledBack := errors.New("roll back")
		err = store.InTx(ctx, func(q zfb.Queries) error {
			ok(t, q.RecordRequests(ctx, []*zfb.RequestRecord{newRequestRecord(200), newRequestRecord(201)}))
			return rolledBack
		})
		wantErr(t, err, rolledBack)
	}
	after := []*zfb.RequestRecord{newRequestRecord(202), newRequestRecord(203)}
	ok(t, s.RecordRequests(ctx, after))
	n, err = s.PruneRequests(ctx, 3)
	ok(t, err)
	if got, want := list(zfb.RequestFilter{}), id(after[1], after[0], big[len(big)-1]); n != int64(len(big)-1) || !reflect.DeepEqual(got, want) {
		t.Errorf("pruning %d records to 3 deleted %d and kept %v, want %v", len(big)+2, n, got, want)
	}
}
