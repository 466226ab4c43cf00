-- Nothing changes on PostgreSQL, whose instances share the request log as
-- rows: on SQLite this version moves it to files (see
-- ../sqlite/0016_request_log_in_files.sql), and both backends keep the
-- same migration numbers.

SELECT 1;
