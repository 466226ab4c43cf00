-- Notification delivery and the scheduler's due work, PostgreSQL. Keep in step
-- with ../sqlite/0006_delivery.sql. Times are Unix microseconds (UTC); an
-- optional time is NULL when unset. Flags are BOOLEAN here and 0/1 on
-- SQLite.

-- A dispatcher leases the messages it sends: lease_owner holds the message
-- until lease_until (wall time); '' and NULL when nobody does.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_until BIGINT; -- NULL: not leased
-- next_attempt_at is 9223372036854775807 (the largest BIGINT) for a message
-- that is sent no more: never due, and last in the claim index.

-- ClaimOutbox: the undelivered messages, earliest due first.
DROP INDEX outbox_due;
CREATE INDEX outbox_claim ON outbox (next_attempt_at, id) WHERE delivered_at IS NULL;

-- Each send of a message: n counts from 1, over scheduled sends and
-- replays alike.
CREATE TABLE outbox_attempts (
    message_id   BIGINT NOT NULL REFERENCES outbox (id),
    n            INTEGER NOT NULL CHECK (n >= 1),
    at           BIGINT NOT NULL, -- on the app's clock
    status_code  INTEGER NOT NULL DEFAULT 0, -- 0: no HTTP answer
    body         TEXT NOT NULL DEFAULT '', -- the start of the answer
    latency_us   BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    acknowledged BOOLEAN NOT NULL DEFAULT FALSE,
    replay       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (message_id, n) -- also the index of message_id (foreign key)
);

-- The app's default notify URL: '' for none.
ALTER TABLE apps ADD COLUMN notify_url TEXT NOT NULL DEFAULT '';

-- The scheduler's due work, per app, oldest first: ExpiredTrades,
-- FinishableTrades, ExpiredAuthOrders, ExpiredIntlPayments.
CREATE INDEX trades_app_status_expires ON trades (app_id, status, expires_at, trade_no);
CREATE INDEX trades_app_status_paid ON trades (app_id, status, paid_at, trade_no);
CREATE INDEX fund_auth_orders_app_status_expires ON fund_auth_orders (app_id, status, expires_at, auth_no);
CREATE INDEX intl_payments_app_status_expires ON intl_payments (app_id, status, expires_at, acquirement_id);
