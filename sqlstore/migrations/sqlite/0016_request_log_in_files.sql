-- zfb serve keeps a SQLite database's request log in files beside it
-- (package reqfile, <db>-requests/) since this version, so the rows
-- written before are never shown or pruned again: they go now, rather
-- than take up to ~25 MB for good. The table stays for a second serve of
-- the same file, which cannot take the files' lock and keeps its log here.
-- Keep in step with ../postgres/0016_request_log_in_files.sql.

DELETE FROM request_refs;
DELETE FROM request_log;
