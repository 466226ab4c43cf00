package admin

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/zfbpay/zfb"
)

//go:embed dashboard.html
var dashboardFS embed.FS

var dashboardPage = template.Must(template.ParseFS(dashboardFS, "dashboard.html"))

// Dashboard serves a read-only overview page: apps with their clocks,
// buyers with their balances, and the ledger check. It shows no secrets.
func Dashboard(svc *zfb.Service, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		apps, err := svc.Apps(ctx)
		if err != nil {
			logger.ErrorContext(ctx, "dashboard: apps", "err", err)
			http.Error(w, "internal error; see the server log", http.StatusInternalServerError)
			return
		}
		buyers, err := svc.Buyers(ctx)
		if err != nil {
			logger.ErrorContext(ctx, "dashboard: buyers", "err", err)
			http.Error(w, "internal error; see the server log", http.StatusInternalServerError)
			return
		}
		ledger, err := svc.CheckLedger(ctx)
		if err != nil {
			logger.ErrorContext(ctx, "dashboard: ledger", "err", err)
			http.Error(w, "internal error; see the server log", http.StatusInternalServerError)
			return
		}
		type appRow struct {
			ID, SellerID, SignType, Now string
		}
		type buyerRow struct {
			UserID, LogonID, PaymentCode, Behaviour, Balance string
		}
		data := struct {
			Apps   []appRow
			Buyers []buyerRow
			Ledger *zfb.LedgerReport
		}{Ledger: ledger}
		for _, a := range apps {
			data.Apps = append(data.Apps, appRow{a.ID, a.SellerID, string(a.SignType), zfb.FormatGatewayTime(a.Clock(svc.Clock).Now())})
		}
		for _, b := range buyers {
			data.Buyers = append(data.Buyers, buyerRow{b.UserID, b.LogonID, b.PaymentCode, b.Behaviour, zfb.FormatAmount(b.Balance)})
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := dashboardPage.Execute(w, data); err != nil {
			logger.ErrorContext(ctx, "dashboard: render", "err", err)
		}
	})
}
