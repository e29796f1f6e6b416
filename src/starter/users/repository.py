"""SQL for user administration on the users table (credentials and sessions belong to auth)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from starter.core.db import Connection, Record
from starter.core.query import Counted, Where, fetch_counted, like_pattern, sort_order

PROFILE_COLUMNS = "id, username, email, role, is_active, email_verified, created_at, last_login_at"
# Each sort key's order; `-key` is its exact reverse. Roles sort by rank (user < moderator <
# admin), never-signed-in accounts before any sign-in.
_SORTS = {
    "username": ("lower(username)", "id"),
    "created_at": ("created_at", "id"),
    "last_login_at": ("last_login_at NULLS FIRST", "created_at", "id"),
    "role": (
        "CASE role WHEN 'user' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END",
        "created_at",
        "id",
    ),
}


@dataclass(frozen=True, slots=True)
class UserQuery:
    """The filters of the user list, as checked by the service; None means no filter."""

    is_active: bool | None = True
    role: str | None = None
    search: str | None = None  # in the username or the email, without case
    sort: str = "-created_at"


async def find_active(conn: Connection, user_id: UUID) -> Record | None:
    return await conn.fetchrow(
        f"SELECT {PROFILE_COLUMNS} FROM users WHERE id = $1 AND is_active", user_id
    )


async def lock_active(conn: Connection, user_id: UUID) -> Record | None:
    """The active user's row, locked until the caller's transaction ends."""
    return await conn.fetchrow(
        f"SELECT {PROFILE_COLUMNS} FROM users WHERE id = $1 AND is_active FOR UPDATE", user_id
    )


async def lock_any(conn: Connection, user_id: UUID) -> Record | None:
    """The user's row whatever its state, locked until the caller's transaction ends."""
    return await conn.fetchrow(
        f"SELECT {PROFILE_COLUMNS} FROM users WHERE id = $1 FOR UPDATE", user_id
    )


async def lock_with_active_admins(conn: Connection, user_id: UUID) -> list[Record]:
    """The user's row and every active admin's, locked until the caller's transaction ends.

    Two callers lock in the same (id) order, so they queue instead of deadlocking, and the
    second re-reads each row once the first commits: an admin it demoted is no longer counted.
    """
    return await conn.fetch(
        f"""SELECT {PROFILE_COLUMNS} FROM users
            WHERE id = $1 OR (role = 'admin' AND is_active)
            ORDER BY id FOR UPDATE""",
        user_id,
    )


async def lock_many_with_active_admins(conn: Connection, user_ids: list[UUID]) -> list[Record]:
    """Like `lock_with_active_admins`, for several users at once (the same id order)."""
    return await conn.fetch(
        f"""SELECT {PROFILE_COLUMNS} FROM users
            WHERE id = ANY($1::uuid[]) OR (role = 'admin' AND is_active)
            ORDER BY id FOR UPDATE""",
        user_ids,
    )


async def set_active_many(conn: Connection, user_ids: list[UUID], is_active: bool) -> None:
    await conn.execute(
        "UPDATE users SET is_active = $2 WHERE id = ANY($1::uuid[]) AND is_active <> $2",
        user_ids,
        is_active,
    )


async def page(conn: Connection, query: UserQuery, limit: int, offset: int) -> Counted[Record]:
    """One page of the users the query selects, in its order, and how many it selects."""
    where = Where()
    where.add("is_active = {}", query.is_active)
    where.add("role = {}", query.role)
    if query.search is not None:
        where.add("(username ILIKE {0} OR email ILIKE {0})", like_pattern(query.search))
    return await fetch_counted(
        conn,
        columns=PROFILE_COLUMNS,
        source="users",
        where=where,
        order=sort_order(_SORTS, query.sort),
        limit=limit,
        offset=offset,
    )


async def accounts(conn: Connection, limit: int, is_active: bool | None) -> list[Record]:
    """Accounts of every state (or only active / inactive ones), newest first."""
    return await conn.fetch(
        f"""SELECT {PROFILE_COLUMNS} FROM users WHERE $2::boolean IS NULL OR is_active = $2
            ORDER BY created_at DESC, id LIMIT $1""",
        limit,
        is_active,
    )


async def active_admins(conn: Connection) -> list[Record]:
    return await conn.fetch(
        f"""SELECT {PROFILE_COLUMNS} FROM users WHERE role = 'admin' AND is_active
            ORDER BY created_at, id"""
    )


async def find_by_identity(conn: Connection, key: str, user_id: UUID | None) -> Record | None:
    """The account (whatever its state) with this id, or this username or email compared
    without case; a username match wins over an email match."""
    return await conn.fetchrow(
        f"""SELECT {PROFILE_COLUMNS} FROM users
            WHERE id = $2 OR lower(username) = lower($1) OR lower(email) = lower($1)
            ORDER BY id = $2 DESC NULLS LAST, lower(username) = lower($1) DESC LIMIT 1""",
        key,
        user_id,
    )


async def update_own_profile(
    conn: Connection, user_id: UUID, username: str | None, email: str | None
) -> Record | None:
    """Change the given fields of an active user; a different email (not merely re-cased)
    clears `email_verified`."""
    return await conn.fetchrow(
        f"""UPDATE users SET
                username = COALESCE($2, username),
                email = COALESCE($3, email),
                email_verified = CASE WHEN lower($3::text) <> lower(email)
                                      THEN FALSE ELSE email_verified END
            WHERE id = $1 AND is_active
            RETURNING {PROFILE_COLUMNS}""",
        user_id,
        username,
        email,
    )


async def update_profile(
    conn: Connection,
    user_id: UUID,
    username: str | None,
    email: str | None,
    email_verified: bool | None,
) -> Record | None:
    """Admin edit of any user (active or not); `email_verified` changes only when given."""
    return await conn.fetchrow(
        f"""UPDATE users SET
                username = COALESCE($2, username),
                email = COALESCE($3, email),
                email_verified = COALESCE($4, email_verified)
            WHERE id = $1
            RETURNING {PROFILE_COLUMNS}""",
        user_id,
        username,
        email,
        email_verified,
    )


async def set_active(conn: Connection, user_id: UUID, is_active: bool) -> Record | None:
    return await conn.fetchrow(
        f"UPDATE users SET is_active = $2 WHERE id = $1 RETURNING {PROFILE_COLUMNS}",
        user_id,
        is_active,
    )


async def set_role(conn: Connection, user_id: UUID, role: str) -> Record | None:
    return await conn.fetchrow(
        f"UPDATE users SET role = $2 WHERE id = $1 RETURNING {PROFILE_COLUMNS}", user_id, role
    )


async def delete(conn: Connection, user_id: UUID) -> bool:
    """Remove the row; sessions and API keys go with it (ON DELETE CASCADE)."""
    status = await conn.execute("DELETE FROM users WHERE id = $1", user_id)
    return status != "DELETE 0"


async def stats(conn: Connection) -> Record:
    """Every UserStats count in one pass over users."""
    row = await conn.fetchrow(
        """SELECT
               count(*) AS total_users,
               count(*) FILTER (WHERE is_active) AS active_users,
               count(*) FILTER (WHERE is_active AND email_verified) AS email_verified,
               count(*) FILTER (WHERE is_active AND role = 'user') AS role_user,
               count(*) FILTER (WHERE is_active AND role = 'moderator') AS role_moderator,
               count(*) FILTER (WHERE is_active AND role = 'admin') AS role_admin,
               count(*) FILTER (WHERE created_at > NOW() - INTERVAL '24 hours') AS last_24h,
               count(*) FILTER (WHERE created_at > NOW() - INTERVAL '7 days') AS last_7d,
               count(*) FILTER (WHERE created_at > NOW() - INTERVAL '30 days') AS last_30d
           FROM users"""
    )
    assert row is not None
    return row
