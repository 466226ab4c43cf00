package zfb

import (
	"context"
	"errors"
	"time"
)

// PayCommand is alipay.trade.pay: the merchant scanned the buyer's code,
// or, with AuthNo, pays from a fund authorisation.
type PayCommand struct {
	OutTradeNo, TotalAmount, Subject, Body string
	Scene, AuthCode, ProductCode           string
	TimeoutExpress, NotifyURL              string
	// TimeExpire is time_expire; with TimeoutExpress it says when a trade
	// left waiting for the buyer closes (tradeLimits).
	TimeExpire string
	// A payment from a fund authorisation names the order, its payer
	// (BuyerID) and optionally the payee (SellerID) and whether the rest
	// is released (AuthConfirmMode COMPLETE) or stays frozen.
	AuthNo, AuthConfirmMode, BuyerID, SellerID string
	BuyerOpenID                                string // instead of BuyerID
}

// PayResult is what a pay did. InProgress means 10003: the trade waits for
// the buyer to confirm.
type PayResult struct {
	Trade      *Trade
	Buyer      *Buyer
	BuyerIDs   BuyerIDs // how the app names the buyer
	InProgress bool
}

// Pay runs alipay.trade.pay at the app's time now.
func (s *Service) Pay(ctx context.Context, app *App, now time.Time, cmd PayCommand) (*PayResult, error) {
	amount, err := validateTrade(cmd.OutTradeNo, cmd.TotalAmount, cmd.Subject)
	if err != nil {
		return nil, err
	}
	if cmd.AuthNo != "" || preAuthProductCodes[cmd.ProductCode] {
		return s.payFromAuth(ctx, app, now, cmd, amount)
	}
	switch cmd.Scene {
	case "", "bar_code", "security_code", "wave_code":
	default:
		return nil, InvalidTradeParameter("scene 只支持 bar_code、security_code")
	}
	if cmd.AuthCode == "" {
		return nil, InvalidTradeParameter("auth_code 不能为空")
	}
	if err := faceToFace(cmd.ProductCode); err != nil {
		return nil, err
	}
	fp := fingerprint(TradeKindPay, amount, cmd.Subject)
	var res PayResult
	err = s.command(ctx, func(q Queries) error {
		res = PayResult{}
		// repeat answers a pay whose out_trade_no is taken; one repeated
		// while the buyer is still confirming gets the same 10003, the
		// same trade.
		repeat := func(t *Trade) error {
			return s.repeatCreate(ctx, q, t, fp, now, func() error {
				res.Trade, res.InProgress = t, true
				var err error
				res.Buyer, err = optionalBuyer(ctx, q, t.BuyerID)
				return err
			})
		}
		t, buyer, err := s.newPayTrade(ctx, q, app, now, cmd, amount, fp)
		if err != nil {
			// A repeat answers what the first pay did, whatever its own
			// auth_code and time limits say (a new trade's checks only).
			var refused *Error
			if !errors.As(err, &refused) {
				return err
			}
			return repeatOrRefuse(err, func() (*Trade, error) { return q.TradeByOutTradeNo(ctx, app.ID, cmd.OutTradeNo) }, repeat)
		}
		// The trade is stored unless the out_trade_no is taken, which
		// makes this pay a repeat: no read before the insert.
		if existing, err := q.CreateTradeIfNew(ctx, t); err != nil {
			return err
		} else if existing != nil {
			return repeat(existing)
		}
		res.Trade, res.Buyer = t, buyer
		if t.Status == TradeWaitBuyerPay {
			res.InProgress = true
			return nil
		}
		return s.postPayment(ctx, q, t, now, tradeParties{app: app, buyer: buyer})
	})
	if err != nil {
		return nil, err
	}
	if res.BuyerIDs, err = s.showBuyer(ctx, app, res.Trade.BuyerID); err != nil {
		return nil, err
	}
	return &res, nil
}

// newPayTrade is the trade a pay makes when its out_trade_no is new: paid
// at once, or waiting for a buyer who confirms with a password. Its
// errors are a new trade's: its time limits, and its buyer by auth_code.
func (s *Service) newPayTrade(ctx context.Context, q Queries, app *App, now time.Time, cmd PayCommand, amount int64, fp string) (*Trade, *Buyer, error) {
	limits := tradeLimits{TimeExpire: cmd.TimeExpire, TimeoutExpress: cmd.TimeoutExpress}
	expiresAt, err := limits.expiresAt(now, defaultPayTimeout)
	if err != nil {
		return nil, nil, err
	}
	buyer, err := q.BuyerByPaymentCode(ctx, cmd.AuthCode)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrPaymentAuthCodeInvalid
	} else if err != nil {
		return nil, nil, err
	}
	if buyer.UserID == app.SellerID {
		return nil, nil, ErrBuyerSellerEqual
	}
	if buyer.Restricted {
		return nil, nil, ErrBuyerEnableStatusForbid
	}
	t := &Trade{
		TradeNo: newTradeNo(now), AppID: app.ID, OutTradeNo: cmd.OutTradeNo, Kind: TradeKindPay,
		Status: TradeWaitBuyerPay, SellerID: app.SellerID, BuyerID: buyer.UserID,
		Subject: cmd.Subject, Body: cmd.Body, TotalAmount: amount, Fingerprint: fp,
		Scanned: true, NotifyURL: app.notifyURL(cmd.NotifyURL), ExpiresAt: expiresAt, CreatedAt: now,
		AgentAppID: app.Agent,
	}
	if buyer.Behaviour != BehaviourPassword {
		t.Status, t.PaidAt = TradeSuccess, now
	}
	return t, buyer, nil
}

// postPayment moves a paid trade's money from the buyer to the merchant and
// records the notification, in the caller's transaction; known is what the
// caller has read of the trade's app and buyer in that transaction.
func (s *Service) postPayment(ctx context.Context, q Queries, t *Trade, now time.Time, known tradeParties) error {
	err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferPay, Ref: t.TradeNo, Currency: CNY, Amount: t.TotalAmount, CreatedAt: now,
		Debit: BuyerAccount(t.BuyerID, CNY), Credit: MerchantAccount(t.SellerID, CNY),
	})
	if errors.Is(err, ErrInsufficientFunds) {
		return ErrBuyerBalanceNotEnough
	}
	if err != nil {
		return err
	}
	return s.notifyKnowing(ctx, q, t, now, nil, known)
}
