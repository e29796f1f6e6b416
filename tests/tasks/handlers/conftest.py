"""Handler tests call each handler with a real TaskContext: a real task row in the per-test
database, a real asyncpg pool, and settings from `make_settings`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from starter.core.config import Settings
from starter.core.db import init_connection
from starter.tasks.handlers.base import TaskContext
from starter.tasks.registry import handlers_by_type
from tests.tasks.handlers.http_receiver import Receiver, serving

MakeContext = Callable[..., Awaitable[TaskContext]]


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    created = await asyncpg.create_pool(database_url, min_size=1, max_size=4, init=init_connection)
    assert created is not None
    yield created
    await created.close()


@pytest.fixture
def make_ctx(pool: asyncpg.Pool, settings: Settings) -> MakeContext:
    """Insert a running task of `task_type` and return the context a worker would build."""

    async def factory(
        task_type: str,
        payload: Any,
        *,
        created_by: uuid.UUID | None = None,
        app_settings: Settings | None = None,
    ) -> TaskContext:
        spec = handlers_by_type()[task_type]
        async with pool.acquire() as conn:
            await conn.execute(
                """INSERT INTO task_types (task_type, description) VALUES ($1, $2)
                   ON CONFLICT (task_type) DO NOTHING""",
                task_type,
                spec.description,
            )
            task_id = await conn.fetchval(
                """INSERT INTO tasks (task_type, payload, status, created_by, current_attempt)
                   VALUES ($1, $2, 'running', $3, 1) RETURNING id""",
                task_type,
                payload,
                created_by,
            )
        return TaskContext(
            task_id=task_id,
            task_type=task_type,
            payload=payload,
            attempt=1,
            created_by=created_by,
            settings=app_settings or settings,
            pool=pool,
        )

    return factory


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A live HTTP endpoint for webhook tests."""
    async with serving() as live:
        yield live
