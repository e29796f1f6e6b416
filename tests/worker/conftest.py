"""Worker test kit: real asyncio workers against the per-test database, custom handler sets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from starter.core import db as dbmod
from starter.core.config import Settings, WorkerSettings
from starter.tasks.circuit_breaker import BreakerBoard
from starter.tasks.handlers.base import Handler, HandlerSpec, TaskContext
from starter.tasks.queue import enqueue
from starter.worker.lifecycle import register_types, worker_pool
from starter.worker.runner import Worker
from starter.worker.scheduler import PeriodicJob
from tests.support.settings import make_settings

FAST = {
    "poll_interval_secs": 0.5,
    "lease_secs": 2.0,
    "heartbeat_interval_secs": 0.3,
    "shutdown_grace_secs": 5.0,
    "reaper_interval_secs": 0.5,
    "scheduler_tick_secs": 0.2,
    "health_file": None,
}


def worker_settings(database_url: str, **worker: Any) -> Settings:
    return make_settings(database_url, worker=WorkerSettings(**(FAST | worker)))


async def noop(ctx: TaskContext) -> dict[str, Any]:
    return {"ok": True, "attempt": ctx.attempt}


def spec(task_type: str, handle: Handler, timeout_secs: float = 300.0) -> HandlerSpec:
    return HandlerSpec(task_type, f"test handler {task_type}", handle, timeout_secs)


@asynccontextmanager
async def running_worker(
    settings: Settings,
    handlers: Sequence[HandlerSpec],
    *,
    concurrency: int = 4,
    jobs: Sequence[PeriodicJob] = (),
    breakers: BreakerBoard | None = None,
) -> AsyncIterator[Worker]:
    """A real worker (its own pool, LISTEN connection, heartbeats) running in this loop."""
    url = settings.database.url
    assert url is not None
    by_type = {h.task_type: h for h in handlers}
    async with worker_pool(settings, url.get_secret_value(), concurrency) as pool:
        async with pool.acquire() as conn:
            await register_types(conn, by_type)
        worker = Worker(
            settings,
            pool,
            url.get_secret_value(),
            handlers=by_type,
            concurrency=concurrency,
            jobs=jobs,
            breakers=breakers,
        )
        task = asyncio.create_task(worker.run())
        await asyncio.wait_for(worker.started.wait(), 10)
        try:
            yield worker
        finally:
            if not worker.stopping:
                worker.request_stop()
            await asyncio.wait_for(task, 30)


async def add_task(
    conn: asyncpg.Connection,
    task_type: str,
    payload: Any = None,
    *,
    priority: str = "normal",
    scheduled_at: datetime | None = None,
    max_attempts: int | None = None,
    retry_strategy: Any = None,
) -> UUID:
    """Through the tasks domain's own enqueue (insert + NOTIFY on commit)."""
    row = await enqueue(
        conn,
        task_type=task_type,
        payload=payload if payload is not None else {},
        priority=priority,
        scheduled_at=scheduled_at,
        max_attempts=max_attempts,
        retry_strategy=retry_strategy,
    )
    task_id: UUID = row["id"]
    return task_id


async def ensure_types(conn: asyncpg.Connection, *names: str) -> None:
    await conn.execute(
        "INSERT INTO task_types (task_type, description) SELECT unnest($1::text[]), 'test'"
        " ON CONFLICT DO NOTHING",
        list(names),
    )


async def wait_until(
    check: Callable[[], Awaitable[bool]],
    timeout: float = 10.0,  # noqa: ASYNC109
    interval: float = 0.02,
) -> float:
    """Poll until `check()` is true; returns the seconds it took (fails the test on timeout)."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > timeout:
            pytest.fail(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
    return time.monotonic() - started


async def status_of(conn: asyncpg.Connection, task_id: UUID) -> str:
    value: str = await conn.fetchval("SELECT status FROM tasks WHERE id = $1", task_id)
    return value


async def count_status(conn: asyncpg.Connection, status: str) -> int:
    value: int = await conn.fetchval("SELECT count(*) FROM tasks WHERE status = $1", status)
    return value


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    async with dbmod.connect_once(database_url) as connection:
        yield connection
