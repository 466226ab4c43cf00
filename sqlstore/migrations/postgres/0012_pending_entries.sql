-- A pending entry is in its account's balance without being in the
-- balance column yet: the account's balance is the column plus its pending
-- entries. A transfer records its credit, and its debit of an account
-- without a floor, as pending, so it neither locks nor updates that
-- account's row: payments into one merchant do not queue on the merchant's
-- row. A debit of an account with a floor locks the row, folds the pending
-- entries into the column (pending = false) and then checks the floor; a
-- background fold keeps the pending set small.
ALTER TABLE ledger_entries ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false;

CREATE INDEX ledger_entries_pending ON ledger_entries (account_id) WHERE pending;
