-- Trades listed newest first, for one app or for all (the admin API's and
-- the dashboard's trade lists). Keep in step with ../postgres/0013_trades_by_time.sql.

CREATE INDEX trades_app_created ON trades (app_id, created_at, trade_no);
CREATE INDEX trades_created ON trades (created_at, trade_no);
