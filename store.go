package zfb

import (
	"context"
	"time"
)

// Queries are the reads and writes the domain asks of storage. Called on a
// Store, each is its own transaction; called on the Queries that InTx hands
// out, all of them commit together or not at all.
//
// Errors: ErrNotFound for a missing row, ErrConflict for a taken unique key,
// ErrInsufficientFunds for a transfer that would break an account's floor.
type Queries interface {
	CreateApp(ctx context.Context, app *App) error
	App(ctx context.Context, appID string) (*App, error)
	// AppVersion reads the version of the app's settings (App.Version) and
	// its clock offset, and nothing else.
	AppVersion(ctx context.Context, appID string) (version int64, clockOffset time.Duration, err error)
	Apps(ctx context.Context) ([]*App, error)
	// UpdateApp writes the app's settings: name, sign type, keys, notify
	// URL, methods, AES key, certificate mode and certificates, identity
	// mode and ISV flag (not its id, intl ids, clock or creation time).
	UpdateApp(ctx context.Context, app *App) error
	// SetAppClockOffset persists the app's clock offset.
	SetAppClockOffset(ctx context.Context, appID string, offset time.Duration) error
	// AdvanceAppClock adds by to the app's clock offset in one statement, so
	// that concurrent advances add up, saturating at limit, and returns the
	// new offset.
	AdvanceAppClock(ctx context.Context, appID string, by, limit time.Duration) (time.Duration, error)

	// CreateBuyer stores the buyer's identity; its money is in the ledger.
	CreateBuyer(ctx context.Context, b *Buyer) error
	// Buyer and Buyers fill Buyer.Balance from the buyer's CNY account
	// (zero when it has none).
	Buyer(ctx context.Context, userID string) (*Buyer, error)
	Buyers(ctx context.Context) ([]*Buyer, error)
	// BuyerByPaymentCode reads the buyer who shows code, for a payment,
	// and leaves Balance zero: the ledger checks the payer's money as it
	// moves it (PostTransfer).
	BuyerByPaymentCode(ctx context.Context, code string) (*Buyer, error)
	// SetBuyerRestricted restricts a buyer's account or lifts the
	// restriction; ErrNotFound when there is no such buyer.
	SetBuyerRestricted(ctx context.Context, userID string, restricted bool) error

	// EnsureOpenID returns the buyer's open_id in the app, storing
	// candidate as it when the pair has none yet (INSERT … ON CONFLICT DO
	// NOTHING, then a read: callers racing for one pair all get the one
	// stored). ErrNotFound when the app or the buyer does not exist.
	EnsureOpenID(ctx context.Context, appID, userID, candidate string, at time.Time) (string, error)
	// OpenID is the buyer's open_id in the app; ErrNotFound when none has
	// been issued.
	OpenID(ctx context.Context, appID, userID string) (string, error)
	// OpenIDOwner finds the app and buyer an open_id was issued for (an
	// index lookup); ErrNotFound when it was never issued.
	OpenIDOwner(ctx context.Context, openID string) (appID, userID string, err error)
	// OpenIDs lists the buyer's open_ids, by app id.
	OpenIDs(ctx context.Context, userID string) (map[string]string, error)

	// EnsureAccount opens a ledger account with a zero balance unless one
	// with that id exists (INSERT … ON CONFLICT DO NOTHING: safe to race).
	EnsureAccount(ctx context.Context, a *Account) error
	Account(ctx context.Context, id string) (*Account, error)
	// Accounts lists the accounts of one kind, or of every kind when kind
	// is "", by kind and then id.
	Accounts(ctx context.Context, kind string) ([]*Account, error)
	// PostTransfer records t as two entries and moves the balances, refusing
	// (ErrInsufficientFunds) a debit below the account's floor and (ErrNotFound)
	// an account that does not exist or has another currency. It sets t.ID.
	PostTransfer(ctx context.Context, t *Transfer) error
	// Transfers lists the transfers whose Ref is ref, oldest first.
	Transfers(ctx context.Context, ref string) ([]*Transfer, error)
	// CheckLedger verifies the ledger's invariants: the entries of each
	// currency sum to zero, every balance equals the sum of its entries, no
	// balance is below its floor, each fund authorisation order's freeze,
	// unfreeze and pay transfers add up to its totals, each buyer's frozen
	// account holds the rest of their orders, and each international
	// payment's transfers (through the FX accounts) add up to what it was
	// paid and refunded in CNY and in its currency.
	CheckLedger(ctx context.Context) (*LedgerReport, error)

	// EnqueueOutbox records a message to deliver after commit; it sets m.ID.
	EnqueueOutbox(ctx context.Context, m *OutboxMessage) error
	// OutboxMessages lists the messages of an app, oldest first.
	OutboxMessages(ctx context.Context, appID string) ([]*OutboxMessage, error)

	// ClaimOutbox leases to owner, until leaseUntil (wall time), up to limit
	// messages that are due: undelivered, with fewer than MaxNotifyAttempts
	// sends, next_attempt_at (app time) at or before wallNow plus their
	// app's clock offset, and not leased to anyone past wallNow; the
	// earliest due first. Concurrent claimers (several zfb on one
	// PostgreSQL) never get the same message.
	ClaimOutbox(ctx context.Context, owner string, wallNow, leaseUntil time.Time, limit int) ([]*OutboxMessage, error)
	// CompleteAttempt records a scheduled send a of message id by owner,
	// which must still hold the message's lease (else ErrStale, nothing
	// written): it adds the attempt, raises attempts, records a.Error as
	// the last error, sets delivered_at when a.Acknowledged and otherwise
	// next_attempt_at to next (a zero next: no more sends), and releases
	// the lease. ErrNotFound when there is no such message.
	CompleteAttempt(ctx context.Context, id int64, owner string, a *OutboxAttempt, next time.Time) error
	// RecordReplay records a send outside the schedule (a tester's replay):
	// it adds the attempt and, when acknowledged, sets delivered_at if
	// unset; the schedule and the attempt count are left alone.
	RecordReplay(ctx context.Context, a *OutboxAttempt) error
	// OutboxMessage finds a message by id; OutboxAttempts lists its sends,
	// oldest first.
	OutboxMessage(ctx context.Context, id int64) (*OutboxMessage, error)
	OutboxAttempts(ctx context.Context, id int64) ([]*OutboxAttempt, error)

	// SetAppNotifyURL sets the app's default notify URL ("" for none).
	SetAppNotifyURL(ctx context.Context, appID, url string) error

	// Due work, for the scheduler, each at most limit, oldest first:
	// ExpiredTrades are the app's WAIT_BUYER_PAY trades whose expires_at is
	// at or before now; FinishableTrades its TRADE_SUCCESS trades paid at
	// or before paidBefore; ExpiredAuthOrders its INIT authorisation orders
	// (not tombstones) whose expires_at is at or before now;
	// ExpiredIntlPayments its INIT international payments likewise.
	ExpiredTrades(ctx context.Context, appID string, now time.Time, limit int) ([]*Trade, error)
	FinishableTrades(ctx context.Context, appID string, paidBefore time.Time, limit int) ([]*Trade, error)
	ExpiredAuthOrders(ctx context.Context, appID string, now time.Time, limit int) ([]*AuthOrder, error)
	ExpiredIntlPayments(ctx context.Context, appID string, now time.Time, limit int) ([]*IntlPayment, error)

	// CreateTrade stores a new trade with Version 1. ErrConflict when the
	// app already has its out_trade_no, or the trade_no is taken.
	CreateTrade(ctx context.Context, t *Trade) error
	// CreateTradeIfNew stores t as CreateTrade does, unless the app
	// already has its out_trade_no: then it stores nothing and returns
	// that trade, and the transaction goes on. ErrConflict when the
	// trade_no is taken.
	CreateTradeIfNew(ctx context.Context, t *Trade) (existing *Trade, err error)
	// Trade finds a trade by trade_no, TradeByOutTradeNo by the app's
	// out_trade_no.
	Trade(ctx context.Context, tradeNo string) (*Trade, error)
	TradeByOutTradeNo(ctx context.Context, appID, outTradeNo string) (*Trade, error)
	// Trades lists the trades f selects, newest (latest created_at) first
	// and by trade_no descending among trades made at the same time, as
	// stored (no time-outs applied), leaving out the tombstones of
	// cancelled out_trade_nos (TradeKindCancelled).
	Trades(ctx context.Context, f TradeFilter) ([]*Trade, error)
	// UpdateTrade writes every field of t but those fixed at creation
	// (trade_no, app, out_trade_no, kind, seller, auth_no, amount,
	// fingerprint, created_at) if the stored version is still t.Version, and increments
	// t.Version. ErrStale when
	// another command updated it first; ErrNotFound when there is none.
	UpdateTrade(ctx context.Context, t *Trade) error
	// CreateRefund stores a refund. ErrConflict when the trade already has
	// its out_request_no.
	CreateRefund(ctx context.Context, r *Refund) error
	Refund(ctx context.Context, tradeNo, outRequestNo string) (*Refund, error)
	// Refunds lists a trade's refunds, oldest first.
	Refunds(ctx context.Context, tradeNo string) ([]*Refund, error)

	// CreateAuthOrder stores a new authorisation order with Version 1.
	// ErrConflict when the app already has its out_order_no, or the
	// auth_no is taken.
	CreateAuthOrder(ctx context.Context, o *AuthOrder) error
	// CreateAuthOrderIfNew stores o as CreateAuthOrder does, unless the
	// app already has its out_order_no: then it stores nothing and returns
	// that order, and the transaction goes on. ErrConflict when the
	// auth_no is taken.
	CreateAuthOrderIfNew(ctx context.Context, o *AuthOrder) (existing *AuthOrder, err error)
	// AuthOrder finds an order by auth_no, AuthOrderByOutOrderNo by the
	// app's out_order_no.
	AuthOrder(ctx context.Context, authNo string) (*AuthOrder, error)
	AuthOrderByOutOrderNo(ctx context.Context, appID, outOrderNo string) (*AuthOrder, error)
	// AuthOrders lists an app's orders, newest first, at most limit,
	// leaving out AuthKindCancelled tombstones.
	AuthOrders(ctx context.Context, appID string, limit int) ([]*AuthOrder, error)
	// UpdateAuthOrder writes every field of o but those fixed at creation
	// (auth_no, app, out_order_no, kind, payee, order title, product code,
	// extra_param, fingerprint, created_at) if the stored version is still
	// o.Version, and increments o.Version. ErrStale when another command
	// updated it first; ErrNotFound when there is none.
	UpdateAuthOrder(ctx context.Context, o *AuthOrder) error
	// CreateAuthOperation stores an operation. ErrConflict when the order
	// already has an operation of that type with that out_request_no, or
	// the operation_id is taken; ErrNotFound when the order does not exist.
	CreateAuthOperation(ctx context.Context, op *AuthOperation) error
	// AuthOperation finds an operation by operation_id.
	AuthOperation(ctx context.Context, operationID string) (*AuthOperation, error)
	// AuthOperationByOutRequestNo finds an order's operation of type typ
	// by out_request_no.
	AuthOperationByOutRequestNo(ctx context.Context, authNo string, typ AuthOperationType, outRequestNo string) (*AuthOperation, error)
	// AuthOrderOperation reads an order and one of its operations, as ref
	// names them, in one statement, so that the two agree without a
	// transaction. ErrNotFound when there is no such pair: the order is
	// missing, or has no such operation.
	AuthOrderOperation(ctx context.Context, ref AuthOperationRef) (*AuthOrder, *AuthOperation, error)
	// AuthOperations lists an order's operations, oldest first.
	AuthOperations(ctx context.Context, authNo string) ([]*AuthOperation, error)
	// UpdateAuthOperation writes op's status, remark, trade_no,
	// cancel_action, trans_at and closed_at. It has no version of its own:
	// callers update the operation's order in the same transaction, whose
	// version check decides races. ErrNotFound when there is none.
	UpdateAuthOperation(ctx context.Context, op *AuthOperation) error

	// AppByIntlClientID finds the app whose international acquiring
	// clientId is clientID.
	AppByIntlClientID(ctx context.Context, clientID string) (*App, error)

	// CreateIntlPayment stores a new international payment with Version 1.
	// ErrConflict when the app already has its merchantTransId, or the
	// acquirementId is taken.
	CreateIntlPayment(ctx context.Context, p *IntlPayment) error
	// CreateIntlPaymentIfNew stores p as CreateIntlPayment does, unless
	// the app already has its merchantTransId: then it stores nothing and
	// returns that payment, and the transaction goes on. ErrConflict when
	// the acquirementId is taken.
	CreateIntlPaymentIfNew(ctx context.Context, p *IntlPayment) (existing *IntlPayment, err error)
	// IntlPayment finds a payment by acquirementId,
	// IntlPaymentByMerchantTransID by the app's merchantTransId.
	IntlPayment(ctx context.Context, acquirementID string) (*IntlPayment, error)
	IntlPaymentByMerchantTransID(ctx context.Context, appID, merchantTransID string) (*IntlPayment, error)
	// IntlPayments lists an app's payments, newest first, at most limit,
	// leaving out IntlKindCancelled tombstones.
	IntlPayments(ctx context.Context, appID string, limit int) ([]*IntlPayment, error)
	// UpdateIntlPayment writes every field of p but those fixed at creation
	// (acquirementId, app, merchantTransId, kind, seller, order title,
	// currency, amount, fingerprint, created_at) if the stored version is
	// still p.Version, and increments p.Version. ErrStale when another
	// command updated it first; ErrNotFound when there is none.
	UpdateIntlPayment(ctx context.Context, p *IntlPayment) error
	// CreateIntlRefund stores a refund. ErrConflict when the payment
	// already has its merchantRefundId; ErrNotFound when the payment does
	// not exist.
	CreateIntlRefund(ctx context.Context, r *IntlRefund) error
	IntlRefund(ctx context.Context, acquirementID, merchantRefundID string) (*IntlRefund, error)
	// IntlRefunds lists a payment's refunds, oldest first.
	IntlRefunds(ctx context.Context, acquirementID string) ([]*IntlRefund, error)

	// CreateAppAuthCode stores an app_auth_code; ErrNotFound when either
	// app does not exist.
	CreateAppAuthCode(ctx context.Context, c *AppAuthCode) error
	// AppAuthCode finds a code.
	AppAuthCode(ctx context.Context, code string) (*AppAuthCode, error)
	// UseAppAuthCode marks an unused code used at at; ErrStale when it was
	// used already, ErrNotFound when there is no such code.
	UseAppAuthCode(ctx context.Context, code string, at time.Time) error
	// CreateAppAuthorization stores a token pair; ErrConflict when either
	// token is taken, ErrNotFound when either app does not exist.
	CreateAppAuthorization(ctx context.Context, a *AppAuthorization) error
	// AppAuthorization finds an authorization by its app_auth_token,
	// AppAuthorizationByRefreshToken by its app_refresh_token.
	AppAuthorization(ctx context.Context, token string) (*AppAuthorization, error)
	AppAuthorizationByRefreshToken(ctx context.Context, refreshToken string) (*AppAuthorization, error)
	// AppAuthorizations lists an ISV app's authorizations, newest first.
	AppAuthorizations(ctx context.Context, isvAppID string) ([]*AppAuthorization, error)
	// UseRefreshToken marks the authorization's refresh token used;
	// ErrStale when it was used already, ErrNotFound when there is none.
	UseRefreshToken(ctx context.Context, token string) error
	// RevokeAppAuthorizations revokes, at at, every valid authorization of
	// the ISV app for the merchant app and reports how many it revoked.
	RevokeAppAuthorizations(ctx context.Context, isvAppID, merchantAppID string, at time.Time) (int64, error)
	// RevokeAppAuthorization revokes one valid authorization of the ISV
	// app; ErrNotFound when the ISV app has no valid one with that token.
	RevokeAppAuthorization(ctx context.Context, isvAppID, token string, at time.Time) error

	// CreateFault stores a fault rule and sets its ID.
	CreateFault(ctx context.Context, f *Fault) error
	// Faults lists an app's fault rules, oldest first.
	Faults(ctx context.Context, appID string) ([]*Fault, error)
	// DeleteFault removes one rule of the app (ErrNotFound if it has no such
	// rule); DeleteFaults removes all of them.
	DeleteFault(ctx context.Context, appID string, id int64) error
	DeleteFaults(ctx context.Context, appID string) error

	// Setting reads and PutSetting writes an instance-wide value (the admin
	// token, say).
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error

	// RecordRequests stores records of the request log and sets their IDs,
	// which grow with each record stored.
	RecordRequests(ctx context.Context, records []*RequestRecord) error
	// Requests lists records, newest (highest ID) first, as f selects;
	// f.Limit is set.
	Requests(ctx context.Context, f RequestFilter) ([]*RequestRecord, error)
	// Request finds a record; ErrNotFound when there is none.
	Request(ctx context.Context, id int64) (*RequestRecord, error)
	// PruneRequests deletes every record but the newest keep and reports
	// how many it deleted.
	PruneRequests(ctx context.Context, keep int) (int64, error)
}

// Store is zfb's storage: SQLite embedded, or PostgreSQL shared by several
// instances (package sqlstore).
type Store interface {
	Queries
	// InTx runs fn in one transaction, committing when fn returns nil and
	// rolling back otherwise.
	InTx(ctx context.Context, fn func(q Queries) error) error
	// InReadTx runs fn in one read-only transaction that sees one
	// consistent snapshot and never waits for writers. Writes through q
	// fail.
	InReadTx(ctx context.Context, fn func(q Queries) error) error
	Close() error
}
