"""SQL for one-time account tokens (password reset, email verification)."""

from __future__ import annotations

from uuid import UUID

from starter.core.db import Connection, Record

PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret
EMAIL_VERIFICATION = "email_verification"


async def supersede(conn: Connection, user_id: UUID, purpose: str) -> int:
    """Retire every open token of this purpose (a new one replaces them, or one was used)."""
    status = await conn.execute(
        """UPDATE account_tokens SET used_at = NOW()
           WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL""",
        user_id,
        purpose,
    )
    return int(status.split()[-1])


async def insert(
    conn: Connection, user_id: UUID, purpose: str, token_hash: str, email: str, valid_secs: float
) -> None:
    await conn.execute(
        """INSERT INTO account_tokens (user_id, purpose, token_hash, email, expires_at)
           VALUES ($1, $2, $3, $4, NOW() + make_interval(secs => $5))""",
        user_id,
        purpose,
        token_hash,
        email,
        valid_secs,
    )


async def lock_usable(conn: Connection, token_hash: str, purpose: str) -> Record | None:
    """The unused, unexpired token of an active user, locked so only one request uses it.
    A verification token also needs the address it was sent to to be the user's still."""
    return await conn.fetchrow(
        """SELECT t.id, t.user_id, t.email, u.username FROM account_tokens t
           JOIN users u ON u.id = t.user_id
           WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL
             AND t.expires_at > NOW() AND u.is_active
             AND (t.purpose <> 'email_verification' OR lower(t.email) = lower(u.email))
           FOR UPDATE OF t""",
        token_hash,
        purpose,
    )


async def set_email_verified(conn: Connection, user_id: UUID) -> None:
    await conn.execute("UPDATE users SET email_verified = TRUE WHERE id = $1", user_id)
