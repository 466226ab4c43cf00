package zfb

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// FreezeCommand is alipay.fund.auth.order.freeze (the merchant scans the
// buyer's payment code) or, without AuthCode, alipay.fund.auth.order.voucher.create
// (the buyer scans the merchant's QR code).
type FreezeCommand struct {
	AuthCode, AuthCodeType                       string // freeze only
	OutOrderNo, OutRequestNo, OrderTitle, Amount string
	ProductCode, PayeeUserID, PayTimeout         string
	ExtraParam, NotifyURL                        string
}

// FreezeResult is what a freeze or voucher did. The operation is INIT while
// the buyer has not confirmed (a password buyer, a voucher nobody scanned).
type FreezeResult struct {
	Order     *AuthOrder
	Operation *AuthOperation
	Payer     *Buyer   // nil until the payer is known
	PayerIDs  BuyerIDs // how the app names the payer
}

// Freeze runs alipay.fund.auth.order.freeze at the app's time now. A buyer
// who pays at once has the amount frozen; a password buyer leaves the
// freeze INIT until they confirm or decline (ActOnAuthorization) or it
// times out; a buyer whose balance is too low gets MONEY_NOT_ENOUGH and
// nothing is stored.
func (s *Service) Freeze(ctx context.Context, app *App, now time.Time, cmd FreezeCommand) (*FreezeResult, error) {
	if cmd.AuthCode == "" {
		return nil, IllegalArgument("auth_code 不能为空")
	}
	switch cmd.AuthCodeType {
	case "bar_code", "security_code":
	case "":
		return nil, IllegalArgument("auth_code_type 不能为空")
	default:
		return nil, IllegalArgument("auth_code_type 只支持 bar_code、security_code")
	}
	return s.freeze(ctx, app, now, cmd, AuthKindFreeze)
}

// VoucherCreate runs alipay.fund.auth.order.voucher.create: an order that
// waits, INIT, for a buyer to scan its QR code and authorise the freeze.
func (s *Service) VoucherCreate(ctx context.Context, app *App, now time.Time, cmd FreezeCommand) (*FreezeResult, error) {
	cmd.AuthCode, cmd.AuthCodeType = "", ""
	return s.freeze(ctx, app, now, cmd, AuthKindVoucher)
}

func (s *Service) freeze(ctx context.Context, app *App, now time.Time, cmd FreezeCommand, kind string) (*FreezeResult, error) {
	amount, timeout, err := validateFreeze(app, cmd)
	if err != nil {
		return nil, err
	}
	fp := fingerprint(kind, amount, strings.Join([]string{cmd.OutRequestNo, cmd.OrderTitle, cmd.AuthCode, cmd.ExtraParam}, "\x00"))
	var res FreezeResult
	err = s.command(ctx, func(q Queries) error {
		res = FreezeResult{}
		// A repeat answers what the first freeze did, whatever its own
		// auth_code says (a new order's checks only): a refused freeze
		// looks for the order it repeats before it is refused.
		refuse := func(refusal error) error {
			return repeatOrRefuse(refusal,
				func() (*AuthOrder, error) { return q.AuthOrderByOutOrderNo(ctx, app.ID, cmd.OutOrderNo) },
				func(o *AuthOrder) error { return s.repeatFreeze(ctx, q, o, fp, now, &res) })
		}
		o := &AuthOrder{
			AuthNo: newAuthNo(now), AppID: app.ID, OutOrderNo: cmd.OutOrderNo, Kind: kind,
			Status: AuthOrderInit, PayeeUserID: app.SellerID, OrderTitle: cmd.OrderTitle,
			ProductCode: cmd.ProductCode, ExtraParam: cmd.ExtraParam, Fingerprint: fp,
			NotifyURL: app.notifyURL(cmd.NotifyURL), ExpiresAt: now.Add(timeout), CreatedAt: now,
			AgentAppID: app.Agent,
		}
		op := &AuthOperation{
			OperationID: newOperationID(now), AuthNo: o.AuthNo, OutRequestNo: cmd.OutRequestNo,
			Type: AuthOpFreeze, Status: AuthOpInit, Amount: amount, CreatedAt: now,
		}
		res.Order, res.Operation = o, op
		// The order is stored unless the out_order_no is taken, which
		// makes this freeze a repeat: no read before the insert.
		create := func(then func() error) error {
			existing, err := q.CreateAuthOrderIfNew(ctx, o)
			if err != nil {
				return err
			}
			if existing != nil {
				res = FreezeResult{}
				return s.repeatFreeze(ctx, q, existing, fp, now, &res)
			}
			if err := q.CreateAuthOperation(ctx, op); err != nil || then == nil {
				return err
			}
			return then()
		}
		if kind == AuthKindVoucher {
			o.CodeValue = "https://qr.alipay.com/" + randomToken(24)
			return create(nil)
		}
		payer, err := q.BuyerByPaymentCode(ctx, cmd.AuthCode)
		switch {
		case errors.Is(err, ErrNotFound):
			return refuse(ErrAuthPaymentCodeInvalid)
		case err != nil:
			return err
		case payer.UserID == app.SellerID:
			return refuse(ErrPayerPayeeEqual)
		case payer.Restricted:
			return refuse(ErrPayerUserStatusLimit)
		}
		o.PayerUserID, res.Payer = payer.UserID, payer
		if payer.Behaviour == BehaviourPassword {
			return create(nil)
		}
		markFrozen(o, op, now)
		return create(func() error { return s.postFreeze(ctx, q, o, op, now) })
	})
	if err != nil {
		return nil, err
	}
	if res.PayerIDs, err = s.showBuyer(ctx, app, res.Order.PayerUserID); err != nil {
		return nil, err
	}
	return &res, nil
}

// validateFreeze checks a freeze's or voucher's parameters and returns the
// amount and how long the buyer has to confirm.
func validateFreeze(app *App, cmd FreezeCommand) (amount int64, timeout time.Duration, err error) {
	switch {
	case !validOutNo(cmd.OutOrderNo):
		return 0, 0, IllegalArgument("out_order_no 须为 1 到 64 位字母、数字、下划线")
	case !validOutNo(cmd.OutRequestNo):
		return 0, 0, IllegalArgument("out_request_no 须为 1 到 64 位字母、数字、下划线")
	case strings.TrimSpace(cmd.OrderTitle) == "" || !fitsLetters(cmd.OrderTitle, 100):
		return 0, 0, IllegalArgument("order_title 不能为空且不能超过 100 个字母或 50 个汉字")
	case cmd.ProductCode != "" && !preAuthProductCodes[cmd.ProductCode]:
		return 0, 0, IllegalArgument("product_code " + cmd.ProductCode + " 不支持")
	case cmd.PayeeUserID != "" && cmd.PayeeUserID != app.SellerID:
		// The sandbox has one merchant per app: any other payee is unknown.
		return 0, 0, ErrPayeeNotExist
	case cmd.ExtraParam != "" && !isJSONObject(cmd.ExtraParam):
		return 0, 0, IllegalArgument("extra_param 须为 JSON 对象")
	}
	if amount, err = validAuthAmount("amount", cmd.Amount); err != nil {
		return 0, 0, err
	}
	if timeout, err = parseTimeoutExpress(cmd.PayTimeout, defaultFreezeTimeout); err != nil {
		return 0, 0, IllegalArgument("pay_timeout 取值范围为 1m～15d")
	}
	return amount, timeout, nil
}

// repeatFreeze answers a freeze or voucher that repeats an out_order_no:
// other parameters are UNIQUE_VIOLATION; a frozen order
// FREEZE_ALREADY_SUCCESS, a finished one ORDER_ALREADY_FINISH, a closed or
// cancelled one ORDER_ALREADY_CLOSED; an order still waiting answers as the
// first call did. The exact codes of a repeat are UNCONFIRMED (spec §6.1).
func (s *Service) repeatFreeze(ctx context.Context, q Queries, o *AuthOrder, fp string, now time.Time, res *FreezeResult) error {
	if o.Kind == AuthKindCancelled {
		return ErrOrderAlreadyClosed
	}
	if o.Fingerprint != fp {
		return ErrUniqueViolation
	}
	if err := s.expireAuth(ctx, q, o, now); err != nil {
		return err
	}
	switch o.Status {
	case AuthOrderAuthorized:
		return ErrFreezeAlreadySuccess
	case AuthOrderFinish:
		return ErrOrderAlreadyFinish
	case AuthOrderClosed:
		return ErrOrderAlreadyClosed
	}
	op, err := freezeOperation(ctx, q, o.AuthNo)
	if err != nil {
		return err
	}
	res.Order, res.Operation = o, op
	res.Payer, err = optionalBuyer(ctx, q, o.PayerUserID)
	return err
}

// freezeOperation is the FREEZE operation of an order.
func freezeOperation(ctx context.Context, q Queries, authNo string) (*AuthOperation, error) {
	ops, err := q.AuthOperations(ctx, authNo)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		if op.Type == AuthOpFreeze {
			return op, nil
		}
	}
	return nil, ErrNotFound
}

// markFrozen records in memory that op's amount is frozen under o.
func markFrozen(o *AuthOrder, op *AuthOperation, now time.Time) {
	o.Status, o.TotalFreezeAmount, o.ExpiresAt = AuthOrderAuthorized, op.Amount, time.Time{}
	op.Status, op.TransAt = AuthOpSuccess, now
}

// postFreeze moves the frozen amount from the payer's available funds to
// their frozen account and records the fund_auth_freeze notification, in
// the caller's transaction. A balance too low is MONEY_NOT_ENOUGH, and the
// caller's transaction rolls back.
func (s *Service) postFreeze(ctx context.Context, q Queries, o *AuthOrder, op *AuthOperation, now time.Time) error {
	err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferFreeze, Ref: o.AuthNo, Currency: CNY, Amount: op.Amount, CreatedAt: now,
		Debit: BuyerAccount(o.PayerUserID, CNY), Credit: BuyerFrozenAccount(o.PayerUserID, CNY),
	})
	if errors.Is(err, ErrInsufficientFunds) {
		return ErrMoneyNotEnough
	}
	if err != nil {
		return err
	}
	return s.notifyOperation(ctx, q, NotifyFundAuthFreeze, o.NotifyURL, o, op, now)
}

func isJSONObject(s string) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &v) == nil && v != nil
}
