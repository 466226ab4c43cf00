package reqfile

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zfbpay/zfb"
)

// roundTrip encodes r as a frame and decodes it back, as the log does.
func roundTrip(t *testing.T, r *zfb.RequestRecord) *zfb.RequestRecord {
	t.Helper()
	refs := cleanRefs(r.Refs)
	b := appendRecord(beginFrame(nil), 42, r, refs)
	endFrame(b, 0)
	got, err := decodeRecord(b[frameHeader:])
	if err != nil {
		t.Fatalf("decoding %+v: %v", r, err)
	}
	d := decoder{b: b[frameHeader+1:]}
	if h := d.head(); h.id != 42 || h.app != got.AppID || h.method != got.Method || !reflect.DeepEqual(h.refs, got.Refs) {
		t.Errorf("head %+v does not match the record %+v", h, got)
	}
	return got
}

// stored is r as any request log gives it back: texts cleaned, times to
// the microsecond in UTC, references without blanks and repeats.
func stored(r *zfb.RequestRecord, id int64) zfb.RequestRecord {
	want := *r
	want.ID, want.Complete = id, nil
	want.At = time.UnixMicro(r.At.UnixMicro()).UTC()
	want.Latency = r.Latency.Truncate(time.Microsecond)
	for _, s := range []*string{&want.Dialect, &want.AppID, &want.Method, &want.SignContent, &want.SignType, &want.Charset,
		&want.Signature, &want.Diagnosis, &want.Answer, &want.Code, &want.SubCode} {
		*s = clean(*s)
	}
	want.Params = map[string]string{}
	for k, v := range r.Params {
		want.Params[clean(k)] = clean(v)
	}
	want.Refs = cleanRefs(r.Refs)
	return want
}

func TestRecordRoundTrip(t *testing.T) {
	full := &zfb.RequestRecord{
		At: time.Date(2026, 11, 30, 13, 4, 5, 123456789, time.FixedZone("CST", 8*3600)), Dialect: zfb.DialectIntl,
		AppID: "2021000000000001", Method: "alipay.intl.acquiring.common.payQuery",
		Params:      map[string]string{"body": `{"acquirementId":"支付宝"}`, "": "empty name", "empty": "", "emoji": "🧧"},
		SignContent: "a=1&b=测试", SignType: "RSA2", Charset: "GBK", Signature: zfb.SignatureFailed,
		Diagnosis: "signed with sign_type left out", Answer: strings.Repeat("答", zfb.MaxRecordedAnswer/3), AnswerTruncated: true,
		HTTPStatus: 200, Code: "40002", SubCode: "isv.invalid-signature", Failed: true, Latency: 1500 * time.Microsecond,
		Refs: []string{"acq-1", "", "acq-1", "T1"},
	}
	for name, r := range map[string]*zfb.RequestRecord{
		"every field":           full,
		"empty":                 {},
		"huge answer":           {Answer: strings.Repeat("x", zfb.MaxRecordedAnswer), Params: map[string]string{"sign": strings.Repeat("S", 1<<20)}},
		"invalid UTF-8 and NUL": {AppID: "a\x00b", Method: "\xff\xfe", Params: map[string]string{"k\x00": "v\xc3"}, Refs: []string{"r\x00", "r\uFFFD"}},
		"negative":              {At: time.Unix(-5, 0), HTTPStatus: -1, Latency: -time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			got := roundTrip(t, r)
			if want := stored(r, 42); !reflect.DeepEqual(*got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", *got, want)
			}
		})
	}
}

// FuzzRecordRoundTrip: whatever the texts, a record decodes to what was
// stored, and its texts are valid UTF-8 without NUL.
func FuzzRecordRoundTrip(f *testing.F) {
	f.Add("2021000000000001", "alipay.trade.query", "biz_content", `{"out_trade_no":"T1"}`, "T1", "ans", int64(1), true)
	f.Add("", "", "", "", "", "", int64(0), false)
	f.Add("\x00", "\xff", "测试", "🧧", "\x00\x00", strings.Repeat("z", 3000), int64(-1<<40), true)
	f.Fuzz(func(t *testing.T, app, method, key, value, ref, answer string, micros int64, failed bool) {
		r := &zfb.RequestRecord{At: time.UnixMicro(micros), AppID: app, Method: method, Params: map[string]string{key: value, "x": key},
			Answer: answer, Failed: failed, AnswerTruncated: !failed, Refs: []string{ref, value, ref}, HTTPStatus: int(micros),
			Latency: time.Duration(micros)}
		got := roundTrip(t, r)
		if want := stored(r, 42); !reflect.DeepEqual(*got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", *got, want)
		}
		for _, s := range append([]string{got.AppID, got.Method, got.Answer}, got.Refs...) {
			if !utf8.ValidString(s) || strings.Contains(s, "\x00") {
				t.Fatalf("stored %q", s)
			}
		}
	})
}

// FuzzDecode: no payload makes the decoder panic or allocate beyond it.
func FuzzDecode(f *testing.F) {
	b := appendRecord(nil, 7, &zfb.RequestRecord{AppID: "a", Params: map[string]string{"k": "v"}, Refs: []string{"r"}}, []string{"r"})
	f.Add(b)
	f.Add([]byte{kindRecord, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, p []byte) {
		r, err := decodeRecord(p)
		if err == nil && r == nil {
			t.Fatal("no record and no error")
		}
	})
}
