"""Enqueue a task inside the caller's transaction: any domain may call `enqueue`.

The insert, its creation event and the NOTIFY that wakes the workers are one statement, so the
task exists if and only if the caller commits, and workers hear about it only then (PostgreSQL
delivers notifications on commit). The type is checked against this process's cache of
registered types, and the statement inserts nothing if the cached version is stale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
import structlog

from starter.core.db import Connection, Record
from starter.core.errors import ValidationFailed
from starter.monitoring.events.service import record_event
from starter.tasks import repository, type_cache
from starter.tasks.payloads import check_payload
from starter.tasks.retry import (
    DEFAULT_STRATEGY,
    DEFAULT_STRATEGY_JSON,
    NoRetryStrategy,
    parse_strategy,
)
from starter.tasks.type_cache import RegisteredType

log = structlog.get_logger(__name__)

PRIORITIES = frozenset({"low", "normal", "high", "critical"})
EVENT_SOURCE = repository.EVENT_SOURCE
# A stale cached type is reloaded; it can be stale again only if the row changes meanwhile.
STALE_TYPE_RETRIES = 5


def resolve_retry(retry_strategy: Any, max_attempts: int | None) -> tuple[Any, int]:
    """The JSON to store and the attempt cap; raises ValueError on an invalid strategy.

    An explicit `max_attempts` overrides the strategy's own, and the stored strategy says the
    same, so whoever reads either (worker, API clients) sees one number.
    """
    if retry_strategy is None and max_attempts is None:
        return DEFAULT_STRATEGY_JSON, DEFAULT_STRATEGY.max_attempts
    strategy = DEFAULT_STRATEGY if retry_strategy is None else parse_strategy(retry_strategy)
    if max_attempts is None:
        return retry_strategy, strategy.max_attempts
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    if isinstance(strategy, NoRetryStrategy) and max_attempts != 1:
        raise ValueError("'none' means exactly one attempt: max_attempts must be 1")
    return dataclasses.replace(strategy, max_attempts=max_attempts).to_json(), max_attempts


async def record_status_event(
    conn: Connection,
    *,
    task_id: UUID,
    task_type: str,
    status: str,
    message: str | None = None,
) -> None:
    """The monitoring event and log line every task state change leaves (docs/tasks.md)."""
    log.info("task.status", task_id=str(task_id), task_type=task_type, status=status)
    await record_event(
        conn,
        event_type="log",
        source=EVENT_SOURCE,
        message=message or f"Task {task_id} ({task_type}) is now {status}",
        level="error" if status == "failed" else "info",
        tags={"task_id": str(task_id), "task_type": task_type, "status": status},
    )


def not_registered(task_type: str) -> ValidationFailed:
    return ValidationFailed(
        "task_type",
        f"Task type '{task_type}' is not registered. "
        "Workers must register task types before tasks can be created.",
    )


async def require_type(conn: Connection, task_type: str, *, reload: bool = False) -> RegisteredType:
    """The active type (cached per process, type_cache.py); 400 on `task_type` when there is
    none."""
    entry = await type_cache.registered_type(conn, task_type, reload=reload)
    if entry is None:
        raise not_registered(task_type)
    return entry


def check_against(entry: RegisteredType, payload: Any) -> None:
    """400 naming the payload field when `payload` breaks the type's rule."""
    check_payload(entry.task_type, entry.payload_schema, payload, entry.validator)


async def checked_payloads(
    conn: Connection, entry: RegisteredType, payloads: Sequence[Any]
) -> RegisteredType:
    """Check every payload against the type's rule; the type they were checked against.

    A payload the cached rule refuses is checked again against the stored one (the rule may
    have changed in another process), so a stale entry never refuses what the type accepts;
    one it would wrongly accept is caught by the insert's version guard.
    """
    try:
        for payload in payloads:
            check_against(entry, payload)
    except ValidationFailed:
        fresh = await require_type(conn, entry.task_type, reload=True)
        if fresh.version == entry.version:
            raise
        for payload in payloads:
            check_against(fresh, payload)
        return fresh
    return entry


async def _fresh_type(conn: Connection, task_type: str, payloads: Sequence[Any]) -> RegisteredType:
    """The insert found the cached version stale: reload it and check the payloads again."""
    entry = await require_type(conn, task_type, reload=True)
    for payload in payloads:
        check_against(entry, payload)
    return entry


def _checked_options(
    priority: str, retry_strategy: Any, max_attempts: int | None
) -> tuple[Any, int]:
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority '{priority}'")
    return resolve_retry(retry_strategy, max_attempts)


async def enqueue(
    conn: Connection,
    *,
    task_type: str,
    payload: Any,
    priority: str = "normal",
    scheduled_at: datetime | None = None,
    created_by: UUID | None = None,
    metadata: dict[str, Any] | None = None,
    retry_strategy: Any = None,
    max_attempts: int | None = None,
    checked: RegisteredType | None = None,
    whole_row: bool = False,
) -> Record:
    """Insert a pending task (in the caller's transaction) and wake workers on commit; its
    id, task_type, status and created_by, or every column with `whole_row` (an API answer).

    One statement: the insert, its creation event and both NOTIFYs, so there is nothing to
    roll back on its own and no transaction to open. `scheduled_at` defaults to now;
    `retry_strategy` defaults to exponential with 5 attempts. The type must be registered and
    active, and the payload must follow its rule (400 `ValidationFailed`); `checked` is the
    type the caller already checked the payload against. Raises ValueError for an unknown
    priority or an invalid retry strategy.
    """
    stored_strategy, attempts = _checked_options(priority, retry_strategy, max_attempts)
    entry = checked
    if entry is None:
        entry = await checked_payloads(conn, await require_type(conn, task_type), (payload,))
    for _ in range(STALE_TYPE_RETRIES):
        row = await repository.insert_task(
            conn,
            whole_row=whole_row,
            task_type=task_type,
            type_version=entry.version,
            payload=payload,
            priority=priority,
            scheduled_at=scheduled_at,
            created_by=created_by,
            metadata=metadata or {},
            retry_strategy=stored_strategy,
            max_attempts=attempts,
        )
        if row is not None:
            log.info("task.status", task_id=str(row["id"]), task_type=task_type, status="pending")
            return row
        entry = await _fresh_type(conn, task_type, (payload,))
    raise RuntimeError(f"task type '{task_type}' kept changing while a task was enqueued")


async def enqueue_many(
    conn: Connection,
    *,
    task_type: str,
    payloads: Sequence[Any],
    priority: str = "normal",
    scheduled_at: datetime | None = None,
    created_by: UUID | None = None,
    metadata: dict[str, Any] | None = None,
    retry_strategy: Any = None,
    max_attempts: int | None = None,
) -> list[UUID]:
    """`enqueue` for many tasks of one type and the same options, one per payload, in one
    statement; returns their ids. Every payload is checked before any is inserted."""
    stored_strategy, attempts = _checked_options(priority, retry_strategy, max_attempts)
    if not payloads:
        return []
    entry = await checked_payloads(conn, await require_type(conn, task_type), payloads)
    texts = [orjson.dumps(payload).decode() for payload in payloads]
    for _ in range(STALE_TYPE_RETRIES):
        ids = await repository.insert_tasks(
            conn,
            task_type=task_type,
            type_version=entry.version,
            payloads_json=texts,
            priority=priority,
            scheduled_at=scheduled_at,
            created_by=created_by,
            metadata=metadata or {},
            retry_strategy=stored_strategy,
            max_attempts=attempts,
        )
        if ids is not None:
            # One line for the batch: a line per task would cost more than the insert (each
            # task's own record is its monitoring event).
            log.info("tasks.enqueued", task_type=task_type, status="pending", count=len(ids))
            return ids
        entry = await _fresh_type(conn, task_type, payloads)
    raise RuntimeError(f"task type '{task_type}' kept changing while tasks were enqueued")
