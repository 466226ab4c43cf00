-- Every committed change of the apps table is announced on the channel
-- zfb_apps, with the table's schema as the payload. Each zfb instance
-- LISTENs there (sqlstore/app_listener.go) and keeps the apps' versions in
-- memory between changes, instead of reading its app's version at every
-- call. A statement trigger fires once per statement, whichever rows it
-- touched, and PostgreSQL delivers the notifications of a transaction
-- only once it commits (identical ones once). Keep in step with
-- ../sqlite/0017_apps_changed_notify.sql.

CREATE FUNCTION zfb_apps_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zfb_apps', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;

CREATE TRIGGER apps_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON apps
    FOR EACH STATEMENT EXECUTE FUNCTION zfb_apps_changed();
