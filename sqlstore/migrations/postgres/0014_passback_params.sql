-- A page, wap or app trade's passback_params, echoed in its notifications.
-- Keep in step with ../sqlite/0014_passback_params.sql.

ALTER TABLE trades ADD COLUMN passback_params TEXT NOT NULL DEFAULT '';
