"""SQL of the operator's console: queue metrics, bulk actions, attempt history.

Parametrized queries only. `owner` (a user id, or NULL for moderators and admins) restricts
every query to that user's tasks. Bulk changes NOTIFY and write their monitoring events in
the same statement as the change, as the single actions do (one round trip for the batch),
with the single actions' own reset and NOTIFY expressions, so both paths change and announce
a task alike.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from starter.core.channels import TASK_CANCEL
from starter.core.db import Connection, Record
from starter.monitoring.events.repository import task_event_insert_sql
from starter.tasks.queue import EVENT_SOURCE
from starter.tasks.repository import _RESET_TO_PENDING, _notify_ready, _notify_status

_OWNED = "($3::uuid IS NULL OR created_by = $3)"

# $1 bucket width in seconds, $2 number of buckets, $3 owner, $4 the answer's time (one
# instant for both queries, which may straddle a bucket's end). The last bucket holds $4; the
# window starts where the first one does.
_WINDOW = """bounds AS (
    SELECT date_bin(make_interval(secs => $1), $4::timestamptz, 'epoch') AS last_start,
           date_bin(make_interval(secs => $1), $4::timestamptz, 'epoch')
               - make_interval(secs => $1 * ($2 - 1)) AS first_start)"""

BUCKETS_SQL = f"""
WITH {_WINDOW},
series AS (
    SELECT generate_series(first_start, last_start, make_interval(secs => $1)) AS start
      FROM bounds
), created AS (
    SELECT date_bin(make_interval(secs => $1), created_at, 'epoch') AS start, count(*) AS n
      FROM tasks, bounds
     WHERE created_at >= bounds.first_start AND {_OWNED}
     GROUP BY 1
), finished AS (
    SELECT date_bin(make_interval(secs => $1), completed_at, 'epoch') AS start,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'failed') AS failed
      FROM tasks, bounds
     WHERE status IN ('completed', 'failed') AND completed_at >= bounds.first_start AND {_OWNED}
     GROUP BY 1
)
SELECT s.start, COALESCE(c.n, 0) AS created, COALESCE(f.completed, 0) AS completed,
       COALESCE(f.failed, 0) AS failed
  FROM series s
  LEFT JOIN created c USING (start)
  LEFT JOIN finished f USING (start)
 ORDER BY s.start
"""

# Wait: from due (creation, or a later schedule) to the start of the last run; a row whose
# schedule moved past its start (the reaper re-dates what it takes back) has no wait.
_WAIT_MS = """CASE WHEN started_at >= GREATEST(created_at, scheduled_at)
     THEN extract(epoch FROM started_at - GREATEST(created_at, scheduled_at)) * 1000 END"""
_RUN_MS = "extract(epoch FROM completed_at - started_at) * 1000"

TYPES_SQL = f"""
WITH {_WINDOW},
unfinished AS (
    SELECT task_type,
           count(*) FILTER (WHERE status IN ('pending', 'retrying')) AS pending,
           count(*) FILTER (WHERE status = 'running') AS running,
           extract(epoch FROM $4::timestamptz - min(GREATEST(created_at, scheduled_at)) FILTER (
               WHERE status IN ('pending', 'retrying') AND scheduled_at <= $4::timestamptz
           ))::float8 AS oldest_pending_age_seconds
      FROM tasks
     WHERE status IN ('pending', 'retrying', 'running') AND {_OWNED}
     GROUP BY task_type
), durations AS (
    SELECT task_type, status, {_WAIT_MS} AS wait_ms,
           CASE WHEN started_at IS NOT NULL THEN {_RUN_MS} END AS run_ms
      FROM tasks, bounds
     WHERE status IN ('completed', 'failed') AND completed_at >= bounds.first_start AND {_OWNED}
), finished AS (
    SELECT task_type,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_ms)::float8 AS wait_p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY wait_ms)::float8 AS wait_p95_ms,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY run_ms)::float8 AS run_p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY run_ms)::float8 AS run_p95_ms
      FROM durations
     GROUP BY task_type
)
SELECT task_type, COALESCE(u.pending, 0) AS pending, COALESCE(u.running, 0) AS running,
       u.oldest_pending_age_seconds, f.wait_p50_ms, f.wait_p95_ms, f.run_p50_ms, f.run_p95_ms,
       COALESCE(f.completed, 0) AS completed, COALESCE(f.failed, 0) AS failed,
       (f.failed::float8 / NULLIF(f.completed + f.failed, 0)) AS failure_rate
  FROM unfinished u
  FULL JOIN finished f USING (task_type)
 ORDER BY task_type
"""


async def buckets(
    conn: Connection, bucket_secs: int, count: int, owner: UUID | None, now: datetime
) -> list[Record]:
    return await conn.fetch(BUCKETS_SQL, float(bucket_secs), count, owner, now)


async def type_metrics(
    conn: Connection, bucket_secs: int, count: int, owner: UUID | None, now: datetime
) -> list[Record]:
    return await conn.fetch(TYPES_SQL, float(bucket_secs), count, owner, now)


async def database_now(conn: Connection) -> datetime:
    now: datetime = await conn.fetchval("SELECT now()")
    return now


# --- bulk actions ------------------------------------------------------------------------------

_TARGET_COLUMNS = "id, task_type, status, created_by"
# Oldest first, locked in that order (two bulk calls lock their common rows in the same order).
_TARGET_ORDER = "ORDER BY created_at, id"


async def lock_ids(conn: Connection, ids: list[UUID], owner: UUID | None) -> list[Record]:
    """The given tasks the owner may act on, locked."""
    return await conn.fetch(
        f"""SELECT {_TARGET_COLUMNS} FROM tasks
             WHERE id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR created_by = $2)
             {_TARGET_ORDER} FOR UPDATE""",
        ids,
        owner,
    )


async def lock_matching(
    conn: Connection,
    *,
    status: str | None,
    task_type: str | None,
    created_before: datetime | None,
    owner: UUID | None,
    limit: int,
) -> list[Record]:
    """Up to `limit` tasks matching every given field, oldest first, locked."""
    return await conn.fetch(
        f"""SELECT {_TARGET_COLUMNS} FROM tasks
             WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR task_type = $2)
               AND ($3::timestamptz IS NULL OR created_at < $3)
               AND ($4::uuid IS NULL OR created_by = $4)
             {_TARGET_ORDER} LIMIT $5 FOR UPDATE""",
        status,
        task_type,
        created_before,
        owner,
        limit,
    )


def _status_events(alias: str, message: str) -> str:
    """A data-modifying CTE body: the `info` event each single action leaves, per row."""
    return task_event_insert_sql(alias, EVENT_SOURCE, worker_id_param=None, message_sql=message)


_NOW_STATUS = "'Task ' || {a}.id || ' (' || {a}.task_type || ') is now ' || {a}.status"
_RESET_MESSAGE = (
    "'Task ' || {a}.id || ' (' || {a}.task_type || ') was reset to pending for a retry'"
)

RETRY_SQL = f"""
WITH changed AS (
    UPDATE tasks SET {_RESET_TO_PENDING}
     WHERE id = ANY($1::uuid[]) AND status = 'failed'
    RETURNING id, task_type, status, created_by
), ev AS ({_status_events("changed", _RESET_MESSAGE.format(a="changed"))})
SELECT c.id, {_notify_status("c")}, {_notify_ready("c")} FROM changed c
"""

CANCEL_SQL = f"""
WITH waiting AS (
    UPDATE tasks SET status = 'cancelled', completed_at = now(), locked_by = NULL,
                     locked_until = NULL
     WHERE id = ANY($1::uuid[]) AND status IN ('pending', 'retrying')
    RETURNING id, task_type, status, created_by
), running AS (
    UPDATE tasks SET cancel_requested = TRUE
     WHERE id = ANY($1::uuid[]) AND status = 'running'
    RETURNING id
), ev AS ({_status_events("waiting", _NOW_STATUS.format(a="waiting"))})
SELECT w.id, {_notify_status("w")} FROM waiting w
UNION ALL
SELECT r.id, pg_notify('{TASK_CANCEL}', r.id::text) FROM running r
"""

DELETE_SQL = """
DELETE FROM tasks WHERE id = ANY($1::uuid[]) AND status IN ('completed', 'failed', 'cancelled')
RETURNING id
"""


async def retry_failed(conn: Connection, ids: list[UUID]) -> set[UUID]:
    """failed → pending with a fresh attempt count; the ids that changed."""
    return {row["id"] for row in await conn.fetch(RETRY_SQL, ids)}


async def cancel(conn: Connection, ids: list[UUID]) -> set[UUID]:
    """Waiting → cancelled, running → cancel requested; the ids that changed."""
    return {row["id"] for row in await conn.fetch(CANCEL_SQL, ids)}


async def delete_finished(conn: Connection, ids: list[UUID]) -> set[UUID]:
    return {row["id"] for row in await conn.fetch(DELETE_SQL, ids)}


# --- attempt history ---------------------------------------------------------------------------


ATTEMPTS_SQL = """
SELECT attempt, worker_id, started_at, finished_at, outcome, error, traceback FROM (
    SELECT id AS seq, attempt, worker_id, started_at, finished_at, outcome, error, traceback
      FROM task_attempts WHERE task_id = $1
    UNION ALL
    SELECT NULL, current_attempt, locked_by, started_at, NULL, 'running', NULL, NULL
      FROM tasks WHERE id = $1 AND status = 'running'
) a
ORDER BY seq NULLS LAST
"""


async def attempts(conn: Connection, task_id: UUID) -> list[Record]:
    """Finished runs in order, then the run in progress (if any)."""
    return await conn.fetch(ATTEMPTS_SQL, task_id)
