package intl_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/intl"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/zfbtest"
)

var codeIDPattern = regexp.MustCompile(`^[0-9]{8}$`)

// FuzzIntlEnvelope: no request body makes the handler panic, and every
// answer is a JSON envelope whose body has a resultInfo (or, for a method
// other than POST on a served path, HTTP 405 with one). A signed answer
// verifies over its raw response slice. With sign set, the input is a
// request value that the fuzzer's merchant signs as is, so that mutations
// reach past the signature into the head checks and the APIs' bodies.
func FuzzIntlEnvelope(f *testing.F) {
	srv := zfbtest.NewServer(f)
	h := intl.New(srv.Service, nil, intl.WithRateLimit(0, 0))
	c := newClient(f, srv.URL, srv.App())
	paths := []string{pathPay, pathPayQuery, pathPayCancel, pathRefund, intl.Prefix + "acquiring/offline/precreate.htm"}
	fns := []string{fnPay, fnQuery, fnCancel, fnRefund, "alipay.intl.acquiring.offline.preCreate"}
	code := srv.Buyer(f, zfb.BehaviourPays).PaymentCode
	bodies := []string{
		c.payBody("FZ1", code, usd10),
		c.body(kv{"merchantTransId", "FZ1"}),
		c.body(kv{"acquirementId", "2015"}, kv{"merchantTransId", "FZ2"}),
		c.body(kv{"acquirementId", "2015"}, kv{"merchantRefundId", "R1"}, kv{"refundAmount", usd10}),
		c.body(),
	}
	for i := range paths {
		v := value(c.head(fns[i]), bodies[i])
		f.Add(uint8(i), true, []byte(v))
		f.Add(uint8(i), false, c.envelope(v, sign.RSA2))
	}
	f.Add(uint8(1), true, []byte(`{"body":{"partnerId":"`+c.app.IntlPartnerID+`","merchantTransId":1e400},"head":`+c.head(fnQuery)+`}`))
	f.Add(uint8(0), false, []byte(`{"request":{"head":{"clientId":"`+c.app.IntlClientID+`","signType":"ECC"}},"signature":"AA=="}`))
	f.Add(uint8(0x80), false, []byte(`{}`))
	f.Add(uint8(3), false, []byte("\xef\xbb\xbf{\"request\":{}}"))

	f.Fuzz(func(t *testing.T, sel uint8, signIt bool, data []byte) {
		path, method := paths[int(sel&0x7f)%len(paths)], http.MethodPost
		if sel&0x80 != 0 {
			method = http.MethodGet
		}
		body := data
		if signIt {
			sig, err := sign.SignEnvelopeValue(c.key, sign.RSA2, data)
			if err != nil {
				t.Fatal(err)
			}
			body = sign.EnvelopeJSON(sign.NodeRequest, data, sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, bytes.NewReader(body)))
		served := path != paths[len(paths)-1]
		wantStatus := http.StatusOK
		if method != http.MethodPost && served {
			wantStatus = http.StatusMethodNotAllowed
		}
		if rec.Code != wantStatus {
			t.Fatalf("%s %s: status %d, want %d", method, path, rec.Code, wantStatus)
		}
		raw := rec.Body.Bytes()
		var a struct {
			Response struct {
				Head map[string]any `json:"head"`
				Body struct {
					ResultInfo *struct {
						ResultStatus string `json:"resultStatus"`
						ResultCodeID string `json:"resultCodeId"`
						ResultCode   string `json:"resultCode"`
						ResultMsg    string `json:"resultMsg"`
					} `json:"resultInfo"`
				} `json:"body"`
			} `json:"response"`
			Signature *string `json:"signature"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, raw)
		}
		ri := a.Response.Body.ResultInfo
		if ri == nil || ri.ResultCode == "" || ri.ResultMsg == "" || !codeIDPattern.MatchString(ri.ResultCodeID) ||
			(ri.ResultStatus != "S" && ri.ResultStatus != "F" && ri.ResultStatus != "U") {
			t.Fatalf("answer has no proper resultInfo: %s", raw)
		}
		if (ri.ResultStatus == "S") != (ri.ResultCodeID == "00000000") {
			t.Fatalf("status %s with id %s", ri.ResultStatus, ri.ResultCodeID)
		}
		if !served && ri.ResultCode != "NO_INTERFACE_DEF" {
			t.Fatalf("unserved path answered %s", ri.ResultCode)
		}
		if a.Signature != nil {
			env, err := sign.ExtractEnvelope(raw, sign.NodeResponse)
			if err != nil {
				t.Fatal(err)
			}
			if sign.VerifyEnvelope(c.gw, sign.RSA2, env) != nil && sign.VerifyEnvelope(c.gw, sign.RSA, env) != nil {
				t.Fatalf("signed answer does not verify: %s", raw)
			}
		}
	})
}
