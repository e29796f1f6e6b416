"""What every task handler receives and returns.

A handler is `async def handle(ctx: TaskContext) -> dict[str, Any]`: the returned JSON object
is stored in the task's `result`. Raise `PermanentError` for input that can never work and
`RetryableError` for transient failures; any other exception counts as retryable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from starter.core.config import Settings
from starter.core.db import Pool
from starter.tasks.handlers._payload import TaskPayload


@dataclass
class TaskContext:
    task_id: UUID
    task_type: str
    payload: Any
    attempt: int  # 1-based number of this execution
    created_by: UUID | None
    settings: Settings
    pool: Pool
    metadata: dict[str, Any] = field(default_factory=dict)
    # Set when the task is cancelled while running; long handlers should check it.
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)


Handler = Callable[[TaskContext], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class HandlerSpec:
    task_type: str
    description: str
    handle: Handler
    timeout_secs: float = 300.0
    # Checked when a task is created and by the handler; its JSON Schema is published.
    payload_model: type[TaskPayload] | None = None
