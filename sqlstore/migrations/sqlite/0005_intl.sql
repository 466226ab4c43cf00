-- International acquiring (alipay.intl.acquiring.*), SQLite. Keep in step
-- with ../postgres/0005_intl.sql. Times are Unix microseconds (UTC); an
-- optional time is NULL when unset. Flags are 0/1 here and BOOLEAN on
-- PostgreSQL. Amounts are minor units: of the payment's currency, or CNY fen
-- in the *_cny columns.

CREATE TABLE intl_payments (
    acquirement_id    TEXT PRIMARY KEY,
    app_id            TEXT NOT NULL REFERENCES apps (id),
    merchant_trans_id TEXT NOT NULL,
    kind              TEXT NOT NULL, -- 'pay' or 'cancelled'
    status            TEXT NOT NULL,
    seller_id         TEXT NOT NULL DEFAULT '',
    buyer_id          TEXT NOT NULL DEFAULT '', -- '' until a buyer is known
    order_title       TEXT NOT NULL DEFAULT '',
    currency          TEXT NOT NULL DEFAULT '', -- ISO 4217
    amount            INTEGER NOT NULL CHECK (amount >= 0),
    paid_cny          INTEGER NOT NULL DEFAULT 0 CHECK (paid_cny >= 0),
    refunded_amount   INTEGER NOT NULL DEFAULT 0,
    refunded_cny      INTEGER NOT NULL DEFAULT 0,
    fingerprint       TEXT NOT NULL DEFAULT '',
    notify_url        TEXT NOT NULL DEFAULT '',
    expires_at        INTEGER, -- NULL: no expiry
    created_at        INTEGER NOT NULL,
    paid_at           INTEGER, -- NULL until paid
    closed_at         INTEGER, -- NULL until closed or cancelled
    cancelled_at      INTEGER, -- NULL until payCancel acted
    cancel_action     TEXT NOT NULL DEFAULT '', -- '', 'close' or 'refund'
    version           INTEGER NOT NULL CHECK (version >= 1),
    UNIQUE (app_id, merchant_trans_id), -- also the index of app_id (foreign key)
    -- A tombstone of a cancelled merchantTransId is no payment: amount 0.
    CHECK (amount > 0 OR kind = 'cancelled'),
    CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
    CHECK (refunded_cny >= 0 AND refunded_cny <= paid_cny)
) STRICT;

-- IntlPayments: an app's payments, newest first.
CREATE INDEX intl_payments_app_created ON intl_payments (app_id, created_at, acquirement_id);

CREATE TABLE intl_refunds (
    acquirement_id     TEXT NOT NULL REFERENCES intl_payments (acquirement_id),
    merchant_refund_id TEXT NOT NULL,
    refund_id          TEXT NOT NULL UNIQUE,
    amount             INTEGER NOT NULL CHECK (amount > 0),
    amount_cny         INTEGER NOT NULL CHECK (amount_cny >= 0),
    reason             TEXT NOT NULL DEFAULT '',
    by_cancel          INTEGER NOT NULL DEFAULT 0 CHECK (by_cancel IN (0, 1)),
    created_at         INTEGER NOT NULL,
    PRIMARY KEY (acquirement_id, merchant_refund_id) -- also the index of acquirement_id
) STRICT;
