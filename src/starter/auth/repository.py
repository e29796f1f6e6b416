"""SQL for identities and credentials: users (core columns), sessions, login failures."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from starter.core.db import Connection, Record

USER_PROFILE_COLUMNS = (
    "id, username, email, role, is_active, email_verified, created_at, last_login_at"
)


async def insert_user(
    conn: Connection,
    username: str,
    email: str,
    password_hash: str,
    role: str = "user",
    email_verified: bool = False,
) -> Record:
    row = await conn.fetchrow(
        f"""INSERT INTO users (username, email, password_hash, role, email_verified)
            VALUES ($1, $2, $3, $4, $5) RETURNING {USER_PROFILE_COLUMNS}""",
        username,
        email,
        password_hash,
        role,
        email_verified,
    )
    assert row is not None
    return row


async def find_active_user_for_login(
    conn: Connection, *, username: str | None = None, email: str | None = None
) -> Record | None:
    """An active user by username and/or email in any letter case (either matches when both
    are given); the lower() unique indexes of migration 012 serve both lookups."""
    return await conn.fetchrow(
        f"""SELECT {USER_PROFILE_COLUMNS}, password_hash FROM users
            WHERE is_active AND (lower(username) = lower($1) OR lower(email) = lower($2))
            LIMIT 1""",
        username,
        email,
    )


async def find_profile(conn: Connection, user_id: UUID) -> Record | None:
    return await conn.fetchrow(
        f"SELECT {USER_PROFILE_COLUMNS} FROM users WHERE id = $1 AND is_active", user_id
    )


async def find_password_hash(conn: Connection, user_id: UUID) -> str | None:
    value: str | None = await conn.fetchval(
        "SELECT password_hash FROM users WHERE id = $1 AND is_active", user_id
    )
    return value


async def set_password_hash(conn: Connection, user_id: UUID, password_hash: str) -> bool:
    status = await conn.execute(
        "UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash
    )
    return status != "UPDATE 0"


async def touch_last_login(conn: Connection, user_id: UUID) -> None:
    await conn.execute("UPDATE users SET last_login_at = NOW() WHERE id = $1", user_id)


async def any_admin_exists(conn: Connection) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin')"))


ADMIN_BOOTSTRAP_LOCK = 0x5354_4144  # arbitrary, unique to the initial-admin bootstrap


async def lock_admin_bootstrap(conn: Connection) -> None:
    """Serialise initial-admin creation across processes (released at transaction end)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", ADMIN_BOOTSTRAP_LOCK)


# --- sessions ---------------------------------------------------------------------------


async def insert_session(
    conn: Connection,
    user_id: UUID,
    token_hash: str,
    expires_at: datetime,
    user_agent: str | None,
    ip_address: str | None = None,
) -> Record:
    row = await conn.fetchrow(
        """INSERT INTO sessions (user_id, token_hash, expires_at, user_agent, ip_address)
           VALUES ($1, $2, $3, $4, $5) RETURNING id, expires_at""",
        user_id,
        token_hash,
        expires_at,
        user_agent,
        ip_address,
    )
    assert row is not None
    return row


async def find_session_principal(conn: Connection, token_hash: str) -> Record | None:
    """The query behind a session-authenticated request (unless its principal is cached).
    Durations come from the database's clock, the one the expiry is checked against."""
    return await conn.fetchrow(
        """SELECT s.id AS session_id,
                  EXTRACT(EPOCH FROM NOW() - s.last_activity_at)::float8 AS idle_secs,
                  EXTRACT(EPOCH FROM s.expires_at - NOW())::float8 AS expires_in_secs,
                  u.id, u.username, u.email, u.role
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = $1 AND s.is_active AND s.expires_at >= NOW() AND u.is_active""",
        token_hash,
    )


async def touch_session_activity(conn: Connection, session_id: UUID, min_interval: float) -> None:
    await conn.execute(
        """UPDATE sessions SET last_activity_at = NOW()
           WHERE id = $1 AND last_activity_at < NOW() - make_interval(secs => $2)""",
        session_id,
        min_interval,
    )


async def deactivate_idle_sessions(conn: Connection, user_id: UUID, idle_days: int) -> int:
    status = await conn.execute(
        """UPDATE sessions SET is_active = FALSE
           WHERE user_id = $1 AND is_active AND last_activity_at < NOW() - make_interval(days => $2)""",
        user_id,
        idle_days,
    )
    return int(status.split()[-1])


async def deactivate_session(conn: Connection, session_id: UUID) -> None:
    await conn.execute("UPDATE sessions SET is_active = FALSE WHERE id = $1", session_id)


async def deactivate_user_sessions(conn: Connection, user_id: UUID) -> int:
    status = await conn.execute(
        "UPDATE sessions SET is_active = FALSE WHERE user_id = $1 AND is_active", user_id
    )
    return int(status.split()[-1])


async def deactivate_other_sessions(conn: Connection, user_id: UUID, keep: UUID | None) -> int:
    status = await conn.execute(
        """UPDATE sessions SET is_active = FALSE
           WHERE user_id = $1 AND is_active AND id IS DISTINCT FROM $2""",
        user_id,
        keep,
    )
    return int(status.split()[-1])


async def live_sessions(conn: Connection, user_id: UUID, current: UUID | None) -> list[Record]:
    """A user's sessions that still authenticate, most recently active first; `current` marks
    the one whose id is given."""
    return await conn.fetch(
        """SELECT id, created_at, last_activity_at, expires_at, user_agent, ip_address,
                  id IS NOT DISTINCT FROM $2 AS current
           FROM sessions WHERE user_id = $1 AND is_active AND expires_at >= NOW()
           ORDER BY last_activity_at DESC, created_at DESC, id""",
        user_id,
        current,
    )


async def end_live_session(conn: Connection, user_id: UUID, session_id: UUID) -> bool:
    status = await conn.execute(
        """UPDATE sessions SET is_active = FALSE
           WHERE id = $1 AND user_id = $2 AND is_active AND expires_at >= NOW()""",
        session_id,
        user_id,
    )
    return status != "UPDATE 0"


async def user_exists(conn: Connection, user_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)", user_id))


async def lock_session_for_refresh(conn: Connection, session_id: UUID) -> Record | None:
    return await conn.fetchrow(
        """SELECT expires_at, last_refreshed_at, NOW() AS now FROM sessions
           WHERE id = $1 AND is_active AND expires_at >= NOW() FOR UPDATE""",
        session_id,
    )


async def extend_session(conn: Connection, session_id: UUID, extend_hours: float) -> Record:
    row = await conn.fetchrow(
        """UPDATE sessions
           SET expires_at = NOW() + make_interval(secs => $2), last_refreshed_at = NOW()
           WHERE id = $1 RETURNING expires_at, last_refreshed_at""",
        session_id,
        extend_hours * 3600,
    )
    assert row is not None
    return row


async def deactivate_expired_sessions(conn: Connection) -> int:
    status = await conn.execute(
        "UPDATE sessions SET is_active = FALSE WHERE is_active AND expires_at < NOW()"
    )
    return int(status.split()[-1])


# --- login failures (rate limiting) ------------------------------------------------------


async def recent_failures(
    conn: Connection, scope: str, key: str, window_secs: int
) -> tuple[int, datetime | None]:
    """How many failures in the window, and when the oldest of them happened."""
    row = await conn.fetchrow(
        """SELECT count(*) AS n, min(failed_at) AS oldest FROM login_failures
           WHERE scope = $1 AND key = $2 AND failed_at > NOW() - make_interval(secs => $3)""",
        scope,
        key,
        window_secs,
    )
    assert row is not None
    return int(row["n"]), row["oldest"]


async def record_failures(conn: Connection, entries: list[tuple[str, str]]) -> None:
    await conn.executemany("INSERT INTO login_failures (scope, key) VALUES ($1, $2)", entries)


async def clear_failures(conn: Connection, scope: str, key: str) -> None:
    await conn.execute("DELETE FROM login_failures WHERE scope = $1 AND key = $2", scope, key)


async def prune_failures(conn: Connection, window_secs: int) -> int:
    status = await conn.execute(
        "DELETE FROM login_failures WHERE failed_at < NOW() - make_interval(secs => $1)",
        window_secs,
    )
    return int(status.split()[-1])


# --- API keys (authentication side; management lives in starter.api_keys) ---------------


async def find_api_key_principal(conn: Connection, key_hash: str) -> Record | None:
    return await conn.fetchrow(
        """SELECT k.id AS api_key_id, k.permissions,
                  EXTRACT(EPOCH FROM k.expires_at - NOW())::float8 AS expires_in_secs,
                  u.id, u.username, u.email, u.role
           FROM api_keys k JOIN users u ON u.id = k.created_by
           WHERE k.key_hash = $1 AND k.is_active AND u.is_active
             AND (k.expires_at IS NULL OR k.expires_at > NOW())""",
        key_hash,
    )


async def add_api_key_usage(conn: Connection, usage: list[tuple[UUID, int, datetime]]) -> None:
    await conn.executemany(
        """UPDATE api_keys SET usage_count = usage_count + $2,
                  last_used_at = GREATEST(COALESCE(last_used_at, $3), $3)
           WHERE id = $1""",
        usage,
    )
