-- Trades, refunds and fault rules, PostgreSQL. Keep in step with
-- ../sqlite/0002_trades.sql. Times are Unix microseconds (UTC) in BIGINT;
-- an optional time is NULL when unset. Flags are BOOLEAN here and 0/1 on
-- SQLite: both bind and scan a Go bool, so the queries are the same text.

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
    total_amount    BIGINT NOT NULL,
    refunded_amount BIGINT NOT NULL DEFAULT 0,
    fingerprint     TEXT NOT NULL DEFAULT '',
    qr_code         TEXT NOT NULL DEFAULT '',
    scanned         BOOLEAN NOT NULL DEFAULT FALSE,
    notify_url      TEXT NOT NULL DEFAULT '',
    expires_at      BIGINT, -- NULL: no expiry
    created_at      BIGINT NOT NULL,
    paid_at         BIGINT, -- NULL until paid
    closed_at       BIGINT, -- NULL until closed
    cancel_action   TEXT NOT NULL DEFAULT '', -- '', 'close' or 'refund'
    version         BIGINT NOT NULL CHECK (version >= 1),
    UNIQUE (app_id, out_trade_no), -- also the index of app_id (foreign key)
    CHECK (refunded_amount >= 0 AND refunded_amount <= total_amount)
);

CREATE TABLE refunds (
    trade_no       TEXT NOT NULL REFERENCES trades (trade_no),
    out_request_no TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    reason         TEXT NOT NULL DEFAULT '',
    by_cancel      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (trade_no, out_request_no) -- also the index of trade_no
);

CREATE TABLE faults (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES apps (id),
    method       TEXT NOT NULL,
    out_trade_no TEXT NOT NULL DEFAULT '', -- path.Match pattern; '' or '*': any
    effect       TEXT NOT NULL,
    delay_ms     INTEGER NOT NULL DEFAULT 0 CHECK (delay_ms >= 0),
    sub_code     TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);

CREATE INDEX faults_app_id ON faults (app_id, id);
