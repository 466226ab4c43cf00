package zfb

import (
	"context"
	"errors"
	"time"
)

// Confirm modes of a payment from a fund authorisation.
const (
	AuthConfirmComplete    = "COMPLETE"     // release what is left after the payment
	AuthConfirmNotComplete = "NOT_COMPLETE" // keep it frozen (the default)
)

// payFromAuth runs alipay.trade.pay with auth_no (资金授权转支付, spec §4.1):
// a trade paid from the order's frozen funds, recorded as the order's PAY
// operation whose out_request_no is the trade's out_trade_no. With
// AuthConfirmMode COMPLETE the rest is released at once, as an UNFREEZE
// operation under the same number; otherwise it stays frozen.
func (s *Service) payFromAuth(ctx context.Context, app *App, now time.Time, cmd PayCommand, amount int64) (*PayResult, error) {
	switch {
	case cmd.AuthNo == "":
		return nil, InvalidTradeParameter("auth_no 不能为空")
	case !preAuthProductCodes[cmd.ProductCode]:
		return nil, ErrPreAuthProdCodeInconsistent
	case cmd.BuyerID == "" && cmd.BuyerOpenID == "":
		return nil, InvalidTradeParameter("buyer_id 和 buyer_open_id 不能同时为空")
	case cmd.SellerID != "" && cmd.SellerID != app.SellerID:
		return nil, ErrAuthNoError
	}
	switch cmd.AuthConfirmMode {
	case "", AuthConfirmComplete, AuthConfirmNotComplete:
	default:
		return nil, InvalidTradeParameter("auth_confirm_mode 只支持 COMPLETE、NOT_COMPLETE")
	}
	var res PayResult
	err := s.command(ctx, func(q Queries) error {
		res = PayResult{}
		payerUserID, err := authPayer(ctx, q, app, cmd)
		if err != nil {
			return err
		}
		fp := fingerprint(TradeKindAuthPay, amount, cmd.Subject+"\x00"+cmd.AuthNo+"\x00"+payerUserID)
		t, err := q.TradeByOutTradeNo(ctx, app.ID, cmd.OutTradeNo)
		if err == nil {
			return s.repeatCreate(ctx, q, t, fp, now, func() error { return ErrTradeStatusError })
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		o, err := findAuthOrder(ctx, q, app, cmd.AuthNo, "")
		if errors.Is(err, ErrNotFound) {
			return ErrAuthNoError
		} else if err != nil {
			return err
		}
		if err := s.expireAuth(ctx, q, o, now); err != nil {
			return err
		}
		switch o.Status {
		case AuthOrderInit:
			return ErrAuthOrderNotPaid
		case AuthOrderFinish:
			return ErrAuthOrderHasFinished
		case AuthOrderClosed:
			return ErrAuthOrderHasClosed
		}
		if o.PayerUserID != payerUserID {
			return ErrPayerUnmatched
		}
		if amount > o.RestAmount() {
			return ErrAuthAmountNotEnough
		}
		buyer, err := q.Buyer(ctx, o.PayerUserID)
		if err != nil {
			return err
		}
		if buyer.Restricted {
			return ErrBuyerEnableStatusForbid
		}
		t = &Trade{
			TradeNo: newTradeNo(now), AppID: app.ID, OutTradeNo: cmd.OutTradeNo, Kind: TradeKindAuthPay,
			Status: TradeSuccess, SellerID: app.SellerID, BuyerID: o.PayerUserID, Subject: cmd.Subject,
			Body: cmd.Body, AuthNo: o.AuthNo, TotalAmount: amount, Fingerprint: fp, Scanned: true,
			NotifyURL: app.notifyURL(cmd.NotifyURL), CreatedAt: now, PaidAt: now, AgentAppID: app.Agent,
		}
		res.Trade, res.Buyer = t, buyer
		if res.BuyerIDs, err = s.buyerIDs(ctx, q, app, t.BuyerID); err != nil {
			return err
		}
		o.TotalPayAmount += amount
		rest := o.RestAmount()
		if cmd.AuthConfirmMode == AuthConfirmComplete {
			o.TotalUnfreezeAmount += rest
		}
		settleAfterRelease(o, now)
		if err := q.UpdateAuthOrder(ctx, o); err != nil {
			return err
		}
		if err := q.CreateTrade(ctx, t); err != nil {
			return err
		}
		pay := &AuthOperation{
			OperationID: newOperationID(now), AuthNo: o.AuthNo, OutRequestNo: cmd.OutTradeNo, Type: AuthOpPay,
			Status: AuthOpSuccess, Amount: amount, Remark: cmd.Subject, TradeNo: t.TradeNo, CreatedAt: now, TransAt: now,
		}
		if err := q.CreateAuthOperation(ctx, pay); err != nil {
			return err
		}
		err = q.PostTransfer(ctx, &Transfer{
			Kind: TransferAuthPay, Ref: o.AuthNo, Currency: CNY, Amount: amount, CreatedAt: now,
			Debit: BuyerFrozenAccount(o.PayerUserID, CNY), Credit: MerchantAccount(app.SellerID, CNY),
		})
		if errors.Is(err, ErrInsufficientFunds) {
			return ErrAuthAmountNotEnough
		} else if err != nil {
			return err
		}
		if cmd.AuthConfirmMode == AuthConfirmComplete && rest > 0 {
			if err := s.releaseRest(ctx, q, o, cmd.OutTradeNo, rest, now); err != nil {
				return err
			}
		}
		return s.notifyKnowing(ctx, q, t, now, nil, tradeParties{app: app, buyer: buyer})
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// releaseRest records the UNFREEZE operation of a COMPLETE payment and
// moves the rest back to the payer. It is numbered by the pay's
// out_trade_no or, when the merchant already used that number for an
// unfreeze of this order, by that number, "-" and the new operation_id
// (should a merchant have used that too, the unique key refuses it and the
// command runs again with another operation_id).
func (s *Service) releaseRest(ctx context.Context, q Queries, o *AuthOrder, outTradeNo string, rest int64, now time.Time) error {
	op := &AuthOperation{
		OperationID: newOperationID(now), AuthNo: o.AuthNo, OutRequestNo: outTradeNo, Type: AuthOpUnfreeze,
		Status: AuthOpSuccess, Amount: rest, Remark: "auth_confirm_mode COMPLETE", CreatedAt: now, TransAt: now,
	}
	if _, err := q.AuthOperationByOutRequestNo(ctx, o.AuthNo, AuthOpUnfreeze, outTradeNo); err == nil {
		op.OutRequestNo = outTradeNo + "-" + op.OperationID
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := q.CreateAuthOperation(ctx, op); err != nil {
		return err
	}
	return s.postUnfreeze(ctx, q, o, rest, now)
}

// authPayer is the user id of the payer a payment from an authorisation
// names: buyer_id as given (checked against the order's payer), or the
// buyer whose open_id in app is buyer_open_id (spec openapi.md §4.1,
// isv-and-identity §2.2). An openid-mode app cannot name buyers by user id
// (ACQ.BUYER_NOT_EXIST, spec §2.5).
func authPayer(ctx context.Context, q Queries, app *App, cmd PayCommand) (string, error) {
	if cmd.BuyerID != "" {
		if !app.IdentityMode.UsesUserID() {
			return "", ErrBuyerNotExist
		}
		return cmd.BuyerID, nil
	}
	b, err := buyerByOpenID(ctx, q, app.ID, cmd.BuyerOpenID)
	if err != nil {
		return "", err
	}
	return b.UserID, nil
}
