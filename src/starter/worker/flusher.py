"""Writes handler outcomes in batches: everything finished since the last write, one statement.

Under load a batch holds many tasks (one round trip for all); when idle it holds one, written
at once. Failures also get their monitoring event through the tasks domain (one per row, in
the same transaction). A write that fails for any reason (lost connection, disk full, a
refusing trigger) keeps its outcomes and is retried with backoff by the supervisor; an outcome
applies only to the attempt that produced it (same worker, same attempt number), so a late
write after the reaper re-queued the task changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import UUID

import structlog

from starter.core.db import Connection, Pool
from starter.tasks import metrics
from starter.tasks.queue import record_status_event
from starter.worker import repository as repo
from starter.worker.outcomes import Outcome

log = structlog.get_logger(__name__)
# How long a stopping worker keeps trying to write its last outcomes.
CLOSE_TIMEOUT_SECS = 30.0


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

    @property
    def done(self) -> bool:
        """Closing and nothing left to write: `run` may end."""
        return self._closing and not self._pending

    async def run(self) -> None:
        """Write batches until closed. A failed write keeps its outcomes (in order) and raises:
        the supervisor backs off and calls `run` again, with a fresh connection."""
        async with self._pool.acquire() as conn:
            while True:
                if not self._pending:
                    if self._closing:
                        return
                    await self._ready.wait()
                self._ready.clear()
                batch, self._pending = self._pending, []
                try:
                    await self._write(conn, batch)
                except BaseException:
                    self._pending[:0] = batch
                    raise
                self._on_flushed()

    async def close(self, task: asyncio.Task[None]) -> None:
        """Write what is left, then stop (the caller's task running `run`)."""
        self._closing = True
        self._ready.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=CLOSE_TIMEOUT_SECS)
        except TimeoutError:
            # Their leases expire and the reaper re-queues these tasks: they will run again.
            log.error("worker.final_flush_failed", tasks=len(self._pending))
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _write(self, conn: Connection, batch: list[Outcome]) -> None:
        args = (
            [o.task_id for o in batch],
            [o.status for o in batch],
            [o.result for o in batch],
            [o.error for o in batch],
            [o.delay for o in batch],
            [o.attempt for o in batch],
            [o.traceback for o in batch],
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
