-- The request log: one row per gateway call (both dialects), kept to a
-- bounded number of the newest rows, and the object numbers each call named
-- or was answered with, for the search by any of them. Rows name their app
-- without a foreign key: a record may outlive the app, or name none.
-- SQLite. Keep in step with ../postgres/0011_request_log.sql.

CREATE TABLE request_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    at               INTEGER NOT NULL,
    dialect          TEXT NOT NULL,
    app_id           TEXT NOT NULL,
    method           TEXT NOT NULL,
    params           TEXT NOT NULL, -- JSON object of masked parameters
    sign_content     TEXT NOT NULL,
    sign_type        TEXT NOT NULL,
    charset          TEXT NOT NULL,
    signature        TEXT NOT NULL,
    diagnosis        TEXT NOT NULL,
    answer           TEXT NOT NULL,
    answer_truncated INTEGER NOT NULL CHECK (answer_truncated IN (0, 1)),
    http_status      INTEGER NOT NULL,
    code             TEXT NOT NULL,
    sub_code         TEXT NOT NULL,
    failed           INTEGER NOT NULL CHECK (failed IN (0, 1)),
    latency_us       INTEGER NOT NULL,
    refs             TEXT NOT NULL -- JSON array, as in request_refs
) STRICT;

-- No index on app_id or method: the log holds a few thousand rows, which
-- a search scans in a few milliseconds, while each index would cost every
-- call a B-tree insert. The references are indexed: they are the search.

CREATE TABLE request_refs (
    request_id INTEGER NOT NULL,
    ref        TEXT NOT NULL,
    PRIMARY KEY (request_id, ref)
) STRICT;

CREATE INDEX request_refs_ref ON request_refs (ref, request_id);
