package sign

import (
	"strings"
	"testing"
)

// benchRequest is a realistic 10-parameter alipay.trade.pay request.
func benchRequest() map[string]string {
	return map[string]string{
		"app_id":      "2021000000000001",
		"method":      "alipay.trade.pay",
		"format":      "json",
		"charset":     "utf-8",
		"sign_type":   "RSA2",
		"timestamp":   "2024-05-13 17:49:20",
		"version":     "1.0",
		"notify_url":  "https://merchant.example.com/alipay/notify",
		"alipay_sdk":  "alipay-sdk-java-4.38.0.ALL",
		"biz_content": `{"out_trade_no":"20240513174920000001","scene":"bar_code","auth_code":"28763443825664394","subject":"Iphone6 16G","total_amount":"88.88","store_id":"NJ_001","timeout_express":"90m"}`,
	}
}

const benchValue = `{"code":"10000","msg":"Success","buyer_logon_id":"159****5620","buyer_pay_amount":"88.88","buyer_user_id":"2088101117955611","fund_bill_list":[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}],"gmt_payment":"2024-05-13 17:49:21","invoice_amount":"88.88","out_trade_no":"20240513174920000001","point_amount":"0.00","receipt_amount":"88.88","total_amount":"88.88","trade_no":"2024051322001455611000012345"}`

func BenchmarkSignRSA2(b *testing.B) {
	k := appKey(b)
	content := []byte(strings.Repeat("k=v&", 75)) // 300 bytes
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(k, RSA2, content); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyRSA2(b *testing.B) {
	k := appKey(b)
	content := []byte(strings.Repeat("k=v&", 75))
	sig, _ := Sign(k, RSA2, content)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(&k.PublicKey, RSA2, content, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyRequest(b *testing.B) {
	k := appKey(b)
	params := benchRequest()
	if err := SignRequest(k, RSA2, params); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyRequest(&k.PublicKey, RSA2, params); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEnvelope(b *testing.B) {
	value := []byte(benchValue)
	b.ReportAllocs()
	for b.Loop() {
		Envelope("alipay_trade_pay_response", value, "4538e7d736df316c15435d5f9d3a8a1f", katRSA2)
	}
}

func BenchmarkExtractResponse(b *testing.B) {
	body := Envelope("alipay_trade_pay_response", []byte(benchValue), "4538e7d736df316c15435d5f9d3a8a1f", katRSA2)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExtractResponse(body, "alipay_trade_pay_response"); err != nil {
			b.Fatal(err)
		}
	}
}
