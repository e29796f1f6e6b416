"""SQL of the `events` table: the only module that writes or reads it (the worker's claim and
finish statements embed `task_event_insert_sql`, so a task's event is part of the same
statement). Parametrized only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from starter.core.channels import MONITORING
from starter.core.db import Connection, Record
from starter.core.query import Where

EVENT_COLUMNS = "id, event_type, source, message, level, tags, payload, recorded_at, created_at"


# Telemetry ingest may opt out of waiting for the WAL flush (docs/monitoring.md, "Ingest
# durability"): `set_config(…, true)` is SET LOCAL inside the statement's own transaction,
# so it costs no round trip and ends with that transaction. It must run, so it is read.
_RELAXED = "relaxed AS (SELECT set_config('synchronous_commit', 'off', true))"
_INSERT_VALUES = "$1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb, COALESCE($7, NOW())"
_INSERT_EVENT_SQL = f"""INSERT INTO events (event_type, source, message, level, tags, payload, recorded_at)
    VALUES ({_INSERT_VALUES}) RETURNING {EVENT_COLUMNS}"""
_INSERT_EVENT_RELAXED_SQL = f"""WITH {_RELAXED}
    INSERT INTO events (event_type, source, message, level, tags, payload, recorded_at)
    SELECT {_INSERT_VALUES} FROM relaxed RETURNING {EVENT_COLUMNS}"""


async def insert_event(
    conn: Connection,
    *,
    event_type: str,
    source: str,
    message: str | None,
    level: str | None,
    tags: str,
    payload: str,
    recorded_at: datetime | None = None,
    synchronous_commit: bool = True,
) -> Record:
    """`tags` and `payload` are JSON text (the caller has serialized them already).
    `synchronous_commit=False` lets the transaction the statement is in commit without
    waiting for the WAL flush."""
    row = await conn.fetchrow(
        _INSERT_EVENT_SQL if synchronous_commit else _INSERT_EVENT_RELAXED_SQL,
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


@dataclass
class EventColumns:
    """The rows of one batch insert, column by column; `tags` and `payload` as JSON text."""

    event_type: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    message: list[str | None] = field(default_factory=list)
    level: list[str | None] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    payload: list[str] = field(default_factory=list)
    recorded_at: list[datetime | None] = field(default_factory=list)


# One statement: the rows, their ids in submitted order, and at most one notification (the
# first notable event, with how many the batch holds), so a batch of errors cannot flood the
# live stream's bounded client queues.
_INSERT_BATCH_SQL = """
WITH {relaxed}input AS MATERIALIZED (
    SELECT gen_random_uuid() AS id, u.ord, u.event_type, u.source, u.message, u.level,
           u.tags::jsonb AS tags, u.payload::jsonb AS payload,
           COALESCE(u.recorded_at, now()) AS recorded_at
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                  $7::timestamptz[])
           WITH ORDINALITY AS u(event_type, source, message, level, tags, payload, recorded_at,
                                ord)
), inserted AS (
    INSERT INTO events (id, event_type, source, message, level, tags, payload, recorded_at)
    SELECT id, event_type, source, message, level, tags, payload, recorded_at FROM input
), notable AS (
    SELECT id, event_type, source, level, message, count(*) OVER () AS notable
      FROM input WHERE lower(level) = ANY($8::text[]) ORDER BY ord LIMIT 1
)
SELECT (SELECT array_agg(id ORDER BY ord) FROM input) AS ids,
       (SELECT pg_notify($9, jsonb_build_object(
                 'kind', 'event', 'id', id::text, 'event_type', event_type, 'source', source,
                 'level', level, 'message', left(COALESCE(message, ''), 200),
                 'notable_in_batch', notable)::text)
          FROM notable) AS notified{relaxed_from}
"""
_INSERT_BATCH_DURABLE_SQL = _INSERT_BATCH_SQL.format(relaxed="", relaxed_from="")
_INSERT_BATCH_RELAXED_SQL = _INSERT_BATCH_SQL.format(
    relaxed=f"{_RELAXED}, ", relaxed_from="\n  FROM relaxed"
)


async def insert_events(
    conn: Connection,
    rows: EventColumns,
    notify_levels: Sequence[str],
    *,
    synchronous_commit: bool = True,
) -> list[UUID]:
    """Insert the rows in one statement; their new ids, in order (`synchronous_commit` as
    for `insert_event`)."""
    record = await conn.fetchrow(
        _INSERT_BATCH_DURABLE_SQL if synchronous_commit else _INSERT_BATCH_RELAXED_SQL,
        rows.event_type,
        rows.source,
        rows.message,
        rows.level,
        rows.tags,
        rows.payload,
        rows.recorded_at,
        list(notify_levels),
        MONITORING,
    )
    assert record is not None
    ids: list[UUID] = record["ids"]
    return ids


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


def new_event_ids(count: int) -> list[UUID]:
    """Ids for the events of a `task_event_insert_sql` statement (its `ids_param`)."""
    return [uuid4() for _ in range(count)]


def task_event_insert_sql(
    alias: str,
    source: str,
    where: str = "TRUE",
    *,
    worker_id_param: str | None = "$1",
    message_sql: str | None = None,
    ids_param: str | None = None,
) -> str:
    """A data-modifying CTE body: one `log`/`info` event per task row of `alias` (columns id,
    task_type, status, and current_attempt with a worker), for the one-statement task changes
    of the worker (claim, finish) and of the tasks console (bulk actions).

    `source`, `where` and `message_sql` are SQL text from the callers' own constants, never
    input; `worker_id_param` names the enclosing statement's parameter holding the worker id
    (None: no worker, an empty payload); `message_sql` defaults to "Task … is now <status>";
    `ids_param` names a `uuid[]` parameter with an id for each event (at least as many as
    rows; any pairing will do), made by the caller with `new_event_ids`: the calling process
    generates them rather than PostgreSQL, the part every process shares (bench/README.md).
    Without it each event gets the column's default, `gen_random_uuid()`.
    """
    a = alias
    message = message_sql or _TASK_EVENT_MESSAGE.format(a=a)
    payload = (
        f"jsonb_build_object('attempt', {a}.current_attempt, 'worker_id', {worker_id_param}::text)"
        if worker_id_param
        else "'{}'::jsonb"
    )
    id_column, id_value = (
        ("id, ", f"({ids_param}::uuid[])[row_number() OVER ()], ") if ids_param else ("", "")
    )
    return f"""INSERT INTO events ({id_column}event_type, source, message, level, tags, payload)
               SELECT {id_value}'log', '{source}', {message}, 'info', {_TASK_EVENT_TAGS.format(a=a)}, {payload}
               FROM {a} WHERE {where}"""
