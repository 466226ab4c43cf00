-- An app's version goes up with every change of its settings (not of its
-- clock), so that the gateway can keep apps parsed and ask only for the
-- version and the clock at each call.
-- PostgreSQL. Keep in step with ../sqlite/0010_app_version.sql.

ALTER TABLE apps ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
