-- Trades, refunds and fault rules, SQLite. Keep in step with
-- ../postgres/0002_trades.sql. Times are Unix microseconds (UTC); an
-- optional time is NULL when unset. Flags are 0/1 here and BOOLEAN on
-- PostgreSQL: both bind and scan a Go bool, so the queries are the same text.

CREATE TABLE trades (
    trade_no        TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL REFERENCES apps (id),
    out_trade_no    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    seller_id       TEXT NOT NULL,
    buyer_id        TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    total_amount    INTEGER NOT NULL,
    refunded_amount INTEGER NOT NULL DEFAULT 0,
    fingerprint     TEXT NOT NULL DEFAULT '',
    qr_code         TEXT NOT NULL DEFAULT '',
    scanned         INTEGER NOT NULL DEFAULT 0 CHECK (scanned IN (0, 1)),
    notify_url      TEXT NOT NULL DEFAULT '',
    expires_at      INTEGER, -- NULL: no expiry
    created_at      INTEGER NOT NULL,
    paid_at         INTEGER, -- NULL until paid
    closed_at       INTEGER, -- NULL until closed
    cancel_action   TEXT NOT NULL DEFAULT '', -- '', 'close' or 'refund'
    version         INTEGER NOT NULL CHECK (version >= 1),
    UNIQUE (app_id, out_trade_no), -- also the index of app_id (foreign key)
    CHECK (refunded_amount >= 0 AND refunded_amount <= total_amount)
) STRICT;

CREATE TABLE refunds (
    trade_no       TEXT NOT NULL REFERENCES trades (trade_no),
    out_request_no TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    reason         TEXT NOT NULL DEFAULT '',
    by_cancel      INTEGER NOT NULL DEFAULT 0 CHECK (by_cancel IN (0, 1)),
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (trade_no, out_request_no) -- also the index of trade_no
) STRICT;

-- AUTOINCREMENT: a deleted rule's id is never given to a new one.
CREATE TABLE faults (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id       TEXT NOT NULL REFERENCES apps (id),
    method       TEXT NOT NULL,
    out_trade_no TEXT NOT NULL DEFAULT '', -- path.Match pattern; '' or '*': any
    effect       TEXT NOT NULL,
    delay_ms     INTEGER NOT NULL DEFAULT 0 CHECK (delay_ms >= 0),
    sub_code     TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX faults_app_id ON faults (app_id, id);
