-- Failed logins, counted per account and per client address for rate limiting.
-- Shared by every server process; rows older than the window are pruned by session cleanup.
CREATE TABLE login_failures (
    id         BIGSERIAL PRIMARY KEY,
    scope      TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key        TEXT NOT NULL,
    failed_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_login_failures_lookup ON login_failures (scope, key, failed_at);
