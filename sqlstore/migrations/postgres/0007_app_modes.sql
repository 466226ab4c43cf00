-- The modes an app can be in: AES content encryption, public-key-certificate
-- mode, how it identifies buyers (user_id, open_id or both), and whether it
-- is a third-party (ISV) app. Apps that existed before keep identifying
-- buyers by user_id.
-- PostgreSQL. Keep in step with ../sqlite/0007_app_modes.sql.

ALTER TABLE apps ADD COLUMN aes_key TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN cert_mode BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE apps ADD COLUMN app_certificate TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN gateway_certificate TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN root_certificate TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN identity_mode TEXT NOT NULL DEFAULT 'userid';
ALTER TABLE apps ADD COLUMN isv BOOLEAN NOT NULL DEFAULT false;
