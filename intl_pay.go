package zfb

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// IntlPay runs alipay.intl.acquiring.offline.pay at the app's time now: the
// buyer named by the payment code pays the order, in CNY at the sandbox's
// rate, and the merchant is paid in the order's currency. Buyer behaviours
// apply as on gateway.do: a password buyer leaves it INIT (answered U,
// USER_PAYING) until they confirm or decline through the admin API or it
// times out; a buyer too poor to pay gets PROCESS_FAIL and nothing is
// stored.
//
// A repeat of a merchantTransId with the same parameters answers as the
// first did (no second payment); with other parameters it is
// REPEAT_REQ_INCONSISTENT; one payCancel has closed, ORDER_STATUS_INVALID.
func (s *Service) IntlPay(ctx context.Context, app *App, now time.Time, cmd IntlPayCommand) (*IntlPayResult, error) {
	switch {
	case !validOutNo(cmd.MerchantTransID):
		return nil, IntlParamIllegal("merchantTransId must be 1 to 64 letters, digits, underscores, hyphens or dots")
	case cmd.ProductCode != "" && cmd.ProductCode != "OFFLINE_PAY":
		return nil, IntlParamIllegal("productCode " + cmd.ProductCode + " is not supported; use OFFLINE_PAY")
	case cmd.CodeType != "" && cmd.CodeType != "BARCODE":
		return nil, IntlParamIllegal("codeType must be BARCODE")
	case cmd.IdentityCode == "":
		return nil, IntlParamIllegal("identityCode is required")
	case strings.TrimSpace(cmd.OrderTitle) == "" || len([]rune(cmd.OrderTitle)) > 256:
		return nil, IntlParamIllegal("order.orderTitle is required, at most 256 characters")
	}
	amount, err := parseIntlAmount(cmd.Currency, cmd.Value)
	if err != nil {
		return nil, err
	}
	paidCNY := toCNY(cmd.Currency, amount)
	if paidCNY == 0 {
		return nil, IntlParamIllegal("the amount is less than 0.01 CNY")
	}
	fp := fingerprint(IntlKindPay, amount, cmd.Currency+"\x00"+cmd.OrderTitle+"\x00"+cmd.IdentityCode)
	var res IntlPayResult
	err = s.command(ctx, func(q Queries) error {
		res = IntlPayResult{}
		// A repeat answers what the first pay did, whatever its own
		// identityCode says (a new payment's checks only): a refused pay
		// looks for the payment it repeats before it is refused.
		refuse := func(refusal error) error {
			return repeatOrRefuse(refusal,
				func() (*IntlPayment, error) { return q.IntlPaymentByMerchantTransID(ctx, app.ID, cmd.MerchantTransID) },
				func(p *IntlPayment) error { return s.repeatIntlPay(ctx, q, p, fp, now, &res) })
		}
		buyer, err := q.BuyerByPaymentCode(ctx, cmd.IdentityCode)
		switch {
		case errors.Is(err, ErrNotFound):
			return refuse(ErrIntlUserNotExist)
		case err != nil:
			return err
		case buyer.Restricted:
			return refuse(ErrIntlUserStatusAbnormal)
		case buyer.UserID == app.SellerID:
			return refuse(IntlParamIllegal("the buyer is the merchant"))
		}
		p := &IntlPayment{
			AcquirementID: newIntlAcquirementID(now), AppID: app.ID, MerchantTransID: cmd.MerchantTransID,
			Kind: IntlKindPay, Status: IntlPaymentInit, SellerID: app.SellerID, BuyerID: buyer.UserID,
			OrderTitle: cmd.OrderTitle, Currency: cmd.Currency, Amount: amount, Fingerprint: fp,
			NotifyURL: app.notifyURL(cmd.NotifyURL), ExpiresAt: now.Add(defaultPayTimeout), CreatedAt: now,
		}
		paid := buyer.Behaviour != BehaviourPassword
		if paid {
			markIntlPaid(p, paidCNY, now)
		}
		// The payment is stored unless the merchantTransId is taken, which
		// makes this pay a repeat: no read before the insert.
		existing, err := q.CreateIntlPaymentIfNew(ctx, p)
		if err != nil {
			return err
		}
		if existing != nil {
			return s.repeatIntlPay(ctx, q, existing, fp, now, &res)
		}
		res.Payment, res.Buyer, res.InProgress = p, buyer, !paid
		if !paid {
			return nil
		}
		return s.postIntlPayment(ctx, q, p, now)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// repeatIntlPay answers a pay that repeats a merchantTransId.
func (s *Service) repeatIntlPay(ctx context.Context, q Queries, p *IntlPayment, fp string, now time.Time, res *IntlPayResult) error {
	if p.Kind == IntlKindCancelled {
		return ErrIntlOrderStatusInvalid
	}
	if p.Fingerprint != fp {
		return ErrIntlRepeatRequestInconsistent
	}
	if err := s.expireIntl(ctx, q, p, now); err != nil {
		return err
	}
	switch p.Status {
	case IntlPaymentSuccess:
	case IntlPaymentInit:
		res.InProgress = true
	default:
		return ErrIntlOrderStatusInvalid
	}
	buyer, err := q.Buyer(ctx, p.BuyerID)
	if err != nil {
		return err
	}
	res.Payment, res.Buyer = p, buyer
	return nil
}

// markIntlPaid records in memory that p was paid now, paidCNY from the
// buyer.
func markIntlPaid(p *IntlPayment, paidCNY int64, now time.Time) {
	p.Status, p.PaidCNY, p.PaidAt, p.ExpiresAt = IntlPaymentSuccess, paidCNY, now, time.Time{}
}

// postIntlPayment moves a paid payment's money, in the caller's
// transaction: the buyer's CNY to the exchange, the exchange's currency to
// the merchant; and records the notification. A buyer too poor to pay is
// PROCESS_FAIL and the caller's transaction rolls back.
func (s *Service) postIntlPayment(ctx context.Context, q Queries, p *IntlPayment, now time.Time) error {
	if err := s.ensureIntlAccounts(ctx, q, p); err != nil {
		return err
	}
	err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferIntlPay, Ref: p.AcquirementID, Currency: CNY, Amount: p.PaidCNY, CreatedAt: now,
		Debit: BuyerAccount(p.BuyerID, CNY), Credit: FXAccount(CNY),
	})
	if errors.Is(err, ErrInsufficientFunds) {
		return ErrIntlBuyerBalanceNotEnough
	} else if err != nil {
		return err
	}
	if err := q.PostTransfer(ctx, &Transfer{
		Kind: TransferIntlPay, Ref: p.AcquirementID, Currency: p.Currency, Amount: p.Amount, CreatedAt: now,
		Debit: FXAccount(p.Currency), Credit: MerchantAccount(p.SellerID, p.Currency),
	}); err != nil {
		return err
	}
	return s.enqueueNotification(ctx, q, p.AppID, NotifyIntlPay, p.NotifyURL, map[string]string{
		"acquirementId": p.AcquirementID, "merchantTransId": p.MerchantTransID,
		"currency": p.Currency, "value": formatMinor(p.Amount), "paidTime": FormatIntlTime(p.PaidAt),
	}, now)
}

// ensureIntlAccounts opens the exchange accounts of CNY and p's currency and
// the merchant's account in p's currency, unless a committed command has
// ensured them before (Service.command keeps them): on PostgreSQL each is
// a round trip.
func (s *Service) ensureIntlAccounts(ctx context.Context, q Queries, p *IntlPayment) error {
	for _, a := range []*Account{
		{ID: FXAccount(CNY), Kind: AccountKindFX, Currency: CNY},
		{ID: FXAccount(p.Currency), Kind: AccountKindFX, Currency: p.Currency},
		{ID: MerchantAccount(p.SellerID, p.Currency), Kind: AccountKindMerchant, Owner: p.SellerID, Currency: p.Currency, Floor: new(int64)},
	} {
		if _, known := s.accounts.get(a.ID); known {
			continue
		}
		if err := q.EnsureAccount(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// settleIntlPayment applies to p, in memory, what the app's clock says has
// happened by now: a payment still INIT whose time is up is closed. It
// reports whether p changed.
func settleIntlPayment(p *IntlPayment, now time.Time) bool {
	if p.Status != IntlPaymentInit || p.ExpiresAt.IsZero() || now.Before(p.ExpiresAt) {
		return false
	}
	p.Status, p.ClosedAt = IntlPaymentClosed, p.ExpiresAt
	return true
}

// expireIntl settles p and writes it when its time ran out.
func (s *Service) expireIntl(ctx context.Context, q Queries, p *IntlPayment, now time.Time) error {
	if !settleIntlPayment(p, now) {
		return nil
	}
	return q.UpdateIntlPayment(ctx, p)
}

// IntlTimeLayout is how the intl dialect writes times: RFC 3339 with the
// offset, here always Beijing time (+08:00).
const IntlTimeLayout = time.RFC3339

// FormatIntlTime renders t as the intl dialect does.
func FormatIntlTime(t time.Time) string { return t.In(Beijing).Format(IntlTimeLayout) }

func formatMinor(n int64) string { return strconv.FormatInt(n, 10) }
