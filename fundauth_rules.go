package zfb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The rules every fund authorisation call shares.

const (
	// defaultFreezeTimeout is how long a freeze waits for the buyer when
	// the merchant gives no pay_timeout (spec §4.8: default 15m).
	defaultFreezeTimeout = 15 * time.Minute
	// AuthCancelWindow is how long after a freeze
	// alipay.fund.auth.operation.cancel may undo it (seed 000:
	// CANCEL_OPERATION_TIME_OUT, "within 24 hours of the authorization
	// freeze operation").
	AuthCancelWindow = 24 * time.Hour
)

// preAuthProductCodes are the product codes of a fund authorisation and of
// a payment from one. Which one Alipay requires on alipay.trade.pay is
// UNCONFIRMED (spec §4.1), so each is accepted.
var preAuthProductCodes = map[string]bool{"PRE_AUTH": true, "PREAUTH_PAY": true, "PRE_AUTH_ONLINE": true}

// validRemark checks a required remark: "100 letters or 50 Chinese
// characters" at most, as Alipay documents it.
func validRemark(remark string) error {
	if strings.TrimSpace(remark) == "" {
		return IllegalArgument("remark 不能为空")
	}
	if !fitsLetters(remark, 100) {
		return IllegalArgument("remark 不能超过 100 个字母或 50 个汉字")
	}
	return nil
}

// fitsLetters reports whether s is at most n letters long, counting a
// character outside ASCII as two, as Alipay counts "n letters or n/2
// Chinese characters" (the length of the text in GBK).
func fitsLetters(s string, n int) bool {
	width := 0
	for _, r := range s {
		width++
		if r >= 0x80 {
			width++
		}
	}
	return width <= n
}

// validAuthAmount parses a fund authorisation amount, 0.01 to 100000000.00.
func validAuthAmount(name, s string) (int64, error) {
	amount, err := ParseAmount(s)
	if err != nil || amount == 0 {
		return 0, IllegalArgument(name + " 须为 0.01 到 100000000.00 之间的金额")
	}
	return amount, nil
}

// validOrderRef checks that one of auth_no and out_order_no, and one of
// operation_id and out_request_no, is given (seeds 000 and 002).
func validOrderRef(authNo, outOrderNo, operationID, outRequestNo string) error {
	if authNo == "" && outOrderNo == "" {
		return IllegalArgument("auth_no 和 out_order_no 不能同时为空")
	}
	if operationID == "" && outRequestNo == "" {
		return IllegalArgument("operation_id 和 out_request_no 不能同时为空")
	}
	return nil
}

// settleAuthOrder applies to o and its waiting freeze, in memory, what the
// app's clock says has happened by now: an order still INIT whose time is
// up is closed, with its freeze. freeze may be nil. It reports whether
// anything changed. Reads show orders settled; commands write them
// (expireAuth) before acting.
func settleAuthOrder(o *AuthOrder, freeze *AuthOperation, now time.Time) bool {
	if o.Status != AuthOrderInit || o.ExpiresAt.IsZero() || now.Before(o.ExpiresAt) {
		return false
	}
	o.Status, o.ClosedAt = AuthOrderClosed, o.ExpiresAt
	if freeze != nil && freeze.Type == AuthOpFreeze && freeze.Status == AuthOpInit {
		freeze.Status, freeze.ClosedAt = AuthOpClosed, o.ExpiresAt
	}
	return true
}

// expireAuth settles o and, when its time ran out, writes it and closes
// its waiting freeze, with its notification, in the caller's transaction. Operations the caller
// holds (known) are updated in memory alike.
func (s *Service) expireAuth(ctx context.Context, q Queries, o *AuthOrder, now time.Time, known ...*AuthOperation) error {
	if !settleAuthOrder(o, nil, now) {
		return nil
	}
	if err := q.UpdateAuthOrder(ctx, o); err != nil {
		return err
	}
	ops, err := q.AuthOperations(ctx, o.AuthNo)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if op.Type == AuthOpFreeze && op.Status == AuthOpInit {
			op.Status, op.ClosedAt = AuthOpClosed, o.ExpiresAt
			if err := q.UpdateAuthOperation(ctx, op); err != nil {
				return err
			}
			for _, k := range known {
				if k.OperationID == op.OperationID {
					k.Status, k.ClosedAt = op.Status, op.ClosedAt
				}
			}
			// The freeze's outcome, CLOSED, notified as a freeze that
			// succeeded would be (UNCONFIRMED that Alipay notifies a
			// timed-out freeze).
			if err := s.notifyOperation(ctx, q, NotifyFundAuthFreeze, o.NotifyURL, o, op, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// payerMayMoveFunds refuses, as PAYER_USER_STATUS_LIMIT, to freeze or
// release funds of a payer whose account is restricted.
func payerMayMoveFunds(ctx context.Context, q Queries, userID string) error {
	b, err := q.Buyer(ctx, userID)
	if err != nil {
		return err
	}
	if b.Restricted {
		return ErrPayerUserStatusLimit
	}
	return nil
}

// settleAfterRelease sets the status of an authorised order after money
// left its frozen funds: nothing left frozen is FINISH when some was paid,
// CLOSED when all was released.
func settleAfterRelease(o *AuthOrder, now time.Time) {
	if o.RestAmount() > 0 {
		return
	}
	o.ClosedAt = now
	if o.TotalPayAmount > 0 {
		o.Status = AuthOrderFinish
	} else {
		o.Status = AuthOrderClosed
	}
}

// errOtherMerchant is ErrNotFound for an auth_no that names an order of
// another app.
var errOtherMerchant = fmt.Errorf("%w: the order is another app's", ErrNotFound)

// findAuthOrder finds the app's order by auth_no (which wins) or
// out_order_no. ErrNotFound for a cancelled out_order_no's tombstone, and
// errOtherMerchant for an order of another app.
func findAuthOrder(ctx context.Context, q Queries, app *App, authNo, outOrderNo string) (*AuthOrder, error) {
	var o *AuthOrder
	var err error
	if authNo != "" {
		o, err = q.AuthOrder(ctx, authNo)
	} else {
		o, err = q.AuthOrderByOutOrderNo(ctx, app.ID, outOrderNo)
	}
	switch {
	case err != nil:
		return nil, err
	case o.Kind == AuthKindCancelled:
		return nil, ErrNotFound
	case o.AppID != app.ID:
		return nil, errOtherMerchant
	}
	return o, nil
}

// errNoAuthOrder is findAuthOrderOperation's answer when the order is
// missing, as against its operation (ErrNotFound).
var errNoAuthOrder = errors.New("no such fund auth order")

// findAuthOrderOperation finds an order of app and one of its operations
// in one read, with findAuthOrder's errors, errNoAuthOrder for a missing
// order and ErrNotFound for a missing operation of an order that exists.
func findAuthOrderOperation(ctx context.Context, q Queries, app *App, ref AuthOperationRef) (*AuthOrder, *AuthOperation, error) {
	o, op, err := q.AuthOrderOperation(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		// No such pair: say which is missing, as findAuthOrder and
		// findAuthOperation would.
		if _, err := findAuthOrder(ctx, q, app, ref.AuthNo, ref.OutOrderNo); errors.Is(err, ErrNotFound) {
			return nil, nil, errNoAuthOrder
		} else if err != nil {
			return nil, nil, err
		}
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case o.Kind == AuthKindCancelled:
		return nil, nil, errNoAuthOrder
	case o.AppID != app.ID:
		return nil, nil, errOtherMerchant
	}
	return o, op, nil
}

// findAuthOperation finds an operation of o by operation_id (which wins) or
// out_request_no. Without a type, an out_request_no that several
// operations share finds the freeze first, then the unfreeze, then the pay
// (spec §4.13).
func findAuthOperation(ctx context.Context, q Queries, o *AuthOrder, operationID, outRequestNo string, typ AuthOperationType) (*AuthOperation, error) {
	if operationID != "" {
		op, err := q.AuthOperation(ctx, operationID)
		if err != nil {
			return nil, err
		}
		if op.AuthNo != o.AuthNo || (typ != "" && op.Type != typ) {
			return nil, ErrNotFound
		}
		return op, nil
	}
	types := []AuthOperationType{AuthOpFreeze, AuthOpUnfreeze, AuthOpPay}
	if typ != "" {
		types = []AuthOperationType{typ}
	}
	for _, t := range types {
		op, err := q.AuthOperationByOutRequestNo(ctx, o.AuthNo, t, outRequestNo)
		if !errors.Is(err, ErrNotFound) {
			return op, err
		}
	}
	return nil, ErrNotFound
}

// operationNotice is the body of a fund_auth_freeze or fund_auth_unfreeze
// notification (spec §5.2, from a real freeze notification), read in the
// caller's transaction for the payer's logon id (masked when rendered).
func operationNotice(ctx context.Context, q Queries, o *AuthOrder, op *AuthOperation) (map[string]string, error) {
	fields := map[string]string{
		"auth_no": o.AuthNo, "out_order_no": o.OutOrderNo,
		"operation_id": op.OperationID, "out_request_no": op.OutRequestNo,
		"operation_type": string(op.Type), "amount": FormatAmount(op.Amount), "status": string(op.Status),
		"gmt_create":    FormatGatewayTime(op.CreatedAt),
		"payer_user_id": o.PayerUserID, "payee_user_id": o.PayeeUserID,
		"order_status":        string(o.Status),
		"total_freeze_amount": FormatAmount(o.TotalFreezeAmount), "total_unfreeze_amount": FormatAmount(o.TotalUnfreezeAmount),
		"total_pay_amount": FormatAmount(o.TotalPayAmount), "rest_amount": FormatAmount(o.RestAmount()),
		"trans_currency": CNY,
	}
	if !op.TransAt.IsZero() {
		fields["gmt_trans"] = FormatGatewayTime(op.TransAt)
	}
	asAgent(fields, o.AgentAppID, o.AppID)
	if o.PayerUserID != "" {
		b, err := q.Buyer(ctx, o.PayerUserID)
		if err != nil {
			return nil, err
		}
		fields["payer_logon_id"] = b.LogonID
	}
	return fields, nil
}

// notifyOperation records the kind notification (fund_auth_freeze,
// fund_auth_unfreeze) of op on o, to target (else the app's default).
func (s *Service) notifyOperation(ctx context.Context, q Queries, kind, target string, o *AuthOrder, op *AuthOperation, now time.Time) error {
	if target == "" {
		return nil
	}
	fields, err := operationNotice(ctx, q, o, op)
	if err != nil {
		return err
	}
	// payer_user_id and/or payer_open_id by the app's identity mode, as in
	// the answers (spec isv-and-identity §2.2: UNCONFIRMED, by analogy).
	if err := s.nameBuyerIn(ctx, q, o.AppID, fields, "payer_user_id", "payer_open_id"); err != nil {
		return err
	}
	return s.enqueueNotification(ctx, q, o.AppID, kind, target, fields, now)
}
