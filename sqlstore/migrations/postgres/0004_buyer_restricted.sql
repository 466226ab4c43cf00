-- A buyer's account can be restricted (账户受限) by the tester, so that
-- merchants can see PAYER_USER_STATUS_LIMIT and ACQ.BUYER_ENABLE_STATUS_FORBID.
-- PostgreSQL. Keep in step with ../sqlite/0004_buyer_restricted.sql.

ALTER TABLE buyers ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT false;
