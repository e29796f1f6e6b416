"""Task rules: creation and its validation, visibility, listings, state changes (docs/tasks.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import structlog

from starter.auth.schemas import Principal
from starter.core.db import Connection, Record
from starter.core.errors import BadRequest, NotFound, ValidationFailed
from starter.core.query import Counted
from starter.rbac.policies import MODERATOR_REQUIRED, require_owned, require_role
from starter.rbac.roles import Role
from starter.tasks import repository
from starter.tasks.names import NAME_MAX_BYTES, is_name, task_type_problem
from starter.tasks.queue import (
    checked_payloads,
    enqueue,
    record_status_event,
    require_type,
    resolve_retry,
)
from starter.tasks.repository import TaskQuery
from starter.tasks.schemas import (
    PRIORITIES,
    STATUSES,
    CreateTaskRequest,
    TaskResponse,
    TaskStats,
)
from starter.tasks.types import register_builtin_types

__all__ = ["TaskQuery", "register_builtin_types"]

log = structlog.get_logger(__name__)

TASK_NOT_FOUND = "Task not found"
ARTIFACT_NOT_FOUND = "Artifact not found"
PAYLOAD_MAX_BYTES = 1_048_576
METADATA_VALUE_MAX_BYTES = 4096
METADATA_TOTAL_MAX_BYTES = 65_536
MAX_SCHEDULE_AHEAD = timedelta(days=365)
MAX_SCHEDULE_BEHIND = timedelta(hours=1)
MAX_ATTEMPTS_RANGE = range(1, 101)
FINISHED = frozenset({"completed", "failed", "cancelled"})
WAITING = frozenset({"pending", "retrying"})


@dataclass(frozen=True)
class Artifact:
    name: str
    content_type: str
    content: bytes


def task_response(row: Record) -> TaskResponse:
    return TaskResponse.model_validate(dict(row))


def _json_size(value: Any, field: str) -> int:
    try:
        return len(orjson.dumps(value))
    except orjson.JSONEncodeError as error:
        raise ValidationFailed(field, f"Value cannot be stored as JSON: {error}") from None


def _validate_request(
    task_type: str, payload: Any, metadata: dict[str, Any], scheduled_at: datetime
) -> None:
    """The request checks, in their documented order (docs/tasks.md, "Creating a task", step
    5); every message is `for request`."""

    def fail(detail: str) -> ValidationFailed:
        return ValidationFailed("request", detail)

    if problem := task_type_problem(task_type):
        raise fail(problem)
    if _json_size(payload, "request") > PAYLOAD_MAX_BYTES:
        raise fail("Task payload cannot exceed 1MB")
    total = 0
    for key, value in metadata.items():
        key_bytes = len(key.encode())
        if not 1 <= key_bytes <= NAME_MAX_BYTES:
            raise fail("Metadata keys must be 1-128 characters long")
        if not is_name(key):
            raise fail(
                "Metadata keys can only contain alphanumeric characters, underscores, and hyphens"
            )
        value_bytes = _json_size(value, "request")
        if value_bytes > METADATA_VALUE_MAX_BYTES:
            raise fail("Metadata values cannot exceed 4KB")
        total += key_bytes + value_bytes
    if total > METADATA_TOTAL_MAX_BYTES:
        raise fail("Total metadata size cannot exceed 64KB")
    now = datetime.now(UTC)
    if scheduled_at > now + MAX_SCHEDULE_AHEAD:
        raise fail("Tasks cannot be scheduled more than 365 days in the future")
    if scheduled_at < now - MAX_SCHEDULE_BEHIND:
        raise fail("Tasks cannot be scheduled more than 1 hour(s) in the past")


async def create_task(
    conn: Connection, principal: Principal, request: CreateTaskRequest
) -> TaskResponse:
    """Validate (registration first: docs/tasks.md) and enqueue in the caller's transaction."""
    task_type = request.task_type
    registered = await require_type(conn, task_type)
    priority = request.priority if request.priority in {"low", "high", "critical"} else "normal"
    scheduled_at = request.scheduled_at or datetime.now(UTC)
    metadata: dict[str, Any] = {"api_created": True, **(request.metadata or {})}
    _validate_request(task_type, request.payload, metadata, scheduled_at)
    registered = await checked_payloads(conn, registered, (request.payload,))
    if request.max_attempts is not None and request.max_attempts not in MAX_ATTEMPTS_RANGE:
        raise ValidationFailed("max_attempts", "Must be between 1 and 100")
    try:
        resolve_retry(request.retry_strategy, request.max_attempts)
    except ValueError as error:
        raise ValidationFailed("retry_strategy", str(error)) from None
    row = await enqueue(
        conn,
        task_type=task_type,
        payload=request.payload,
        priority=priority,
        scheduled_at=scheduled_at,
        created_by=principal.id,
        metadata=metadata,
        retry_strategy=request.retry_strategy,
        max_attempts=request.max_attempts,
        checked=registered,
        whole_row=True,
    )
    return task_response(row)


def _owner_filter(principal: Principal) -> UUID | None:
    """Moderators and admins see every task; a user only their own (filtered in SQL)."""
    return None if principal.role.at_least(Role.MODERATOR) else principal.id


def visible_query(principal: Principal, query: TaskQuery) -> TaskQuery:
    """The query limited to what the caller may see; unknown status/priority values are
    ignored (no filter), as v1 clients expect."""
    return replace(
        query,
        owner=_owner_filter(principal),
        status=query.status if query.status in STATUSES else None,
        priority=query.priority if query.priority in PRIORITIES else None,
    )


async def list_tasks(
    conn: Connection, principal: Principal, query: TaskQuery, *, limit: int, offset: int
) -> Counted[Record]:
    """Rows of `TaskResponse` and how many match."""
    return await repository.list_tasks(
        conn, visible_query(principal, query), limit=limit, offset=offset
    )


async def dead_letter(
    conn: Connection, principal: Principal, *, limit: int, offset: int
) -> Counted[Record]:
    """Failed tasks; per-user filtering happens in SQL so pages are full."""
    return await list_tasks(conn, principal, TaskQuery(status="failed"), limit=limit, offset=offset)


async def _visible_task(
    conn: Connection, principal: Principal, task_id: UUID, *, for_update: bool = False
) -> Record:
    """The task, or 404 `Task not found` when it is missing or not the caller's to see."""
    row = await repository.get_task(conn, task_id, for_update=for_update)
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    require_owned(principal.role, principal.id, row["created_by"], TASK_NOT_FOUND)
    return row


async def get_task(conn: Connection, principal: Principal, task_id: UUID) -> TaskResponse:
    return task_response(await _visible_task(conn, principal, task_id))


async def stats(conn: Connection, principal: Principal) -> TaskStats:
    require_role(principal.role, Role.MODERATOR, MODERATOR_REQUIRED)
    counts = await repository.status_counts(conn)
    return TaskStats(total=sum(counts.values()), **{s: counts.get(s, 0) for s in STATUSES})


async def cancel_task(conn: Connection, principal: Principal, task_id: UUID) -> None:
    """pending/retrying → cancelled; running → cooperative cancel; finished → 400 (v1 clients
    expect 400 there, not 409)."""
    row = await _visible_task(conn, principal, task_id, for_update=True)
    status = row["status"]
    if status in WAITING:
        await repository.cancel_waiting(conn, task_id)
        await record_status_event(
            conn, task_id=task_id, task_type=row["task_type"], status="cancelled"
        )
    elif status == "running":
        await repository.request_cancel(conn, task_id)
        log.info("task.cancel_requested", task_id=str(task_id), task_type=row["task_type"])
    else:
        raise BadRequest(f"Task cannot be cancelled: it is already {status}")


async def retry_task(conn: Connection, principal: Principal, task_id: UUID) -> None:
    """A failed task goes back to pending with a fresh attempt count."""
    row = await _visible_task(conn, principal, task_id, for_update=True)
    if row["status"] != "failed" or await repository.reset_failed(conn, task_id) is None:
        raise NotFound("Task not found or not in failed status")
    await record_status_event(
        conn,
        task_id=task_id,
        task_type=row["task_type"],
        status="pending",
        message=f"Task {task_id} ({row['task_type']}) was reset to pending for a retry",
    )


async def delete_task(conn: Connection, principal: Principal, task_id: UUID) -> None:
    row = await _visible_task(conn, principal, task_id, for_update=True)
    if row["status"] not in FINISHED or not await repository.delete_finished(conn, task_id):
        raise NotFound("Task not found or not in deletable status")
    log.info("task.deleted", task_id=str(task_id), task_type=row["task_type"])


async def live_workers(conn: Connection, stale_after_secs: float) -> list[Record]:
    """Rows of `WorkerResponse`: workers not stopped and heartbeating within `stale_after_secs`
    (their lease time)."""
    return await repository.live_workers(conn, stale_after_secs)


async def artifact(conn: Connection, principal: Principal, task_id: UUID) -> Artifact:
    """The newest artifact of a task the caller may see."""
    await _visible_task(conn, principal, task_id)
    row = await repository.newest_artifact(conn, task_id)
    if row is None:
        raise NotFound(ARTIFACT_NOT_FOUND)
    return Artifact(row["name"], row["content_type"], bytes(row["content"]))


# --- admin maintenance (starter admin …) --------------------------------------------------------


@dataclass(frozen=True)
class StatusReport:
    by_status: dict[str, int]
    total: int
    average_completion_secs: float | None


async def recent_tasks(
    conn: Connection, *, status: str | None, task_type: str | None, limit: int
) -> list[TaskResponse]:
    rows = await repository.recent_tasks(conn, status=status, task_type=task_type, limit=limit)
    return [task_response(row) for row in rows]


async def status_report(conn: Connection, tag: str | None) -> StatusReport:
    counts = await repository.status_counts(conn, tag)
    average = await repository.average_completion_secs(conn, tag)
    ordered = {status: counts[status] for status in STATUSES if status in counts}
    return StatusReport(ordered, sum(counts.values()), average)


def completed_cutoff(older_than_days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=older_than_days)


async def count_completed_before(conn: Connection, cutoff: datetime) -> int:
    return await repository.count_completed_before(conn, cutoff)


async def delete_completed_batch(conn: Connection, cutoff: datetime, batch_size: int) -> int:
    """Delete up to `batch_size` completed tasks finished before `cutoff`; returns how many."""
    return await repository.delete_completed_batch(conn, cutoff, batch_size)


async def retry_all_failed(conn: Connection, task_type: str | None) -> int:
    """Reset every failed task (optionally of one type) to pending; workers hear on commit."""
    async with conn.transaction():
        rows = await repository.reset_all_failed(conn, task_type)
        for row in rows:
            await record_status_event(
                conn, task_id=row["id"], task_type=row["task_type"], status="pending"
            )
    return len(rows)


async def count_in_status(conn: Connection, status: str, since_before: datetime | None) -> int:
    """Tasks in `status` (since before `since_before`, when given): the alert rules' `tasks`
    values, passed to the monitoring evaluator by the worker and the CLI."""
    return await repository.count_in_status(conn, status, since_before)
