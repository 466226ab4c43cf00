-- Pending ledger entries (see the PostgreSQL migration of the same number):
-- there, a credit is recorded pending so that payments into one merchant do
-- not queue on the merchant's row, and an account's balance is its balance
-- column plus its pending entries. SQLite has one writer, so zfb records no
-- entry pending here (every entry moves its balance column at once); the
-- column and index exist so that both backends run the same queries.
ALTER TABLE ledger_entries ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));

CREATE INDEX ledger_entries_pending ON ledger_entries (account_id) WHERE pending;
