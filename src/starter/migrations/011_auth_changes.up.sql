-- Every change that can end or alter an authenticated identity announces the user's id on
-- the `starter_auth` channel, so each server process forgets the principals it cached for
-- that user (src/starter/auth/principal_cache.py). Only a live credential of an active user
-- can be cached, so writes that cannot affect one stay silent: activity stamps, usage
-- counters, changes to inactive users and to ended or expired credentials (session cleanup).
-- PostgreSQL delivers one notification per distinct payload per transaction.
-- TG_ARGV[0] names the column that holds the user's id; a credential moved to another user
-- announces both users.
CREATE FUNCTION notify_auth_change() RETURNS TRIGGER AS $$
DECLARE
    old_user TEXT := to_jsonb(OLD) ->> TG_ARGV[0];
    new_user TEXT := to_jsonb(NEW) ->> TG_ARGV[0];
BEGIN
    IF old_user IS NOT NULL THEN
        PERFORM pg_notify('starter_auth', old_user);
    END IF;
    IF new_user IS DISTINCT FROM old_user AND new_user IS NOT NULL THEN
        PERFORM pg_notify('starter_auth', new_user);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER users_auth_changed AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.is_active AND (
          OLD.username IS DISTINCT FROM NEW.username OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.role IS DISTINCT FROM NEW.role OR OLD.is_active IS DISTINCT FROM NEW.is_active))
    EXECUTE FUNCTION notify_auth_change('id');
CREATE TRIGGER users_auth_deleted AFTER DELETE ON users FOR EACH ROW
    WHEN (OLD.is_active)
    EXECUTE FUNCTION notify_auth_change('id');

CREATE TRIGGER sessions_auth_changed AFTER UPDATE ON sessions FOR EACH ROW
    WHEN (OLD.is_active AND OLD.expires_at > NOW() AND (
          OLD.is_active IS DISTINCT FROM NEW.is_active
          OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.token_hash IS DISTINCT FROM NEW.token_hash
          OR OLD.user_id IS DISTINCT FROM NEW.user_id))
    EXECUTE FUNCTION notify_auth_change('user_id');
CREATE TRIGGER sessions_auth_deleted AFTER DELETE ON sessions FOR EACH ROW
    WHEN (OLD.is_active AND OLD.expires_at > NOW())
    EXECUTE FUNCTION notify_auth_change('user_id');

CREATE TRIGGER api_keys_auth_changed AFTER UPDATE ON api_keys FOR EACH ROW
    WHEN (OLD.is_active AND (OLD.expires_at IS NULL OR OLD.expires_at > NOW()) AND (
          OLD.is_active IS DISTINCT FROM NEW.is_active
          OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.permissions IS DISTINCT FROM NEW.permissions
          OR OLD.key_hash IS DISTINCT FROM NEW.key_hash
          OR OLD.created_by IS DISTINCT FROM NEW.created_by))
    EXECUTE FUNCTION notify_auth_change('created_by');
CREATE TRIGGER api_keys_auth_deleted AFTER DELETE ON api_keys FOR EACH ROW
    WHEN (OLD.is_active AND (OLD.expires_at IS NULL OR OLD.expires_at > NOW()))
    EXECUTE FUNCTION notify_auth_change('created_by');
