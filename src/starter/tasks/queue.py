"""Enqueue a task inside the caller's transaction: any domain may call `enqueue`.

The insert and the NOTIFY that wakes the workers are one statement, so the task exists if and
only if the caller commits, and workers hear about it only then (PostgreSQL delivers
notifications on commit).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from uuid import UUID

import structlog

from starter.core.db import Connection, Record, atomic
from starter.monitoring.events.service import record_event
from starter.tasks import repository
from starter.tasks.retry import (
    DEFAULT_STRATEGY,
    DEFAULT_STRATEGY_JSON,
    NoRetryStrategy,
    parse_strategy,
)

log = structlog.get_logger(__name__)

PRIORITIES = frozenset({"low", "normal", "high", "critical"})
EVENT_SOURCE = "tasks"


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
) -> Record:
    """Insert a pending task (in the caller's transaction) and wake workers on commit.

    `scheduled_at` defaults to now; `retry_strategy` defaults to exponential with 5 attempts.
    Raises ValueError for an unknown priority or an invalid retry strategy; the task type must
    be registered (foreign key).
    """
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority '{priority}'")
    stored_strategy, attempts = resolve_retry(retry_strategy, max_attempts)
    async with atomic(conn):
        row = await repository.insert_task(
            conn,
            task_type=task_type,
            payload=payload,
            priority=priority,
            scheduled_at=scheduled_at,
            created_by=created_by,
            metadata=metadata or {},
            retry_strategy=stored_strategy,
            max_attempts=attempts,
        )
        await record_status_event(
            conn, task_id=row["id"], task_type=task_type, status=row["status"]
        )
    return row
