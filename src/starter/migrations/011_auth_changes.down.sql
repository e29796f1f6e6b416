DROP TRIGGER IF EXISTS api_keys_auth_deleted ON api_keys;
DROP TRIGGER IF EXISTS api_keys_auth_changed ON api_keys;
DROP TRIGGER IF EXISTS sessions_auth_deleted ON sessions;
DROP TRIGGER IF EXISTS sessions_auth_changed ON sessions;
DROP TRIGGER IF EXISTS users_auth_deleted ON users;
DROP TRIGGER IF EXISTS users_auth_changed ON users;
DROP FUNCTION IF EXISTS notify_auth_change();
