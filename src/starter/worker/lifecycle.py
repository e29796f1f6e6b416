"""Running a worker process: pool, built-in task types, signals, graceful stop."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from starter.core import db
from starter.core.config import Settings
from starter.tasks.handlers.base import HandlerSpec
from starter.tasks.registry import handlers_by_type
from starter.tasks.types import register_builtin_types
from starter.worker.runner import Worker

log = structlog.get_logger(__name__)
# Claim, flush, heartbeat/scheduler connections plus room for handlers.
MIN_POOL_SIZE = 4


async def register_types(conn: db.Connection, handlers: dict[str, HandlerSpec]) -> None:
    """The types this worker runs exist in `task_types` (at start-up, straight in the database)."""
    await register_builtin_types(conn, tuple(handlers[name] for name in sorted(handlers)))


@asynccontextmanager
async def worker_pool(settings: Settings, url: str, concurrency: int) -> AsyncIterator[db.Pool]:
    config = settings.database.model_copy(
        update={
            "max_connections": max(settings.database.max_connections, MIN_POOL_SIZE),
            "min_connections": min(settings.database.min_connections, MIN_POOL_SIZE),
        }
    )
    pool = await db.create_pool(url, config)
    try:
        yield pool
    finally:
        await pool.close()


async def run_worker(
    settings: Settings,
    url: str,
    *,
    concurrency: int | None = None,
    install_signals: bool = True,
    stop: asyncio.Event | None = None,
) -> None:
    """Run one worker until SIGTERM/SIGINT (or `stop` is set), then drain and release."""
    handlers = handlers_by_type()
    slots = concurrency or settings.worker.concurrency
    async with worker_pool(settings, url, slots) as pool:
        async with pool.acquire() as conn:
            await register_types(conn, handlers)
        worker = Worker(settings, pool, url, handlers=handlers, concurrency=slots)
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, worker.request_stop)
        watcher = None
        if stop is not None:
            stop_event = stop

            async def watch() -> None:
                await stop_event.wait()
                worker.request_stop()

            watcher = asyncio.create_task(watch())
        try:
            await worker.run()
        finally:
            if watcher is not None:
                watcher.cancel()
            if install_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(sig)
