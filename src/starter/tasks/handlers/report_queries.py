"""SQL behind `report_generation` (parametrized queries only)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from starter.core.db import Connection, Record


async def active_role(conn: Connection, user_id: UUID) -> str | None:
    role: str | None = await conn.fetchval(
        "SELECT role FROM users WHERE id = $1 AND is_active", user_id
    )
    return role


async def task_counts(
    conn: Connection, start: datetime, end: datetime, owner: UUID | None
) -> list[Record]:
    return await conn.fetch(
        """SELECT task_type, status, count(*) AS count FROM tasks
           WHERE created_at >= $1 AND created_at < $2 AND ($3::uuid IS NULL OR created_by = $3)
           GROUP BY task_type, status ORDER BY task_type, status""",
        start,
        end,
        owner,
    )


async def task_rows(
    conn: Connection, start: datetime, end: datetime, owner: UUID | None, limit: int
) -> list[Record]:
    return await conn.fetch(
        """SELECT id, task_type, status, priority, current_attempt, max_attempts, created_by,
                  created_at, started_at, completed_at, last_error
           FROM tasks
           WHERE created_at >= $1 AND created_at < $2 AND ($3::uuid IS NULL OR created_by = $3)
           ORDER BY created_at, id LIMIT $4""",
        start,
        end,
        owner,
        limit,
    )


async def registrations(conn: Connection, start: datetime, end: datetime) -> list[Record]:
    return await conn.fetch(
        """SELECT (created_at AT TIME ZONE 'UTC')::date AS day, role,
                  count(*) AS registrations, count(*) FILTER (WHERE is_active) AS active
           FROM users WHERE created_at >= $1 AND created_at < $2
           GROUP BY day, role ORDER BY day, role""",
        start,
        end,
    )


async def events_available(conn: Connection) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass('events') IS NOT NULL"))


async def event_counts(conn: Connection, start: datetime, end: datetime) -> list[Record]:
    return await conn.fetch(
        """SELECT event_type, level, source, count(*) AS count FROM events
           WHERE recorded_at >= $1 AND recorded_at < $2
           GROUP BY event_type, level, source ORDER BY event_type, level NULLS FIRST, source""",
        start,
        end,
    )


async def store_artifact(
    conn: Connection, task_id: UUID, name: str, content_type: str, content: bytes
) -> None:
    """Insert or replace (a retried task overwrites its own artifact). `clock_timestamp()`
    orders artifacts written in one transaction: the last one stored is the newest."""
    await conn.execute(
        """INSERT INTO task_artifacts (task_id, name, content_type, content, created_at)
           VALUES ($1, $2, $3, $4, clock_timestamp())
           ON CONFLICT (task_id, name) DO UPDATE
           SET content_type = EXCLUDED.content_type, content = EXCLUDED.content,
               created_at = EXCLUDED.created_at""",
        task_id,
        name,
        content_type,
        content,
    )
