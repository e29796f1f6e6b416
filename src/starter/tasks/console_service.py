"""Operator's console rules: queue metrics, bulk actions, attempt history (docs/tasks.md).

A user sees and acts on their own tasks only; moderators and admins on every task. Another
user's task is `not_found`, as the single-task endpoints answer 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg
import structlog

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import Conflict, ValidationFailed
from starter.rbac.roles import Role
from starter.tasks import console_repository as repo
from starter.tasks import repository as task_repository
from starter.tasks import service as task_service
from starter.tasks.console_schemas import (
    BULK_MAX_TASKS,
    BulkAction,
    BulkRequest,
    BulkResponse,
    BulkResult,
    MetricsWindow,
    QueueMetrics,
    TypeMetrics,
    WorkerMetrics,
)

log = structlog.get_logger(__name__)

# (bucket width in seconds, number of buckets): the last bucket holds now.
WINDOWS: dict[str, tuple[int, int]] = {"1h": (60, 60), "24h": (3600, 24), "7d": (3600, 168)}
# A bulk call that loses a deadlock to a concurrent writer (a worker's outcome batch) retries.
DEADLOCK_RETRIES = 3


def owner_scope(principal: Principal) -> UUID | None:
    """None (every task) for moderators and admins; the user's id otherwise."""
    return None if principal.role.at_least(Role.MODERATOR) else principal.id


# --- queue metrics -----------------------------------------------------------------------------


async def queue_metrics(
    conn: Connection, principal: Principal, window: MetricsWindow, lease_secs: float
) -> QueueMetrics:
    bucket_secs, count = WINDOWS[window]
    owner = owner_scope(principal)
    now = await repo.database_now(conn)
    buckets = await repo.buckets(conn, bucket_secs, count, owner, now)
    types = await repo.type_metrics(conn, bucket_secs, count, owner, now)
    workers: list[WorkerMetrics] = []
    if owner is None:
        workers = [
            WorkerMetrics(
                id=row["id"],
                hostname=row["hostname"],
                last_heartbeat_at=row["heartbeat_at"],
                in_flight=row["in_flight"],
            )
            for row in await task_repository.live_workers(conn, lease_secs)
        ]
    return QueueMetrics.model_validate(
        {
            "window": window,
            "bucket_seconds": bucket_secs,
            "buckets": [dict(row) for row in buckets],
            "types": [TypeMetrics.model_validate(dict(row)) for row in types],
            "workers": workers,
            "generated_at": now,
        }
    )


# --- bulk actions ------------------------------------------------------------------------------

ELIGIBLE: dict[str, frozenset[str]] = {
    "retry": frozenset({"failed"}),
    "cancel": frozenset({"pending", "retrying", "running"}),
    "delete": frozenset({"completed", "failed", "cancelled"}),
}
APPLY: dict[str, Callable[[Connection, list[UUID]], Awaitable[set[UUID]]]] = {
    "retry": repo.retry_failed,
    "cancel": repo.cancel,
    "delete": repo.delete_finished,
}


async def queue_figures(conn: Connection, interval_secs: float) -> list[Record]:
    """Every type's queue figures, the finished ones over the last one to two intervals
    (the platform's own sampled metrics, `monitoring/metrics/platform.py`)."""
    now = await repo.database_now(conn)
    return await repo.type_metrics(conn, max(1, round(interval_secs)), 2, None, now)


def invalid_state_message(action: BulkAction, status: str) -> str:
    if action == "retry":
        return f"Task is {status}: only failed tasks can be retried"
    if action == "cancel":
        return f"Task cannot be cancelled: it is already {status}"
    return f"Task is {status}: only finished tasks can be deleted"


async def bulk(conn: Connection, principal: Principal, request: BulkRequest) -> BulkResponse:
    """One action on many tasks, set-based, in the caller's transaction."""
    if (request.ids is None) == (request.filter is None):
        raise ValidationFailed("request", "give exactly one of `ids` and `filter`")
    for _ in range(DEADLOCK_RETRIES):
        try:
            async with conn.transaction():  # a savepoint: a lost deadlock leaves the rest
                response = await _bulk_once(conn, principal, request)
        except asyncpg.DeadlockDetectedError:
            log.warning("tasks.bulk_deadlock", action=request.action)
            continue
        log.info(
            "tasks.bulk",
            action=request.action,
            user_id=str(principal.id),
            matched=response.matched,
            succeeded=response.succeeded,
        )
        return response
    raise Conflict("Tasks are being changed by another request; try again")


async def _bulk_once(conn: Connection, principal: Principal, request: BulkRequest) -> BulkResponse:
    owner = owner_scope(principal)
    truncated = False
    if request.ids is not None:
        wanted = list(dict.fromkeys(request.ids))
        found = {row["id"]: row for row in await repo.lock_ids(conn, wanted, owner)}
        targets: list[Record | UUID] = [found.get(task_id, task_id) for task_id in wanted]
    else:
        assert request.filter is not None
        rows = await repo.lock_matching(
            conn,
            status=request.filter.status,
            task_type=request.filter.task_type,
            created_before=request.filter.created_before,
            owner=owner,
            limit=BULK_MAX_TASKS + 1,
        )
        truncated = len(rows) > BULK_MAX_TASKS
        targets = list(rows[:BULK_MAX_TASKS])
    eligible = ELIGIBLE[request.action]
    ids = [t["id"] for t in targets if not isinstance(t, UUID) and t["status"] in eligible]
    changed = await APPLY[request.action](conn, ids) if ids else set()
    results = [_result(request.action, target, changed) for target in targets]
    succeeded = sum(result.outcome == "ok" for result in results)
    return BulkResponse(
        action=request.action,
        matched=sum(not isinstance(t, UUID) for t in targets),
        succeeded=succeeded,
        failed=len(results) - succeeded,
        truncated=truncated,
        results=results,
    )


def _result(action: BulkAction, target: Record | UUID, changed: set[UUID]) -> BulkResult:
    if isinstance(target, UUID):
        return BulkResult(id=target, outcome="not_found", message=task_service.TASK_NOT_FOUND)
    if target["id"] in changed:
        return BulkResult(id=target["id"], outcome="ok")
    message = invalid_state_message(action, target["status"])
    return BulkResult(id=target["id"], outcome="invalid_state", message=message)


# --- attempt history ---------------------------------------------------------------------------


async def attempts(conn: Connection, principal: Principal, task_id: UUID) -> list[Record]:
    """Rows of `AttemptResponse`, oldest first, the run in progress last; 404 as `GET
    /tasks/{id}` for a task the caller may not see."""
    await task_service.get_task(conn, principal, task_id)
    return await repo.attempts(conn, task_id)
