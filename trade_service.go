package zfb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"path"
	"strconv"
	"strings"
	"time"
)

// TradeRef names a trade by trade_no or out_trade_no; trade_no wins when
// both are given, as on Alipay.
type TradeRef struct {
	TradeNo    string
	OutTradeNo string
}

// PayCommand is alipay.trade.pay: the merchant scanned the buyer's code.
type PayCommand struct {
	OutTradeNo, TotalAmount, Subject, Body string
	Scene, AuthCode, ProductCode           string
	TimeoutExpress, NotifyURL              string
}

// PayResult is what a pay did. InProgress means 10003: the trade waits for
// the buyer to confirm.
type PayResult struct {
	Trade      *Trade
	Buyer      *Buyer
	InProgress bool
}

// CreateCommand is alipay.trade.precreate (no buyer yet: a QR code) or
// alipay.trade.create (the buyer is named).
type CreateCommand struct {
	OutTradeNo, TotalAmount, Subject, Body string
	ProductCode, TimeoutExpress, NotifyURL string
	BuyerID, BuyerLogonID                  string // create only
}

// RefundCommand is alipay.trade.refund.
type RefundCommand struct {
	TradeRef
	RefundAmount, OutRequestNo, RefundReason string
}

// RefundResult is what a refund did. FundChange says whether this call
// moved money (a replay of an earlier refund does not).
type RefundResult struct {
	Trade      *Trade
	Refund     *Refund
	Buyer      *Buyer
	FundChange bool
}

// CancelResult is what alipay.trade.cancel did. Action is "close", "refund",
// or empty when the trade does not exist.
type CancelResult struct {
	Trade  *Trade // nil when the trade does not exist
	Action string
}

// Trade time-outs when the merchant gives none (spec §4.1, §4.6).
const (
	defaultPayTimeout       = 3 * time.Hour
	defaultPrecreateTimeout = 2 * time.Hour
	// CancelWindow is how long after payment alipay.trade.cancel may refund.
	CancelWindow = 24 * time.Hour
)

// Pay runs alipay.trade.pay at the app's time now.
func (s *Service) Pay(ctx context.Context, app *App, now time.Time, cmd PayCommand) (*PayResult, error) {
	amount, err := validateTrade(cmd.OutTradeNo, cmd.TotalAmount, cmd.Subject)
	if err != nil {
		return nil, err
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
	timeout, err := parseTimeoutExpress(cmd.TimeoutExpress, defaultPayTimeout)
	if err != nil {
		return nil, err
	}
	fp := fingerprint(TradeKindPay, amount, cmd.Subject)
	var res PayResult
	err = s.command(ctx, func(q Queries) error {
		res = PayResult{}
		t, err := q.TradeByOutTradeNo(ctx, app.ID, cmd.OutTradeNo)
		if err == nil {
			return s.repeatCreate(ctx, q, t, fp, now, func() error {
				// A pay repeated while the buyer is still confirming: the
				// same 10003, the same trade.
				res.Trade, res.InProgress = t, true
				res.Buyer, err = optionalBuyer(ctx, q, t.BuyerID)
				return err
			})
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		buyer, err := q.BuyerByPaymentCode(ctx, cmd.AuthCode)
		if errors.Is(err, ErrNotFound) {
			return ErrPaymentAuthCodeInvalid
		} else if err != nil {
			return err
		}
		if buyer.UserID == app.SellerID {
			return ErrBuyerSellerEqual
		}
		t = &Trade{
			TradeNo: newTradeNo(now), AppID: app.ID, OutTradeNo: cmd.OutTradeNo, Kind: TradeKindPay,
			Status: TradeWaitBuyerPay, SellerID: app.SellerID, BuyerID: buyer.UserID,
			Subject: cmd.Subject, Body: cmd.Body, TotalAmount: amount, Fingerprint: fp,
			Scanned: true, NotifyURL: cmd.NotifyURL, ExpiresAt: now.Add(timeout), CreatedAt: now,
		}
		res.Trade, res.Buyer = t, buyer
		if buyer.Behaviour == BehaviourPassword {
			res.InProgress = true
			return q.CreateTrade(ctx, t)
		}
		t.Status, t.PaidAt = TradeSuccess, now
		if err := q.CreateTrade(ctx, t); err != nil {
			return err
		}
		return s.postPayment(ctx, q, t, now)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// Precreate runs alipay.trade.precreate: a trade that waits for a buyer to
// scan its QR code.
func (s *Service) Precreate(ctx context.Context, app *App, now time.Time, cmd CreateCommand) (*Trade, error) {
	return s.createTrade(ctx, app, now, cmd, TradeKindPrecreate)
}

// Create runs alipay.trade.create: a trade for a named buyer, who pays in
// their app (here: through the admin API).
func (s *Service) Create(ctx context.Context, app *App, now time.Time, cmd CreateCommand) (*Trade, error) {
	if cmd.BuyerID == "" && cmd.BuyerLogonID == "" {
		return nil, InvalidTradeParameter("buyer_id 和 buyer_logon_id 不能同时为空")
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
	}
	timeout, err := parseTimeoutExpress(cmd.TimeoutExpress, fallback)
	if err != nil {
		return nil, err
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
		t = &Trade{
			TradeNo: newTradeNo(now), AppID: app.ID, OutTradeNo: cmd.OutTradeNo, Kind: kind,
			Status: TradeWaitBuyerPay, SellerID: app.SellerID, Subject: cmd.Subject, Body: cmd.Body,
			TotalAmount: amount, Fingerprint: fp, NotifyURL: cmd.NotifyURL,
			ExpiresAt: now.Add(timeout), CreatedAt: now,
		}
		if kind == TradeKindPrecreate {
			t.QRCode = "https://qr.alipay.com/" + randomToken(24)
		} else {
			buyer, err := findBuyer(ctx, q, cmd.BuyerID, cmd.BuyerLogonID)
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

// Query runs alipay.trade.query.
func (s *Service) Query(ctx context.Context, app *App, now time.Time, ref TradeRef) (*Trade, *Buyer, error) {
	var t *Trade
	var buyer *Buyer
	err := s.command(ctx, func(q Queries) error {
		var err error
		if t, err = findVisible(ctx, q, app, ref); err != nil {
			return err
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		buyer, err = optionalBuyer(ctx, q, t.BuyerID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return t, buyer, nil
}

// Close runs alipay.trade.close: only a trade waiting for payment closes.
func (s *Service) Close(ctx context.Context, app *App, now time.Time, ref TradeRef) (*Trade, error) {
	var t *Trade
	err := s.command(ctx, func(q Queries) error {
		var err error
		if t, err = findVisible(ctx, q, app, ref); err != nil {
			return err
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		if t.Status != TradeWaitBuyerPay {
			return ErrTradeStatusError
		}
		t.Status, t.ClosedAt = TradeClosed, now
		return q.UpdateTrade(ctx, t)
	})
	return t, err
}

// Cancel runs alipay.trade.cancel, for a trade whose payment result the
// merchant does not know: unpaid, it closes; paid within CancelWindow, it is
// refunded in full. A trade zfb has never seen is answered with success and
// no action, and its out_trade_no is closed so that a pay arriving later is
// refused (ACQ.TRADE_HAS_CLOSE) instead of taking the buyer's money.
func (s *Service) Cancel(ctx context.Context, app *App, now time.Time, ref TradeRef) (*CancelResult, error) {
	if ref.TradeNo == "" && ref.OutTradeNo == "" {
		return nil, InvalidTradeParameter("out_trade_no 和 trade_no 不能同时为空")
	}
	var res CancelResult
	err := s.command(ctx, func(q Queries) error {
		res = CancelResult{}
		t, err := findTrade(ctx, q, app, ref)
		switch {
		case errors.Is(err, ErrNotFound) && ref.TradeNo == "":
			return q.CreateTrade(ctx, &Trade{
				TradeNo: newTradeNo(now), AppID: app.ID, OutTradeNo: ref.OutTradeNo, Kind: TradeKindCancelled,
				Status: TradeClosed, SellerID: app.SellerID, CreatedAt: now, ClosedAt: now,
			})
		case errors.Is(err, ErrNotFound):
			return nil // a trade_no Alipay never issued: nothing to do
		case err != nil:
			return err
		case t.Kind == TradeKindCancelled:
			return nil // as the first cancel answered
		case !t.Scanned:
			// A precreated trade nobody scanned does not exist for Alipay:
			// no action, but it is closed, so that no scan can pay it now.
			t.Status, t.ClosedAt = TradeClosed, now
			return q.UpdateTrade(ctx, t)
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		res.Trade = t
		switch t.Status {
		case TradeWaitBuyerPay:
			t.Status, t.ClosedAt, t.CancelAction = TradeClosed, now, "close"
			res.Action = "close"
			return q.UpdateTrade(ctx, t)
		case TradeClosed:
			switch {
			case t.CancelAction != "":
				res.Action = t.CancelAction // a repeated cancel answers as the first
			case t.PaidAt.IsZero():
				res.Action = "close" // closed unpaid: the cancel's outcome holds
			default:
				return ErrRefundFeeErr // paid and refunded in full already
			}
			return nil
		case TradeFinished:
			return ErrTradeHasFinished
		}
		// TRADE_SUCCESS
		if t.RefundedAmount > 0 {
			return ErrRefundFeeErr
		}
		if now.Sub(t.PaidAt) > CancelWindow {
			return ErrTradeCancelTimeOut
		}
		refund := &Refund{TradeNo: t.TradeNo, OutRequestNo: t.OutTradeNo, Amount: t.TotalAmount, Reason: "cancel", ByCancel: true, CreatedAt: now}
		if err := s.postRefund(ctx, q, t, refund, now); err != nil {
			return err
		}
		t.CancelAction, res.Action = "refund", "refund"
		return q.UpdateTrade(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// Refund runs alipay.trade.refund. out_request_no makes it idempotent: a
// repeat answers the first refund with fund_change N; the same number with
// another amount is ACQ.DISCORDANT_REPEAT_REQUEST. Without out_request_no
// the refund is of the whole trade, numbered by its out_trade_no.
func (s *Service) Refund(ctx context.Context, app *App, now time.Time, cmd RefundCommand) (*RefundResult, error) {
	amount, err := ParseAmount(cmd.RefundAmount)
	if err != nil || amount == 0 {
		return nil, InvalidTradeParameter("refund_amount 须为 0.01 到 100000000.00 之间的金额")
	}
	if len(cmd.OutRequestNo) > 64 {
		return nil, InvalidTradeParameter("out_request_no 不能超过 64 个字符")
	}
	var res RefundResult
	err = s.command(ctx, func(q Queries) error {
		res = RefundResult{}
		t, err := findVisible(ctx, q, app, cmd.TradeRef)
		if err != nil {
			return err
		}
		whole := cmd.OutRequestNo == ""
		number := cmd.OutRequestNo
		if whole {
			number = t.OutTradeNo
		}
		res.Trade = t
		if res.Buyer, err = optionalBuyer(ctx, q, t.BuyerID); err != nil {
			return err
		}
		if earlier, err := q.Refund(ctx, t.TradeNo, number); err == nil {
			if earlier.Amount != amount {
				return ErrDiscordantRepeatRequest
			}
			res.Refund = earlier
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		switch t.Status {
		case TradeWaitBuyerPay:
			return ErrTradeStatusError
		case TradeFinished:
			return ErrTradeHasFinished
		case TradeClosed:
			if t.PaidAt.IsZero() {
				return ErrTradeHasClose
			}
			return ErrRefundFeeErr
		}
		if whole && amount != t.TotalAmount {
			return ErrRefundAmtNotEqualTotal
		}
		if amount > t.TotalAmount-t.RefundedAmount {
			return ErrRefundFeeErr
		}
		res.Refund = &Refund{TradeNo: t.TradeNo, OutRequestNo: number, Amount: amount, Reason: cmd.RefundReason, CreatedAt: now}
		res.FundChange = true
		if err := s.postRefund(ctx, q, t, res.Refund, now); err != nil {
			return err
		}
		return q.UpdateTrade(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// RefundQuery runs alipay.trade.fastpay.refund.query. A refund that does
// not exist is not an error: Alipay answers success without refund fields.
func (s *Service) RefundQuery(ctx context.Context, app *App, ref TradeRef, outRequestNo string) (*Trade, *Refund, error) {
	var t *Trade
	var refund *Refund
	err := s.command(ctx, func(q Queries) error {
		var err error
		if t, err = findVisible(ctx, q, app, ref); err != nil {
			return err
		}
		if outRequestNo == "" {
			outRequestNo = t.OutTradeNo
		}
		refund, err = q.Refund(ctx, t.TradeNo, outRequestNo)
		if errors.Is(err, ErrNotFound) {
			refund, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return t, refund, nil
}

// Buyer actions on a waiting trade, as a tester plays the buyer.
const (
	BuyerActionScan    = "scan"    // a buyer scans a precreated trade's QR code
	BuyerActionPay     = "pay"     // the buyer confirms and pays
	BuyerActionDecline = "decline" // the buyer declines: the trade closes
)

// ActAsBuyer plays the buyer on a trade at its app's time. For a precreated
// trade the buyer may be named (buyerID); otherwise the trade's buyer acts,
// or the first buyer who pays at once.
func (s *Service) ActAsBuyer(ctx context.Context, tradeNo, action, buyerID string) (*Trade, error) {
	switch action {
	case BuyerActionScan, BuyerActionPay, BuyerActionDecline:
	default:
		return nil, fmt.Errorf("%w: action must be scan, pay or decline", ErrInvalidAction)
	}
	var t *Trade
	err := s.command(ctx, func(q Queries) error {
		var err error
		if t, err = q.Trade(ctx, tradeNo); err != nil {
			return err
		}
		if t.Kind == TradeKindCancelled {
			return ErrNotFound
		}
		app, err := q.App(ctx, t.AppID)
		if err != nil {
			return err
		}
		now := app.Clock(s.Clock).Now()
		if err := s.expire(ctx, q, t, now); err != nil {
			return err
		}
		if t.Status != TradeWaitBuyerPay {
			return fmt.Errorf("%w: the trade is %s", ErrInvalidAction, t.Status)
		}
		if action == BuyerActionDecline {
			t.Status, t.ClosedAt = TradeClosed, now
			return q.UpdateTrade(ctx, t)
		}
		if buyerID != "" && t.BuyerID != "" && buyerID != t.BuyerID {
			return fmt.Errorf("%w: the trade's buyer is %s", ErrInvalidAction, t.BuyerID)
		}
		if t.BuyerID == "" {
			buyer, err := scanningBuyer(ctx, q, buyerID)
			if err != nil {
				return err
			}
			t.BuyerID = buyer.UserID
		}
		t.Scanned = true
		if action == BuyerActionScan {
			return q.UpdateTrade(ctx, t)
		}
		t.Status, t.PaidAt = TradeSuccess, now
		if err := s.postPayment(ctx, q, t, now); err != nil {
			return err
		}
		return q.UpdateTrade(ctx, t)
	})
	return t, err
}

// ErrInvalidAction refuses a buyer action the trade's state does not allow.
var ErrInvalidAction = errors.New("invalid buyer action")

// TradeByOutTradeNo finds an app's trade for the admin API, precreated
// trades included (their trade_no is not in the precreate answer).
func (s *Service) TradeByOutTradeNo(ctx context.Context, appID, outTradeNo string) (*Trade, error) {
	t, err := s.Store.TradeByOutTradeNo(ctx, appID, outTradeNo)
	if err == nil && t.Kind == TradeKindCancelled {
		return nil, ErrNotFound
	}
	return t, err
}

// postPayment moves a paid trade's money from the buyer to the merchant and
// records the notification, in the caller's transaction.
func (s *Service) postPayment(ctx context.Context, q Queries, t *Trade, now time.Time) error {
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
	return s.notify(ctx, q, t, now, "")
}

// postRefund records r, moves its money back to the buyer and updates t's
// refunded amount (closing it when refunded in full), in the caller's
// transaction; the caller writes t.
func (s *Service) postRefund(ctx context.Context, q Queries, t *Trade, r *Refund, now time.Time) error {
	if err := q.CreateRefund(ctx, r); err != nil {
		return err
	}
	err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferRefund, Ref: t.TradeNo, Currency: CNY, Amount: r.Amount, CreatedAt: now,
		Debit: MerchantAccount(t.SellerID, CNY), Credit: BuyerAccount(t.BuyerID, CNY),
	})
	if errors.Is(err, ErrInsufficientFunds) {
		return ErrSellerBalanceNotEnough
	}
	if err != nil {
		return err
	}
	t.RefundedAmount += r.Amount
	if t.RefundedAmount == t.TotalAmount {
		t.Status, t.ClosedAt = TradeClosed, now
	}
	return s.notify(ctx, q, t, now, r.OutRequestNo)
}

// notify records a trade_status_sync notification for the outbox, when the
// merchant asked for notifications. The dispatcher renders and signs it.
func (s *Service) notify(ctx context.Context, q Queries, t *Trade, now time.Time, outBizNo string) error {
	if t.NotifyURL == "" {
		return nil
	}
	payload, err := json.Marshal(map[string]string{
		"trade_no": t.TradeNo, "trade_status": string(t.Status), "out_biz_no": outBizNo,
	})
	if err != nil {
		return err
	}
	return q.EnqueueOutbox(ctx, &OutboxMessage{
		AppID: t.AppID, Kind: "trade_status_sync", Target: t.NotifyURL, Payload: string(payload),
		NextAttempt: now, CreatedAt: now,
	})
}

// expire closes a waiting trade whose time is up on the app's clock. Time
// outs are applied when a trade is next touched, so they follow the app's
// clock exactly, however it is moved.
func (s *Service) expire(ctx context.Context, q Queries, t *Trade, now time.Time) error {
	if t.Status != TradeWaitBuyerPay || t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt) {
		return nil
	}
	t.Status, t.ClosedAt = TradeClosed, t.ExpiresAt
	return q.UpdateTrade(ctx, t)
}

// command runs fn in one transaction and runs it again, from a fresh read,
// when another command won a race for the same rows (ErrStale, ErrConflict).
func (s *Service) command(ctx context.Context, fn func(q Queries) error) error {
	const attempts = 10
	for i := 1; ; i++ {
		err := s.Store.InTx(ctx, fn)
		if i < attempts && (errors.Is(err, ErrStale) || errors.Is(err, ErrConflict)) {
			continue
		}
		return err
	}
}

// findTrade finds the app's trade by trade_no (which wins) or out_trade_no.
func findTrade(ctx context.Context, q Queries, app *App, ref TradeRef) (*Trade, error) {
	if ref.TradeNo != "" {
		t, err := q.Trade(ctx, ref.TradeNo)
		if err == nil && t.AppID != app.ID {
			return nil, ErrNotFound
		}
		return t, err
	}
	return q.TradeByOutTradeNo(ctx, app.ID, ref.OutTradeNo)
}

// findVisible finds a trade as Alipay's query sees it: a cancelled
// out_trade_no and a precreated trade nobody scanned do not exist.
func findVisible(ctx context.Context, q Queries, app *App, ref TradeRef) (*Trade, error) {
	if ref.TradeNo == "" && ref.OutTradeNo == "" {
		return nil, InvalidTradeParameter("out_trade_no 和 trade_no 不能同时为空")
	}
	t, err := findTrade(ctx, q, app, ref)
	if errors.Is(err, ErrNotFound) || (err == nil && (t.Kind == TradeKindCancelled || !t.Scanned)) {
		return nil, ErrTradeNotExist
	}
	return t, err
}

func optionalBuyer(ctx context.Context, q Queries, userID string) (*Buyer, error) {
	if userID == "" {
		return nil, nil
	}
	return q.Buyer(ctx, userID)
}

func findBuyer(ctx context.Context, q Queries, userID, logonID string) (*Buyer, error) {
	if userID != "" {
		b, err := q.Buyer(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			return nil, ErrBuyerNotExist
		}
		return b, err
	}
	buyers, err := q.Buyers(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range buyers {
		if b.LogonID == logonID {
			return b, nil
		}
	}
	return nil, ErrBuyerNotExist
}

// scanningBuyer is the buyer who scans a precreated trade: the one named,
// or the first sandbox buyer who pays at once.
func scanningBuyer(ctx context.Context, q Queries, userID string) (*Buyer, error) {
	if userID != "" {
		b, err := q.Buyer(ctx, userID)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: no buyer %s", ErrInvalidAction, userID)
		}
		return b, err
	}
	buyers, err := q.Buyers(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range buyers {
		if b.Behaviour == BehaviourPays {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w: name a buyer_id: no buyer pays at once", ErrInvalidAction)
}

// validateTrade checks the fields every trade needs and parses the amount.
func validateTrade(outTradeNo, totalAmount, subject string) (int64, error) {
	if outTradeNo == "" || len(outTradeNo) > 64 {
		return 0, InvalidTradeParameter("out_trade_no 须为 1 到 64 个字符")
	}
	for _, c := range outTradeNo {
		// Alipay documents letters, digits and underscores; hyphens and
		// dots are accepted too, as merchants use them widely.
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return 0, InvalidTradeParameter("out_trade_no 只能包含字母、数字、下划线")
		}
	}
	amount, err := ParseAmount(totalAmount)
	if err != nil || amount == 0 {
		return 0, InvalidTradeParameter("total_amount 须为 0.01 到 100000000.00 之间的金额")
	}
	if strings.TrimSpace(subject) == "" || len([]rune(subject)) > 256 {
		return 0, InvalidTradeParameter("subject 不能为空且不能超过 256 个字符")
	}
	if strings.ContainsAny(subject, "/=&") {
		return 0, InvalidTradeParameter("subject 不能包含 / = &")
	}
	return amount, nil
}

// faceToFace accepts the product codes of face-to-face trades.
func faceToFace(productCode string) error {
	switch productCode {
	case "", "FACE_TO_FACE_PAYMENT", "OFFLINE_PAYMENT", "QUICK_MSECURITY_PAY", "JSAPI_PAY":
		return nil
	}
	return InvalidTradeParameter("product_code " + productCode + " 不支持")
}

// parseTimeoutExpress reads Alipay's timeout_express: 1m to 15d, in m, h or
// d, or "1c" (the end of the current day).
func parseTimeoutExpress(s string, fallback time.Duration) (time.Duration, error) {
	if s == "" {
		return fallback, nil
	}
	invalid := InvalidTradeParameter("timeout_express 取值范围为 1m～15d")
	if len(s) < 2 {
		return 0, invalid
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 {
		return 0, invalid
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	case 'c':
		if n != 1 {
			return 0, invalid
		}
		return 24 * time.Hour, nil // at most a day; "the end of today" needs a date
	default:
		return 0, invalid
	}
	// Compare before multiplying: a large count would overflow.
	const longest = 15 * 24 * time.Hour
	if n > int(longest/unit) {
		return 0, invalid
	}
	return time.Duration(n) * unit, nil
}

// fingerprint digests the parameters that define a trade.
func fingerprint(kind string, amount int64, subject string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + strconv.FormatInt(amount, 10) + "\x00" + subject))
	return hex.EncodeToString(sum[:16])
}

// newTradeNo makes a trade number shaped like Alipay's: the date, "22001",
// and 15 random digits (28 digits in all).
func newTradeNo(now time.Time) string {
	return now.In(Beijing).Format("20060102") + "22001" + randomDigits(15)
}

func randomDigits(n int) string { return randomString("0123456789", n) }

func randomToken(n int) string { return randomString("abcdefghijklmnopqrstuvwxyz0123456789", n) }

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		d, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet)))) // crypto/rand does not fail
		b[i] = alphabet[d.Int64()]
	}
	return string(b)
}

// MaskLogonID hides most of a logon id, as Alipay's answers do:
// "138****5678" for a phone number, "tes***@example.com" for an e-mail.
func MaskLogonID(id string) string {
	if at := strings.IndexByte(id, '@'); at > 0 {
		keep := min(3, at)
		return id[:keep] + "***" + id[at:]
	}
	if len(id) >= 7 {
		return id[:3] + "****" + id[len(id)-4:]
	}
	return id
}

// AddFault validates and stores a fault rule for app f.AppID.
func (s *Service) AddFault(ctx context.Context, f *Fault) error {
	switch {
	case f.Method == "":
		return fmt.Errorf("%w: a fault rule needs a method", ErrInvalidFault)
	case f.Effect != FaultErrorBefore && f.Effect != FaultErrorAfter && f.Effect != FaultDelay:
		return fmt.Errorf("%w: effect must be %s, %s or %s", ErrInvalidFault, FaultErrorBefore, FaultErrorAfter, FaultDelay)
	case f.DelayMS < 0 || f.DelayMS > 600_000:
		return fmt.Errorf("%w: delay_ms must be between 0 and 600000", ErrInvalidFault)
	case f.Effect == FaultDelay && f.DelayMS == 0:
		return fmt.Errorf("%w: a delay needs delay_ms", ErrInvalidFault)
	}
	switch f.SubCode {
	case "":
		f.SubCode = ErrUnknown.SubCode
	case ErrUnknown.SubCode, ErrTradeSystemError.SubCode:
	default:
		return fmt.Errorf("%w: sub_code must be %s or %s", ErrInvalidFault, ErrUnknown.SubCode, ErrTradeSystemError.SubCode)
	}
	if _, err := path.Match(f.OutTradeNo, ""); err != nil {
		return fmt.Errorf("%w: out_trade_no is not a valid pattern: %v", ErrInvalidFault, err)
	}
	if _, err := s.Store.App(ctx, f.AppID); err != nil {
		return err
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = s.Clock.Now()
	}
	return s.Store.CreateFault(ctx, f)
}

// ErrInvalidFault refuses a fault rule that cannot be applied.
var ErrInvalidFault = errors.New("invalid fault rule")
