package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/zfbtest"
)

// The international acquiring dialect has no public client that can be
// installed here, so node/intl.mjs is one written from the spec alone with
// node:crypto: it signs the exact request text, locates the signed response
// value with its own scanner and verifies it. TestNodeIntl drives zfb with
// it through the cases the issue names: pay → payCancel, an
// UNKNOWN_EXCEPTION pay → payQuery → payCancel, a cancel before the pay
// arrives, and a cancel after the window.

const (
	fnPay       = "alipay.intl.acquiring.offline.pay"
	fnPayQuery  = "alipay.intl.acquiring.offline.payQuery"
	fnPayCancel = "alipay.intl.acquiring.common.payCancel"
	fnRefund    = "alipay.intl.acquiring.common.refund"
)

// intlStep is one call of intl.mjs.
type intlStep struct {
	Function  string         `json:"function"`
	Body      map[string]any `json:"body"`
	Pretty    bool           `json:"pretty,omitempty"`
	BodyFirst bool           `json:"bodyFirst,omitempty"`
}

// intlAnswer is what intl.mjs reports of one call.
type intlAnswer struct {
	OK         bool   `json:"ok"`
	Error      string `json:"error"`
	Verified   bool   `json:"verified"`
	HTTPStatus int    `json:"httpStatus"`
	Raw        string `json:"raw"`
	Response   struct {
		Head map[string]any `json:"head"`
		Body map[string]any `json:"body"`
	} `json:"response"`
}

// result is the answer's resultInfo: status, code id and code.
func (a intlAnswer) result() (status, codeID, code string) {
	ri, _ := a.Response.Body["resultInfo"].(map[string]any)
	s := func(k string) string { v, _ := ri[k].(string); return v }
	return s("resultStatus"), s("resultCodeId"), s("resultCode")
}

func (a intlAnswer) field(k string) string {
	v, _ := a.Response.Body[k].(string)
	return v
}

// runIntl runs intl.mjs once for steps, as the sandbox app's client.
func runIntl(t *testing.T, node string, srv *zfbtest.Server, steps ...intlStep) []intlAnswer {
	t.Helper()
	app := srv.App()
	return runIntlAs(t, node, srv, app.IntlClientID, app.AppPrivateKey, app.AlipayPublicKey, steps...)
}

// want fails unless answer i is a verified envelope with status and code.
func wantIntl(t *testing.T, answers []intlAnswer, i int, status, codeID, code string) intlAnswer {
	t.Helper()
	a := answers[i]
	if !a.OK || a.HTTPStatus != http.StatusOK {
		t.Fatalf("call %d: %s (HTTP %d)\n%s", i, a.Error, a.HTTPStatus, a.Raw)
	}
	if !a.Verified {
		t.Fatalf("call %d: the answer's signature did not verify with the Alipay public key\n%s", i, a.Raw)
	}
	if s, id, c := a.result(); s != status || id != codeID || c != code {
		t.Fatalf("call %d: resultInfo %s %s %s, want %s %s %s\n%s", i, s, id, c, status, codeID, code, a.Raw)
	}
	return a
}

func intlPayBody(srv *zfbtest.Server, t *testing.T, merchantTransID, behaviour, currency, value string) map[string]any {
	return map[string]any{
		"partnerId": srv.App().IntlPartnerID, "productCode": "OFFLINE_PAY", "merchantTransId": merchantTransID,
		"codeType": "BARCODE", "identityCode": sandboxBuyer(t, srv, behaviour).PaymentCode,
		"order": map[string]any{"orderTitle": "Dim sum", "orderAmount": map[string]any{"currency": currency, "value": value}},
	}
}

func intlRefBody(srv *zfbtest.Server, key, value string) map[string]any {
	return map[string]any{"partnerId": srv.App().IntlPartnerID, key: value}
}

func TestNodeIntl(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	app := srv.App()
	payer := sandboxBuyer(t, srv, zfb.BehaviourPays)

	t.Run("pay then payCancel refunds", func(t *testing.T) {
		before := srv.Balance(t, payer.UserID)
		no := newOutTradeNo(t, "intl")
		res := runIntl(t, node, srv,
			intlStep{Function: fnPay, Body: intlPayBody(srv, t, no, zfb.BehaviourPays, "USD", "1250"), Pretty: true},
			intlStep{Function: fnPayQuery, Body: intlRefBody(srv, "merchantTransId", no), BodyFirst: true},
		)
		pay := wantIntl(t, res, 0, "S", "00000000", "SUCCESS")
		acq := pay.field("acquirementId")
		if acq == "" || pay.field("merchantTransId") != no {
			t.Fatalf("pay answer %v", pay.Response.Body)
		}
		if got := srv.Balance(t, payer.UserID); got != before-9000 { // 12.50 USD at 7.20
			t.Fatalf("buyer paid %d fen, want 9000", before-got)
		}
		q := wantIntl(t, res, 1, "S", "00000000", "SUCCESS")
		if q.field("acquirementStatus") != "SUCCESS" || q.field("acquirementId") != acq {
			t.Fatalf("payQuery %v", q.Response.Body)
		}
		res = runIntl(t, node, srv,
			intlStep{Function: fnPayCancel, Body: intlRefBody(srv, "acquirementId", acq)},
			intlStep{Function: fnPayCancel, Body: intlRefBody(srv, "acquirementId", acq)},
			intlStep{Function: fnPayQuery, Body: intlRefBody(srv, "acquirementId", acq)},
		)
		c := wantIntl(t, res, 0, "S", "00000000", "SUCCESS")
		if c.field("cancelTime") == "" || c.field("acquirementId") != acq || c.field("merchantTransId") != no {
			t.Fatalf("payCancel %v", c.Response.Body)
		}
		again := wantIntl(t, res, 1, "S", "00000000", "SUCCESS")
		if again.field("cancelTime") != c.field("cancelTime") {
			t.Fatalf("a repeated cancel answered %v, the first %v", again.Response.Body, c.Response.Body)
		}
		if q := wantIntl(t, res, 2, "S", "00000000", "SUCCESS"); q.field("acquirementStatus") != "CANCELLED" {
			t.Fatalf("payQuery after the cancel %v", q.Response.Body)
		}
		if got := srv.Balance(t, payer.UserID); got != before {
			t.Fatalf("after the cancel the buyer has %d, want %d back", got, before)
		}
		requireLedgerOK(t, srv)
	})

	t.Run("UNKNOWN_EXCEPTION pay, payQuery, payCancel", func(t *testing.T) {
		no := newOutTradeNo(t, "intl-unknown")
		addFault(t, srv, app.AppID, fnPay, no, zfb.FaultErrorAfter)
		res := runIntl(t, node, srv, intlStep{Function: fnPay, Body: intlPayBody(srv, t, no, zfb.BehaviourPays, "HKD", "10000")})
		wantIntl(t, res, 0, "U", "00000901", "UNKNOWN_EXCEPTION")
		clearFaults(t, srv, app.AppID)
		res = runIntl(t, node, srv,
			intlStep{Function: fnPayQuery, Body: intlRefBody(srv, "merchantTransId", no)},
			intlStep{Function: fnPayCancel, Body: intlRefBody(srv, "merchantTransId", no)},
			intlStep{Function: fnPayQuery, Body: intlRefBody(srv, "merchantTransId", no)},
		)
		if q := wantIntl(t, res, 0, "S", "00000000", "SUCCESS"); q.field("acquirementStatus") != "SUCCESS" {
			t.Fatalf("the work committed before the unknown answer, yet payQuery says %v", q.Response.Body)
		}
		wantIntl(t, res, 1, "S", "00000000", "SUCCESS")
		if q := wantIntl(t, res, 2, "S", "00000000", "SUCCESS"); q.field("acquirementStatus") != "CANCELLED" {
			t.Fatalf("payQuery after the cancel %v", q.Response.Body)
		}
		requireLedgerOK(t, srv)
	})

	t.Run("cancel before the pay arrives", func(t *testing.T) {
		no := newOutTradeNo(t, "intl-late")
		before := srv.Balance(t, payer.UserID)
		res := runIntl(t, node, srv,
			intlStep{Function: fnPayCancel, Body: intlRefBody(srv, "merchantTransId", no)},
			intlStep{Function: fnPay, Body: intlPayBody(srv, t, no, zfb.BehaviourPays, "USD", "100")},
			intlStep{Function: fnPayQuery, Body: intlRefBody(srv, "merchantTransId", no)},
		)
		wantIntl(t, res, 0, "S", "00000000", "SUCCESS")
		wantIntl(t, res, 1, "F", "12005003", "ORDER_STATUS_INVALID")
		wantIntl(t, res, 2, "F", "12005004", "ORDER_NOT_EXIST")
		if got := srv.Balance(t, payer.UserID); got != before {
			t.Fatalf("the late pay charged the buyer %d", before-got)
		}
	})

	t.Run("cancel after the window", func(t *testing.T) {
		// Its own app, so that moving the clock leaves the others alone.
		other := srv.NewApp(t, zfb.SignTypeRSA2)
		no := newOutTradeNo(t, "intl-window")
		steps := []intlStep{{Function: fnPay, Body: map[string]any{
			"partnerId": other.IntlPartnerID, "productCode": "OFFLINE_PAY", "merchantTransId": no, "codeType": "BARCODE",
			"identityCode": payer.PaymentCode,
			"order":        map[string]any{"orderTitle": "Late night", "orderAmount": map[string]any{"currency": "EUR", "value": "500"}},
		}}}
		res := runIntlAs(t, node, srv, other.IntlClientID, other.AppPrivateKey, other.AlipayPublicKey, steps...)
		acq := wantIntl(t, res, 0, "S", "00000000", "SUCCESS").field("acquirementId")
		adminDo(t, srv, http.MethodPost, "/apps/"+other.AppID+"/clock", map[string]any{"advance": "25h"}, http.StatusOK)
		res = runIntlAs(t, node, srv, other.IntlClientID, other.AppPrivateKey, other.AlipayPublicKey,
			intlStep{Function: fnPayCancel, Body: map[string]any{"partnerId": other.IntlPartnerID, "acquirementId": acq}},
			intlStep{Function: fnRefund, Body: map[string]any{
				"partnerId": other.IntlPartnerID, "acquirementId": acq, "merchantRefundId": no + "-r",
				"refundAmount": map[string]any{"currency": "EUR", "value": "500"}, "refundReason": "too late to cancel",
			}},
		)
		wantIntl(t, res, 0, "F", "12002018", "ORDER_CANCEL_WINDOW_EXPIRED")
		if r := wantIntl(t, res, 1, "S", "00000000", "SUCCESS"); r.field("refundId") == "" {
			t.Fatalf("refund %v", r.Response.Body)
		}
		requireLedgerOK(t, srv)
	})

	t.Run("a tampered request", func(t *testing.T) {
		// Signed with a key that is not the app's: INVALID_SIGNATURE, signed by zfb.
		wrong, _ := newKeyPair(t)
		res := runIntlAs(t, node, srv, app.IntlClientID, wrong, app.AlipayPublicKey,
			intlStep{Function: fnPayQuery, Body: intlRefBody(srv, "merchantTransId", "nothing")})
		wantIntl(t, res, 0, "F", "00000007", "INVALID_SIGNATURE")
		// An unknown path under the intl prefix: NO_INTERFACE_DEF, never a bare 404.
		res = runIntl(t, node, srv, intlStep{Function: "alipay.intl.acquiring.offline.noSuchThing", Body: intlRefBody(srv, "merchantTransId", "x")})
		if a := res[0]; !a.OK || a.HTTPStatus != http.StatusOK || !strings.Contains(a.Raw, "NO_INTERFACE_DEF") {
			t.Fatalf("unknown function: %+v", a)
		}
	})
}

// runIntlAs is runIntl as another client.
func runIntlAs(t *testing.T, node string, srv *zfbtest.Server, clientID, privateKey, alipayPublicKey string, steps ...intlStep) []intlAnswer {
	t.Helper()
	input, err := json.Marshal(map[string]any{
		"baseUrl": srv.URL, "clientId": clientID, "privateKey": privateKey,
		"alipayPublicKey": alipayPublicKey, "calls": steps,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "intl.mjs")
	cmd.Dir = nodeDir
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("node intl.mjs: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var out []intlAnswer
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil || len(out) != len(steps) {
		t.Fatalf("node intl.mjs printed %q (%v), want %d answers\nstderr: %s", stdout.String(), err, len(steps), stderr.String())
	}
	return out
}
