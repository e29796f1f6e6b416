"""Worker SQL: claim, outcomes, leases, worker rows. Parametrized queries only.

Every status change NOTIFYs `TASK_STATUS` and writes its monitoring event in the same statement,
so a batch of N tasks costs one round trip, and the notification and event exist if and only if
the change commits. The events written here are level `info` (claimed, completed,
cancelled, released); a failure or a retry gets its event from the flusher, through
`starter.tasks.queue.record_status_event`, in the transaction of the same write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from starter.core.channels import TASK_STATUS, TASKS_READY, task_status_payload_sql
from starter.core.db import Connection, Record
from starter.monitoring.events.repository import task_event_insert_sql as _info_events

# The attempt-history row of each run ended by the statement (GET /tasks/{id}/attempts).
_ATTEMPT_INSERT = (
    "INSERT INTO task_attempts (task_id, attempt, worker_id, started_at, outcome, error, traceback)"
)


CLAIM_SQL = f"""
-- The pick is a materialized CTE, evaluated once: as `WHERE id IN (SELECT … LIMIT n SKIP
-- LOCKED)` the planner may rescan the subquery, and each rescan skips the rows locked by the
-- previous one, so one claim took 20 tasks with 3 free slots.
WITH picked AS MATERIALIZED (
    SELECT id FROM tasks
     WHERE status IN ('pending', 'retrying') AND scheduled_at <= now()
       AND task_type = ANY($3::text[]) AND NOT (task_type = ANY($4::text[]))
     ORDER BY priority_rank, scheduled_at, created_at
     FOR UPDATE SKIP LOCKED
     LIMIT $5
), claimed AS (
    UPDATE tasks t
       SET status = 'running', locked_by = $1, locked_until = now() + make_interval(secs => $2),
           started_at = now(), heartbeat_at = now(), current_attempt = t.current_attempt + 1
      FROM picked
     WHERE t.id = picked.id
    RETURNING t.id, t.task_type, t.status, t.payload, t.retry_strategy, t.max_attempts,
              t.current_attempt, t.created_by, t.metadata, t.scheduled_at, t.started_at,
              t.priority_rank, t.created_at
), ev AS ({_info_events("claimed", "tasks")})
SELECT c.id, c.task_type, c.payload, c.retry_strategy, c.max_attempts, c.current_attempt,
       c.created_by, c.metadata,
       extract(epoch FROM c.started_at - c.scheduled_at)::float8 AS waited_secs,
       (SELECT tt.timeout_secs FROM task_types tt WHERE tt.task_type = c.task_type) AS timeout_secs,
       pg_notify('{TASK_STATUS}', {task_status_payload_sql("c")}) AS notified
  FROM claimed c
 ORDER BY c.priority_rank, c.scheduled_at, c.created_at
"""

# One row per finished handler: (id, status, result JSON text, error, retry delay in seconds,
# attempt, traceback). Only the run that produced an outcome may apply it: a task the reaper
# re-queued (and maybe this worker claimed again) is left to its new run.
FINISH_SQL = f"""
WITH r AS (
    SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[],
                         $7::int[], $8::text[])
             AS r(id, status, result, error, delay, attempt, traceback)
), finished AS (
    UPDATE tasks t
       SET status = CASE WHEN r.status = 'retrying' AND t.cancel_requested
                         THEN 'cancelled' ELSE r.status END,
           result = COALESCE(r.result::jsonb, t.result),
           last_error = COALESCE(r.error, t.last_error),
           completed_at = CASE WHEN r.status = 'retrying' AND NOT t.cancel_requested
                               THEN NULL ELSE now() END,
           scheduled_at = CASE WHEN r.status = 'retrying'
                               THEN now() + make_interval(secs => r.delay) ELSE t.scheduled_at END,
           locked_by = NULL, locked_until = NULL
      FROM r
     WHERE t.id = r.id AND t.locked_by = $1 AND t.status = 'running'
       AND t.current_attempt = r.attempt
    RETURNING t.id, t.task_type, t.status, t.created_by, t.current_attempt, t.last_error,
              t.scheduled_at, t.started_at
), ev AS ({_info_events("finished", "tasks", "finished.status IN ('completed', 'cancelled')")}
), attempts AS (
    {_ATTEMPT_INSERT}
    SELECT f.id, f.current_attempt, $1, f.started_at, f.status, r.error, r.traceback
      FROM finished f JOIN r ON r.id = f.id AND r.attempt = f.current_attempt)
SELECT f.id, f.task_type, f.status, f.current_attempt, f.last_error, f.scheduled_at,
       pg_notify('{TASK_STATUS}', {task_status_payload_sql("f")}) AS notified,
       CASE WHEN f.status = 'retrying' THEN pg_notify('{TASKS_READY}', f.task_type) END AS ready
  FROM finished f
"""

# Shutdown: unfinished tasks go back to the queue; the interrupted attempt is not counted.
RELEASE_SQL = f"""
WITH released AS (
    UPDATE tasks t
       SET status = CASE WHEN t.current_attempt > 1 THEN 'retrying' ELSE 'pending' END,
           current_attempt = GREATEST(t.current_attempt - 1, 0), scheduled_at = now(),
           started_at = NULL, locked_by = NULL, locked_until = NULL
     WHERE t.id = ANY($2::uuid[]) AND t.locked_by = $1 AND t.status = 'running'
    RETURNING t.id, t.task_type, t.status, t.created_by, t.current_attempt
), ev AS ({_info_events("released", "tasks")})
SELECT r.id, r.task_type, r.status,
       pg_notify('{TASK_STATUS}', {task_status_payload_sql("r")}) AS notified,
       pg_notify('{TASKS_READY}', r.task_type) AS ready
  FROM released r
"""

# The reaper: running tasks whose lease expired (their worker stopped heartbeating). The lost
# run counts as an attempt; without attempts left (or with the `none` strategy) it dead-letters.
REAP_SQL = f"""
WITH expired AS (
    SELECT id, locked_by FROM tasks WHERE status = 'running' AND locked_until < now()
     ORDER BY locked_until FOR UPDATE SKIP LOCKED LIMIT $1
), reaped AS (
    UPDATE tasks t
       SET status = CASE WHEN t.current_attempt >= t.max_attempts
                              OR t.retry_strategy ? 'none' OR t.retry_strategy = '"none"'
                              OR t.cancel_requested
                         THEN (CASE WHEN t.cancel_requested THEN 'cancelled' ELSE 'failed' END)
                         ELSE 'retrying' END,
           last_error = 'lease expired: worker ' || COALESCE(t.locked_by::text, 'unknown')
                        || ' stopped heartbeating',
           scheduled_at = now(),
           completed_at = CASE WHEN t.current_attempt >= t.max_attempts
                                    OR t.retry_strategy ? 'none' OR t.retry_strategy = '"none"'
                                    OR t.cancel_requested
                               THEN now() END,
           locked_by = NULL, locked_until = NULL
      FROM expired e
     WHERE t.id = e.id
    RETURNING t.id, t.task_type, t.status, t.created_by, t.current_attempt, t.last_error,
              t.started_at, e.locked_by AS lost_by
), attempts AS (
    {_ATTEMPT_INSERT}
    SELECT r.id, r.current_attempt, r.lost_by, r.started_at, r.status, r.last_error, NULL
      FROM reaped r)
SELECT r.id, r.task_type, r.status, r.created_by, r.current_attempt, r.last_error,
       pg_notify('{TASK_STATUS}', {task_status_payload_sql("r")}) AS notified,
       CASE WHEN r.status = 'retrying' THEN pg_notify('{TASKS_READY}', r.task_type) END AS ready
  FROM reaped r
"""

NEXT_DUE_SQL = """
SELECT extract(epoch FROM min(scheduled_at) - now())::float8 FROM tasks
 WHERE status IN ('pending', 'retrying') AND scheduled_at > now()
   AND task_type = ANY($1::text[]) AND NOT (task_type = ANY($2::text[]))
"""

# The row's heartbeat moves only while the worker is healthy ($9): a worker that cannot work
# (its outcomes cannot be written, say) looks stale. Leases are extended only for the tasks
# whose handler still runs in this process ($8): a finished run whose outcome is not written
# yet lets its lease expire, so the reaper re-queues it if the outcome never arrives.
HEARTBEAT_SQL = """
WITH w AS (
    INSERT INTO workers (id, hostname, pid, concurrency, task_types, in_flight)
    VALUES ($1, $3, $4, $5, $6::text[], $7)
    ON CONFLICT (id) DO UPDATE
       SET heartbeat_at = CASE WHEN $9 THEN now() ELSE workers.heartbeat_at END,
           in_flight = EXCLUDED.in_flight
    RETURNING id
), leases AS (
    -- SKIP LOCKED: rows being finished right now need no extension, and never waiting on
    -- another statement's row locks means the heartbeat cannot deadlock with the flusher.
    UPDATE tasks SET locked_until = now() + make_interval(secs => $2), heartbeat_at = now()
     WHERE id IN (SELECT id FROM tasks
                   WHERE id = ANY($8::uuid[]) AND locked_by = $1 AND status = 'running'
                  FOR UPDATE SKIP LOCKED)
    RETURNING id, cancel_requested
)
SELECT id FROM leases WHERE cancel_requested
"""


async def claim(
    conn: Connection,
    worker_id: UUID,
    *,
    lease_secs: float,
    task_types: Sequence[str],
    excluded_types: Sequence[str],
    limit: int,
) -> list[Record]:
    return await conn.fetch(
        CLAIM_SQL, worker_id, lease_secs, list(task_types), list(excluded_types), limit
    )


async def finish(
    conn: Connection,
    worker_id: UUID,
    ids: list[UUID],
    statuses: list[str],
    results: list[str | None],
    errors: list[str | None],
    delays: list[float | None],
    attempts: list[int],
    tracebacks: list[str | None] | None = None,
) -> list[Record]:
    """Apply handler outcomes, each with its attempt-history row; rows whose lease this worker
    lost are left alone (not returned)."""
    traces = tracebacks if tracebacks is not None else [None] * len(ids)
    return await conn.fetch(
        FINISH_SQL, worker_id, ids, statuses, results, errors, delays, attempts, traces
    )


async def release(conn: Connection, worker_id: UUID, ids: list[UUID]) -> list[Record]:
    return await conn.fetch(RELEASE_SQL, worker_id, ids)


async def reap_expired(conn: Connection, limit: int = 500) -> list[Record]:
    return await conn.fetch(REAP_SQL, limit)


async def next_due_in(
    conn: Connection, task_types: Sequence[str], excluded_types: Sequence[str]
) -> float | None:
    """Seconds until the earliest future task this worker could run, if any."""
    value: Any = await conn.fetchval(NEXT_DUE_SQL, list(task_types), list(excluded_types))
    return None if value is None else float(value)


async def heartbeat(
    conn: Connection,
    worker_id: UUID,
    *,
    lease_secs: float,
    hostname: str,
    pid: int,
    concurrency: int,
    task_types: Sequence[str],
    executing: Sequence[UUID],
    healthy: bool,
) -> list[UUID]:
    """Refresh the worker row and extend the leases of the tasks still executing here;
    returns those of them with a cancel request."""
    rows = await conn.fetch(
        HEARTBEAT_SQL,
        worker_id,
        lease_secs,
        hostname,
        pid,
        concurrency,
        list(task_types),
        len(executing),
        list(executing),
        healthy,
    )
    return [row["id"] for row in rows]


async def mark_worker_stopped(conn: Connection, worker_id: UUID) -> None:
    await conn.execute(
        "UPDATE workers SET stopped_at = now(), in_flight = 0, heartbeat_at = now() WHERE id = $1",
        worker_id,
    )


async def prune_dead_workers(conn: Connection, older_than_secs: float) -> int:
    deleted: Any = await conn.fetchval(
        """WITH d AS (DELETE FROM workers
                       WHERE heartbeat_at < now() - make_interval(secs => $1) RETURNING 1)
           SELECT count(*) FROM d""",
        older_than_secs,
    )
    return int(deleted)


# --- periodic jobs (exactly one worker runs each tick) --------------------------------------


async def ensure_jobs(conn: Connection, names: list[str], intervals: list[float]) -> None:
    await conn.execute(
        """INSERT INTO worker_jobs (name, interval_secs)
           SELECT * FROM unnest($1::text[], $2::float8[])
           ON CONFLICT (name) DO UPDATE SET interval_secs = EXCLUDED.interval_secs
           WHERE worker_jobs.interval_secs IS DISTINCT FROM EXCLUDED.interval_secs""",
        names,
        intervals,
    )


async def claim_due_jobs(
    conn: Connection, worker_id: UUID, names: list[str], intervals: list[float]
) -> list[str]:
    """Advance every due job's next run; the jobs returned are this worker's to run now."""
    rows = await conn.fetch(
        """UPDATE worker_jobs j
              SET next_run_at = now() + make_interval(secs => x.interval_secs),
                  interval_secs = x.interval_secs,
                  last_started_at = now(), last_run_by = $1, runs = j.runs + 1
             FROM unnest($2::text[], $3::float8[]) AS x(name, interval_secs)
            WHERE j.name = x.name AND j.next_run_at <= now()
        RETURNING j.name""",
        worker_id,
        names,
        intervals,
    )
    return [row["name"] for row in rows]


async def job_finished(conn: Connection, name: str, error: str | None) -> None:
    await conn.execute(
        "UPDATE worker_jobs SET last_finished_at = now(), last_error = $2 WHERE name = $1",
        name,
        error,
    )


async def queue_depth(conn: Connection) -> list[Record]:
    """Counts of the not-yet-finished statuses (cheap: the finished ones are never scanned)."""
    return await conn.fetch(
        """SELECT status, count(*) AS n FROM tasks
            WHERE status IN ('pending', 'retrying', 'running') GROUP BY status"""
    )
