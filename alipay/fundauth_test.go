package alipay

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

const (
	testAuthNo      = "2024010210002001000000000001"
	testOperationID = "20240102000000000000000001"
)

// Each call sends its method and biz_content (every field under its wire
// name, in order), notify_url as a common param where the API takes one, and
// decodes the signed answer into its response struct.
func TestFundAuthCalls(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name         string
		method       string
		do           func(*Client) (any, error)
		biz          string
		notify, auth string
		value        string
		want         any
	}{
		{
			name:   "freeze",
			method: "alipay.fund.auth.order.freeze",
			do: func(c *Client) (any, error) {
				return c.FundAuthOrderFreeze(ctx, FundAuthOrderFreeze{
					NotifyURL:          notifyURL,
					AuthCode:           "28763443825664394",
					AuthCodeType:       AuthCodeTypeBarCode,
					OutOrderNo:         "O1",
					OutRequestNo:       "O1-F",
					OrderTitle:         "押金 <bike> & lock",
					Amount:             "200.00",
					ProductCode:        ProductCodePreAuth,
					PayeeUserID:        "2088101117955611",
					PayeeLogonID:       "shop@example.com",
					PayTimeout:         "2h",
					TimeoutExpress:     "90m",
					ExtraParam:         `{"category":"RENT_PHONE","serviceId":"2020042800000000000001450466"}`,
					EnablePayChannels:  `[{"payChannelType":"PCREDIT_PAY"}]`,
					DisablePayChannels: `[{"payChannelType":"OPTIMIZED_MOTO"}]`,
					IdentityParams:     `{"identity_hash":"acc2b92f","alipay_user_id":"2088102146225135"}`,
					SceneCode:          "HOTEL",
					TransCurrency:      "CNY",
					SettleCurrency:     "CNY",
					TerminalParams:     `{"terminalType":"IOT"}`,
					BusinessParams:     `{"outRiskInfo":"x"}`,
					DepositProductMode: "POSTPAY",
					PostPayments:       []PostPayment{{Name: "rent", Amount: "10.00", Description: "per day"}},
				})
			},
			biz:    `{"auth_code":"28763443825664394","auth_code_type":"bar_code","out_order_no":"O1","out_request_no":"O1-F","order_title":"押金 <bike> & lock","amount":"200.00","product_code":"PRE_AUTH","payee_user_id":"2088101117955611","payee_logon_id":"shop@example.com","pay_timeout":"2h","timeout_express":"90m","extra_param":"{\"category\":\"RENT_PHONE\",\"serviceId\":\"2020042800000000000001450466\"}","enable_pay_channels":"[{\"payChannelType\":\"PCREDIT_PAY\"}]","disable_pay_channels":"[{\"payChannelType\":\"OPTIMIZED_MOTO\"}]","identity_params":"{\"identity_hash\":\"acc2b92f\",\"alipay_user_id\":\"2088102146225135\"}","scene_code":"HOTEL","trans_currency":"CNY","settle_currency":"CNY","terminal_params":"{\"terminalType\":\"IOT\"}","business_params":"{\"outRiskInfo\":\"x\"}","deposit_product_mode":"POSTPAY","post_payments":[{"name":"rent","amount":"10.00","description":"per day"}]}`,
			notify: notifyURL,
			value:  `{"code":"10000","msg":"Success","amount":"200.00","auth_no":"` + testAuthNo + `","fund_amount":"200.00","gmt_trans":"2024-01-02 10:00:00","operation_id":"` + testOperationID + `","out_order_no":"O1","out_request_no":"O1-F","payer_logon_id":"159****5620","payer_user_id":"2088102146225135","status":"SUCCESS"}`,
			want: &FundAuthOrderFreezeResponse{
				Response:     Response{Code: "10000", Msg: "Success"},
				AuthNo:       testAuthNo,
				OutOrderNo:   "O1",
				OperationID:  testOperationID,
				OutRequestNo: "O1-F",
				Amount:       "200.00", FundAmount: "200.00",
				GmtTrans:     "2024-01-02 10:00:00",
				Status:       AuthOperationStatusSuccess,
				PayerLogonID: "159****5620", PayerUserID: "2088102146225135",
			},
		},
		{
			name:   "voucher create",
			method: "alipay.fund.auth.order.voucher.create",
			do: func(c *Client) (any, error) {
				return c.FundAuthOrderVoucherCreate(ctx, FundAuthOrderVoucherCreate{
					NotifyURL:    notifyURL,
					AppAuthToken: "202401BBtoken",
					OutOrderNo:   "O2",
					OutRequestNo: "O2",
					OrderTitle:   "充电宝押金",
					Amount:       "99.00",
					ProductCode:  ProductCodePreAuth,
					PayTimeout:   "15m",
				})
			},
			biz:    `{"out_order_no":"O2","out_request_no":"O2","order_title":"充电宝押金","amount":"99.00","product_code":"PRE_AUTH","pay_timeout":"15m"}`,
			notify: notifyURL,
			auth:   "202401BBtoken",
			// Alipay escapes '/' in URLs; the signature covers the escaped bytes.
			value: `{"code":"10000","msg":"Success","code_type":"qrCode","code_url":"https:\/\/mobilecodec.alipay.com\/show.htm?code=aeparsv2dknkqf3018556a","code_value":"https:\/\/qr.alipay.com\/aeparsv2dknkqf3018556a","out_order_no":"O2","out_request_no":"O2"}`,
			want: &FundAuthOrderVoucherCreateResponse{
				Response:     Response{Code: "10000", Msg: "Success"},
				OutOrderNo:   "O2",
				OutRequestNo: "O2",
				CodeType:     "qrCode",
				CodeValue:    "https://qr.alipay.com/aeparsv2dknkqf3018556a",
				CodeURL:      "https://mobilecodec.alipay.com/show.htm?code=aeparsv2dknkqf3018556a",
			},
		},
		{
			name:   "unfreeze",
			method: "alipay.fund.auth.order.unfreeze",
			do: func(c *Client) (any, error) {
				return c.FundAuthOrderUnfreeze(ctx, FundAuthOrderUnfreeze{
					NotifyURL:    notifyURL,
					AuthNo:       testAuthNo,
					OutRequestNo: "O1-U1",
					Amount:       "187.50",
					Remark:       "2024-01 解冻 187.50 元",
					ExtraParam:   `{"unfreezeBizInfo":"{\"bizComplete\":\"true\"}"}`,
				})
			},
			biz:    `{"auth_no":"` + testAuthNo + `","out_request_no":"O1-U1","amount":"187.50","remark":"2024-01 解冻 187.50 元","extra_param":"{\"unfreezeBizInfo\":\"{\\\"bizComplete\\\":\\\"true\\\"}\"}"}`,
			notify: notifyURL,
			value:  `{"code":"10000","msg":"Success","amount":"187.50","auth_no":"` + testAuthNo + `","fund_amount":"187.50","gmt_trans":"2024-01-02 12:00:00","operation_id":"20240102000000000000000003","out_order_no":"O1","out_request_no":"O1-U1","status":"SUCCESS"}`,
			want: &FundAuthOrderUnfreezeResponse{
				Response:     Response{Code: "10000", Msg: "Success"},
				AuthNo:       testAuthNo,
				OutOrderNo:   "O1",
				OperationID:  "20240102000000000000000003",
				OutRequestNo: "O1-U1",
				Amount:       "187.50", FundAmount: "187.50",
				GmtTrans: "2024-01-02 12:00:00",
				Status:   AuthOperationStatusSuccess,
			},
		},
		{
			// The request and response samples of seed 000.
			name:   "operation cancel",
			method: "alipay.fund.auth.operation.cancel",
			do: func(c *Client) (any, error) {
				return c.FundAuthOperationCancel(ctx, FundAuthOperationCancel{
					NotifyURL:    notifyURL,
					AuthNo:       "2014070800002001550000014417",
					OutOrderNo:   "4977164666634053",
					OperationID:  "20161012405744018102",
					OutRequestNo: "2016100810000003551",
					Remark:       "Cancel the authorization.",
				})
			},
			biz:    `{"auth_no":"2014070800002001550000014417","out_order_no":"4977164666634053","operation_id":"20161012405744018102","out_request_no":"2016100810000003551","remark":"Cancel the authorization."}`,
			notify: notifyURL,
			value:  `{"code":"10000","msg":"Success","auth_no":"2016101210002001810258115912","out_order_no":"4977164666634053","operation_id":"20161012405744018102","out_request_no":"234555553333444334","action":"close"}`,
			want: &FundAuthOperationCancelResponse{
				Response:     Response{Code: "10000", Msg: "Success"},
				AuthNo:       "2016101210002001810258115912",
				OutOrderNo:   "4977164666634053",
				OperationID:  "20161012405744018102",
				OutRequestNo: "234555553333444334",
				Action:       AuthCancelActionClose,
			},
		},
		{
			name:   "operation cancel unfreeze, by merchant numbers",
			method: "alipay.fund.auth.operation.cancel",
			do: func(c *Client) (any, error) {
				return c.FundAuthOperationCancel(ctx, FundAuthOperationCancel{OutOrderNo: "O1", OutRequestNo: "O1-F", Remark: "timeout"})
			},
			biz:   `{"out_order_no":"O1","out_request_no":"O1-F","remark":"timeout"}`,
			value: `{"code":"10000","msg":"Success","action":"unfreeze","auth_no":"` + testAuthNo + `","operation_id":"` + testOperationID + `","out_order_no":"O1","out_request_no":"O1-F"}`,
			want: &FundAuthOperationCancelResponse{
				Response: Response{Code: "10000", Msg: "Success"},
				AuthNo:   testAuthNo, OutOrderNo: "O1", OperationID: testOperationID, OutRequestNo: "O1-F",
				Action: AuthCancelActionUnfreeze,
			},
		},
		{
			name:   "operation detail query",
			method: "alipay.fund.auth.operation.detail.query",
			do: func(c *Client) (any, error) {
				return c.FundAuthOperationDetailQuery(ctx, FundAuthOperationDetailQuery{
					AppAuthToken:  "202401BBtoken",
					OutOrderNo:    "O1",
					OutRequestNo:  "T1",
					OperationType: AuthOperationPay,
					QueryOptions:  []string{"credit_risk_info"},
				})
			},
			biz:   `{"out_order_no":"O1","out_request_no":"T1","operation_type":"PAY","query_options":["credit_risk_info"]}`,
			auth:  "202401BBtoken",
			value: `{"code":"10000","msg":"Success","amount":"12.50","auth_no":"` + testAuthNo + `","gmt_create":"2024-01-02 11:00:00","gmt_trans":"2024-01-02 11:00:01","operation_id":"20240102000000000000000002","operation_type":"PAY","order_status":"FINISH","order_title":"押金","out_order_no":"O1","out_request_no":"T1","payer_logon_id":"159****5620","payer_user_id":"2088102146225135","rest_amount":"0.00","status":"SUCCESS","total_freeze_amount":"200.00","total_pay_amount":"12.50","total_unfreeze_amount":"187.50","trans_currency":"CNY"}`,
			want: &FundAuthOperationDetailQueryResponse{
				Response:          Response{Code: "10000", Msg: "Success"},
				AuthNo:            testAuthNo,
				OutOrderNo:        "O1",
				OrderStatus:       AuthOrderStatusFinish,
				TotalFreezeAmount: "200.00", TotalUnfreezeAmount: "187.50", TotalPayAmount: "12.50", RestAmount: "0.00",
				OrderTitle:   "押金",
				PayerLogonID: "159****5620", PayerUserID: "2088102146225135",
				OperationID:   "20240102000000000000000002",
				OutRequestNo:  "T1",
				Amount:        "12.50",
				OperationType: AuthOperationPay,
				Status:        AuthOperationStatusSuccess,
				GmtCreate:     "2024-01-02 11:00:00", GmtTrans: "2024-01-02 11:00:01",
				TransCurrency: "CNY",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newFakeGateway(t, reply(tc.value))
			r, err := tc.do(g.client())
			if err != nil {
				t.Fatal(err)
			}
			checkSent(t, g.last(), tc.method, tc.biz, tc.notify, tc.auth)
			equal(t, r, tc.want)
		})
	}
}

// Seed 002's response sample, verbatim: amounts come as JSON numbers
// (4800.00) and are decoded as their literal text ("4800.00").
func TestFundAuthOperationDetailQuerySeed(t *testing.T) {
	const value = `{
"code":"10000",
"msg":"Success", "auth_no":"2014031600002001260000001000", "out_order_no":"20140216001",
"total_freeze_amount":4800.00,
"rest_amount":4600.00,
"total_pay_amount":0.00,
"order_title":"0 yuan to buy golden iphone",
"payer_logon_id":"ali*@alipay.com", "payer_user_id":"2088402019148643", "extra_param":"{\"merchantExt\":\"key1=value1,key2=value2\"}", "operation_id":"20140216355864862002", "out_request_no":"20140216001001",
"amount":200.00,
"operation_type":"UNFREEZE",
"status":"SUCCESS",
"remark":"2014-05 unfreeze 200.00元",
"gmt_create":"2014-01-01 20:00:00",
"gmt_trans":"2014-01-01 20:00:00"
}`
	g := newFakeGateway(t, reply(value))
	r, err := g.client().FundAuthOperationDetailQuery(context.Background(), FundAuthOperationDetailQuery{
		AuthNo:       "2014021601002000640012345678",
		OutOrderNo:   "8077735255938023",
		OperationID:  "20140216010020006400",
		OutRequestNo: "20140216001001",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The request sample of seed 002.
	checkSent(t, g.last(), "alipay.fund.auth.operation.detail.query",
		`{"auth_no":"2014021601002000640012345678","out_order_no":"8077735255938023","operation_id":"20140216010020006400","out_request_no":"20140216001001"}`,
		"", "")
	equal(t, *r, FundAuthOperationDetailQueryResponse{
		Response:          Response{Code: "10000", Msg: "Success"},
		AuthNo:            "2014031600002001260000001000",
		OutOrderNo:        "20140216001",
		TotalFreezeAmount: "4800.00",
		RestAmount:        "4600.00",
		TotalPayAmount:    "0.00",
		OrderTitle:        "0 yuan to buy golden iphone",
		PayerLogonID:      "ali*@alipay.com",
		PayerUserID:       "2088402019148643",
		ExtraParam:        `{"merchantExt":"key1=value1,key2=value2"}`,
		OperationID:       "20140216355864862002",
		OutRequestNo:      "20140216001001",
		Amount:            "200.00",
		OperationType:     AuthOperationUnfreeze,
		Status:            AuthOperationStatusSuccess,
		Remark:            "2014-05 unfreeze 200.00元",
		GmtCreate:         "2014-01-01 20:00:00",
		GmtTrans:          "2014-01-01 20:00:00",
	})
}

// An amount sent as a JSON number is taken as its literal text, whatever
// its form, in every fund-auth response.
func TestFundAuthAmountsAsNumbers(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		value string
		do    func(*Client) (any, error)
		want  any
	}{
		{`{"code":"10000","msg":"Success","amount":4800.00,"credit_amount":0,"fund_amount":4800.00,"status":"SUCCESS"}`,
			func(c *Client) (any, error) { return c.FundAuthOrderFreeze(ctx, FundAuthOrderFreeze{}) },
			&FundAuthOrderFreezeResponse{Response: Response{Code: "10000", Msg: "Success"},
				Amount: "4800.00", CreditAmount: "0", FundAmount: "4800.00", Status: AuthOperationStatusSuccess}},
		{`{"code":"10000","msg":"Success","amount":0.01,"fund_amount":1E2,"status":"SUCCESS"}`,
			func(c *Client) (any, error) { return c.FundAuthOrderUnfreeze(ctx, FundAuthOrderUnfreeze{}) },
			&FundAuthOrderUnfreezeResponse{Response: Response{Code: "10000", Msg: "Success"},
				Amount: "0.01", FundAmount: "1E2", Status: AuthOperationStatusSuccess}},
		{`{"code":"10000","msg":"Success","amount":200.1,"rest_amount":100000000.00,"rest_fund_amount":"1.00","total_pay_amount":0.00,"credit_risk_info":{"can_retry":true,"code":"OK","data":"{}"}}`,
			func(c *Client) (any, error) {
				return c.FundAuthOperationDetailQuery(ctx, FundAuthOperationDetailQuery{})
			},
			&FundAuthOperationDetailQueryResponse{Response: Response{Code: "10000", Msg: "Success"},
				Amount: "200.1", RestAmount: "100000000.00", RestFundAmount: "1.00", TotalPayAmount: "0.00",
				CreditRiskInfo: &CreditRiskInfo{CanRetry: true, Code: "OK", Data: "{}"}}},
	} {
		g := newFakeGateway(t, reply(tc.value))
		r, err := tc.do(g.client())
		if err != nil {
			t.Fatalf("%s: %v", tc.value, err)
		}
		equal(t, r, tc.want)
	}
}

// A business failure is an *Error with the sub_code as sent (no "ACQ."
// prefix), the method, and no response; SYSTEM_ERROR and 20000 are unknown
// results.
func TestFundAuthErrors(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(*Client) (any, error){
		"alipay.fund.auth.order.freeze": func(c *Client) (any, error) {
			return c.FundAuthOrderFreeze(ctx, FundAuthOrderFreeze{OutOrderNo: "O1"})
		},
		"alipay.fund.auth.order.voucher.create": func(c *Client) (any, error) {
			return c.FundAuthOrderVoucherCreate(ctx, FundAuthOrderVoucherCreate{OutOrderNo: "O1"})
		},
		"alipay.fund.auth.order.unfreeze": func(c *Client) (any, error) {
			return c.FundAuthOrderUnfreeze(ctx, FundAuthOrderUnfreeze{AuthNo: testAuthNo})
		},
		"alipay.fund.auth.operation.cancel": func(c *Client) (any, error) {
			return c.FundAuthOperationCancel(ctx, FundAuthOperationCancel{AuthNo: testAuthNo})
		},
		"alipay.fund.auth.operation.detail.query": func(c *Client) (any, error) {
			return c.FundAuthOperationDetailQuery(ctx, FundAuthOperationDetailQuery{AuthNo: testAuthNo})
		},
	}
	for _, tc := range []struct {
		method, value, code, subCode string
		unknown                      bool
	}{
		{"alipay.fund.auth.order.freeze", `{"code":"40004","msg":"Business Failed","sub_code":"FREEZE_ALREADY_SUCCESS","sub_msg":"冻结已成功"}`, "40004", "FREEZE_ALREADY_SUCCESS", false},
		{"alipay.fund.auth.order.freeze", `{"code":"40004","msg":"Business Failed","sub_code":"PAYMENT_AUTH_CODE_INVALID","sub_msg":"支付授权码无效"}`, "40004", "PAYMENT_AUTH_CODE_INVALID", false},
		{"alipay.fund.auth.order.freeze", `{"code":"40004","msg":"Business Failed","sub_code":"SYSTEM_ERROR","sub_msg":"系统错误"}`, "40004", "SYSTEM_ERROR", true},
		{"alipay.fund.auth.order.voucher.create", `{"code":"40004","msg":"Business Failed","sub_code":"UNIQUE_VIOLATION","sub_msg":"重复请求"}`, "40004", "UNIQUE_VIOLATION", false},
		{"alipay.fund.auth.order.unfreeze", `{"code":"40004","msg":"Business Failed","sub_code":"AUTH_ORDER_NOT_EXIST","sub_msg":"支付宝资金授权订单不存在"}`, "40004", "AUTH_ORDER_NOT_EXIST", false},
		{"alipay.fund.auth.order.unfreeze", `{"code":"40004","msg":"Business Failed","sub_code":"REQUEST_AMOUNT_EXCEED","sub_msg":"请求金额超过可操作金额"}`, "40004", "REQUEST_AMOUNT_EXCEED", false},
		{"alipay.fund.auth.operation.cancel", `{"code":"40004","msg":"Business Failed","sub_code":"CANCEL_OPERATION_TIME_OUT","sub_msg":"撤销操作超时"}`, "40004", "CANCEL_OPERATION_TIME_OUT", false},
		// The abnormal sample of seed 000.
		{"alipay.fund.auth.operation.cancel", `{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"system is busy"}`, "20000", "isp.unknow-error", true},
		{"alipay.fund.auth.operation.detail.query", `{"code":"40004","msg":"Business Failed","sub_code":"AUTH_ORDER_NOT_EXIST","sub_msg":"支付宝资金授权订单不存在"}`, "40004", "AUTH_ORDER_NOT_EXIST", false},
		{"alipay.fund.auth.operation.detail.query", `{"code":"40004","msg":"Business Failed","sub_code":"AUTH_OPERATION_NOT_EXIST","sub_msg":"支付宝资金操作流水不存在"}`, "40004", "AUTH_OPERATION_NOT_EXIST", false},
	} {
		t.Run(tc.method+"/"+tc.subCode, func(t *testing.T) {
			g := newFakeGateway(t, reply(tc.value))
			r, err := calls[tc.method](g.client())
			// The typed response comes beside the error, with its code.
			if v := reflect.ValueOf(r); v.IsNil() || v.Elem().FieldByName("Response").Interface().(Response).SubCode != tc.subCode {
				t.Errorf("response %+v alongside the error", r)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if e.Code != tc.code || e.SubCode != tc.subCode || e.Method != tc.method || !IsCode(err, tc.subCode) || !IsCode(err, tc.code) {
				t.Errorf("got %+v", e)
			}
			if IsCode(err, "ACQ."+tc.subCode) {
				t.Error("IsCode matched an ACQ. prefix that was not sent")
			}
			if e.UnknownResult() != tc.unknown {
				t.Errorf("UnknownResult %v", !tc.unknown)
			}
		})
	}
}

// Fund-auth sub_codes have no "ACQ." prefix: their SYSTEM_ERROR is as
// unknown a result as ACQ.SYSTEM_ERROR.
func TestUnknownResultPlainSystemError(t *testing.T) {
	for _, tc := range []struct {
		code, sub string
		want      bool
	}{
		{"40004", "SYSTEM_ERROR", true},
		{"40004", "ACQ.SYSTEM_ERROR", true},
		{"40004", "AUTH_ORDER_NOT_EXIST", false},
		{"40004", "ORDER_ALREADY_CLOSED", false},
		{"40004", "system_error", false},
		{"40004", "SYSTEM_ERROR_X", false},
	} {
		e := &Error{Code: tc.code, SubCode: tc.sub}
		if e.UnknownResult() != tc.want {
			t.Errorf("%s/%s: UnknownResult %v", tc.code, tc.sub, !tc.want)
		}
	}
}

// A freeze the buyer is still confirming: 10003 (the response and a nil
// error) or 10000 with status INIT; which one Alipay sends is UNCONFIRMED,
// and the SDK hands back both.
func TestFundAuthOrderFreezeWaiting(t *testing.T) {
	for _, value := range []string{
		`{"code":"10003","msg":" order success pay inprocess","amount":"200.00","auth_no":"` + testAuthNo + `","operation_id":"` + testOperationID + `","out_order_no":"O1","out_request_no":"O1-F","status":"INIT"}`,
		`{"code":"10000","msg":"Success","amount":"200.00","auth_no":"` + testAuthNo + `","operation_id":"` + testOperationID + `","out_order_no":"O1","out_request_no":"O1-F","status":"INIT"}`,
	} {
		g := newFakeGateway(t, reply(value))
		r, err := g.client().FundAuthOrderFreeze(context.Background(), FundAuthOrderFreeze{OutOrderNo: "O1", OutRequestNo: "O1-F"})
		if err != nil {
			t.Fatalf("%s: %v", value, err)
		}
		if r.Status != AuthOperationStatusInit || r.AuthNo != testAuthNo || r.OperationID != testOperationID ||
			r.InProgress() != (r.Code == CodeInProgress) {
			t.Errorf("got %+v", r)
		}
	}
}

// A payment from an authorisation goes through TradePay; its answer is a
// TradePayResponse, with the credit pre-authorisation fields where sent.
func TestTradePayFromAuthorisationResponse(t *testing.T) {
	const value = `{"code":"10000","msg":"Success","auth_trade_pay_mode":"CREDIT_PREAUTH_PAY","buyer_logon_id":"159****5620","buyer_pay_amount":"12.50","buyer_user_id":"2088102146225135","fund_bill_list":[{"amount":"12.50","fund_channel":"ALIPAYACCOUNT"}],"gmt_payment":"2024-01-02 11:00:01","invoice_amount":"12.50","out_trade_no":"T1","point_amount":"0.00","pre_auth_pay_amount":"12.50","receipt_amount":"12.50","total_amount":"12.50","trade_no":"2024010222001425131000000001"}`
	g := newFakeGateway(t, reply(value))
	r, err := g.client().TradePay(context.Background(), TradePay{
		OutTradeNo:      "T1",
		Subject:         "Bike rental",
		TotalAmount:     "12.50",
		ProductCode:     ProductCodePreAuth,
		AuthNo:          testAuthNo,
		AuthConfirmMode: AuthConfirmModeComplete,
		BuyerID:         "2088102146225135",
		SellerID:        "2088101117955611",
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, g.last(), "alipay.trade.pay",
		`{"out_trade_no":"T1","product_code":"PRE_AUTH","subject":"Bike rental","total_amount":"12.50","auth_no":"`+testAuthNo+`","auth_confirm_mode":"COMPLETE","buyer_id":"2088102146225135","seller_id":"2088101117955611"}`,
		"", "")
	equal(t, *r, TradePayResponse{
		Response:     Response{Code: "10000", Msg: "Success"},
		TradeNo:      "2024010222001425131000000001",
		OutTradeNo:   "T1",
		BuyerLogonID: "159****5620", BuyerUserID: "2088102146225135",
		TotalAmount: "12.50", ReceiptAmount: "12.50", BuyerPayAmount: "12.50", PointAmount: "0.00", InvoiceAmount: "12.50",
		GmtPayment:       "2024-01-02 11:00:01",
		FundBillList:     []FundBill{{FundChannel: "ALIPAYACCOUNT", Amount: "12.50"}},
		AuthTradePayMode: "CREDIT_PREAUTH_PAY",
		PreAuthPayAmount: "12.50",
	})
}

// Every fund-auth response field decodes from its wire name, and a zero
// request sends biz_content {} and no notify_url or app_auth_token (see
// TestTradeResponsesDecodeEveryField).
func TestFundAuthResponsesDecodeEveryField(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		method string
		value  string
		do     func(*Client) (any, error)
	}{
		{"alipay.fund.auth.order.freeze",
			`{"code":"10000","msg":"Success","auth_no":"a1","out_order_no":"a2","operation_id":"a3","out_request_no":"a4","amount":"1.01","credit_amount":"1.02","fund_amount":"1.03","gmt_trans":"2024-01-02 00:00:01","status":"SUCCESS","payer_logon_id":"a5","payer_user_id":"a6","payer_open_id":"a7","pre_auth_type":"CREDIT_AUTH","trans_currency":"CNY"}`,
			func(c *Client) (any, error) { return c.FundAuthOrderFreeze(ctx, FundAuthOrderFreeze{}) }},
		{"alipay.fund.auth.order.voucher.create",
			`{"code":"10000","msg":"Success","out_order_no":"b1","out_request_no":"b2","code_type":"qrCode","code_value":"b3","code_url":"b4"}`,
			func(c *Client) (any, error) { return c.FundAuthOrderVoucherCreate(ctx, FundAuthOrderVoucherCreate{}) }},
		{"alipay.fund.auth.order.unfreeze",
			`{"code":"10000","msg":"Success","auth_no":"c1","out_order_no":"c2","operation_id":"c3","out_request_no":"c4","amount":"2.01","credit_amount":"2.02","fund_amount":"2.03","gmt_trans":"2024-01-02 00:00:02","status":"SUCCESS"}`,
			func(c *Client) (any, error) { return c.FundAuthOrderUnfreeze(ctx, FundAuthOrderUnfreeze{}) }},
		{"alipay.fund.auth.operation.cancel",
			`{"code":"10000","msg":"Success","auth_no":"d1","out_order_no":"d2","operation_id":"d3","out_request_no":"d4","action":"unfreeze"}`,
			func(c *Client) (any, error) { return c.FundAuthOperationCancel(ctx, FundAuthOperationCancel{}) }},
		{"alipay.fund.auth.operation.detail.query",
			`{"code":"10000","msg":"Success","auth_no":"e1","out_order_no":"e2","order_status":"AUTHORIZED","total_freeze_amount":"3.01","total_freeze_credit_amount":"3.02","total_freeze_fund_amount":"3.03","total_unfreeze_amount":"3.04","total_pay_amount":"3.05","total_pay_credit_amount":"3.06","total_pay_fund_amount":"3.07","rest_amount":"3.08","rest_credit_amount":"3.09","rest_fund_amount":"3.10","order_title":"e3","payer_logon_id":"e4","payer_user_id":"e5","payer_open_id":"e6","extra_param":"{}","operation_id":"e7","out_request_no":"e8","amount":"3.11","credit_amount":"3.12","fund_amount":"3.13","operation_type":"FREEZE","status":"INIT","remark":"e9","gmt_create":"2024-01-02 00:00:03","gmt_trans":"2024-01-02 00:00:04","pre_auth_type":"CREDIT_AUTH","trans_currency":"CNY","credit_risk_info":{"can_retry":true,"code":"e10","data":"e11"},"credit_merchant_ext":"e12","enterprise_pay_info":"e13"}`,
			func(c *Client) (any, error) {
				return c.FundAuthOperationDetailQuery(ctx, FundAuthOperationDetailQuery{})
			}},
	} {
		t.Run(tc.method, func(t *testing.T) {
			g := newFakeGateway(t, reply(tc.value))
			r, err := tc.do(g.client())
			if err != nil {
				t.Fatal(err)
			}
			checkSent(t, g.last(), tc.method, `{}`, "", "")
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
