package zfb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Trades a buyer pays on zfb's cashier (spec/web-and-app-pay.md §1).
const (
	TradeKindPage = "page" // alipay.trade.page.pay: the PC website cashier
	TradeKindWap  = "wap"  // alipay.trade.wap.pay: the mobile website cashier
	TradeKindApp  = "app"  // alipay.trade.app.pay: the wallet, from an order string
)

// webProductCodes are the product codes each cashier kind takes; "" means
// the product's default.
var webProductCodes = map[string][]string{
	TradeKindPage: {"", "FAST_INSTANT_TRADE_PAY"},
	TradeKindWap:  {"", "QUICK_WAP_WAY", "QUICK_WAP_PAY"},
	TradeKindApp:  {"", "QUICK_MSECURITY_PAY"},
}

// WebProductCode is the product_code of a trade of kind (FAST_INSTANT_TRADE_PAY
// for page.pay, say); "" for face-to-face kinds.
func WebProductCode(kind string) string {
	switch kind {
	case TradeKindPage:
		return "FAST_INSTANT_TRADE_PAY"
	case TradeKindWap:
		return "QUICK_WAP_WAY"
	case TradeKindApp:
		return "QUICK_MSECURITY_PAY"
	}
	return ""
}

// defaultWebTimeout is how long a cashier trade waits for the buyer when
// the merchant sets no limit: 15 days (spec web-and-app-pay.md §2.4).
const defaultWebTimeout = 15 * 24 * time.Hour

// SandboxBuyerPassword is every sandbox buyer's login password on the
// cashier, as Alipay's sandbox gives its buyers "111111".
const SandboxBuyerPassword = "111111"

// CreateWebTrade creates the trade of a page.pay, wap.pay or app.pay call
// (kind TradeKindPage, TradeKindWap or TradeKindApp): it waits for a buyer
// to log in on the cashier and pay. A repeat of the same out_trade_no with
// the same parameters answers the waiting trade, as trade.create does.
func (s *Service) CreateWebTrade(ctx context.Context, app *App, now time.Time, cmd CreateCommand, kind string) (*Trade, error) {
	codes, ok := webProductCodes[kind]
	if !ok {
		return nil, fmt.Errorf("zfb: %q is not a cashier trade kind", kind)
	}
	found := false
	for _, c := range codes {
		found = found || c == cmd.ProductCode
	}
	if !found {
		return nil, InvalidTradeParameter("product_code " + cmd.ProductCode + " 不支持")
	}
	cmd.ProductCode = ""
	return s.createTrade(ctx, app, now, cmd, kind)
}

// CashierBuyer finds the sandbox buyer who logs in on the cashier with
// logonID (or their user id) and password. A wrong pair is ErrNotFound.
func (s *Service) CashierBuyer(ctx context.Context, logonID, password string) (*Buyer, error) {
	logonID = strings.TrimSpace(logonID)
	if logonID == "" || password != SandboxBuyerPassword {
		return nil, ErrNotFound
	}
	buyers, err := s.store.Buyers(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range buyers {
		if b.LogonID == logonID || b.UserID == logonID {
			return b, nil
		}
	}
	return nil, ErrNotFound
}

// PayAtCashier pays a waiting trade as buyerID, logged in on the cashier:
// a restricted buyer is ACQ.BUYER_ENABLE_STATUS_FORBID, a poor one
// ACQ.BUYER_BALANCE_NOT_ENOUGH, and the trade keeps waiting; a trade
// already paid is ACQ.TRADE_HAS_SUCCESS, a closed one ACQ.TRADE_HAS_CLOSE.
// The rest is ActAsBuyer's: the payment, its ledger entries and its
// notification.
func (s *Service) PayAtCashier(ctx context.Context, tradeNo, buyerID string) (*Trade, error) {
	buyer, err := s.store.Buyer(ctx, buyerID)
	if err != nil {
		return nil, err
	}
	if buyer.Restricted {
		return nil, ErrBuyerEnableStatusForbid
	}
	t, err := s.ActAsBuyer(ctx, tradeNo, BuyerActionPay, buyerID)
	if errors.Is(err, ErrInvalidAction) {
		if cur, qerr := s.Trade(ctx, tradeNo); qerr == nil {
			switch cur.Status {
			case TradeSuccess, TradeFinished:
				return cur, ErrTradeHasSuccess
			case TradeClosed:
				return cur, ErrTradeHasClose
			}
		}
	}
	return t, err
}
