"""The worker: claims ready tasks in batches, runs their handlers, records the outcomes.

One claim statement takes up to `free slots` tasks (`FOR UPDATE SKIP LOCKED`); handlers run as
asyncio tasks; outcomes are written in batches by a flusher on its own connection, so claiming,
running and recording overlap. A LISTEN connection wakes the loop; a poll and a timer for the
next scheduled task are the fallbacks. Leases are extended by heartbeats; see `reaper.py`.

Every long-lived loop (claim, outcome writer, heartbeat, listener, periodic jobs, health file)
runs under `supervise`: whatever breaks it, it is logged, reported to `Health` and restarted
with a capped backoff and a fresh connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Sequence
from uuid import UUID, uuid4

import structlog

from starter.core import db
from starter.core.channels import TASK_CANCEL, TASKS_READY
from starter.core.config import Settings
from starter.core.db import Connection, Pool, Record
from starter.core.listener import NotificationListener
from starter.tasks import metrics
from starter.tasks.circuit_breaker import BreakerBoard, BreakerConfig, BreakerState
from starter.tasks.errors import TaskError
from starter.tasks.handlers.base import HandlerSpec, TaskContext
from starter.tasks.registry import handlers_by_type
from starter.worker import outcomes
from starter.worker import repository as repo
from starter.worker.flusher import OutcomeFlusher
from starter.worker.health import Health
from starter.worker.scheduler import PeriodicJob, Scheduler
from starter.worker.supervise import MAX_BACKOFF_SECS, supervise

log = structlog.get_logger(__name__)
# While tasks run, a claim for fewer than concurrency/4 slots waits this long for more to free.
CLAIM_GATHER_SECS = 0.002


class Worker:
    def __init__(
        self,
        settings: Settings,
        pool: Pool,
        database_url: str,
        *,
        handlers: dict[str, HandlerSpec] | None = None,
        concurrency: int | None = None,
        jobs: Sequence[PeriodicJob] | None = None,
        breakers: BreakerBoard | None = None,
    ) -> None:
        cfg = settings.worker
        self.settings = settings
        self.pool = pool
        self.id = uuid4()
        self.handlers = handlers if handlers is not None else handlers_by_type()
        self.task_types = sorted(self.handlers)
        self.concurrency = concurrency or cfg.concurrency
        self._min_batch = max(1, self.concurrency // 4)
        self.breakers = breakers or BreakerBoard(
            BreakerConfig(
                cfg.breaker_failure_threshold, cfg.breaker_success_threshold, cfg.breaker_open_secs
            )
        )
        if jobs is None:
            from starter.worker.jobs import PERIODIC_JOBS

            jobs = PERIODIC_JOBS
        self.health = Health(self.id, cfg.health_file)
        self._scheduler = Scheduler(pool, settings, self.id, jobs, on_ok=self.health.ok)
        self._listener = NotificationListener(
            db.resolve_listen_url(settings.database, database_url),
            {TASKS_READY: self._on_ready, TASK_CANCEL: self._on_cancel_notice},
            name="worker",
            connect_timeout=settings.database.connect_timeout_secs,
            on_listening=self._on_listening,
            max_backoff=MAX_BACKOFF_SECS,
        )
        self._listening = asyncio.Event()
        self._running: dict[UUID, tuple[asyncio.Task[None], TaskContext]] = {}
        self._user_cancelled: set[UUID] = set()
        self._wake = asyncio.Event()
        self._flusher = OutcomeFlusher(pool, self.id, on_flushed=self._on_flushed)
        self._stopping = asyncio.Event()
        self._force = asyncio.Event()
        self._maybe_more = True
        self._ready_generation = 0
        self._poll_at = 0.0
        self._due_at: float | None = None
        self._unfinished: list[UUID] = []
        self.started = asyncio.Event()

    # --- public controls ------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        return len(self._running)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def request_stop(self) -> None:
        """Stop claiming, drain in-flight tasks (up to the grace period), release the rest."""
        if self._stopping.is_set():
            self._force.set()  # a second signal: stop waiting for in-flight tasks
        self._stopping.set()
        self._wake.set()

    def cancel(self, task_id: UUID) -> None:
        """A cancel request for a task: if it runs here, cancel its handler."""
        entry = self._running.get(task_id)
        if entry is None or task_id in self._user_cancelled:
            return
        self._user_cancelled.add(task_id)
        entry[1].cancelled.set()
        entry[0].cancel()

    def _on_ready(self, _task_type: str) -> None:
        self._ready_generation += 1
        self._maybe_more = True
        self._wake.set()

    def _on_cancel_notice(self, payload: str) -> None:
        try:
            task_id = UUID(payload.strip().strip('"'))
        except ValueError:
            log.warning("worker.bad_cancel_payload", payload=payload[:100])
            return
        self.cancel(task_id)

    def _on_listening(self, listening: bool) -> None:
        if listening:
            self._listening.set()
            self.health.ok("listener")
            self._on_ready("")  # anything announced while we were not listening
            return
        self._listening.clear()
        if not self._stopping.is_set():
            self.health.failing("listener", "LISTEN connection lost")

    def _on_flushed(self) -> None:
        self.health.ok("flusher")
        self._wake.set()

    # --- main loop ------------------------------------------------------------------------

    async def run(self) -> None:
        log.info(
            "worker.starting",
            worker_id=str(self.id),
            concurrency=self.concurrency,
            task_types=self.task_types,
        )
        await self._heartbeat_once()
        loops = {
            "listener": self._listener.run,
            "heartbeat": self._heartbeat_loop,
            "scheduler": self._scheduler.run,
            "health_file": self._publish_health_loop,
        }
        background = [
            asyncio.create_task(supervise(name, body, self.health), name=f"worker-{name}")
            for name, body in loops.items()
        ]
        flusher = asyncio.create_task(
            supervise("flusher", self._flusher.run, self.health, done=lambda: self._flusher.done),
            name="worker-flusher",
        )
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._listening.wait(), 5)
            self.health.set_state("running")
            self.started.set()
            await supervise("claim", self._claim_body, self.health, done=self._stopping.is_set)
        finally:
            await self._drain()
            await self._flusher.close(flusher)
            await self._release_unfinished()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            with contextlib.suppress(Exception):  # the row goes stale and is pruned
                async with self.pool.acquire() as conn:
                    await repo.mark_worker_stopped(conn, self.id)
            self.health.set_state("stopped")
            log.info("worker.stopped", worker_id=str(self.id))

    async def _claim_body(self) -> None:
        self._maybe_more = True  # after a restart, look again
        async with self.pool.acquire() as conn:
            await self._claim_loop(conn)

    async def _claim_loop(self, conn: Connection) -> None:
        poll = self.settings.worker.poll_interval_secs
        while not self._stopping.is_set():
            self._wake.clear()
            now = time.monotonic()
            if now >= self._poll_at or (self._due_at is not None and now >= self._due_at):
                self._maybe_more, self._due_at = True, None
            free = self.concurrency - len(self._running)
            if free <= 0 or self._flusher.backlogged(self.concurrency):
                await self._wake.wait()  # set when a slot frees or a batch is written
                continue
            if self._maybe_more and 0 < free < self._min_batch and self._running:
                # Busy: let a few more slots free up (briefly) so one claim fills several.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), CLAIM_GATHER_SECS)
                self._wake.clear()
                free = self.concurrency - len(self._running)
            if self._maybe_more:
                generation = self._ready_generation
                rows = await self._claim(conn, free)
                self.health.ok("claim")
                self._poll_at = time.monotonic() + poll
                for row in rows:
                    self._start(row)
                if len(rows) < free and generation == self._ready_generation:
                    self._maybe_more = False
                    due = await repo.next_due_in(conn, self.task_types, self._open_types())
                    self._due_at = None if due is None else time.monotonic() + max(due, 0)
                continue
            deadlines = [self._poll_at, self._due_at]
            reopen = self.breakers.next_reopen_in()
            if reopen is not None:
                deadlines.append(now + reopen + 0.001)
            timeout = max(0.0, min(d for d in deadlines if d is not None) - now)
            if timeout > 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
            if reopen is not None and self.breakers.next_reopen_in() is None:
                self._maybe_more = True  # a circuit went half-open

    def _open_types(self) -> list[str]:
        return self.breakers.open_types(self.task_types)

    async def _claim(self, conn: Connection, free: int) -> list[Record]:
        open_types = self._open_types()
        if len(open_types) == len(self.task_types):
            return []
        return await repo.claim(
            conn,
            self.id,
            lease_secs=self.settings.worker.lease_secs,
            task_types=self.task_types,
            excluded_types=open_types,
            limit=free,
        )

    # --- running one task -----------------------------------------------------------------

    def _start(self, row: Record) -> None:
        spec = self.handlers[row["task_type"]]
        ctx = TaskContext(
            task_id=row["id"],
            task_type=row["task_type"],
            payload=row["payload"],
            attempt=row["current_attempt"],
            created_by=row["created_by"],
            settings=self.settings,
            pool=self.pool,
            metadata=row["metadata"],
        )
        task = asyncio.create_task(self._execute(row, spec, ctx))
        self._running[row["id"]] = (task, ctx)
        metrics.TASKS_IN_FLIGHT.inc()
        metrics.count_status_change(row["task_type"], "running")
        waited = row["waited_secs"]
        if waited is not None:
            metrics.TASK_PICKUP_DELAY.labels(row["task_type"]).observe(max(waited, 0.0))
        log.info(
            "task.status",
            task_id=str(row["id"]),
            task_type=row["task_type"],
            status="running",
            attempt=row["current_attempt"],
        )

    async def _execute(self, row: Record, spec: HandlerSpec, ctx: TaskContext) -> None:
        timeout = float(row["timeout_secs"] or spec.timeout_secs)
        started = time.perf_counter()
        try:
            outcome = await self._outcome(row, spec, ctx, timeout, started)
        finally:
            self._running.pop(row["id"], None)
            metrics.TASKS_IN_FLIGHT.dec()
            self._wake.set()
        self._record(outcome)

    async def _outcome(
        self, row: Record, spec: HandlerSpec, ctx: TaskContext, limit_secs: float, started: float
    ) -> outcomes.Outcome:
        def elapsed() -> float:
            return time.perf_counter() - started

        timer = asyncio.timeout(limit_secs)
        try:
            async with timer:
                value = await spec.handle(ctx)
        except asyncio.CancelledError:
            if row["id"] not in self._user_cancelled:
                raise  # shutdown: the lease is released, not an outcome
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
            self._user_cancelled.discard(row["id"])
            return outcomes.cancelled(row, elapsed())
        except TimeoutError as error:
            message = outcomes.TIMED_OUT if timer.expired() else outcomes.error_text(error)
            trace = outcomes.traceback_text(error)
            return outcomes.failed(row, message, elapsed(), True, trace)
        except TaskError as error:
            message = str(error) or type(error).__name__
            trace = outcomes.traceback_text(error)
            return outcomes.failed(row, message, elapsed(), error.retryable, trace)
        except Exception as error:
            trace = outcomes.traceback_text(error)
            return outcomes.failed(row, outcomes.error_text(error), elapsed(), True, trace)
        return outcomes.completed(row, value, elapsed())

    def _record(self, outcome: outcomes.Outcome) -> None:
        breaker = self.breakers.get(outcome.task_type)
        if outcome.status == "completed":
            breaker.record_success()
        elif outcome.retryable_failure:
            before = breaker.state
            if breaker.record_failure() is BreakerState.OPEN and before is not BreakerState.OPEN:
                log.warning("worker.circuit_opened", task_type=outcome.task_type)
        metrics.TASK_DURATION.labels(outcome.task_type, outcome.status).observe(outcome.duration)
        self._flusher.add(outcome)

    # --- heartbeats and shutdown ----------------------------------------------------------

    async def _heartbeat_once(self) -> None:
        async with self.pool.acquire() as conn:
            cancels = await repo.heartbeat(
                conn,
                self.id,
                lease_secs=self.settings.worker.lease_secs,
                hostname=socket.gethostname(),
                pid=os.getpid(),
                concurrency=self.concurrency,
                task_types=self.task_types,
                executing=list(self._running),
                healthy=self.health.healthy_apart_from("heartbeat"),
            )
            counts = {r["status"]: int(r["n"]) for r in await repo.queue_depth(conn)}
        metrics.set_queue_depth(counts)
        for task_id in cancels:
            self.cancel(task_id)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.worker.heartbeat_interval_secs)
            await self._heartbeat_once()
            self.health.ok("heartbeat")

    async def _publish_health_loop(self) -> None:
        """Keep the health file fresh: a file that stops changing means a hung worker."""
        while True:
            self.health.publish()
            self.health.ok("health_file")
            await asyncio.sleep(self.settings.worker.heartbeat_interval_secs)

    async def _drain(self) -> None:
        grace = self.settings.worker.shutdown_grace_secs
        if self._running:
            log.info("worker.draining", in_flight=len(self._running), grace_secs=grace)
        deadline = time.monotonic() + grace
        force = asyncio.create_task(self._force.wait())
        try:
            while self._running and not self._force.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                tasks = [task for task, _ in self._running.values()]
                await asyncio.wait(
                    [*tasks, force], timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
        finally:
            force.cancel()
        self._unfinished = list(self._running)
        tasks = [task for task, _ in self._running.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _release_unfinished(self) -> None:
        ids = self._unfinished
        if not ids:
            return
        try:
            async with self.pool.acquire() as conn:
                rows = await repo.release(conn, self.id, ids)
        except Exception as error:  # their leases expire and the reaper re-queues them
            log.error("worker.release_failed", error=str(error), tasks=len(ids))
            return
        for row in rows:
            metrics.count_status_change(row["task_type"], row["status"])
            log.info(
                "task.status",
                task_id=str(row["id"]),
                task_type=row["task_type"],
                status=row["status"],
                reason="worker shutdown: lease released",
            )
