-- token_hash is the SHA-256 (hex) of the 64-character bearer token; the token itself is never stored.
CREATE TABLE sessions (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash        TEXT NOT NULL UNIQUE,
    expires_at        TIMESTAMPTZ NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_activity_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_refreshed_at TIMESTAMPTZ,
    user_agent        TEXT,
    is_active         BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE INDEX idx_sessions_user_active ON sessions (user_id) WHERE is_active;
CREATE INDEX idx_sessions_expires_active ON sessions (expires_at) WHERE is_active;

CREATE TRIGGER update_sessions_updated_at BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
