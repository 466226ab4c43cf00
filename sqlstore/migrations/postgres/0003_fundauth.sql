-- Fund authorisation (资金授权), PostgreSQL. Keep in step with
-- ../sqlite/0003_fundauth.sql. Times are Unix microseconds (UTC) in BIGINT; an
-- optional time is NULL when unset. Amounts are CNY minor units.

CREATE TABLE fund_auth_orders (
    auth_no               TEXT PRIMARY KEY,
    app_id                TEXT NOT NULL REFERENCES apps (id),
    out_order_no          TEXT NOT NULL,
    kind                  TEXT NOT NULL, -- 'freeze', 'voucher' or 'cancelled'
    status                TEXT NOT NULL,
    payee_user_id         TEXT NOT NULL DEFAULT '',
    payer_user_id         TEXT NOT NULL DEFAULT '', -- '' until a buyer is known
    order_title           TEXT NOT NULL DEFAULT '',
    product_code          TEXT NOT NULL DEFAULT '',
    extra_param           TEXT NOT NULL DEFAULT '', -- JSON, as the merchant sent it
    total_freeze_amount   BIGINT NOT NULL DEFAULT 0 CHECK (total_freeze_amount >= 0),
    total_unfreeze_amount BIGINT NOT NULL DEFAULT 0 CHECK (total_unfreeze_amount >= 0),
    total_pay_amount      BIGINT NOT NULL DEFAULT 0 CHECK (total_pay_amount >= 0),
    fingerprint           TEXT NOT NULL DEFAULT '',
    code_value            TEXT NOT NULL DEFAULT '',
    notify_url            TEXT NOT NULL DEFAULT '',
    expires_at            BIGINT, -- NULL: no expiry
    created_at            BIGINT NOT NULL,
    closed_at             BIGINT, -- NULL until closed or finished
    version               BIGINT NOT NULL CHECK (version >= 1),
    UNIQUE (app_id, out_order_no), -- also the index of app_id (foreign key)
    CHECK (total_unfreeze_amount + total_pay_amount <= total_freeze_amount)
);

-- AuthOrders: an app's orders, newest first.
CREATE INDEX fund_auth_orders_app_created ON fund_auth_orders (app_id, created_at, auth_no);

CREATE TABLE fund_auth_operations (
    operation_id   TEXT PRIMARY KEY,
    auth_no        TEXT NOT NULL REFERENCES fund_auth_orders (auth_no),
    out_request_no TEXT NOT NULL,
    type           TEXT NOT NULL, -- 'FREEZE', 'UNFREEZE' or 'PAY'
    status         TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    remark         TEXT NOT NULL DEFAULT '',
    trade_no       TEXT NOT NULL DEFAULT '', -- the trade a PAY operation paid
    cancel_action  TEXT NOT NULL DEFAULT '', -- '', 'close' or 'unfreeze'
    created_at     BIGINT NOT NULL,
    trans_at       BIGINT, -- NULL until it succeeded
    closed_at      BIGINT, -- NULL until closed
    UNIQUE (auth_no, type, out_request_no) -- also the index of auth_no (foreign key)
);

-- The fund authorisation a trade was paid from (alipay.trade.pay with
-- auth_no); '' for other trades.
ALTER TABLE trades ADD COLUMN auth_no TEXT NOT NULL DEFAULT '';
