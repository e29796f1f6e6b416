"""SQL of the `events` table: the only module that writes or reads it (the worker's claim and
finish statements embed `task_event_insert_sql`, so a task's event is part of the same
statement). Parametrized only."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from starter.core.db import Connection, Record
from starter.monitoring.common import Where

EVENT_COLUMNS = "id, event_type, source, message, level, tags, payload, recorded_at, created_at"


async def insert_event(
    conn: Connection,
    *,
    event_type: str,
    source: str,
    message: str | None,
    level: str | None,
    tags: dict[str, Any],
    payload: dict[str, Any],
    recorded_at: datetime | None = None,
) -> Record:
    row = await conn.fetchrow(
        f"""INSERT INTO events (event_type, source, message, level, tags, payload, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, NOW()))
            RETURNING {EVENT_COLUMNS}""",
        event_type,
        source,
        message,
        level,
        tags,
        payload,
        recorded_at,
    )
    assert row is not None
    return row


async def list_events(
    conn: Connection,
    *,
    event_type: str | None,
    source: str | None,
    level: str | None,
    start_time: datetime | None,
    end_time: datetime | None,
    tags: dict[str, str],
    limit: int,
    offset: int,
) -> list[Record]:
    where = Where()
    where.add("event_type = {}", event_type)
    where.add("source = {}", source)
    where.add("level = {}", level)
    where.add("recorded_at >= {}", start_time)
    where.add("recorded_at <= {}", end_time)
    # One containment object for all pairs (AND), served by the GIN jsonb_path_ops index.
    where.add("tags @> {}::jsonb", tags or None)
    page = where.page(limit, offset)
    return await conn.fetch(
        f"SELECT {EVENT_COLUMNS} FROM events {where.sql()} ORDER BY recorded_at DESC {page}",
        *where.args,
    )


async def get_event(conn: Connection, event_id: UUID) -> Record | None:
    return await conn.fetchrow(f"SELECT {EVENT_COLUMNS} FROM events WHERE id = $1", event_id)


async def count_events(
    conn: Connection, *, after: datetime, until: datetime, filters: dict[str, str | None]
) -> int:
    """Events recorded in (after, until] matching every given filter (event_type, level,
    source; a None filter is left out)."""
    where = Where()
    where.add("recorded_at > {}", after)
    where.add("recorded_at <= {}", until)
    for column in ("event_type", "level", "source"):
        where.add(f"{column} = {{}}", filters.get(column))
    count = await conn.fetchval(f"SELECT count(*) FROM events {where.sql()}", *where.args)
    return int(count)


_TASK_EVENT_TAGS = (
    "jsonb_build_object('task_id', {a}.id::text, 'task_type', {a}.task_type, 'status', {a}.status)"
)
_TASK_EVENT_MESSAGE = "'Task ' || {a}.id || ' (' || {a}.task_type || ') is now ' || {a}.status"


def task_event_insert_sql(
    alias: str, source: str, where: str = "TRUE", worker_id_param: str = "$1"
) -> str:
    """A data-modifying CTE body: one `log`/`info` event per task row of `alias` (columns id,
    task_type, status, current_attempt), for the worker's one-statement claim and finish.

    `source` and `where` are SQL text from the worker's own constants, never input;
    `worker_id_param` names the enclosing statement's parameter holding the worker id.
    """
    a = alias
    return f"""INSERT INTO events (event_type, source, message, level, tags, payload)
               SELECT 'log', '{source}', {_TASK_EVENT_MESSAGE.format(a=a)}, 'info',
                      {_TASK_EVENT_TAGS.format(a=a)},
                      jsonb_build_object('attempt', {a}.current_attempt,
                                         'worker_id', {worker_id_param}::text)
               FROM {a} WHERE {where}"""
