package zfb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// Service holds the domain rules. It is the one door of the domain: every
// adapter (gateway, admin API, dashboard, CLI) reads and writes through it,
// never through the Store, so that every read sees the same rules (time-outs
// applied, what an app may see).
type Service struct {
	store  Store
	Clock  Clock // the wall clock every app clock is based on
	Logger *slog.Logger
	// Wake, when set, is called when there is a notification to send now:
	// after a command that recorded one committed, and after an app's
	// clock moved and the work it made due was done. The notification
	// dispatcher then sends it at once instead of at its next poll.
	Wake func()

	requests RequestLog // nil: the Store keeps the request log

	apps     appCache             // App's
	openIDs  boundedMap[string]   // issued open_ids by openIDKey: they never change
	logonIDs boundedMap[string]   // buyers' logon ids by user id: they never change
	accounts boundedMap[struct{}] // ledger accounts a committed command ensured: never deleted
}

// NewService returns a Service over store. A nil clock is the system clock;
// a nil logger discards.
func NewService(store Store, clock Clock, logger *slog.Logger) *Service {
	if clock == nil {
		clock = SystemClock
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, Clock: clock, Logger: logger, openIDs: boundedMap[string]{max: maxCachedOpenIDs},
		logonIDs: boundedMap[string]{max: maxCachedOpenIDs}, accounts: boundedMap[struct{}]{max: maxCachedOpenIDs}}
}

// Apps lists every app.
func (s *Service) Apps(ctx context.Context) ([]*App, error) { return s.store.Apps(ctx) }

// Buyer finds a sandbox buyer, with their available balance.
func (s *Service) Buyer(ctx context.Context, userID string) (*Buyer, error) {
	return s.store.Buyer(ctx, userID)
}

// Buyers lists the sandbox buyers, with their available balances.
func (s *Service) Buyers(ctx context.Context) ([]*Buyer, error) { return s.store.Buyers(ctx) }

// ErrInvalidNotifyURL refuses a default notify URL that is not http or https.
var ErrInvalidNotifyURL = errors.New("a notify URL must be an absolute http or https URL")

// SetAppNotifyURL sets where the app's notifications go when a call names
// no notify_url; "" sends those nowhere.
func (s *Service) SetAppNotifyURL(ctx context.Context, appID, rawURL string) error {
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ErrInvalidNotifyURL
		}
	}
	return s.store.SetAppNotifyURL(ctx, appID, rawURL)
}

// UpdateApp changes the settings of app appID with change, in one
// transaction: change gets the app as stored and edits it; the result is
// checked and written (Queries.UpdateApp says which fields count). An
// error from change is returned as is, and nothing is written.
func (s *Service) UpdateApp(ctx context.Context, appID string, change func(*App) error) (*App, error) {
	var updated *App
	err := s.store.InTx(ctx, func(q Queries) error {
		app, err := q.App(ctx, appID)
		if err != nil {
			return err
		}
		if err := change(app); err != nil {
			return err
		}
		if err := app.check(); err != nil {
			return err
		}
		updated = app
		return q.UpdateApp(ctx, app)
	})
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "app updated", "app", updated)
	return updated, nil
}

// RestrictBuyer restricts a buyer's account (it can then neither pay nor
// have funds frozen or released) or lifts the restriction.
func (s *Service) RestrictBuyer(ctx context.Context, userID string, restricted bool) error {
	if err := s.store.SetBuyerRestricted(ctx, userID, restricted); err != nil {
		return err
	}
	s.Logger.InfoContext(ctx, "buyer restriction changed", "user_id", userID, "restricted", restricted)
	return nil
}

// CheckLedger verifies the ledger's invariants.
func (s *Service) CheckLedger(ctx context.Context) (*LedgerReport, error) {
	return s.store.CheckLedger(ctx)
}

// Setting reads an instance-wide value (SettingAdminToken, say).
func (s *Service) Setting(ctx context.Context, key string) (string, error) {
	return s.store.Setting(ctx, key)
}

// AppNow is the app's current time on its own clock.
func (s *Service) AppNow(ctx context.Context, appID string) (time.Time, error) {
	return s.appNow(ctx, s.store, appID)
}

// appNow is the time on an app's clock, read in the caller's transaction.
func (s *Service) appNow(ctx context.Context, q Queries, appID string) (time.Time, error) {
	app, err := q.App(ctx, appID)
	if err != nil {
		return time.Time{}, err
	}
	return app.Clock(s.Clock).Now(), nil
}

// ErrClockBackwards refuses to move an app's clock into its past: trades,
// time-outs and notifications already scheduled on it would run backwards.
var ErrClockBackwards = errors.New("an app clock only moves forward")

// MaxClockOffset is how far an app's clock may run ahead of the wall clock:
// a century, far beyond any refund period or retry schedule, and far from
// where time.Duration (292 years) or a time's year (9999) would overflow.
const MaxClockOffset = 100 * 365 * 24 * time.Hour

// ErrClockRange refuses to move an app's clock further than MaxClockOffset
// ahead of the wall clock.
var ErrClockRange = errors.New("an app clock runs at most 100 years ahead of the wall clock")

// AdvanceClock moves the app's clock forward by d and returns its new now.
// Advances add up, and stop at MaxClockOffset ahead of the wall clock.
func (s *Service) AdvanceClock(ctx context.Context, appID string, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, ErrClockBackwards
	}
	if d > MaxClockOffset {
		return time.Time{}, ErrClockRange
	}
	offset, err := s.store.AdvanceAppClock(ctx, appID, d, MaxClockOffset)
	if err != nil {
		return time.Time{}, err
	}
	s.Logger.InfoContext(ctx, "app clock advanced", "app_id", appID, "by", d, "offset", offset)
	s.clockMoved(ctx, appID)
	return AppClock{Base: s.Clock, Offset: offset}.Now(), nil
}

// clockMoved does at once what the app's new time makes due, so that a
// tester who moves a clock sees its effects when the call returns, and
// wakes the dispatcher. A failure is logged: the clock has moved anyway,
// and the scheduler will retry.
func (s *Service) clockMoved(ctx context.Context, appID string) {
	for {
		n, err := s.RunDue(ctx, appID)
		if err != nil {
			s.Logger.ErrorContext(ctx, "due work after a clock move", "app_id", appID, "err", err)
			break
		}
		if n < dueBatch {
			break
		}
	}
	if s.Wake != nil {
		s.Wake()
	}
}

// SetClock moves the app's clock to t, which must not be in the app's past.
func (s *Service) SetClock(ctx context.Context, appID string, t time.Time) (time.Time, error) {
	app, err := s.store.App(ctx, appID)
	if err != nil {
		return time.Time{}, err
	}
	wall := s.Clock.Now()
	d := t.Sub(app.Clock(ClockFunc(func() time.Time { return wall })).Now())
	switch {
	case d < 0:
		return time.Time{}, ErrClockBackwards
	case t.Sub(wall) > MaxClockOffset: // Sub saturates: no overflow here
		return time.Time{}, ErrClockRange
	}
	// An advance by the difference, not a write of the offset: a concurrent
	// advance then adds to it instead of being lost, and the clock never
	// goes back.
	offset, err := s.store.AdvanceAppClock(ctx, appID, d, MaxClockOffset)
	if err != nil {
		return time.Time{}, err
	}
	s.Logger.InfoContext(ctx, "app clock set", "app_id", appID, "to", t, "offset", offset)
	s.clockMoved(ctx, appID)
	return AppClock{Base: ClockFunc(func() time.Time { return wall }), Offset: offset}.Now(), nil
}

// CreateApp registers an app and opens its merchant account.
func (s *Service) CreateApp(ctx context.Context, app *App) error {
	return s.store.InTx(ctx, func(q Queries) error { return s.createApp(ctx, q, app) })
}

// CreateBuyer registers a buyer and funds their account with b.Balance from
// the sandbox's funding account, in one transaction.
func (s *Service) CreateBuyer(ctx context.Context, b *Buyer) error {
	return s.store.InTx(ctx, func(q Queries) error { return s.createBuyer(ctx, q, b) })
}

// SettingSandbox marks a database that has its sandbox.
const SettingSandbox = "sandbox_created_at"

// SettingAdminToken holds the bearer token of the admin API.
const SettingAdminToken = "admin_token"

// Sandbox is what a first start creates: apps, buyers and the admin token.
type Sandbox struct {
	Apps       []*App
	Buyers     []*Buyer
	AdminToken string
	// Authorizations are made when the sandbox is: each names an ISV app
	// and the merchant app that authorizes it (ISVAppID, MerchantAppID);
	// CreateSandbox issues the tokens.
	Authorizations []*AppAuthorization
	// Settings are further instance-wide values stored with it
	// (SettingSandboxCA, say).
	Settings map[string]string
}

// LogValue keeps the admin token and the apps' keys out of logs.
func (sb *Sandbox) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("apps", len(sb.Apps)), slog.Int("buyers", len(sb.Buyers)))
}

// ErrSandboxExists is returned by CreateSandbox when the database has one.
var ErrSandboxExists = errors.New("the sandbox exists already")

// CreateSandbox stores sb in one transaction, unless the database has a
// sandbox already. Several instances starting at once on one database race
// here; the apps' unique ids make all but one of them fail with
// ErrSandboxExists, and nothing of theirs is kept.
func (s *Service) CreateSandbox(ctx context.Context, sb *Sandbox) error {
	err := s.store.InTx(ctx, func(q Queries) error {
		if _, err := q.Setting(ctx, SettingSandbox); err == nil {
			return ErrSandboxExists
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		for _, app := range sb.Apps {
			if err := s.createApp(ctx, q, app); err != nil {
				return err
			}
		}
		for _, b := range sb.Buyers {
			if err := s.createBuyer(ctx, q, b); err != nil {
				return err
			}
		}
		if err := s.createSandboxAuthorizations(ctx, q, sb); err != nil {
			return err
		}
		if err := q.PutSetting(ctx, SettingAdminToken, sb.AdminToken); err != nil {
			return err
		}
		for key, value := range sb.Settings {
			if err := q.PutSetting(ctx, key, value); err != nil {
				return err
			}
		}
		return q.PutSetting(ctx, SettingSandbox, s.Clock.Now().UTC().Format(time.RFC3339))
	})
	if errors.Is(err, ErrConflict) {
		return ErrSandboxExists
	}
	return err
}

func (s *Service) createApp(ctx context.Context, q Queries, app *App) error {
	if app.IdentityMode == "" {
		app.IdentityMode = IdentityUserID
	}
	if err := app.check(); err != nil {
		return err
	}
	if len(app.Methods) == 0 {
		app.Methods = []string{AllMethods}
	}
	if app.CreatedAt.IsZero() {
		app.CreatedAt = s.Clock.Now()
	}
	if err := q.CreateApp(ctx, app); err != nil {
		return err
	}
	return q.EnsureAccount(ctx, &Account{ID: MerchantAccount(app.SellerID, CNY), Kind: AccountKindMerchant, Owner: app.SellerID, Currency: CNY, Floor: new(int64)})
}

func (s *Service) createBuyer(ctx context.Context, q Queries, b *Buyer) error {
	if b.UserID == "" || b.PaymentCode == "" || !ValidBehaviour(b.Behaviour) || b.Balance < 0 {
		return fmt.Errorf("buyer needs a user id, a payment code, a known behaviour and a balance of zero or more")
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = s.Clock.Now()
	}
	if err := q.CreateBuyer(ctx, b); err != nil {
		return err
	}
	accounts := []*Account{
		{ID: FundingAccount(CNY), Kind: AccountKindFunding, Currency: CNY},
		{ID: BuyerAccount(b.UserID, CNY), Kind: AccountKindBuyerAvailable, Owner: b.UserID, Currency: CNY, Floor: new(int64)},
		{ID: BuyerFrozenAccount(b.UserID, CNY), Kind: AccountKindBuyerFrozen, Owner: b.UserID, Currency: CNY, Floor: new(int64)},
	}
	for _, a := range accounts {
		if err := q.EnsureAccount(ctx, a); err != nil {
			return err
		}
	}
	if b.Balance == 0 {
		return nil
	}
	return q.PostTransfer(ctx, &Transfer{
		Kind: TransferOpening, Ref: b.UserID,
		Debit: FundingAccount(CNY), Credit: BuyerAccount(b.UserID, CNY),
		Amount: b.Balance, Currency: CNY, CreatedAt: b.CreatedAt,
	})
}

// read runs fn in one read-only snapshot, which never waits for a writer.
func (s *Service) read(ctx context.Context, fn func(q Queries) error) error {
	return s.store.InReadTx(ctx, fn)
}

// command runs fn in one transaction and runs it again, from a fresh read,
// when another command won a race for the same rows (ErrStale, ErrConflict).
// When a command that recorded a notification commits, it wakes the
// dispatcher (Wake), which then sends it at once instead of at its next
// poll. Other commands do not: a wake costs the dispatcher a claim, a
// statement on the writer, that would find nothing to send.
func (s *Service) command(ctx context.Context, fn func(q Queries) error) error {
	const attempts = 10
	for i := 1; ; i++ {
		var watched commandWatch
		err := s.store.InTx(ctx, func(q Queries) error {
			watched = commandWatch{Queries: q}
			return fn(&watched)
		})
		if i < attempts && (errors.Is(err, ErrStale) || errors.Is(err, ErrConflict)) {
			continue
		}
		if err == nil {
			for _, id := range watched.ensured {
				s.accounts.put(id, struct{}{})
			}
			if watched.enqueued && s.Wake != nil {
				s.Wake()
			}
		}
		return err
	}
}

// commandWatch is a command's Queries, noting whether the command recorded
// an outbox message, and which ledger accounts it ensured: once it has
// committed, those are known to exist (accounts are never deleted).
type commandWatch struct {
	Queries
	enqueued bool
	ensured  []string
}

func (w *commandWatch) EnqueueOutbox(ctx context.Context, m *OutboxMessage) error {
	err := w.Queries.EnqueueOutbox(ctx, m)
	if err == nil {
		w.enqueued = true
	}
	return err
}

func (w *commandWatch) EnsureAccount(ctx context.Context, a *Account) error {
	err := w.Queries.EnsureAccount(ctx, a)
	if err == nil {
		w.ensured = append(w.ensured, a.ID)
	}
	return err
}

// repeatOrRefuse answers a create request that its own checks refused:
// when find finds what an earlier request with the same number stored,
// the request is a repeat and repeat answers it (a new object's checks do
// not apply to a repeat); otherwise the refusal stands.
func repeatOrRefuse[T any](refusal error, find func() (T, error), repeat func(T) error) error {
	found, err := find()
	switch {
	case err == nil:
		return repeat(found)
	case errors.Is(err, ErrNotFound):
		return refusal
	}
	return err
}
