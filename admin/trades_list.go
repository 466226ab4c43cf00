package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zfbpay/zfb"
)

// listTrades answers GET /admin/v1/trades?app_id=&status=&q=&limit=&before=:
// trades newest first, of one app or of all, with a status (as they stand
// now) and a number (trade_no or out_trade_no, or the start of one), and
// "next", the before= of the next page, while there may be more.
func (h *Handler) listTrades(w http.ResponseWriter, r *http.Request) {
	limit, ok := listLimit(w, r)
	if !ok {
		return
	}
	query := r.URL.Query()
	status, err := parseTradeStatus(query.Get("status"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	before, err := parseTradeCursor(query.Get("before"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	page, err := h.svc.Trades(r.Context(), query.Get("app_id"), status, strings.TrimSpace(query.Get("q")), before, limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]tradeView, 0, len(page.Trades))
	for _, t := range page.Trades {
		out = append(out, viewTrade(r, t))
	}
	body := map[string]any{"trades": out}
	if page.Next != nil {
		body["next"] = formatTradeCursor(page.Next)
	}
	writeJSON(w, http.StatusOK, body)
}

// tradeStatuses are the statuses a trade list can be filtered by.
var tradeStatuses = []zfb.TradeStatus{zfb.TradeWaitBuyerPay, zfb.TradeSuccess, zfb.TradeClosed, zfb.TradeFinished}

func parseTradeStatus(s string) (zfb.TradeStatus, error) {
	if s == "" {
		return "", nil
	}
	for _, st := range tradeStatuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", errors.New(`"status" must be WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED or TRADE_FINISHED`)
}

// formatTradeCursor writes a place in a trade list as
// "<created_at in Unix microseconds>-<trade_no>".
func formatTradeCursor(c *zfb.TradeCursor) string {
	return strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "-" + c.TradeNo
}

func parseTradeCursor(s string) (*zfb.TradeCursor, error) {
	if s == "" {
		return nil, nil
	}
	at, no, ok := strings.Cut(s, "-")
	us, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || no == "" {
		return nil, errors.New(`"before" must be the "next" of a previous page`)
	}
	return &zfb.TradeCursor{CreatedAt: time.UnixMicro(us), TradeNo: no}, nil
}
