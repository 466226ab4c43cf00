-- A buyer's account can be restricted (账户受限) by the tester, so that
-- merchants can see PAYER_USER_STATUS_LIMIT and ACQ.BUYER_ENABLE_STATUS_FORBID.
-- SQLite. Keep in step with ../postgres/0004_buyer_restricted.sql.

ALTER TABLE buyers ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1));
