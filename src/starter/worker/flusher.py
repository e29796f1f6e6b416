"""Writes handler outcomes in batches: everything finished since the last write, one statement.

Under load a batch holds many tasks (one round trip for all); when idle it holds one, written
at once. Failures also get their monitoring event through the tasks domain (one per row, in
the same transaction); a write that fails on a lost connection is retried with the same batch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

import structlog

from starter.core.db import CONNECTION_ERRORS, Pool
from starter.tasks import metrics
from starter.tasks.queue import record_status_event
from starter.worker import repository as repo
from starter.worker.outcomes import Outcome

log = structlog.get_logger(__name__)


class OutcomeFlusher:
    def __init__(self, pool: Pool, worker_id: UUID, on_flushed: Callable[[], None]) -> None:
        self._pool = pool
        self._worker_id = worker_id
        self._on_flushed = on_flushed
        self._pending: list[Outcome] = []
        self._ready = asyncio.Event()
        self._closing = False

    def add(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        self._ready.set()

    def backlogged(self, concurrency: int) -> bool:
        """Too many unwritten outcomes: the claim loop waits rather than pile up more."""
        return len(self._pending) >= 4 * concurrency

    async def run(self) -> None:
        conn: Any = await self._pool.acquire()
        try:
            while True:
                if not self._pending:
                    if self._closing:
                        return
                    await self._ready.wait()
                self._ready.clear()
                batch, self._pending = self._pending, []
                try:
                    await self._write(conn, batch)
                except CONNECTION_ERRORS as error:
                    log.warning("worker.flush_failed", error=str(error), tasks=len(batch))
                    self._pending[:0] = batch
                    with contextlib.suppress(Exception):
                        await self._pool.release(conn)
                    await asyncio.sleep(0.5)
                    conn = await self._pool.acquire()
                    continue
                except Exception:
                    # Not retryable as is (a bug or a bad row): the leases of these tasks expire
                    # and the reaper re-queues them, so nothing is lost.
                    log.exception("worker.flush_error", tasks=len(batch))
                self._on_flushed()
        finally:
            with contextlib.suppress(Exception):
                await self._pool.release(conn)

    async def close(self, task: asyncio.Task[None]) -> None:
        """Write what is left, then stop (the caller's task running `run`)."""
        self._closing = True
        self._ready.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=30)
        except CONNECTION_ERRORS as error:  # TimeoutError included
            log.error("worker.final_flush_failed", error=str(error), tasks=len(self._pending))
            task.cancel()

    async def _write(self, conn: Any, batch: list[Outcome]) -> None:
        args = (
            [o.task_id for o in batch],
            [o.status for o in batch],
            [o.result for o in batch],
            [o.error for o in batch],
            [o.delay for o in batch],
        )
        failures = any(o.status in ("failed", "retrying") for o in batch)
        if failures:
            async with conn.transaction():
                rows = await repo.finish(conn, self._worker_id, *args)
                for row in rows:
                    if row["status"] in ("failed", "retrying"):
                        await record_status_event(
                            conn,
                            task_id=row["id"],
                            task_type=row["task_type"],
                            status=row["status"],
                            message=row["last_error"],
                        )
        else:
            rows = await repo.finish(conn, self._worker_id, *args)
        written = {row["id"] for row in rows}
        for row in rows:
            metrics.count_status_change(row["task_type"], row["status"])
            if row["status"] not in ("failed", "retrying"):
                log.info(
                    "task.status",
                    task_id=str(row["id"]),
                    task_type=row["task_type"],
                    status=row["status"],
                    attempt=row["current_attempt"],
                )
        for outcome in batch:
            if outcome.task_id not in written:
                log.warning(
                    "task.lease_lost",
                    task_id=str(outcome.task_id),
                    task_type=outcome.task_type,
                    outcome=outcome.status,
                )
