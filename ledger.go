package zfb

import "time"

// Ledger accounts. Every movement of money is a Transfer between two
// accounts of one currency, recorded as two entries (one negative, one
// positive), so the entries of each currency always sum to zero.
type Account struct {
	ID       string
	Kind     string // AccountKind*
	Owner    string // a buyer's or merchant's user id; empty for system accounts
	Currency string
	Balance  int64
	// Floor is the lowest balance the account may reach, or nil when it is
	// unbounded (the sandbox's funding account, which issues money).
	Floor *int64
}

// Account kinds.
const (
	AccountKindFunding        = "funding"         // where sandbox money comes from
	AccountKindBuyerAvailable = "buyer_available" // what a buyer can spend
	AccountKindBuyerFrozen    = "buyer_frozen"    // what a buyer has frozen for a merchant
	AccountKindMerchant       = "merchant"        // what a merchant has been paid
	AccountKindFX             = "fx"              // the sandbox's currency exchange, one account per currency
	AccountKindSettlement     = "settlement"      // what merchants have been paid out (settled to their bank)
)

// FXAccount is the sandbox's exchange account in currency: an international
// payment takes the buyer's CNY into FXAccount(CNY) and pays the merchant
// out of FXAccount(currency). It has no floor: it issues and absorbs
// currency as a bank's exchange desk does.
func FXAccount(currency string) string { return "fx:" + currency }

// SettlementAccount is where a merchant's balance goes when it is settled
// (paid out); afterwards refunds need new income or fail for want of funds.
func SettlementAccount(currency string) string { return "settlement:" + currency }

// FundingAccount is the system account that issues sandbox balances.
func FundingAccount(currency string) string { return "funding:" + currency }

// BuyerAccount is the account a buyer spends from.
func BuyerAccount(userID, currency string) string { return "buyer:" + userID + ":" + currency }

// BuyerFrozenAccount holds what a buyer has frozen under fund authorisations.
func BuyerFrozenAccount(userID, currency string) string {
	return "buyer-frozen:" + userID + ":" + currency
}

// MerchantAccount is the account a merchant (seller id) is paid into.
func MerchantAccount(sellerID, currency string) string {
	return "merchant:" + sellerID + ":" + currency
}

// Transfer moves Amount of Currency from Debit to Credit. It is immutable;
// a correction is another transfer. Kind and Ref say why (e.g. "pay" and a
// trade_no).
type Transfer struct {
	ID        int64 // assigned by the Store
	Kind      string
	Ref       string
	Debit     string
	Credit    string
	Amount    int64
	Currency  string
	CreatedAt time.Time
}

// Transfer kinds of the sandbox itself.
const (
	TransferOpening = "opening" // a sandbox buyer's starting balance
	TransferSettle  = "settle"  // a merchant's balance paid out, Ref = the seller id
)

// LedgerReport is the result of checking the ledger's invariants.
type LedgerReport struct {
	OK bool `json:"ok"`
	// Totals is the sum of all entries per currency; it must be zero.
	Totals    map[string]int64 `json:"totals"`
	Accounts  int              `json:"accounts"`
	Transfers int              `json:"transfers"`
	// Failures names every invariant that does not hold.
	Failures []string `json:"failures"`
}
