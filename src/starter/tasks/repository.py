"""Task SQL. Parametrized queries only; status changes NOTIFY in the same statement, so the
notification exists if and only if the change commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from starter.core.channels import TASK_CANCEL, TASK_STATUS, TASKS_READY, task_status_payload_sql
from starter.core.db import Connection, Record
from starter.core.query import (
    Counted,
    Where,
    fetch_counted,
    id_prefix_range,
    like_pattern,
    sort_order,
)
from starter.monitoring.events.repository import new_event_ids, task_event_insert_sql

TASK_COLUMNS = (
    "id, task_type, status, priority, max_attempts, current_attempt, last_error, created_at, "
    "updated_at, scheduled_at, started_at, completed_at, created_by, metadata, payload, result, "
    "retry_strategy"
)
TYPE_COLUMNS = "task_type, description, is_active, created_at, updated_at, payload_schema"
WORKER_COLUMNS = "id, hostname, pid, concurrency, in_flight, task_types, started_at, heartbeat_at"
EVENT_SOURCE = "tasks"
# Each sort key's order; `-key` is its exact reverse, so both walk the same index. The
# listing's own order is `-priority`: rank (critical first, never alphabetical), then age.
_SORTS = {
    "priority": ("priority_rank DESC", "created_at DESC", "id DESC"),
    "created_at": ("created_at", "id"),
    "status": ("status", "created_at", "id"),
}


def _notify_ready(alias: str) -> str:
    return f"pg_notify('{TASKS_READY}', {alias}.task_type) AS notified_ready"


def _notify_status(alias: str) -> str:
    return f"pg_notify('{TASK_STATUS}', {task_status_payload_sql(alias)}) AS notified_status"


# --- task types --------------------------------------------------------------------------------


async def list_active_types(conn: Connection) -> list[Record]:
    return await conn.fetch(
        f"SELECT {TYPE_COLUMNS} FROM task_types WHERE is_active ORDER BY task_type"
    )


async def upsert_type(
    conn: Connection, task_type: str, description: str, payload_schema: Any = None
) -> Record:
    """New types are active; an existing type gets the new description (is_active unchanged)
    and the new payload schema when one is given."""
    row = await conn.fetchrow(
        f"""INSERT INTO task_types (task_type, description, payload_schema) VALUES ($1, $2, $3)
            ON CONFLICT (task_type) DO UPDATE SET description = EXCLUDED.description,
                payload_schema = COALESCE(EXCLUDED.payload_schema, task_types.payload_schema)
            RETURNING {TYPE_COLUMNS}""",
        task_type,
        description,
        payload_schema,
    )
    assert row is not None
    return row


async def upsert_types_if_changed(
    conn: Connection, task_types: list[str], descriptions: list[str]
) -> None:
    """Start-up registration: writes only rows that are new or whose description changed,
    so many processes starting together do not contend on unchanged rows."""
    await conn.execute(
        """INSERT INTO task_types (task_type, description)
           SELECT * FROM unnest($1::text[], $2::text[])
           ON CONFLICT (task_type) DO UPDATE SET description = EXCLUDED.description
           WHERE task_types.description IS DISTINCT FROM EXCLUDED.description""",
        task_types,
        descriptions,
    )


async def active_type_version(conn: Connection, task_type: str) -> Record | None:
    """An active type's payload schema and the version of its row (`xmin`, which every
    committed change renews)."""
    return await conn.fetchrow(
        """SELECT task_type, payload_schema, xmin::text::bigint AS version FROM task_types
            WHERE task_type = $1 AND is_active""",
        task_type,
    )


# --- tasks -------------------------------------------------------------------------------------


# The type guard of an insert: the type exists, is active, and is still the version the caller
# checked the payloads against (tasks/type_cache.py); otherwise nothing is inserted.
_CHECKED_TYPE = """SELECT task_type FROM task_types
                    WHERE task_type = $1 AND is_active AND xmin::text::bigint = $2"""
# The creation event of every inserted row (docs/tasks.md: a status change, its NOTIFY and
# its event exist together), written by the same statement. New tasks, like their events,
# get their ids (uuid4) from the enqueuing process, not from PostgreSQL.
_CREATED_EVENTS = task_event_insert_sql(
    "inserted", EVENT_SOURCE, worker_id_param=None, ids_param="$11"
)
# What an enqueue answers: enough for the creation event and both NOTIFYs, or the whole row.
_ENQUEUED_COLUMNS = "id, task_type, status, created_by"


def _insert_task_sql(returning: str) -> str:
    return f"""
WITH checked AS ({_CHECKED_TYPE}), inserted AS (
    INSERT INTO tasks (id, task_type, payload, priority, scheduled_at, created_by, metadata,
                       retry_strategy, max_attempts)
    SELECT $10, c.task_type, COALESCE($3::jsonb, 'null'::jsonb), $4, COALESCE($5, NOW()), $6,
           $7::jsonb, $8::jsonb, $9
      FROM checked c
    RETURNING {returning}
), ev AS ({_CREATED_EVENTS})
SELECT i.*, {_notify_ready("i")}, {_notify_status("i")} FROM inserted i
"""


INSERT_TASK_SQL = _insert_task_sql(_ENQUEUED_COLUMNS)
# Sending back every column costs PostgreSQL about as much as the creation event
# (bench/README.md), and only the API's answer needs them.
INSERT_TASK_ROW_SQL = _insert_task_sql(TASK_COLUMNS)

# Many tasks of one type: one ready notification for the statement (a worker claims as many
# as it has slots for), a status notification per task for the live stream.
INSERT_TASKS_SQL = f"""
WITH checked AS ({_CHECKED_TYPE}), inserted AS (
    INSERT INTO tasks (id, task_type, payload, priority, scheduled_at, created_by, metadata,
                       retry_strategy, max_attempts)
    SELECT p.id, c.task_type, p.payload::jsonb, $4, COALESCE($5, NOW()), $6, $7::jsonb,
           $8::jsonb, $9
      FROM checked c, unnest($3::text[], $10::uuid[]) WITH ORDINALITY AS p(payload, id, n)
     ORDER BY p.n
    RETURNING {_ENQUEUED_COLUMNS}
), ev AS ({_CREATED_EVENTS}), notified AS (
    SELECT i.id, {_notify_status("i")} FROM inserted i
)
SELECT count(*) AS inserted,
       CASE WHEN count(*) > 0 THEN pg_notify('{TASKS_READY}', $1) END AS notified_ready
  FROM notified n
"""


async def insert_task(
    conn: Connection,
    *,
    whole_row: bool,
    task_type: str,
    type_version: int,
    payload: Any,
    priority: str,
    scheduled_at: datetime | None,
    created_by: UUID | None,
    metadata: dict[str, Any],
    retry_strategy: Any,
    max_attempts: int,
) -> Record | None:
    """Insert a pending task with its creation event, and wake the workers (all on commit):
    its id, task_type, status and created_by, or every column with `whole_row`; None when the
    type is not active at `type_version`."""
    return await conn.fetchrow(
        INSERT_TASK_ROW_SQL if whole_row else INSERT_TASK_SQL,
        task_type,
        type_version,
        payload,
        priority,
        scheduled_at,
        created_by,
        metadata,
        retry_strategy,
        max_attempts,
        uuid4(),
        new_event_ids(1),
    )


async def insert_tasks(
    conn: Connection,
    *,
    task_type: str,
    type_version: int,
    payloads_json: list[str],
    priority: str,
    scheduled_at: datetime | None,
    created_by: UUID | None,
    metadata: dict[str, Any],
    retry_strategy: Any,
    max_attempts: int,
) -> list[UUID] | None:
    """`insert_task` for many payloads (JSON texts) at once; the new ids in the payloads'
    order, or None when the type is not active at `type_version`."""
    ids = [uuid4() for _ in payloads_json]
    inserted = await conn.fetchval(
        INSERT_TASKS_SQL,
        task_type,
        type_version,
        payloads_json,
        priority,
        scheduled_at,
        created_by,
        metadata,
        retry_strategy,
        max_attempts,
        ids,
        new_event_ids(len(ids)),
    )
    return ids if inserted else None


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """The filters of a task listing, as checked by the service; None means no filter."""

    owner: UUID | None = None
    task_type: str | None = None
    status: str | None = None
    priority: str | None = None
    id_prefix: str | None = None  # lowercase hex digits
    created_after: datetime | None = None
    created_before: datetime | None = None
    text: str | None = None
    sort: str = "-priority"


def _where(query: TaskQuery) -> Where:
    where = Where()
    where.add("task_type = {}", query.task_type)
    where.add("status = {}", query.status)
    where.add("priority = {}", query.priority)
    where.add("created_by = {}", query.owner)
    if query.id_prefix is not None:
        where.add("id BETWEEN {} AND {}", *id_prefix_range(query.id_prefix))
    where.add("created_at >= {}", query.created_after)
    where.add("created_at < {}", query.created_before)
    if query.text is not None:
        # No trigram index to serve it: this reads every task the other filters leave.
        where.add("(payload::text ILIKE {0} OR last_error ILIKE {0})", like_pattern(query.text))
    return where


async def list_tasks(
    conn: Connection, query: TaskQuery, *, limit: int, offset: int
) -> Counted[Record]:
    """One page in the query's order and how many tasks match; `owner` restricts to that
    user's tasks (in SQL, so pages are full)."""
    return await fetch_counted(
        conn,
        columns=TASK_COLUMNS,
        source="tasks",
        where=_where(query),
        order=sort_order(_SORTS, query.sort),
        limit=limit,
        offset=offset,
    )


async def get_task(conn: Connection, task_id: UUID, *, for_update: bool = False) -> Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1{lock}", task_id)


async def status_counts(conn: Connection, tag: str | None = None) -> dict[str, int]:
    """Tasks per status (optionally only those whose metadata `tag` equals `tag`)."""
    if tag is None:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM tasks GROUP BY status")
    else:
        rows = await conn.fetch(
            """SELECT status, count(*) AS n FROM tasks WHERE metadata->>'tag' = $1
               GROUP BY status""",
            tag,
        )
    return {row["status"]: row["n"] for row in rows}


async def cancel_waiting(conn: Connection, task_id: UUID) -> Record | None:
    """pending/retrying → cancelled; None when the task is in another state."""
    return await conn.fetchrow(
        f"""WITH updated AS (
                UPDATE tasks SET status = 'cancelled', completed_at = NOW(),
                                 locked_by = NULL, locked_until = NULL
                WHERE id = $1 AND status IN ('pending', 'retrying')
                RETURNING {TASK_COLUMNS})
            SELECT u.*, {_notify_status("u")} FROM updated u""",
        task_id,
    )


async def request_cancel(conn: Connection, task_id: UUID) -> bool:
    """Flag a running task; its worker hears TASK_CANCEL on commit and stops the handler."""
    row = await conn.fetchrow(
        f"""WITH updated AS (
                UPDATE tasks SET cancel_requested = TRUE
                WHERE id = $1 AND status = 'running' RETURNING id)
            SELECT u.id, pg_notify('{TASK_CANCEL}', u.id::text) AS notified FROM updated u""",
        task_id,
    )
    return row is not None


_RESET_TO_PENDING = """status = 'pending', current_attempt = 0, last_error = NULL, result = NULL,
    scheduled_at = NOW(), started_at = NULL, completed_at = NULL, locked_by = NULL,
    locked_until = NULL, heartbeat_at = NULL, cancel_requested = FALSE"""


async def reset_failed(conn: Connection, task_id: UUID) -> Record | None:
    """failed → pending with a fresh attempt count; None when the task is not failed."""
    return await conn.fetchrow(
        f"""WITH updated AS (
                UPDATE tasks SET {_RESET_TO_PENDING}
                WHERE id = $1 AND status = 'failed' RETURNING {TASK_COLUMNS})
            SELECT u.*, {_notify_ready("u")}, {_notify_status("u")} FROM updated u""",
        task_id,
    )


async def reset_all_failed(conn: Connection, task_type: str | None) -> list[Record]:
    """Every failed task (optionally of one type) → pending; returns what changed."""
    return await conn.fetch(
        f"""WITH updated AS (
                UPDATE tasks SET {_RESET_TO_PENDING}
                WHERE status = 'failed' AND ($1::text IS NULL OR task_type = $1)
                RETURNING id, task_type, status, created_by)
            SELECT u.*, {_notify_ready("u")}, {_notify_status("u")} FROM updated u""",
        task_type,
    )


async def delete_finished(conn: Connection, task_id: UUID) -> bool:
    result = await conn.execute(
        """DELETE FROM tasks WHERE id = $1
           AND status IN ('completed', 'failed', 'cancelled')""",
        task_id,
    )
    return result != "DELETE 0"


async def newest_artifact(conn: Connection, task_id: UUID) -> Record | None:
    return await conn.fetchrow(
        """SELECT name, content_type, content FROM task_artifacts WHERE task_id = $1
           ORDER BY created_at DESC, name LIMIT 1""",
        task_id,
    )


async def live_workers(conn: Connection, stale_after_secs: float) -> list[Record]:
    return await conn.fetch(
        f"""SELECT {WORKER_COLUMNS} FROM workers
            WHERE stopped_at IS NULL AND heartbeat_at > NOW() - make_interval(secs => $1)
            ORDER BY started_at, id""",
        stale_after_secs,
    )


# --- admin CLI ---------------------------------------------------------------------------------


async def recent_tasks(
    conn: Connection, *, status: str | None, task_type: str | None, limit: int
) -> list[Record]:
    """Newest first (`starter admin list-tasks`)."""
    return await conn.fetch(
        f"""SELECT {TASK_COLUMNS} FROM tasks
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR task_type = $2)
            ORDER BY created_at DESC, id LIMIT $3""",
        status,
        task_type,
        limit,
    )


async def average_completion_secs(conn: Connection, tag: str | None) -> float | None:
    value: float | None = await conn.fetchval(
        """SELECT EXTRACT(EPOCH FROM avg(COALESCE(completed_at, updated_at) - created_at))::float8
           FROM tasks WHERE status = 'completed' AND ($1::text IS NULL OR metadata->>'tag' = $1)""",
        tag,
    )
    return value


_COMPLETED_BEFORE = """status = 'completed'
    AND (completed_at < $1 OR (completed_at IS NULL AND updated_at < $1))"""


async def count_completed_before(conn: Connection, cutoff: datetime) -> int:
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM tasks WHERE {_COMPLETED_BEFORE}", cutoff
    )
    return count


async def delete_completed_batch(conn: Connection, cutoff: datetime, batch_size: int) -> int:
    result = await conn.execute(
        f"""DELETE FROM tasks WHERE id IN (
                SELECT id FROM tasks WHERE {_COMPLETED_BEFORE} LIMIT $2)""",
        cutoff,
        batch_size,
    )
    return int(result.split()[-1])


# How long a task has been "in" a status: since it became ready, started, or finished.
_IN_STATUS_SINCE = {
    "pending": "scheduled_at",
    "retrying": "scheduled_at",
    "running": "COALESCE(started_at, updated_at)",
    "completed": "COALESCE(completed_at, updated_at)",
    "failed": "COALESCE(completed_at, updated_at)",
    "cancelled": "COALESCE(completed_at, updated_at)",
}


async def count_in_status(conn: Connection, status: str, since_before: datetime | None) -> int:
    """Tasks in `status`; with `since_before`, only those in it since before that time."""
    if since_before is None:
        count: int = await conn.fetchval("SELECT count(*) FROM tasks WHERE status = $1", status)
        return count
    count = await conn.fetchval(
        f"SELECT count(*) FROM tasks WHERE status = $1 AND {_IN_STATUS_SINCE[status]} < $2",
        status,
        since_before,
    )
    return count
