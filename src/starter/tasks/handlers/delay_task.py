"""`delay_task`: sleeps for `delay_seconds`, honouring an optional `deadline` (chaos testing)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

from starter.tasks.errors import PermanentError
from starter.tasks.handlers._payload import TaskPayload, invalid, non_negative_number, parse_payload
from starter.tasks.handlers.base import HandlerSpec, TaskContext

# A longer sleep could never finish inside the handler's timeout.
MAX_DELAY_SECS = 300.0


def _deadline(raw: Any) -> Any:
    try:
        deadline = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise invalid("'deadline' must be an RFC 3339 timestamp") from None
    if deadline.tzinfo is None:
        raise invalid("'deadline' must carry a UTC offset")
    try:
        return deadline.astimezone(UTC)
    except OverflowError:
        raise invalid("'deadline' is out of range") from None


class DelayPayload(TaskPayload):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"delay_seconds": 2, "task_id": "demo", "test_scenario": "general"}]
        }
    )

    delay_seconds: Annotated[
        float, BeforeValidator(non_negative_number("delay_seconds", MAX_DELAY_SECS))
    ] = Field(default=1.0, description=f"Seconds to sleep, at most {MAX_DELAY_SECS:g}.")
    task_id: Any = Field(default="unknown", description="A label shown in the result and errors.")
    test_scenario: Any = "general"
    deadline: Annotated[datetime | None, BeforeValidator(_deadline)] = Field(
        default=None,
        json_schema_extra={"type": "string", "format": "date-time"},
        description="RFC 3339: fail unless the sleep can end before it.",
    )


async def handle(ctx: TaskContext) -> dict[str, Any]:
    payload = parse_payload(DelayPayload, ctx.payload)
    delay = payload.delay_seconds
    label = str(payload.task_id)
    deadline = payload.deadline
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
        "test_scenario": str(payload.test_scenario),
        "delayed_seconds": delay,
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
    }


SPEC = HandlerSpec(
    task_type="delay_task",
    description="Delay/sleep tasks for testing and chaos scenarios",
    handle=handle,
    # Room for the longest sleep plus the deadline checks around it.
    timeout_secs=MAX_DELAY_SECS + 30,
    payload_model=DelayPayload,
)
