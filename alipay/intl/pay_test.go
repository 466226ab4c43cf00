package intl

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestPaySuccess(t *testing.T) {
	f := newFake(t, func(s seen) answer {
		return answer{bodyFirst: true, pretty: true, body: resultBody("S", "00000000", "SUCCESS", "success",
			`"acquirementId":"2024051311121800001000000012345","merchantTransId":"`+s.Body["merchantTransId"].(string)+`",`+
				`"orderAmount":{"currency":"USD","value":"450"},"paymentAmount":{"currency":"CNY","value":"3240"},`+
				`"createTime":"2024-05-13T17:49:20+08:00","paidTime":"2024-05-13T17:49:21+08:00","extra":{"ignored":true}`)}
	})
	r, err := f.client().Pay(context.Background(), PayRequest{
		MerchantTransID: "20240513-0001",
		IdentityCode:    "281234567890123456",
		Order:           Order{OrderTitle: "Coffee & cake", OrderAmount: NewMoney("USD", 450)},
		NotifyURL:       "https://merchant.example/notify",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &PayResponse{
		ResultInfo:      ResultInfo{StatusSuccess, CodeIDSuccess, CodeSuccess, "success"},
		AcquirementID:   "2024051311121800001000000012345",
		MerchantTransID: "20240513-0001",
		OrderAmount:     Money{"USD", "450"},
		PaymentAmount:   &Money{"CNY", "3240"},
		CreateTime:      "2024-05-13T17:49:20+08:00",
		PaidTime:        "2024-05-13T17:49:21+08:00",
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %+v\nwant %+v", r, want)
	}
	s := f.last()
	if s.Path != "/api/alipay/intl/acquiring/offline/pay.htm" || s.Head["function"] != FunctionPay {
		t.Errorf("path %s head %v", s.Path, s.Head)
	}
	wantBody := `"body":{"partnerId":"` + testPartnerID + `","productCode":"OFFLINE_PAY","merchantTransId":"20240513-0001","codeType":"BARCODE",` +
		`"identityCode":"281234567890123456","order":{"orderAmount":{"currency":"USD","value":"450"},"orderTitle":"Coffee & cake"},` +
		`"notifyUrl":"https://merchant.example/notify"}}`
	if !strings.HasSuffix(string(s.Value), wantBody) {
		t.Errorf("request value %s\nwant it to end with %s", s.Value, wantBody)
	}

	// Explicit values are kept; empty optional fields are left out.
	if _, err := f.client().Pay(context.Background(), PayRequest{PartnerID: "2188other", ProductCode: "AUTO_DEBIT", CodeType: "QRCODE", MerchantTransID: "X"}); err != nil {
		t.Fatal(err)
	}
	b := f.last().Body
	if b["partnerId"] != "2188other" || b["productCode"] != "AUTO_DEBIT" || b["codeType"] != "QRCODE" {
		t.Errorf("body %v", b)
	}
	for _, k := range []string{"notifyUrl", "settleContractId", "extendInfo"} {
		if _, ok := b[k]; ok {
			t.Errorf("empty %s sent", k)
		}
	}
}

func TestPayUnknownResult(t *testing.T) {
	f := newFake(t, func(seen) answer {
		return answer{body: resultBody("U", "00000901", "UNKNOWN_EXCEPTION", "API failed because of unknown reasons", `"merchantTransId":"T1"`)}
	})
	c := f.client()
	r, err := c.Pay(context.Background(), PayRequest{MerchantTransID: "T1"})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Pay = %v, %v; want an *Error", r, err)
	}
	// An unknown answer comes with what it carried: the ids to query by.
	if r == nil || r.MerchantTransID != "T1" {
		t.Fatalf("Pay's response with the unknown answer = %+v, want its merchantTransId", r)
	}
	if !e.UnknownResult() || e.ResultStatus != StatusUnknown || e.ResultCodeID != CodeIDUnknownException || e.Function != FunctionPay {
		t.Errorf("%#v", e)
	}
	if !IsCode(err, CodeUnknownException) || !IsCode(err, "00000901") || IsCode(err, CodeSuccess) || IsCode(err, "") {
		t.Error("IsCode")
	}
	if got := err.Error(); got != "intl: alipay.intl.acquiring.offline.pay: U 00000901 UNKNOWN_EXCEPTION (API failed because of unknown reasons)" {
		t.Errorf("Error() = %q", got)
	}
	var body PayResponse
	if json.Unmarshal(e.Body, &body) != nil || body.MerchantTransID != "T1" {
		t.Errorf("Body %s", e.Body)
	}
	// Do returns the resultInfo with the error.
	ri, err := c.Do(context.Background(), FunctionPay, PayRequest{MerchantTransID: "T1"}, nil)
	if ri == nil || ri.ResultStatus != StatusUnknown || err == nil {
		t.Errorf("Do = %+v, %v", ri, err)
	}
	// A status the SDK does not know counts as unknown, too.
	if !(&Error{ResultStatus: "X"}).UnknownResult() || (&Error{ResultStatus: StatusFailure}).UnknownResult() {
		t.Error("UnknownResult by status")
	}
}

func TestPayCancelFailure(t *testing.T) {
	for _, tt := range []struct {
		name string
		a    answer
	}{
		{"signed", answer{body: resultBody("F", "12005004", "ORDER_NOT_EXIST", "The transaction does not exist.", "")}},
		{"signed, pretty, body first", answer{pretty: true, bodyFirst: true, body: resultBody("F", "12005004", "ORDER_NOT_EXIST", "The transaction does not exist.", "")}},
		{"unsigned", answer{unsigned: true, body: resultBody("F", "12005004", "ORDER_NOT_EXIST", "The transaction does not exist.", "")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(seen) answer { return tt.a })
			r, err := f.client().PayCancel(context.Background(), PayCancelRequest{AcquirementID: "2015747", MerchantTransID: "510002"})
			var e *Error
			if r != nil || !errors.As(err, &e) {
				t.Fatalf("PayCancel = %v, %v", r, err)
			}
			if e.UnknownResult() || !IsCode(err, CodeOrderNotExist) || !IsCode(err, CodeIDOrderNotExist) || e.ResultMsg != "The transaction does not exist." {
				t.Errorf("%#v", e)
			}
			if errors.Is(err, ErrSignature) {
				t.Error("matches ErrSignature")
			}
			b := f.last().Body
			if b["partnerId"] != testPartnerID || b["acquirementId"] != "2015747" || b["merchantTransId"] != "510002" {
				t.Errorf("body %v", b)
			}
		})
	}
}

func TestUnsignedUnknownClient(t *testing.T) {
	// What a gateway can answer to a clientId it has no key for: no
	// signature, and a head it may not fill in.
	f := newFake(t, func(seen) answer {
		return answer{unsigned: true, head: map[string]string{"reqMsgId": "", "function": "", "clientId": ""},
			body: resultBody("F", "12014155", "UNKNOWN_CLIENT", "Unknown client", "")}
	})
	_, err := f.client().PayQuery(context.Background(), PayQueryRequest{MerchantTransID: "T1"})
	var e *Error
	if !errors.As(err, &e) || e.ResultCode != CodeUnknownClient || e.ResultCodeID != CodeIDUnknownClient || e.UnknownResult() {
		t.Fatalf("err = %v", err)
	}
}

func TestPayQuery(t *testing.T) {
	const common = `"acquirementId":"A1","merchantTransId":"T1","orderAmount":{"currency":"USD","value":"450"},"createTime":"2024-05-13T17:49:20+08:00"`
	for _, tt := range []struct {
		name, members, status string
		refund                *Money
	}{
		{"top level", common + `,"acquirementStatus":"CANCELLED","cancelTime":"2024-05-13T17:50:00+08:00"`, AcquirementStatusCancelled, nil},
		{"statusDetail", common + `,"statusDetail":{"acquirementStatus":"SUCCESS"},"refundAmount":{"currency":"USD","value":"100"}`, AcquirementStatusSuccess, &Money{"USD", "100"}},
		{"top level wins", common + `,"acquirementStatus":"INIT","statusDetail":{"acquirementStatus":"SUCCESS"}`, AcquirementStatusInit, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(seen) answer {
				return answer{bodyFirst: true, body: resultBody("S", "00000000", "SUCCESS", "", tt.members)}
			})
			r, err := f.client().PayQuery(context.Background(), PayQueryRequest{AcquirementID: "A1"})
			if err != nil {
				t.Fatal(err)
			}
			if r.AcquirementStatus != tt.status || r.AcquirementID != "A1" || r.OrderAmount != (Money{"USD", "450"}) || !reflect.DeepEqual(r.RefundAmount, tt.refund) {
				t.Errorf("%+v", r)
			}
			s := f.last()
			if s.Path != "/api/alipay/intl/acquiring/offline/payquery.htm" {
				t.Errorf("path %s", s.Path)
			}
			if _, ok := s.Body["merchantTransId"]; ok {
				t.Errorf("empty merchantTransId sent: %v", s.Body)
			}
		})
	}
}

func TestRefund(t *testing.T) {
	f := newFake(t, func(seen) answer {
		return answer{pretty: true, sigFirst: true, body: resultBody("S", "00000000", "SUCCESS", "success",
			`"acquirementId":"A1","merchantRefundId":"R1","refundId":"RF9","refundAmount":{"currency":"USD","value":"100"},"refundTime":"2024-05-14T09:00:00+08:00"`)}
	})
	r, err := f.client().Refund(context.Background(), RefundRequest{AcquirementID: "A1", MerchantRefundID: "R1", RefundAmount: NewMoney("USD", 100), RefundReason: "broken cup"})
	if err != nil {
		t.Fatal(err)
	}
	want := &RefundResponse{ResultInfo: ResultInfo{"S", "00000000", "SUCCESS", "success"}, AcquirementID: "A1", MerchantRefundID: "R1",
		RefundID: "RF9", RefundAmount: Money{"USD", "100"}, RefundTime: "2024-05-14T09:00:00+08:00"}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %+v", r)
	}
	s := f.last()
	if s.Path != "/api/alipay/intl/acquiring/common/grefund.htm" || s.Head["function"] != FunctionRefund {
		t.Errorf("path %s, function %s", s.Path, s.Head["function"])
	}
	if !strings.HasSuffix(string(s.Value), `"body":{"partnerId":"`+testPartnerID+`","acquirementId":"A1","merchantRefundId":"R1","refundAmount":{"currency":"USD","value":"100"},"refundReason":"broken cup"}}`) {
		t.Errorf("value %s", s.Value)
	}
}

func TestPathsPerTypedCall(t *testing.T) {
	f := newFake(t, func(seen) answer { return answer{} })
	c := f.client()
	ctx := context.Background()
	for _, tt := range []struct {
		call func() error
		path string
	}{
		{func() error { _, err := c.Pay(ctx, PayRequest{MerchantTransID: "T"}); return err }, "/api/alipay/intl/acquiring/offline/pay.htm"},
		{func() error { _, err := c.PayQuery(ctx, PayQueryRequest{MerchantTransID: "T"}); return err }, "/api/alipay/intl/acquiring/offline/payquery.htm"},
		{func() error { _, err := c.PayCancel(ctx, PayCancelRequest{MerchantTransID: "T"}); return err }, "/api/alipay/intl/acquiring/common/paycancel.htm"},
		{func() error { _, err := c.Refund(ctx, RefundRequest{AcquirementID: "A"}); return err }, "/api/alipay/intl/acquiring/common/grefund.htm"},
		{func() error {
			_, err := c.Do(ctx, "alipay.intl.acquiring.offline.preCreate", nil, nil)
			return err
		}, "/api/alipay/intl/acquiring/offline/precreate.htm"},
	} {
		if err := tt.call(); err != nil {
			t.Fatal(err)
		}
		if got := f.last().Path; got != tt.path {
			t.Errorf("path %s, want %s", got, tt.path)
		}
	}
	// A base URL path prefix is kept.
	f.mu.Lock()
	f.prefix = "/prefix"
	f.mu.Unlock()
	if _, err := f.client(WithBaseURL(f.srv.URL+"/prefix/")).PayCancel(ctx, PayCancelRequest{MerchantTransID: "T"}); err != nil {
		t.Fatal(err)
	}
	if got := f.last().Path; got != "/prefix/api/alipay/intl/acquiring/common/paycancel.htm" {
		t.Errorf("path %s", got)
	}
}

func TestQueryCancelNeedAnID(t *testing.T) {
	f := newFake(t, func(seen) answer { t.Error("sent"); return answer{} })
	c := f.client()
	if _, err := c.PayQuery(context.Background(), PayQueryRequest{}); err == nil {
		t.Error("PayQuery without ids")
	}
	if _, err := c.PayCancel(context.Background(), PayCancelRequest{PartnerID: "p"}); err == nil {
		t.Error("PayCancel without ids")
	}
}

func TestMoney(t *testing.T) {
	if m := NewMoney("JPY", 1200); m != (Money{"JPY", "1200"}) {
		t.Errorf("NewMoney = %+v", m)
	}
	for v, want := range map[string]int64{"0": 0, "1": 1, "9223372036854775807": 1<<63 - 1} {
		if n, err := (Money{"USD", v}).MinorUnits(); err != nil || n != want {
			t.Errorf("MinorUnits(%q) = %d, %v", v, n, err)
		}
	}
	for _, v := range []string{"", "01", "-1", "+1", "1.00", "1e3", " 1", "9223372036854775808", "１"} {
		if n, err := (Money{"USD", v}).MinorUnits(); err == nil {
			t.Errorf("MinorUnits(%q) = %d", v, n)
		}
	}
}
