-- Nothing changes on SQLite, whose one zfb hears its own changes of the
-- apps table: on PostgreSQL this version announces them to every instance
-- (see ../postgres/0017_apps_changed_notify.sql), and both backends keep
-- the same migration numbers.

SELECT 1;
