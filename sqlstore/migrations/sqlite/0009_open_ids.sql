-- open_ids holds each buyer's open_id in each app (spec isv-and-identity
-- §2): one per (app, buyer), issued the first time zfb shows or is asked
-- for it. The open_id is the primary key, so that finding the buyer of an
-- open_id a merchant sends is an index lookup; the unique (app_id, user_id)
-- lets two commands that issue one at once agree on a single open_id
-- (INSERT … ON CONFLICT DO NOTHING, then read).
-- SQLite. Keep in step with ../postgres/0009_open_ids.sql.

CREATE TABLE open_ids (
    open_id    TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps (id),
    user_id    TEXT NOT NULL REFERENCES buyers (user_id),
    created_at INTEGER NOT NULL,
    UNIQUE (app_id, user_id)
) STRICT;

CREATE INDEX open_ids_user_id ON open_ids (user_id);
