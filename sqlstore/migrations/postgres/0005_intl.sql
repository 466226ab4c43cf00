-- International acquiring (alipay.intl.acquiring.*), PostgreSQL. Keep in
-- step with ../sqlite/0005_intl.sql. Times are Unix microseconds (UTC) in
-- BIGINT; an optional time is NULL when unset. Flags are BOOLEAN here and
-- 0/1 on SQLite. Amounts are minor units: of the payment's currency, or CNY
-- fen in the *_cny columns.

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
    amount            BIGINT NOT NULL CHECK (amount >= 0),
    paid_cny          BIGINT NOT NULL DEFAULT 0 CHECK (paid_cny >= 0),
    refunded_amount   BIGINT NOT NULL DEFAULT 0,
    refunded_cny      BIGINT NOT NULL DEFAULT 0,
    fingerprint       TEXT NOT NULL DEFAULT '',
    notify_url        TEXT NOT NULL DEFAULT '',
    expires_at        BIGINT, -- NULL: no expiry
    created_at        BIGINT NOT NULL,
    paid_at           BIGINT, -- NULL until paid
    closed_at         BIGINT, -- NULL until closed or cancelled
    cancelled_at      BIGINT, -- NULL until payCancel acted
    cancel_action     TEXT NOT NULL DEFAULT '', -- '', 'close' or 'refund'
    version           BIGINT NOT NULL CHECK (version >= 1),
    UNIQUE (app_id, merchant_trans_id), -- also the index of app_id (foreign key)
    -- A tombstone of a cancelled merchantTransId is no payment: amount 0.
    CHECK (amount > 0 OR kind = 'cancelled'),
    CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
    CHECK (refunded_cny >= 0 AND refunded_cny <= paid_cny)
);

-- IntlPayments: an app's payments, newest first.
CREATE INDEX intl_payments_app_created ON intl_payments (app_id, created_at, acquirement_id);

CREATE TABLE intl_refunds (
    acquirement_id     TEXT NOT NULL REFERENCES intl_payments (acquirement_id),
    merchant_refund_id TEXT NOT NULL,
    refund_id          TEXT NOT NULL UNIQUE,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    amount_cny         BIGINT NOT NULL CHECK (amount_cny >= 0),
    reason             TEXT NOT NULL DEFAULT '',
    by_cancel          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (acquirement_id, merchant_refund_id) -- also the index of acquirement_id
);
