-- Third-party (ISV) app authorizations (spec isv-and-identity §1): the
-- app_auth_codes a merchant hands an ISV app (single use, 24 h), the token
-- pairs they are exchanged for, and the ISV app that made a trade or a fund
-- authorisation order for a merchant ('' for the merchant's own calls).
-- PostgreSQL. Keep in step with ../sqlite/0008_app_auth.sql.

CREATE TABLE app_auth_codes (
    code            TEXT PRIMARY KEY,
    isv_app_id      TEXT NOT NULL REFERENCES apps (id),
    merchant_app_id TEXT NOT NULL REFERENCES apps (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT -- NULL until exchanged
);

CREATE TABLE app_auth_tokens (
    app_auth_token     TEXT PRIMARY KEY,
    app_refresh_token  TEXT NOT NULL UNIQUE,
    isv_app_id         TEXT NOT NULL REFERENCES apps (id),
    merchant_app_id    TEXT NOT NULL REFERENCES apps (id),
    user_id            TEXT NOT NULL,
    issued_at          BIGINT NOT NULL,
    refresh_expires_at BIGINT NOT NULL,
    refresh_used       BOOLEAN NOT NULL DEFAULT FALSE,
    status             TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
    revoked_at         BIGINT -- NULL while valid
);

CREATE INDEX app_auth_tokens_isv ON app_auth_tokens (isv_app_id, merchant_app_id);

ALTER TABLE trades ADD COLUMN agent_app_id TEXT NOT NULL DEFAULT '';
ALTER TABLE fund_auth_orders ADD COLUMN agent_app_id TEXT NOT NULL DEFAULT '';
