// Package storetest is the conformance suite of zfb.Store: every backend
// runs the same tests, so that they behave alike.
//
//	func TestSQLite(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) zfb.Store { return openStore(t) })
//	}
package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
)

// Run runs the suite. open must return a new, empty store for each call,
// closed when its test ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) zfb.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s zfb.Store)
	}{
		{"AppRoundTrip", testAppRoundTrip},
		{"AppUpdate", testAppUpdate},
		{"AppVersion", testAppVersion},
		{"ServiceAppCache", testServiceAppCache},
		{"AppNotFound", testAppNotFound},
		{"AppConflict", testAppConflict},
		{"Apps", testApps},
		{"AppClock", testAppClock},
		{"AppClockConcurrentAdvance", testAppClockConcurrentAdvance},
		{"ServiceCreateApp", testServiceCreateApp},
		{"BuyerRoundTrip", testBuyerRoundTrip},
		{"BuyerNotFound", testBuyerNotFound},
		{"BuyerRestricted", testBuyerRestricted},
		{"BuyerConflict", testBuyerConflict},
		{"Buyers", testBuyers},
		{"OpenIDs", testOpenIDs},
		{"OpenIDConcurrent", testOpenIDConcurrent},
		{"AccountRoundTrip", testAccountRoundTrip},
		{"EnsureAccountIdempotent", testEnsureAccountIdempotent},
		{"PostTransfer", testPostTransfer},
		{"PostTransferInvalid", testPostTransferInvalid},
		{"PostTransferNotFound", testPostTransferNotFound},
		{"PostTransferFloor", testPostTransferFloor},
		{"PostTransferRefusedInTx", testPostTransferRefusedInTx},
		{"ConcurrentTransfersDrain", testConcurrentTransfersDrain},
		{"ConcurrentTransfersBothWays", testConcurrentTransfersBothWays},
		{"ConcurrentPaymentsThenRefunds", testConcurrentPaymentsThenRefunds},
		{"FloorWithPendingCredits", testFloorWithPendingCredits},
		{"BalancesIncludeCredits", testBalancesIncludeCredits},
		{"Transfers", testTransfers},
		{"CheckLedgerHealthy", testCheckLedgerHealthy},
		{"InTxCommit", testInTxCommit},
		{"InTxRollback", testInTxRollback},
		{"InTxPanic", testInTxPanic},
		{"Outbox", testOutbox},
		{"OutboxDeliveryRoundTrip", testOutboxDeliveryRoundTrip},
		{"ClaimOutboxDue", testClaimOutboxDue},
		{"ClaimOutboxAppClock", testClaimOutboxAppClock},
		{"ClaimOutboxLimit", testClaimOutboxLimit},
		{"ClaimOutboxConcurrent", testClaimOutboxConcurrent},
		{"CompleteAttempt", testCompleteAttempt},
		{"RecordReplay", testRecordReplay},
		{"RecordReplayConcurrent", testRecordReplayConcurrent},
		{"ExpiredTrades", testExpiredTrades},
		{"FinishableTrades", testFinishableTrades},
		{"ExpiredAuthOrders", testExpiredAuthOrders},
		{"ExpiredIntlPayments", testExpiredIntlPayments},
		{"TradeRoundTrip", testTradeRoundTrip},
		{"TradeConflict", testTradeConflict},
		{"CreateTradeIfNew", testCreateTradeIfNew},
		{"TradeNotFound", testTradeNotFound},
		{"UpdateTrade", testUpdateTrade},
		{"UpdateTradeConcurrent", testUpdateTradeConcurrent},
		{"Refunds", testRefunds},
		{"Faults", testFaults},
		{"TradeInTxRollback", testTradeInTxRollback},
		{"Settings", testSettings},
		{"AuthOrderRoundTrip", testAuthOrderRoundTrip},
		{"AuthOperationRoundTrip", testAuthOperationRoundTrip},
		{"AuthOrderOperation", testAuthOrderOperation},
		{"CreateAuthOrderIfNew", testCreateAuthOrderIfNew},
		{"CreateIntlPaymentIfNew", testCreateIntlPaymentIfNew},
		{"AuthOrderConflict", testAuthOrderConflict},
		{"AuthOperationConflict", testAuthOperationConflict},
		{"AuthNotFound", testAuthNotFound},
		{"AuthOrders", testAuthOrders},
		{"UpdateAuthOrder", testUpdateAuthOrder},
		{"UpdateAuthOrderConcurrent", testUpdateAuthOrderConcurrent},
		{"UpdateAuthOperation", testUpdateAuthOperation},
		{"TradeAuthNo", testTradeAuthNo},
		{"CheckLedgerFundAuth", testCheckLedgerFundAuth},
		{"IntlPaymentRoundTrip", testIntlPaymentRoundTrip},
		{"IntlPaymentConflict", testIntlPaymentConflict},
		{"IntlNotFound", testIntlNotFound},
		{"AppByIntlClientID", testAppByIntlClientID},
		{"IntlPayments", testIntlPayments},
		{"UpdateIntlPayment", testUpdateIntlPayment},
		{"UpdateIntlPaymentConcurrent", testUpdateIntlPaymentConcurrent},
		{"IntlRefunds", testIntlRefunds},
		{"CheckLedgerIntl", testCheckLedgerIntl},
		{"AppAuthCodes", testAppAuthCodes},
		{"AppAuthorizations", testAppAuthorizations},
		{"AppAuthorizationRevoke", testAppAuthorizationRevoke},
		{"TradesList", testTradesList},
		{"Accounts", testAccounts},
		{"ServiceTopUpBuyer", testServiceTopUpBuyer},
		{"InReadTx", testInReadTx},
		{"InReadTxWritesFail", testInReadTxWritesFail},
		{"RequestLog", testStoreRequestLog},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// at is a time with nanoseconds and a zone, to show that a store keeps the
// instant to the microsecond whatever the zone.
func at(sec int) time.Time {
	return time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("UTC+8", 8*3600)).Add(time.Duration(sec) * time.Second)
}

// us is t as a store gives it back: to the microsecond.
func us(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(us(want)) {
		t.Errorf("%s = %v, want %v", what, got, us(want))
	}
}

func newApp(n int) *zfb.App {
	return &zfb.App{
		ID:                fmt.Sprintf("2021000%09d", n),
		SellerID:          fmt.Sprintf("2088%012d", n),
		Name:              fmt.Sprintf("app %d «测试»", n),
		SignType:          zfb.SignTypeRSA2,
		AppPublicKey:      "-----BEGIN PUBLIC KEY-----\napp\n-----END PUBLIC KEY-----\n",
		AppPrivateKey:     "-----BEGIN RSA PRIVATE KEY-----\napp\n-----END RSA PRIVATE KEY-----\n",
		GatewayPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\ngw\n-----END RSA PRIVATE KEY-----\n",
		GatewayPublicKey:  "-----BEGIN PUBLIC KEY-----\ngw\n-----END PUBLIC KEY-----\n",
		IntlClientID:      fmt.Sprintf("SANDBOX_%d", n),
		IntlPartnerID:     fmt.Sprintf("2188%012d", n),
		Methods:           []string{"alipay.trade.pay", "alipay.trade.query"},
		ClockOffset:       90*time.Minute + 1500*time.Nanosecond,
		CreatedAt:         at(n),
		IdentityMode:      zfb.IdentityUserID,
	}
}

func newBuyer(n int, balance int64) *zfb.Buyer {
	return &zfb.Buyer{
		UserID:      fmt.Sprintf("2088%012d", 500+n),
		LogonID:     fmt.Sprintf("buyer%d@example.com", n),
		PaymentCode: fmt.Sprintf("28%016d", n),
		Behaviour:   zfb.BehaviourPays,
		Balance:     balance,
		CreatedAt:   at(n),
	}
}

func floor(v int64) *int64 { return &v }

// fund opens a funding account (no floor) and an account with floor 0
// holding balance, and returns the latter's id.
func fund(t *testing.T, s zfb.Store, id string, balance int64) string {
	t.Helper()
	ctx := t.Context()
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: zfb.FundingAccount(zfb.CNY), Kind: zfb.AccountKindFunding, Currency: zfb.CNY}))
	ok(t, s.EnsureAccount(ctx, &zfb.Account{ID: id, Kind: zfb.AccountKindBuyerAvailable, Owner: id, Currency: zfb.CNY, Floor: floor(0)}))
	if balance > 0 {
		ok(t, s.PostTransfer(ctx, &zfb.Transfer{Kind: zfb.TransferOpening, Ref: id,
			Debit: zfb.FundingAccount(zfb.CNY), Credit: id, Amount: balance, Currency: zfb.CNY, CreatedAt: at(0)}))
	}
	return id
}

func balance(t *testing.T, s zfb.Store, id string) int64 {
	t.Helper()
	a, err := s.Account(t.Context(), id)
	ok(t, err)
	return a.Balance
}

// ledgerOK checks the ledger and fails t unless it is healthy.
func ledgerOK(t *testing.T, s zfb.Store) *zfb.LedgerReport {
	t.Helper()
	r, err := s.CheckLedger(t.Context())
	ok(t, err)
	if !r.OK || len(r.Failures) > 0 {
		t.Fatalf("ledger not OK: %+v", r)
	}
	for cur, total := range r.Totals {
		if total != 0 {
			t.Errorf("total of %s = %d, want 0", cur, total)
		}
	}
	return r
}
