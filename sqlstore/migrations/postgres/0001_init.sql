-- zfb schema, PostgreSQL. Keep in step with ../sqlite/0001_init.sql.
-- Times are Unix microseconds (UTC) in BIGINT, as on SQLite, so that both
-- backends store them exactly alike; money is minor units.

CREATE TABLE apps (
    id                  TEXT PRIMARY KEY,
    seller_id           TEXT NOT NULL,
    name                TEXT NOT NULL DEFAULT '',
    sign_type           TEXT NOT NULL,
    app_public_key      TEXT NOT NULL DEFAULT '',
    app_private_key     TEXT NOT NULL DEFAULT '',
    gateway_private_key TEXT NOT NULL DEFAULT '',
    gateway_public_key  TEXT NOT NULL DEFAULT '',
    intl_client_id      TEXT NOT NULL DEFAULT '',
    intl_partner_id     TEXT NOT NULL DEFAULT '',
    methods             TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    clock_offset_us     BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL
);

CREATE UNIQUE INDEX apps_intl_client_id ON apps (intl_client_id) WHERE intl_client_id <> '';

CREATE TABLE buyers (
    user_id      TEXT PRIMARY KEY,
    logon_id     TEXT NOT NULL DEFAULT '',
    payment_code TEXT NOT NULL UNIQUE,
    behaviour    TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE UNIQUE INDEX buyers_logon_id ON buyers (logon_id) WHERE logon_id <> '';

CREATE TABLE ledger_accounts (
    id       TEXT PRIMARY KEY,
    kind     TEXT NOT NULL,
    owner    TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL,
    balance  BIGINT NOT NULL DEFAULT 0,
    floor    BIGINT, -- NULL: unbounded
    CHECK (floor IS NULL OR balance >= floor)
);

CREATE TABLE ledger_transfers (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           TEXT NOT NULL,
    ref            TEXT NOT NULL,
    debit_account  TEXT NOT NULL REFERENCES ledger_accounts (id),
    credit_account TEXT NOT NULL REFERENCES ledger_accounts (id),
    amount         BIGINT NOT NULL CHECK (amount > 0),
    currency       TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    CHECK (debit_account <> credit_account)
);

CREATE INDEX ledger_transfers_ref ON ledger_transfers (ref);

-- Two entries per transfer: the debit (negative) and the credit (positive).
CREATE TABLE ledger_entries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transfer_id BIGINT NOT NULL REFERENCES ledger_transfers (id),
    account_id  TEXT NOT NULL REFERENCES ledger_accounts (id),
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount <> 0)
);

CREATE INDEX ledger_entries_account_id ON ledger_entries (account_id);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id          TEXT NOT NULL REFERENCES apps (id),
    kind            TEXT NOT NULL,
    target          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT, -- NULL until delivered
    last_error      TEXT NOT NULL DEFAULT ''
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_app_id ON outbox (app_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
