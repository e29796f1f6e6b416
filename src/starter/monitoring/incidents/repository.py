"""Incident SQL. Parametrized only."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from starter.core.db import Connection, Record
from starter.core.query import Counted, Where, fetch_counted

INCIDENT_COLUMNS = (
    "id, title, description, severity, status, started_at, resolved_at, root_cause, "
    "created_by, assigned_to, created_at, updated_at"
)


async def user_exists(conn: Connection, user_id: UUID) -> bool:
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)", user_id))


async def insert_incident(
    conn: Connection,
    *,
    title: str,
    description: str | None,
    severity: str,
    created_by: UUID | None,
    assigned_to: UUID | None,
) -> Record:
    row = await conn.fetchrow(
        f"""INSERT INTO incidents (title, description, severity, created_by, assigned_to)
            VALUES ($1, $2, $3, $4, $5) RETURNING {INCIDENT_COLUMNS}""",
        title,
        description,
        severity,
        created_by,
        assigned_to,
    )
    assert row is not None
    return row


async def list_incidents(conn: Connection, limit: int, offset: int) -> Counted[Record]:
    """Newest first, and how many incidents there are."""
    return await fetch_counted(
        conn,
        columns=INCIDENT_COLUMNS,
        source="incidents",
        where=Where(),
        order="ORDER BY created_at DESC, id",
        limit=limit,
        offset=offset,
    )


async def get_incident(
    conn: Connection, incident_id: UUID, *, for_update: bool = False
) -> Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(
        f"SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1{lock}", incident_id
    )


async def update_incident(
    conn: Connection,
    incident_id: UUID,
    *,
    title: str | None,
    description: str | None,
    severity: str | None,
    status: str | None,
    root_cause: str | None,
    assigned_to: UUID | None,
) -> Record:
    """COALESCE semantics: a NULL argument leaves the column as it is."""
    row = await conn.fetchrow(
        f"""UPDATE incidents SET
              title = COALESCE($2, title),
              description = COALESCE($3, description),
              severity = COALESCE($4, severity),
              status = COALESCE($5, status),
              root_cause = COALESCE($6, root_cause),
              assigned_to = COALESCE($7, assigned_to),
              resolved_at = CASE WHEN $5 = 'resolved' AND resolved_at IS NULL THEN NOW()
                                 ELSE resolved_at END
            WHERE id = $1 RETURNING {INCIDENT_COLUMNS}""",
        incident_id,
        title,
        description,
        severity,
        status,
        root_cause,
        assigned_to,
    )
    assert row is not None
    return row


async def timeline(
    conn: Connection, start: datetime, end: datetime | None, limit: int, offset: int
) -> tuple[list[Record], int]:
    """Events in `[start, end or now]`, oldest first (paged), and how many there are in all."""
    rows = await conn.fetch(
        """SELECT id, recorded_at, event_type, source, COALESCE(message, '') AS message,
                  level, tags
           FROM events WHERE recorded_at >= $1 AND recorded_at <= COALESCE($2, NOW())
           ORDER BY recorded_at ASC, id LIMIT $3 OFFSET $4""",
        start,
        end,
        limit,
        offset,
    )
    total = await conn.fetchval(
        """SELECT COUNT(*) FROM events
           WHERE recorded_at >= $1 AND recorded_at <= COALESCE($2, NOW())""",
        start,
        end,
    )
    return rows, int(total)


async def open_incident_id(conn: Connection, incident_id: UUID) -> UUID | None:
    """`incident_id` if that incident is still open or being investigated."""
    found: UUID | None = await conn.fetchval(
        "SELECT id FROM incidents WHERE id = $1 AND status IN ('open', 'investigating')",
        incident_id,
    )
    return found
