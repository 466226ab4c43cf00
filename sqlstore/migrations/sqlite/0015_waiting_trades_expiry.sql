-- ExpiredTrades reads only WAIT_BUYER_PAY trades, so the index of their
-- expiry holds only those: a trade paid at once (most of
-- alipay.trade.pay's) is never inserted into it, and one leaves it when it
-- is paid or closed. The query names the status as a literal, which is
-- what lets the planner use a partial index. Keep in step with
-- ../postgres/0015_waiting_trades_expiry.sql.

DROP INDEX trades_app_status_expires;
CREATE INDEX trades_app_waiting_expires ON trades (app_id, expires_at, trade_no) WHERE status = 'WAIT_BUYER_PAY';
