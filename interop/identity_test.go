package interop

// Buyer identity by open_id (spec isv-and-identity §2) with third-party clients: an app put in
// openid mode through the admin API, the buyer's open_id read from the admin API, then
// alipay.trade.create by buyer_open_id from the official Node SDK and from smartwalle.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/smartwalle/alipay/v3"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/zfbtest"
)

// openIDApp makes a new app in openid mode (the admin API) and returns it with the pays buyer's
// open_id in it, as the admin API shows it.
func openIDApp(t *testing.T, srv *zfbtest.Server) (sandbox.App, string) {
	t.Helper()
	app := srv.NewApp(t, zfb.SignTypeRSA2)
	adminDo(t, srv, http.MethodPost, "/apps/"+app.AppID, map[string]any{"identity_mode": "openid"}, http.StatusOK)
	buyer := adminDo(t, srv, http.MethodGet, "/buyers/"+sandboxBuyer(t, srv, buyerPays).UserID, nil, http.StatusOK)
	ids, _ := buyer["open_ids"].(map[string]any)
	oid, _ := ids[app.AppID].(string)
	if len(oid) != 47 || oid[0] != '0' {
		t.Fatalf("admin API: the buyer's open_ids %v have no open_id for %s", buyer["open_ids"], app.AppID)
	}
	return app, oid
}

// TestNodeSDKOpenID: the official Node SDK creates a trade with buyer_open_id on an openid app,
// and reads buyerOpenId (and no buyerUserId) from the query and refund answers; a buyer_id is
// refused with ACQ.BUYER_NOT_EXIST.
func TestNodeSDKOpenID(t *testing.T) {
	node := requireNode(t)
	srv := zfbtest.NewServer(t)
	app, oid := openIDApp(t, srv)
	base := nodeCall{
		Gateway: srv.GatewayURL, AppID: app.AppID, PrivateKey: app.AppPrivateKey,
		AlipayPublicKey: app.AlipayPublicKey, SignType: app.SignType, ValidateSign: true,
	}
	out, refused := newOutTradeNo(t, "node_openid"), newOutTradeNo(t, "node_userid")
	steps := []nodeStep{
		{Method: "alipay.trade.create", BizContent: map[string]any{
			"out_trade_no": out, "total_amount": "0.02", "subject": interopSubject, "buyer_open_id": oid,
		}},
		{Method: "alipay.trade.create", BizContent: map[string]any{
			"out_trade_no": refused, "total_amount": "0.02", "subject": interopSubject,
			"buyer_id": sandboxBuyer(t, srv, buyerPays).UserID,
		}},
	}
	res := runNodeCalls(t, node, base, steps...)
	tradeNo := wantNode(t, res, 0, steps[0], "10000").nonEmpty("tradeNo")
	no := wantNode(t, res, 1, steps[1], "40004")
	no.eq("subCode", "ACQ.BUYER_NOT_EXIST")

	buyerActs(t, srv, tradeNo, "pay")
	steps = []nodeStep{
		queryStep(out),
		{Method: "alipay.trade.refund", BizContent: map[string]any{"out_trade_no": out, "refund_amount": "0.01", "out_request_no": "R1"}},
	}
	res = runNodeCalls(t, node, base, steps...)
	for i, step := range steps {
		a := wantNode(t, res, i, step, "10000")
		a.eq("buyerOpenId", oid)
		if v, ok := a.m["buyerUserId"]; ok {
			t.Errorf("%s: buyerUserId = %v in openid mode, want none", a.step, v)
		}
	}
	wantNode(t, res, 0, steps[0], "10000").eq("tradeStatus", "TRADE_SUCCESS")
}

// TestSmartwalleOpenID: smartwalle v3's TradeCreate with BuyerOpenId, which sends "buyer_id":""
// beside it, creates the trade on an openid app; its TradeQueryRsp reads buyer_open_id.
func TestSmartwalleOpenID(t *testing.T) {
	srv := zfbtest.NewServer(t)
	app, oid := openIDApp(t, srv)
	sw := newSmartwalle(t, srv, app.AppID, app.AppPrivateKey, app.AlipayPublicKey)

	out := newOutTradeNo(t, "sw_openid")
	create := alipay.TradeCreate{BuyerOpenId: oid} // sends "buyer_id":"" too
	create.Subject, create.OutTradeNo, create.TotalAmount = interopSubject, out, "0.01"
	cr := swCall(t, sw, "alipay.trade.create", alipay.CodeSuccess, func(ctx context.Context) (*alipay.TradeCreateRsp, error) {
		return sw.TradeCreate(ctx, create)
	})
	swNonEmpty(t, sw, "trade_no", cr.TradeNo)
	biz, _ := sw.rec.last()
	if !strings.Contains(biz, `"buyer_id":""`) || !strings.Contains(biz, `"buyer_open_id":"`+oid+`"`) {
		t.Errorf("smartwalle sent %s, want an empty buyer_id beside buyer_open_id", biz)
	}

	buyerActs(t, srv, cr.TradeNo, "pay")
	q := swQuery(t, sw, out, alipay.CodeSuccess)
	swWant(t, sw, "trade_status", string(q.TradeStatus), string(alipay.TradeStatusSuccess))
	swWant(t, sw, "buyer_open_id", q.BuyerOpenId, oid)
}
