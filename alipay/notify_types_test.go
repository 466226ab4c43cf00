package alipay

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/zfbpay/zfb/sign"
)

const (
	testNotifyID = "2024010200222003008000000001"
	// testAuthAppID differs from testAppID, as when an ISV acts for the
	// merchant, so that a decoder mixing the two up shows.
	testAuthAppID = "2021000000000002"
)

// gatewayNotification builds a notification form as zfb's notify package
// renders one and spec/openapi.md §5.1 says Alipay's gateway does: the
// business fields plus the common ones, empty fields left out of the form
// altogether, signed with the test Alipay key over every field but sign and
// sign_type (sign.NotifyContent), in alg.
func gatewayNotification(tb testing.TB, alg sign.Algorithm, notifyType string, fields map[string]string) url.Values {
	tb.Helper()
	all := map[string]string{
		"notify_time": "2024-01-02 00:30:08", "notify_type": notifyType, "notify_id": testNotifyID,
		"app_id": testAppID, "auth_app_id": testAuthAppID, "charset": "utf-8", "version": "1.0",
		"sign_type": string(alg),
	}
	for k, v := range fields {
		all[k] = v
	}
	for k, v := range all {
		if v == "" {
			delete(all, k)
		}
	}
	_, ali := testKeys(tb)
	sig, err := sign.Sign(ali, alg, []byte(sign.NotifyContent(all)))
	if err != nil {
		tb.Fatal(err)
	}
	form := make(url.Values, len(all)+1)
	for k, v := range all {
		form.Set(k, v)
	}
	form.Set("sign", sig)
	return form
}

func postForm(form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/alipay/notify", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

// fullTradeFields sets every field TradeNotification has, as on a refund
// notification after a payment.
func fullTradeFields() map[string]string {
	return map[string]string{
		"trade_no": "2024010222001400001234567890", "out_trade_no": "T1", "out_biz_no": "T1-refund-1",
		"buyer_id": "2088102177846880", "buyer_logon_id": "159****5620", "buyer_open_id": "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5",
		"seller_id": "2088101117955611", "seller_email": "seller@example.com", "trade_status": "TRADE_SUCCESS",
		"total_amount": "88.88", "receipt_amount": "88.88", "invoice_amount": "88.88", "buyer_pay_amount": "88.88",
		"point_amount": "0.00", "refund_fee": "10.00", "subject": "测试 a&b=c+%", "body": "一杯咖啡",
		"gmt_create": "2024-01-02 00:30:00", "gmt_payment": "2024-01-02 00:30:07",
		"gmt_refund": "2024-01-02 01:00:00.123", "gmt_close": "2024-01-03 00:30:00",
		"fund_bill_list":  `[{"amount":"78.88","fundChannel":"ALIPAYACCOUNT"},{"amount":"10.00","fundChannel":"PCREDIT","realAmount":"10.00","bankCode":"X","fundType":"DEBIT_CARD"}]`,
		"passback_params": "merchant%3Dcontext",
	}
}

func wantTrade() *TradeNotification {
	return &TradeNotification{
		TradeNo: "2024010222001400001234567890", OutTradeNo: "T1", OutBizNo: "T1-refund-1",
		BuyerID: "2088102177846880", BuyerLogonID: "159****5620", BuyerOpenID: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5",
		SellerID: "2088101117955611", SellerEmail: "seller@example.com", TradeStatus: TradeStatusSuccess,
		TotalAmount: "88.88", ReceiptAmount: "88.88", InvoiceAmount: "88.88", BuyerPayAmount: "88.88",
		PointAmount: "0.00", RefundFee: "10.00", Subject: "测试 a&b=c+%", Body: "一杯咖啡",
		GmtCreate: "2024-01-02 00:30:00", GmtPayment: "2024-01-02 00:30:07",
		GmtRefund: "2024-01-02 01:00:00.123", GmtClose: "2024-01-03 00:30:00",
		FundBillList: []FundBill{
			{FundChannel: "ALIPAYACCOUNT", Amount: "78.88"},
			{FundChannel: "PCREDIT", Amount: "10.00", RealAmount: "10.00", BankCode: "X", FundType: "DEBIT_CARD"},
		},
		PassbackParams: "merchant%3Dcontext",
	}
}

// fullFundAuthFields is a fund_auth_freeze notification as zfb sends it
// (operationNotice), plus payer_logon_id of the real 2019 example.
func fullFundAuthFields() map[string]string {
	return map[string]string{
		"auth_no": "2024010210002001000000000001", "out_order_no": "O1", "operation_id": "20240102000000000001",
		"out_request_no": "O1-freeze", "operation_type": AuthOperationFreeze, "amount": "200.00", "status": AuthOperationStatusSuccess,
		"gmt_create": "2024-01-02 00:30:00", "gmt_trans": "2024-01-02 00:30:05",
		"payer_user_id": "2088102177846880", "payer_logon_id": "159****5620", "payee_user_id": "2088101117955611",
		"payer_open_id": "045AQEPO1YzDTO5y5UZsP4XwQAaxK-2FfyZLPBF6DgGZWA0",
		"order_status":  AuthOrderStatusAuthorized, "total_freeze_amount": "200.00", "total_unfreeze_amount": "0.00",
		"total_pay_amount": "0.00", "rest_amount": "200.00", "trans_currency": "CNY",
	}
}

func wantFundAuth() *FundAuthNotification {
	return &FundAuthNotification{
		AuthNo: "2024010210002001000000000001", OutOrderNo: "O1", OperationID: "20240102000000000001",
		OutRequestNo: "O1-freeze", OperationType: AuthOperationFreeze, Amount: "200.00", Status: AuthOperationStatusSuccess,
		GmtCreate: "2024-01-02 00:30:00", GmtTrans: "2024-01-02 00:30:05",
		PayerUserID: "2088102177846880", PayerLogonID: "159****5620", PayeeUserID: "2088101117955611",
		PayerOpenID: "045AQEPO1YzDTO5y5UZsP4XwQAaxK-2FfyZLPBF6DgGZWA0",
		OrderStatus: AuthOrderStatusAuthorized, TotalFreezeAmount: "200.00", TotalUnfreezeAmount: "0.00",
		TotalPayAmount: "0.00", RestAmount: "200.00", TransCurrency: "CNY",
	}
}

// fullCancelFields is a fund_auth_operation_cancel notification (seed 000's
// notification trigger parameters, as fundauth_cancel.go fills them).
func fullCancelFields() map[string]string {
	return map[string]string{
		"auth_no": "2024010210002001000000000001", "out_order_no": "O1",
		"operation_id": "20240102000000000001", "out_request_no": "O1-freeze", "action": AuthCancelActionUnfreeze,
	}
}

func wantCancel() *FundAuthCancelNotification {
	return &FundAuthCancelNotification{
		AuthNo: "2024010210002001000000000001", OutOrderNo: "O1",
		OperationID: "20240102000000000001", OutRequestNo: "O1-freeze", Action: AuthCancelActionUnfreeze,
	}
}

// checkEveryField fails unless every field of the struct v points to is set,
// and every string field equals the form field its JSON tag names: the
// fixture covers the whole struct and the decoder reads each wire name.
func checkEveryField(t *testing.T, v any, form url.Values) {
	t.Helper()
	rv := reflect.ValueOf(v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if rv.Field(i).IsZero() {
			t.Errorf("%s.%s (%s) is not set", rv.Type().Name(), f.Name, name)
			continue
		}
		if f.Type.Kind() == reflect.String && name != "" && name != "-" {
			if got, want := rv.Field(i).String(), form.Get(name); got != want {
				t.Errorf("%s.%s = %q, form %s = %q", rv.Type().Name(), f.Name, got, name, want)
			}
		}
	}
}

func checkCommon(t *testing.T, n *Notification, notifyType string, form url.Values) {
	t.Helper()
	want := Notification{
		NotifyID: testNotifyID, NotifyTime: "2024-01-02 00:30:08", NotifyType: notifyType,
		AppID: testAppID, AuthAppID: testAuthAppID, Charset: "utf-8", Version: "1.0",
		SignType: string(sign.RSA2), Sign: form.Get("sign"),
	}
	got := *n
	got.Form = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("common fields:\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(n.Form, form) {
		t.Errorf("Form:\n got %v\nwant %v", n.Form, form)
	}
	checkEveryField(t, n, form)
}

func TestDecodeNotification(t *testing.T) {
	c := notifyClient(t)
	unfreeze := fullFundAuthFields()
	unfreeze["operation_type"], unfreeze["out_request_no"] = AuthOperationUnfreeze, "O1-unfreeze"
	unfreeze["total_unfreeze_amount"], unfreeze["rest_amount"], unfreeze["order_status"] = "200.00", "0.00", AuthOrderStatusClosed
	wantUnfreeze := wantFundAuth()
	wantUnfreeze.OperationType, wantUnfreeze.OutRequestNo = AuthOperationUnfreeze, "O1-unfreeze"
	wantUnfreeze.TotalUnfreezeAmount, wantUnfreeze.RestAmount, wantUnfreeze.OrderStatus = "200.00", "0.00", AuthOrderStatusClosed

	for _, tc := range []struct {
		notifyType string
		fields     map[string]string
		want       any
	}{
		{NotifyTypeTradeStatusSync, fullTradeFields(), wantTrade()},
		{NotifyTypeFundAuthFreeze, fullFundAuthFields(), wantFundAuth()},
		{NotifyTypeFundAuthUnfreeze, unfreeze, wantUnfreeze},
		{NotifyTypeFundAuthOperationCancel, fullCancelFields(), wantCancel()},
	} {
		t.Run(tc.notifyType, func(t *testing.T) {
			form := gatewayNotification(t, sign.RSA2, tc.notifyType, tc.fields)
			n, v, err := c.DecodeNotification(postForm(form))
			if err != nil {
				t.Fatal(err)
			}
			checkCommon(t, n, tc.notifyType, form)
			if !reflect.DeepEqual(v, tc.want) {
				t.Errorf("typed:\n got %#v\nwant %#v", v, tc.want)
			}
			if v != nil && reflect.TypeOf(v) == reflect.TypeOf(tc.want) {
				checkEveryField(t, v, form)
			}
		})
	}
}

// zfb's own trade notification: only the fields trade_notify.go sets, a
// payment without refund (no out_biz_no, refund_fee, gmt_refund, gmt_close).
func TestDecodeNotificationPartialTrade(t *testing.T) {
	c := notifyClient(t)
	form := gatewayNotification(t, sign.RSA, NotifyTypeTradeStatusSync, tradeNotification())
	_, v, err := c.DecodeNotification(postForm(form))
	if err != nil {
		t.Fatal(err)
	}
	tn, ok := v.(*TradeNotification)
	if !ok {
		t.Fatalf("got %T", v)
	}
	want := &TradeNotification{
		TradeNo: "2024010222001400001234567890", OutTradeNo: "T1", TradeStatus: TradeStatusSuccess,
		TotalAmount: "88.88", ReceiptAmount: "88.88", Subject: "测试 a&b=c", GmtPayment: "2024-01-02 00:30:07",
		FundBillList: []FundBill{{FundChannel: "ALIPAYACCOUNT", Amount: "88.88"}},
	}
	if !reflect.DeepEqual(tn, want) {
		t.Errorf("got %#v\nwant %#v", tn, want)
	}
}

func TestDecodeNotificationUnknownType(t *testing.T) {
	c := notifyClient(t)
	for _, typ := range []string{"trade_status_sync_v2", "open_app_auth_notify", ""} {
		form := gatewayNotification(t, sign.RSA2, typ, map[string]string{"foo": "bar", "trade_no": "X"})
		n, v, err := c.DecodeNotification(postForm(form))
		if err != nil {
			t.Fatalf("%q: %v", typ, err)
		}
		if v != nil {
			t.Errorf("%q: typed value %#v, want nil", typ, v)
		}
		if n.NotifyType != typ || n.NotifyID != testNotifyID || n.Form.Get("foo") != "bar" {
			t.Errorf("%q: got %+v", typ, n)
		}
	}
}

func TestDecodeNotificationRejects(t *testing.T) {
	c := notifyClient(t)
	form := gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, fullTradeFields())

	tampered := cloneValues(form)
	tampered.Set("total_amount", "0.01")
	n, v, err := c.DecodeNotification(postForm(tampered))
	if !errors.Is(err, ErrSignature) || n != nil || v != nil {
		t.Errorf("tampered: %v, %v, %v", n, v, err)
	}

	unsigned := cloneValues(form)
	unsigned.Del("sign")
	if _, _, err := c.DecodeNotification(postForm(unsigned)); !errors.Is(err, ErrSignature) {
		t.Errorf("unsigned: %v", err)
	}

	fields := fullTradeFields()
	fields["app_id"] = "2021000000000999"
	if _, _, err := c.DecodeNotification(postForm(gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, fields))); err == nil {
		t.Error("another app's notification decoded")
	}
}

func TestDecodeNotifyFundBills(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []FundBill
	}{
		{`[{"amount":"460.00","fundChannel":"ALIPAYACCOUNT"}]`, []FundBill{{FundChannel: "ALIPAYACCOUNT", Amount: "460.00"}}},
		// The API answers' snake_case, and numbers, are read too.
		{`[{"amount":"1.00","fund_channel":"BANKCARD","real_amount":"1.00","bank_code":"CMB","fund_type":"DEBIT_CARD"}]`,
			[]FundBill{{FundChannel: "BANKCARD", Amount: "1.00", RealAmount: "1.00", BankCode: "CMB", FundType: "DEBIT_CARD"}}},
		{`[{"amount":460.00,"fundChannel":"POINT","realAmount":null}]`, []FundBill{{FundChannel: "POINT", Amount: "460.00"}}},
		{`[]`, []FundBill{}},
		{``, nil},
		// Not the array expected: nil, the notification still decodes.
		{`{"amount":"1.00"}`, nil},
		{`[{"amount":true}]`, nil},
		{`not json`, nil},
	} {
		if got := decodeNotifyFundBills(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.in, got, tc.want)
		}
	}

	c := notifyClient(t)
	fields := fullTradeFields()
	fields["fund_bill_list"] = `[{"amount":`
	form := gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, fields)
	n, v, err := c.DecodeNotification(postForm(form))
	if err != nil {
		t.Fatal(err)
	}
	if tn := v.(*TradeNotification); tn.FundBillList != nil || tn.TradeNo == "" || n.Form.Get("fund_bill_list") != `[{"amount":` {
		t.Errorf("malformed fund_bill_list: %#v", tn)
	}
}
