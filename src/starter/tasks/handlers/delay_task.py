"""`delay_task`: sleeps for `delay_seconds`, honouring an optional `deadline` (chaos testing)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from starter.tasks.errors import PermanentError
from starter.tasks.handlers.base import HandlerSpec, TaskContext


def _delay(payload: dict[str, Any]) -> float:
    value = payload.get("delay_seconds", 1)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PermanentError("'delay_seconds' must be a non-negative number")
    return float(value)


def _deadline(payload: dict[str, Any]) -> datetime | None:
    raw = payload.get("deadline")
    if raw is None:
        return None
    try:
        deadline = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise PermanentError("'deadline' must be an RFC 3339 timestamp") from None
    if deadline.tzinfo is None:
        raise PermanentError("'deadline' must carry a UTC offset")
    return deadline


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = ctx.payload if isinstance(ctx.payload, dict) else {}
    delay = _delay(payload)
    label = str(payload.get("task_id", "unknown"))
    deadline = _deadline(payload)
    started = datetime.now(UTC)
    if deadline is not None:
        if started >= deadline:
            raise PermanentError(f"Task {label} missed deadline: {started} vs {deadline}")
        remaining = int((deadline - started).total_seconds())
        if remaining < delay:
            raise PermanentError(
                f"Task {label} insufficient time: {remaining}s remaining, {int(delay)}s needed"
            )
    await asyncio.sleep(delay)  # the worker cancels this coroutine to cancel the task
    finished = datetime.now(UTC)
    if deadline is not None and finished >= deadline:
        raise PermanentError(f"Task {label} completed past deadline: {finished} vs {deadline}")
    return {
        "task_id": label,
        "test_scenario": str(payload.get("test_scenario", "general")),
        "delayed_seconds": delay,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
    }


SPEC = HandlerSpec(
    task_type="delay_task",
    description="Delay/sleep tasks for testing and chaos scenarios",
    handle=handle,
)
