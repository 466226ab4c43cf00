package alipay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const notifyURL = "https://merchant.example/alipay/notify?shop=1&x=a%20b"

// checkSent asserts what the gateway received: the method, biz_content
// exactly, notify_url as a common param in the query (never in
// biz_content), and app_auth_token in the body.
func checkSent(t *testing.T, call gwCall, method, biz, notify, appAuthToken string) {
	t.Helper()
	if got := call.Query.Get("method"); got != method {
		t.Errorf("method %q, want %q", got, method)
	}
	if call.Biz != biz {
		t.Errorf("biz_content\n got %s\nwant %s", call.Biz, biz)
	}
	if !json.Valid([]byte(call.Biz)) {
		t.Errorf("biz_content is not JSON: %s", call.Biz)
	}
	for _, k := range []string{"notify_url", "app_auth_token", "NotifyURL", "AppAuthToken"} {
		if strings.Contains(call.Biz, k) {
			t.Errorf("biz_content holds %s: %s", k, call.Biz)
		}
	}
	if got, ok := call.Params["notify_url"]; ok != (notify != "") || got != notify {
		t.Errorf("notify_url param %q (sent: %v), want %q", got, ok, notify)
	}
	if notify != "" && call.Query.Get("notify_url") != notify {
		t.Errorf("notify_url not in the query: %v", call.Query)
	}
	if got, ok := call.Params["app_auth_token"]; ok != (appAuthToken != "") || got != appAuthToken {
		t.Errorf("app_auth_token param %q (sent: %v), want %q", got, ok, appAuthToken)
	}
	if appAuthToken != "" && call.Form.Get("app_auth_token") != appAuthToken {
		t.Errorf("app_auth_token not in the body: %v", call.Form)
	}
}

func equal(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestTradePay(t *testing.T) {
	const value = `{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","buyer_open_id":"074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5","buyer_pay_amount":"80.00","buyer_user_id":"2088102146225135","fund_bill_list":[{"amount":"80.00","fund_channel":"ALIPAYACCOUNT","real_amount":"80.00"},{"amount":"8.88","fund_channel":"POINT"}],"gmt_payment":"2024-01-02 00:30:07","invoice_amount":"80.00","out_trade_no":"T1","point_amount":"8.88","receipt_amount":"88.88","store_name":"Coffee Shop 1","total_amount":"88.88","trade_no":"2024010222001425131000123456"}`
	g := newFakeGateway(t, reply(value))
	r, err := g.client().TradePay(context.Background(), TradePay{
		NotifyURL:      notifyURL,
		OutTradeNo:     "T1",
		Scene:          "bar_code",
		AuthCode:       "28763443825664394",
		Subject:        "Coffee <large> & cake",
		TotalAmount:    "88.88",
		GoodsDetail:    []GoodsDetail{{GoodsID: "sku-1", GoodsName: "咖啡", Quantity: 2, Price: "44.44"}},
		TimeoutExpress: "5m",
		StoreID:        "S1",
		TerminalID:     "POS-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.pay",
		`{"out_trade_no":"T1","scene":"bar_code","auth_code":"28763443825664394","subject":"Coffee <large> & cake","total_amount":"88.88","goods_detail":[{"goods_id":"sku-1","goods_name":"咖啡","quantity":2,"price":"44.44"}],"timeout_express":"5m","store_id":"S1","terminal_id":"POS-1"}`,
		notifyURL, "")
	equal(t, *r, TradePayResponse{
		Response:       Response{Code: "10000", Msg: "Success"},
		TradeNo:        "2024010222001425131000123456",
		OutTradeNo:     "T1",
		BuyerLogonID:   "159****5620",
		BuyerUserID:    "2088102146225135",
		BuyerOpenID:    "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5",
		TotalAmount:    "88.88",
		ReceiptAmount:  "88.88",
		BuyerPayAmount: "80.00",
		PointAmount:    "8.88",
		InvoiceAmount:  "80.00",
		GmtPayment:     "2024-01-02 00:30:07",
		FundBillList: []FundBill{
			{FundChannel: "ALIPAYACCOUNT", Amount: "80.00", RealAmount: "80.00"},
			{FundChannel: "POINT", Amount: "8.88"},
		},
		StoreName: "Coffee Shop 1",
	})
	if r.InProgress() {
		t.Error("10000 reported in progress")
	}
}

func TestTradePayFundAuth(t *testing.T) {
	g := newFakeGateway(t, reply(`{"code":"10000","msg":"Success","out_trade_no":"T9","total_amount":"50.00","trade_no":"2024010222001425131000000009"}`))
	_, err := g.client().TradePay(context.Background(), TradePay{
		AppAuthToken:    "202401BB0123456789abcdef",
		OutTradeNo:      "T9",
		ProductCode:     "PREAUTH_PAY",
		Subject:         "rental",
		TotalAmount:     "50.00",
		AuthNo:          "2024010210002001000000000001",
		AuthConfirmMode: "COMPLETE",
		BuyerID:         "2088102146225135",
		SellerID:        "2088101117955611",
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.pay",
		`{"out_trade_no":"T9","product_code":"PREAUTH_PAY","subject":"rental","total_amount":"50.00","auth_no":"2024010210002001000000000001","auth_confirm_mode":"COMPLETE","buyer_id":"2088102146225135","seller_id":"2088101117955611"}`,
		"", "202401BB0123456789abcdef")
}

func TestTradePayInProgress(t *testing.T) {
	// The shape of a real 10003 answer (spec §3, §4.1): leading space in msg,
	// trade_no already there, amounts 0.00.
	const value = `{"code":"10003","msg":" order success pay inprocess","buyer_logon_id":"159****5620","buyer_pay_amount":"0.00","buyer_user_id":"2088102146225135","invoice_amount":"0.00","out_trade_no":"T2","point_amount":"0.00","receipt_amount":"0.00","total_amount":"10.00","trade_no":"2024010222001425131000123457"}`
	g := newFakeGateway(t, reply(value))
	r, err := g.client().TradePay(context.Background(), TradePay{OutTradeNo: "T2", Scene: "bar_code", AuthCode: "28763443825664395", Subject: "s", TotalAmount: "10.00"})
	if err != nil {
		t.Fatalf("10003 must not be an error: %v", err)
	}
	if !r.InProgress() {
		t.Error("InProgress false on 10003")
	}
	equal(t, *r, TradePayResponse{
		Response:     Response{Code: "10003", Msg: " order success pay inprocess"},
		TradeNo:      "2024010222001425131000123457",
		OutTradeNo:   "T2",
		BuyerLogonID: "159****5620", BuyerUserID: "2088102146225135",
		TotalAmount: "10.00", ReceiptAmount: "0.00", BuyerPayAmount: "0.00", PointAmount: "0.00", InvoiceAmount: "0.00",
	})
}

func TestTradePayErrors(t *testing.T) {
	for _, tc := range []struct {
		value, code, subCode string
		unknown              bool
	}{
		{`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_HAS_SUCCESS","sub_msg":"交易已被支付"}`, "40004", "ACQ.TRADE_HAS_SUCCESS", false},
		{`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.PAYMENT_AUTH_CODE_INVALID","sub_msg":"支付授权码无效"}`, "40004", "ACQ.PAYMENT_AUTH_CODE_INVALID", false},
		{`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误"}`, "40004", "ACQ.SYSTEM_ERROR", true},
		{`{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"服务暂不可用（业务系统不可用）"}`, "20000", "isp.unknow-error", true},
	} {
		g := newFakeGateway(t, reply(tc.value))
		r, err := g.client().TradePay(context.Background(), TradePay{OutTradeNo: "T3", Scene: "bar_code", AuthCode: "28763443825664396", Subject: "s", TotalAmount: "1.00"})
		// The typed response comes beside the error, holding what the
		// error answer holds.
		if r == nil || r.Code != tc.code || r.SubCode != tc.subCode {
			t.Errorf("%s: response %+v alongside the error", tc.subCode, r)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: want *Error, got %T %v", tc.subCode, err, err)
		}
		if e.Code != tc.code || e.SubCode != tc.subCode || e.Method != "alipay.trade.pay" || !IsCode(err, tc.subCode) {
			t.Errorf("got %+v", e)
		}
		if e.UnknownResult() != tc.unknown {
			t.Errorf("%s: UnknownResult %v", tc.subCode, !tc.unknown)
		}
	}
}

func TestTradePrecreate(t *testing.T) {
	// Real answers escape '/' in qr_code (spec §4.6); the sign covers the
	// bytes as emitted.
	const value = `{"code":"10000","msg":"Success","out_trade_no":"P1","qr_code":"https:\/\/qr.alipay.com\/bax03431ljhokirwl38f00a7"}`
	g := newFakeGateway(t, reply(value))
	r, err := g.client().TradePrecreate(context.Background(), TradePrecreate{
		NotifyURL:            notifyURL,
		AppAuthToken:         "202401BBtoken",
		OutTradeNo:           "P1",
		TotalAmount:          "0.01",
		Subject:              "扫码点餐",
		QRCodeTimeoutExpress: "15m",
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.precreate",
		`{"out_trade_no":"P1","total_amount":"0.01","subject":"扫码点餐","qr_code_timeout_express":"15m"}`,
		notifyURL, "202401BBtoken")
	equal(t, *r, TradePrecreateResponse{Response: Response{Code: "10000", Msg: "Success"},
		OutTradeNo: "P1", QRCode: "https://qr.alipay.com/bax03431ljhokirwl38f00a7"})
}

func TestTradeCreate(t *testing.T) {
	g := newFakeGateway(t, reply(`{"code":"10000","msg":"Success","out_trade_no":"C1","trade_no":"2024010222001425131000123458"}`))
	r, err := g.client().TradeCreate(context.Background(), TradeCreate{
		NotifyURL:   notifyURL,
		OutTradeNo:  "C1",
		TotalAmount: "12.30",
		Subject:     "mini-program order",
		BuyerID:     "2088102146225135",
		ProductCode: "JSAPI_PAY",
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.create",
		`{"out_trade_no":"C1","total_amount":"12.30","subject":"mini-program order","product_code":"JSAPI_PAY","buyer_id":"2088102146225135"}`,
		notifyURL, "")
	equal(t, *r, TradeCreateResponse{Response: Response{Code: "10000", Msg: "Success"},
		OutTradeNo: "C1", TradeNo: "2024010222001425131000123458"})
}

func TestTradeQuery(t *testing.T) {
	const value = `{"code":"10000","msg":"Success","body":"two coffees","buyer_logon_id":"159****5620","buyer_pay_amount":"88.88","buyer_user_id":"2088102146225135","buyer_user_type":"PRIVATE","fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"invoice_amount":"88.88","out_trade_no":"T1","point_amount":"0.00","receipt_amount":"88.88","send_pay_date":"2024-01-02 00:30:07","store_id":"S1","store_name":"Coffee Shop 1","subject":"Coffee","terminal_id":"POS-1","total_amount":"88.88","trade_no":"2024010222001425131000123456","trade_status":"TRADE_SUCCESS"}`
	g := newFakeGateway(t, reply(value))
	c := g.client()
	r, err := c.TradeQuery(context.Background(), TradeQuery{OutTradeNo: "T1", QueryOptions: []string{"fund_bill_list"}})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.query", `{"out_trade_no":"T1","query_options":["fund_bill_list"]}`, "", "")
	equal(t, *r, TradeQueryResponse{
		Response:    Response{Code: "10000", Msg: "Success"},
		TradeNo:     "2024010222001425131000123456",
		OutTradeNo:  "T1",
		TradeStatus: TradeStatusSuccess,
		TotalAmount: "88.88", ReceiptAmount: "88.88", BuyerPayAmount: "88.88", PointAmount: "0.00", InvoiceAmount: "88.88",
		SendPayDate:  "2024-01-02 00:30:07",
		BuyerLogonID: "159****5620", BuyerUserID: "2088102146225135", BuyerUserType: "PRIVATE",
		StoreID: "S1", StoreName: "Coffee Shop 1", TerminalID: "POS-1",
		FundBillList: []FundBill{{FundChannel: "ALIPAYACCOUNT", Amount: "88.88"}},
		Subject:      "Coffee", Body: "two coffees",
	})

	// Only what is set goes out; both keys when both are set.
	if _, err := c.TradeQuery(context.Background(), TradeQuery{TradeNo: "2024010222001425131000123456", OutTradeNo: "T1"}); err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.query", `{"trade_no":"2024010222001425131000123456","out_trade_no":"T1"}`, "", "")
}

func TestTradeQueryNotExist(t *testing.T) {
	g := newFakeGateway(t, reply(`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在","buyer_pay_amount":"0.00","invoice_amount":"0.00","out_trade_no":"P1","point_amount":"0.00","receipt_amount":"0.00"}`))
	r, err := g.client().TradeQuery(context.Background(), TradeQuery{OutTradeNo: "P1"})
	if !IsCode(err, "ACQ.TRADE_NOT_EXIST") || r == nil || r.OutTradeNo != "P1" || r.ReceiptAmount != "0.00" || r.SubCode != "ACQ.TRADE_NOT_EXIST" {
		t.Fatalf("got %+v, %v", r, err)
	}
}

func TestTradeCancel(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  TradeCancelResponse
		retry bool
	}{
		{ // the real success body of spec §4.3
			`{"code":"10000","msg":"Success","action":"close","out_trade_no":"T2","retry_flag":"N","trade_no":"2024010222001425131000123457"}`,
			TradeCancelResponse{Response: Response{Code: "10000", Msg: "Success"}, Action: CancelActionClose,
				OutTradeNo: "T2", RetryFlag: "N", TradeNo: "2024010222001425131000123457"},
			false,
		},
		{
			`{"code":"10000","msg":"Success","action":"refund","gmt_refund_pay":"2024-01-02 00:31:00","out_trade_no":"T2","retry_flag":"N","trade_no":"2024010222001425131000123457"}`,
			TradeCancelResponse{Response: Response{Code: "10000", Msg: "Success"}, Action: CancelActionRefund,
				GmtRefundPay: "2024-01-02 00:31:00", OutTradeNo: "T2", RetryFlag: "N", TradeNo: "2024010222001425131000123457"},
			false,
		},
		{ // never seen by Alipay: success, no action
			`{"code":"10000","msg":"Success","out_trade_no":"T404","retry_flag":"N"}`,
			TradeCancelResponse{Response: Response{Code: "10000", Msg: "Success"}, OutTradeNo: "T404", RetryFlag: "N"},
			false,
		},
		{
			`{"code":"10000","msg":"Success","out_trade_no":"T2","retry_flag":"Y","trade_no":"2024010222001425131000123457"}`,
			TradeCancelResponse{Response: Response{Code: "10000", Msg: "Success"}, OutTradeNo: "T2", RetryFlag: "Y",
				TradeNo: "2024010222001425131000123457"},
			true,
		},
	} {
		g := newFakeGateway(t, reply(tc.value))
		r, err := g.client().TradeCancel(context.Background(), TradeCancel{OutTradeNo: tc.want.OutTradeNo})
		if err != nil {
			t.Fatal(err)
		}
		checkSent(t, g.last(), "alipay.trade.cancel", `{"out_trade_no":"`+tc.want.OutTradeNo+`"}`, "", "")
		equal(t, *r, tc.want)
		if r.ShouldRetry() != tc.retry {
			t.Errorf("%s: ShouldRetry %v", tc.value, !tc.retry)
		}
	}

	if (&TradeCancelResponse{}).ShouldRetry() {
		t.Error("ShouldRetry without retry_flag")
	}

	g := newFakeGateway(t, reply(`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_CANCEL_TIME_OUT","sub_msg":"超过撤销时间范围"}`))
	if _, err := g.client().TradeCancel(context.Background(), TradeCancel{TradeNo: "2024010222001425131000123457"}); !IsCode(err, "ACQ.TRADE_CANCEL_TIME_OUT") {
		t.Fatalf("got %v", err)
	}
	checkSent(t, g.last(), "alipay.trade.cancel", `{"trade_no":"2024010222001425131000123457"}`, "", "")
}

func TestTradeClose(t *testing.T) {
	g := newFakeGateway(t, reply(`{"code":"10000","msg":"Success","out_trade_no":"C1","trade_no":"2024010222001425131000123458"}`))
	r, err := g.client().TradeClose(context.Background(), TradeClose{NotifyURL: notifyURL, OutTradeNo: "C1", OperatorID: "op-7"})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.close", `{"out_trade_no":"C1","operator_id":"op-7"}`, notifyURL, "")
	equal(t, *r, TradeCloseResponse{Response: Response{Code: "10000", Msg: "Success"},
		OutTradeNo: "C1", TradeNo: "2024010222001425131000123458"})

	g = newFakeGateway(t, reply(`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_STATUS_ERROR","sub_msg":"交易状态不合法"}`))
	if _, err := g.client().TradeClose(context.Background(), TradeClose{TradeNo: "2024010222001425131000123456"}); !IsCode(err, "ACQ.TRADE_STATUS_ERROR") {
		t.Fatalf("got %v", err)
	}
}

func TestTradeRefund(t *testing.T) {
	const first = `{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","buyer_user_id":"2088102146225135","fund_change":"Y","gmt_refund_pay":"2024-01-02 10:00:00","out_trade_no":"T1","refund_detail_item_list":[{"amount":"10.00","fund_channel":"ALIPAYACCOUNT","real_amount":"10.00"}],"refund_fee":"10.00","send_back_fee":"10.00","store_name":"Coffee Shop 1","trade_no":"2024010222001425131000123456"}`
	// A repeat of the same out_request_no: success, no money moved (spec §4.4).
	const repeat = `{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","buyer_user_id":"2088102146225135","fund_change":"N","gmt_refund_pay":"2024-01-02 10:00:00","out_trade_no":"T1","refund_fee":"10.00","trade_no":"2024010222001425131000123456"}`
	answers := []string{first, repeat}
	var mu sync.Mutex
	g := newFakeGateway(t, func(gwCall) answer {
		mu.Lock()
		defer mu.Unlock()
		v := answers[0]
		answers = answers[1:]
		return answer{value: v}
	})
	c := g.client()
	req := TradeRefund{
		NotifyURL:    notifyURL,
		OutTradeNo:   "T1",
		RefundAmount: "10.00",
		OutRequestNo: "R1",
		RefundReason: "退货 / return",
		QueryOptions: []string{"refund_detail_item_list"},
	}
	const biz = `{"out_trade_no":"T1","refund_amount":"10.00","out_request_no":"R1","refund_reason":"退货 / return","query_options":["refund_detail_item_list"]}`

	r, err := c.TradeRefund(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.refund", biz, notifyURL, "")
	equal(t, *r, TradeRefundResponse{
		Response:     Response{Code: "10000", Msg: "Success"},
		TradeNo:      "2024010222001425131000123456",
		OutTradeNo:   "T1",
		BuyerLogonID: "159****5620", BuyerUserID: "2088102146225135",
		FundChange: "Y", RefundFee: "10.00", GmtRefundPay: "2024-01-02 10:00:00",
		StoreName:            "Coffee Shop 1",
		RefundDetailItemList: []FundBill{{FundChannel: "ALIPAYACCOUNT", Amount: "10.00", RealAmount: "10.00"}},
		SendBackFee:          "10.00",
	})

	r, err = c.TradeRefund(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.refund", biz, notifyURL, "")
	if r.FundChange != "N" || r.RefundFee != "10.00" || r.Code != CodeSuccess {
		t.Errorf("repeat: got %+v", r)
	}
}

func TestTradeRefundBusinessError(t *testing.T) {
	// The SAMPLES body of spec §2.3: a failure still carrying business fields.
	g := newFakeGateway(t, reply(`{"code":"40004","msg":"Business Failed","sub_code":"ACQ.REFUND_AMT_NOT_EQUAL_TOTAL","sub_msg":"撤销或退款金额与订单金额不一致","out_trade_no":"T1","refund_fee":"0.00","send_back_fee":"0.00"}`))
	r, err := g.client().TradeRefund(context.Background(), TradeRefund{OutTradeNo: "T1", RefundAmount: "1.00"})
	var e *Error
	if !errors.As(err, &e) || e.SubCode != "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL" {
		t.Fatalf("got %+v, %v", r, err)
	}
	// The typed response beside the error carries the business fields.
	if r == nil || r.SubCode != e.SubCode || r.OutTradeNo != "T1" || r.RefundFee != "0.00" || r.SendBackFee != "0.00" {
		t.Fatalf("response beside the error: %+v", r)
	}
	checkSent(t, g.last(), "alipay.trade.refund", `{"out_trade_no":"T1","refund_amount":"1.00"}`, "", "")
	var body TradeRefundResponse
	if err := json.Unmarshal(e.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.RefundFee != "0.00" || body.SendBackFee != "0.00" || body.SubCode != e.SubCode {
		t.Errorf("Body decoded as %+v", body)
	}
}

func TestTradeFastpayRefundQuery(t *testing.T) {
	const value = `{"code":"10000","msg":"Success","gmt_refund_pay":"2024-01-02 10:00:00","out_request_no":"R1","out_trade_no":"T1","refund_amount":"10.00","refund_detail_item_list":[{"amount":"10.00","fund_channel":"ALIPAYACCOUNT"}],"refund_status":"REFUND_SUCCESS","total_amount":"88.88","trade_no":"2024010222001425131000123456"}`
	g := newFakeGateway(t, reply(value))
	r, err := g.client().TradeFastpayRefundQuery(context.Background(), TradeFastpayRefundQuery{
		AppAuthToken: "202401BBtoken",
		TradeNo:      "2024010222001425131000123456",
		OutRequestNo: "R1",
		QueryOptions: []string{"gmt_refund_pay", "refund_detail_item_list"},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.fastpay.refund.query",
		`{"trade_no":"2024010222001425131000123456","out_request_no":"R1","query_options":["gmt_refund_pay","refund_detail_item_list"]}`,
		"", "202401BBtoken")
	equal(t, *r, TradeFastpayRefundQueryResponse{
		Response:     Response{Code: "10000", Msg: "Success"},
		TradeNo:      "2024010222001425131000123456",
		OutTradeNo:   "T1",
		OutRequestNo: "R1",
		TotalAmount:  "88.88", RefundAmount: "10.00",
		RefundStatus:         RefundStatusSuccess,
		GmtRefundPay:         "2024-01-02 10:00:00",
		RefundDetailItemList: []FundBill{{FundChannel: "ALIPAYACCOUNT", Amount: "10.00"}},
	})

	// No such refund: a bare success, without refund_status.
	g = newFakeGateway(t, reply(`{"code":"10000","msg":"Success"}`))
	r, err = g.client().TradeFastpayRefundQuery(context.Background(), TradeFastpayRefundQuery{OutTradeNo: "T1", OutRequestNo: "R404"})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.fastpay.refund.query", `{"out_trade_no":"T1","out_request_no":"R404"}`, "", "")
	if r.RefundStatus != "" || r.Code != CodeSuccess {
		t.Errorf("got %+v", r)
	}
}

func TestTradeAmountAsNumber(t *testing.T) {
	// Alipay sends strings; a number is taken as its literal text.
	g := newFakeGateway(t, reply(`{"code":"10000","msg":"Success","fund_change":"Y","out_trade_no":"T1","refund_detail_item_list":[{"amount":200.12,"fund_channel":"ALIPAYACCOUNT","real_amount":200.10}],"refund_fee":200.12,"trade_no":"2024010222001425131000123456"}`))
	r, err := g.client().TradeRefund(context.Background(), TradeRefund{OutTradeNo: "T1", RefundAmount: "200.12"})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, *r, TradeRefundResponse{
		Response:   Response{Code: "10000", Msg: "Success"},
		TradeNo:    "2024010222001425131000123456",
		OutTradeNo: "T1", FundChange: "Y", RefundFee: "200.12",
		RefundDetailItemList: []FundBill{{FundChannel: "ALIPAYACCOUNT", Amount: "200.12", RealAmount: "200.10"}},
	})

	// Anything else of the wrong type is still an error, and nothing is
	// returned.
	for _, v := range []string{
		`{"code":"10000","msg":"Success","fund_bill_list":"oops"}`,
		`{"code":"10000","msg":"Success","total_amount":1.00,"fund_bill_list":{"a":1}}`,
		`{"code":"10000","msg":"Success","total_amount":true}`,
	} {
		g := newFakeGateway(t, reply(v))
		r, err := g.client().TradeQuery(context.Background(), TradeQuery{OutTradeNo: "T1"})
		if err == nil || r != nil || !strings.Contains(err.Error(), "alipay.trade.query: decoding response") {
			t.Errorf("%s: got %+v, %v", v, r, err)
		}
	}
}

func TestTradeNoFieldsSent(t *testing.T) {
	// A zero request sends biz_content {} (every field is omitempty) and no
	// notify_url or app_auth_token.
	g := newFakeGateway(t, reply(`{"code":"10000","msg":"Success"}`))
	if _, err := g.client().TradeQuery(context.Background(), TradeQuery{}); err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.query", `{}`, "", "")
}

// Every response field decodes from its wire name: decode a body holding
// every key, check that no field stayed empty, and that encoding the result
// gives the body back (so no key was dropped).
func TestTradeResponsesDecodeEveryField(t *testing.T) {
	const fund = `{"fund_channel":"BANKCARD","bank_code":"CMB","amount":"1.00","real_amount":"0.99","fund_type":"DEBIT_CARD"}`
	const voucher = `{"id":"v1","name":"5 off","type":"ALIPAY_FIX_VOUCHER","amount":"5.00","merchant_contribute":"2.00","other_contribute":"3.00","memo":"m"}`
	ctx := context.Background()
	for _, tc := range []struct {
		method string
		value  string
		do     func(*Client) (any, error)
	}{
		{"alipay.trade.pay",
			`{"code":"10000","msg":"Success","trade_no":"a1","out_trade_no":"a2","buyer_logon_id":"a3","buyer_user_id":"a4","buyer_open_id":"a5","total_amount":"1.01","receipt_amount":"1.02","buyer_pay_amount":"1.03","point_amount":"1.04","invoice_amount":"1.05","gmt_payment":"2024-01-02 00:00:01","fund_bill_list":[` + fund + `],"voucher_detail_list":[` + voucher + `],"store_name":"a6","card_balance":"1.06","discount_goods_detail":"[]","discount_amount":"1.07","mdiscount_amount":"1.08","trans_currency":"CNY","settle_currency":"USD","settle_amount":"1.09","pay_currency":"CNY","pay_amount":"1.10","settle_trans_rate":"7.1","trans_pay_rate":"1","auth_trade_pay_mode":"CREDIT_PREAUTH_PAY","pre_auth_pay_amount":"1.11","async_pay_apply_status":"S","charge_amount":"0.01","charge_flags":"bluesea_1","settlement_id":"a7","business_params":"{}"}`,
			func(c *Client) (any, error) { return c.TradePay(ctx, TradePay{}) }},
		{"alipay.trade.precreate",
			`{"code":"10000","msg":"Success","out_trade_no":"b1","qr_code":"https://qr.alipay.com/b2","share_code":"b3","prepay_id":"b4"}`,
			func(c *Client) (any, error) { return c.TradePrecreate(ctx, TradePrecreate{}) }},
		{"alipay.trade.create",
			`{"code":"10000","msg":"Success","out_trade_no":"c1","trade_no":"c2"}`,
			func(c *Client) (any, error) { return c.TradeCreate(ctx, TradeCreate{}) }},
		{"alipay.trade.query",
			`{"code":"10000","msg":"Success","trade_no":"d1","out_trade_no":"d2","trade_status":"TRADE_FINISHED","total_amount":"2.01","receipt_amount":"2.02","buyer_pay_amount":"2.03","point_amount":"2.04","invoice_amount":"2.05","send_pay_date":"2024-01-02 00:00:02","buyer_logon_id":"d3","buyer_user_id":"d4","buyer_open_id":"d5","buyer_user_type":"CORPORATE","store_id":"d6","store_name":"d7","terminal_id":"d8","alipay_store_id":"d9","fund_bill_list":[` + fund + `],"voucher_detail_list":[` + voucher + `],"subject":"d10","body":"d11","passback_params":"d12","trans_currency":"CNY","settle_currency":"USD","settle_amount":"2.06","pay_currency":"CNY","pay_amount":"2.07","settle_trans_rate":"7.1","trans_pay_rate":"1","discount_amount":"2.08","mdiscount_amount":"2.09","auth_trade_pay_mode":"CREDIT_PREAUTH_PAY","additional_status":"d13","ext_infos":"{}","charge_amount":"0.02","charge_flags":"d14","settlement_id":"d15"}`,
			func(c *Client) (any, error) { return c.TradeQuery(ctx, TradeQuery{}) }},
		{"alipay.trade.cancel",
			`{"code":"10000","msg":"Success","trade_no":"e1","out_trade_no":"e2","retry_flag":"N","action":"refund","gmt_refund_pay":"2024-01-02 00:00:03","refund_settlement_id":"e3"}`,
			func(c *Client) (any, error) { return c.TradeCancel(ctx, TradeCancel{}) }},
		{"alipay.trade.close",
			`{"code":"10000","msg":"Success","trade_no":"f1","out_trade_no":"f2"}`,
			func(c *Client) (any, error) { return c.TradeClose(ctx, TradeClose{}) }},
		{"alipay.trade.refund",
			`{"code":"10000","msg":"Success","trade_no":"g1","out_trade_no":"g2","buyer_logon_id":"g3","buyer_user_id":"g4","buyer_open_id":"g5","fund_change":"Y","refund_fee":"3.01","gmt_refund_pay":"2024-01-02 00:00:04","store_name":"g6","refund_detail_item_list":[` + fund + `],"send_back_fee":"3.02","refund_currency":"CNY","refund_hyb_amount":"3.03","refund_charge_amount":"3.04","refund_settlement_id":"g7"}`,
			func(c *Client) (any, error) { return c.TradeRefund(ctx, TradeRefund{}) }},
		{"alipay.trade.fastpay.refund.query",
			`{"code":"10000","msg":"Success","trade_no":"h1","out_trade_no":"h2","out_request_no":"h3","total_amount":"4.01","refund_amount":"4.02","refund_status":"REFUND_SUCCESS","refund_reason":"h4","gmt_refund_pay":"2024-01-02 00:00:05","refund_detail_item_list":[` + fund + `],"send_back_fee":"4.03","refund_hyb_amount":"4.04","refund_charge_amount":"4.05","refund_settlement_id":"h5"}`,
			func(c *Client) (any, error) { return c.TradeFastpayRefundQuery(ctx, TradeFastpayRefundQuery{}) }},
	} {
		t.Run(tc.method, func(t *testing.T) {
			g := newFakeGateway(t, reply(tc.value))
			r, err := tc.do(g.client())
			if err != nil {
				t.Fatal(err)
			}
			if got := g.last().Query.Get("method"); got != tc.method {
				t.Errorf("method %q", got)
			}
			var empty []string
			emptyFields(reflect.ValueOf(r).Elem(), reflect.TypeOf(r).Elem().Name(), &empty)
			if len(empty) > 0 {
				t.Errorf("not decoded: %v", empty)
			}
			again, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var want, got map[string]any
			if err := json.Unmarshal([]byte(tc.value), &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(again, &got); err != nil {
				t.Fatal(err)
			}
			equal(t, got, want)
		})
	}
}

// emptyFields lists the zero fields of v, a response struct, leaving out
// the embedded Response (sub_code and sub_msg are empty on success).
func emptyFields(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Anonymous && f.Type == reflect.TypeFor[Response]() {
				continue
			}
			emptyFields(v.Field(i), path+"."+f.Name, out)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			*out = append(*out, path)
		}
		for i := range v.Len() {
			emptyFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		if v.IsZero() {
			*out = append(*out, path)
		}
	}
}

func TestTradeConcurrent(t *testing.T) {
	g := newFakeGateway(t, func(call gwCall) answer {
		var q TradeQuery
		if err := json.Unmarshal([]byte(call.Biz), &q); err != nil {
			t.Errorf("biz_content: %v", err)
		}
		return answer{value: `{"code":"10000","msg":"Success","out_trade_no":"` + q.OutTradeNo + `","trade_status":"WAIT_BUYER_PAY"}`}
	})
	c := g.client()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			no := fmt.Sprintf("T%d", i)
			r, err := c.TradeQuery(context.Background(), TradeQuery{OutTradeNo: no})
			if err != nil {
				t.Error(err)
				return
			}
			if r.OutTradeNo != no || r.TradeStatus != TradeStatusWaitBuyerPay {
				t.Errorf("%s: got %+v", no, r)
			}
		})
	}
	wg.Wait()
}
