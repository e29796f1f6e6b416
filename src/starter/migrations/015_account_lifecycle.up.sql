-- One-time account tokens (password reset, email verification), stored as SHA-256 digests.
-- A token is usable while unused, unexpired and not superseded by a newer one of its purpose.
CREATE TABLE account_tokens (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    token_hash  TEXT NOT NULL UNIQUE,
    -- The address the token was sent to: verification holds only while it is still the user's.
    email       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);

CREATE INDEX idx_account_tokens_user_open ON account_tokens (user_id, purpose) WHERE used_at IS NULL;

-- Where a session was opened from, shown to its user.
ALTER TABLE sessions ADD COLUMN ip_address TEXT;

-- Recovery requests are counted with the same table and window as failed logins.
ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check
    CHECK (scope IN ('account', 'address', 'recovery_account', 'recovery_address'));
