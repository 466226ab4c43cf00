package zfb

import "context"

// Accounts lists the ledger's accounts of one kind (AccountKind*), or of
// every kind when kind is "", by kind and then id, with their balances.
func (s *Service) Accounts(ctx context.Context, kind string) ([]*Account, error) {
	return s.store.Accounts(ctx, kind)
}

// Transfers lists the ledger transfers made for ref (a trade_no, an
// auth_no, an acquirementId, a buyer's user id), oldest first.
func (s *Service) Transfers(ctx context.Context, ref string) ([]*Transfer, error) {
	return s.store.Transfers(ctx, ref)
}
