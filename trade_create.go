package zfb

import (
	"context"
	"errors"
	"time"
)

// CreateCommand is alipay.trade.precreate (no buyer yet: a QR code) or
// alipay.trade.create (the buyer is named).
type CreateCommand struct {
	OutTradeNo, TotalAmount, Subject, Body string
	ProductCode, TimeoutExpress, NotifyURL string
	BuyerID, BuyerLogonID                  string // create only
	// Create only, as the buyer's open_id (spec isv-and-identity §2.2).
	BuyerOpenID, OpAppID, OpBuyerOpenID string
	// TimeExpire is time_expire, QRCodeTimeoutExpress precreate's
	// qr_code_timeout_express: with TimeoutExpress they say when the trade
	// closes unpaid (tradeLimits).
	TimeExpire, QRCodeTimeoutExpress string
	// PassbackParams is passback_params (page, wap and app pay), which
	// the notifications echo (spec web-and-app-pay.md §7).
	PassbackParams string
}

// buyerRef is how the create names its buyer.
func (c CreateCommand) buyerRef() BuyerRef {
	return BuyerRef{UserID: c.BuyerID, OpenID: c.BuyerOpenID, OpAppID: c.OpAppID, OpBuyerOpenID: c.OpBuyerOpenID}
}

// Precreate runs alipay.trade.precreate: a trade that waits for a buyer to
// scan its QR code.
func (s *Service) Precreate(ctx context.Context, app *App, now time.Time, cmd CreateCommand) (*Trade, error) {
	return s.createTrade(ctx, app, now, cmd, TradeKindPrecreate)
}

// Create runs alipay.trade.create: a trade for a named buyer, who pays in
// their app (here: through the admin API).
func (s *Service) Create(ctx context.Context, app *App, now time.Time, cmd CreateCommand) (*Trade, error) {
	if !cmd.buyerRef().given() && cmd.BuyerLogonID == "" {
		return nil, InvalidTradeParameter("buyer_id、buyer_open_id 和 buyer_logon_id 不能同时为空")
	}
	return s.createTrade(ctx, app, now, cmd, TradeKindCreate)
}

func (s *Service) createTrade(ctx context.Context, app *App, now time.Time, cmd CreateCommand, kind string) (*Trade, error) {
	amount, err := validateTrade(cmd.OutTradeNo, cmd.TotalAmount, cmd.Subject)
	if err != nil {
		return nil, err
	}
	if err := faceToFace(cmd.ProductCode); err != nil {
		return nil, err
	}
	fallback := defaultPayTimeout
	if kind == TradeKindPrecreate {
		fallback = defaultPrecreateTimeout
	} else if WebProductCode(kind) != "" {
		fallback = defaultWebTimeout
	}
	limits := tradeLimits{TimeExpire: cmd.TimeExpire, TimeoutExpress: cmd.TimeoutExpress}
	if kind == TradeKindPrecreate {
		limits.QRCodeTimeoutExpress = cmd.QRCodeTimeoutExpress // a parameter of precreate only
	}
	fp := fingerprint(kind, amount, cmd.Subject)
	var out *Trade
	err = s.command(ctx, func(q Queries) error {
		t, err := q.TradeByOutTradeNo(ctx, app.ID, cmd.OutTradeNo)
		if err == nil {
			return s.repeatCreate(ctx, q, t, fp, now, func() error { out = t; return nil })
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		// The time limits are checked for a new trade only: a repeat
		// answers what the first create did, even after its time_expire.
		expiresAt, err := limits.expiresAt(now, fallback)
		if err != nil {
			return err
		}
		t = &Trade{
			TradeNo: newTradeNo(now), AppID: app.ID, OutTradeNo: cmd.OutTradeNo, Kind: kind,
			Status: TradeWaitBuyerPay, SellerID: app.SellerID, Subject: cmd.Subject, Body: cmd.Body,
			TotalAmount: amount, Fingerprint: fp, NotifyURL: app.notifyURL(cmd.NotifyURL),
			ExpiresAt: expiresAt, CreatedAt: now, AgentAppID: app.Agent, PassbackParams: cmd.PassbackParams,
		}
		if kind == TradeKindPrecreate {
			t.QRCode = qrCodeURL(t.TradeNo)
		} else if WebProductCode(kind) != "" {
			t.Scanned = true // the buyer is who logs in on the cashier (trade_web.go)
		} else {
			buyer, err := resolveBuyer(ctx, q, app, cmd.buyerRef())
			if err == nil && buyer == nil {
				buyer, err = findBuyer(ctx, q, "", cmd.BuyerLogonID)
			}
			if err != nil {
				return err
			}
			if buyer.UserID == app.SellerID {
				return ErrBuyerSellerEqual
			}
			t.BuyerID, t.Scanned = buyer.UserID, true
		}
		out = t
		return q.CreateTrade(ctx, t)
	})
	return out, err
}

// repeatCreate answers a create-type call that repeats an out_trade_no:
// other parameters are ACQ.CONTEXT_INCONSISTENT, a paid trade
// ACQ.TRADE_HAS_SUCCESS, a closed one ACQ.TRADE_HAS_CLOSE, and a trade
// still waiting answers as the first call did (waiting).
func (s *Service) repeatCreate(ctx context.Context, q Queries, t *Trade, fp string, now time.Time, waiting func() error) error {
	if t.Kind == TradeKindCancelled {
		return ErrTradeHasClose
	}
	if t.Fingerprint != fp {
		return ErrContextInconsistent
	}
	if err := s.expire(ctx, q, t, now); err != nil {
		return err
	}
	switch t.Status {
	case TradeSuccess, TradeFinished:
		return ErrTradeHasSuccess
	case TradeClosed:
		return ErrTradeHasClose
	}
	return waiting()
}
