"""Periodic jobs run by the workers, each tick by exactly one of them.

Every worker ticks every `scheduler_tick_secs`; one UPDATE on `worker_jobs` advances the
`next_run_at` of the jobs that are due, and only the worker whose UPDATE moved a row runs that
job. Registering a job is one line in `jobs.PERIODIC_JOBS`. A job that raises is recorded in
`worker_jobs.last_error`; a tick that cannot reach the database raises to the supervisor.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

import structlog

from starter.core.config import Settings
from starter.core.db import Connection, Pool
from starter.worker import repository as repo

log = structlog.get_logger(__name__)

JobFn = Callable[[Connection, Settings], Awaitable[object]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    # Seconds between runs, read from the settings (so tests can shorten it); 0 = switched off.
    interval: Callable[[Settings], float]
    run: JobFn


class Scheduler:
    def __init__(
        self,
        pool: Pool,
        settings: Settings,
        worker_id: UUID,
        jobs: Sequence[PeriodicJob],
        *,
        on_ok: Callable[[str], None] = lambda _loop: None,
    ) -> None:
        self._on_ok = on_ok
        self._pool = pool
        self._settings = settings
        self._worker_id = worker_id
        self._jobs = {job.name: job for job in jobs if job.interval(settings) > 0}

    @property
    def job_names(self) -> list[str]:
        """The jobs this scheduler runs (those whose interval is not 0)."""
        return list(self._jobs)

    def _intervals(self) -> tuple[list[str], list[float]]:
        names = list(self._jobs)
        return names, [float(self._jobs[n].interval(self._settings)) for n in names]

    async def run(self) -> None:
        """Tick until cancelled (with no jobs: just wait)."""
        if not self._jobs:
            await asyncio.Future()
        names, intervals = self._intervals()
        async with self._pool.acquire() as conn:
            await repo.ensure_jobs(conn, names, intervals)
        tick = self._settings.worker.scheduler_tick_secs
        while True:
            await self.tick(names, intervals)
            self._on_ok("scheduler")
            await asyncio.sleep(tick)

    async def tick(self, names: list[str], intervals: list[float]) -> list[str]:
        async with self._pool.acquire() as conn:
            due = await repo.claim_due_jobs(conn, self._worker_id, names, intervals)
        for name in due:
            await self._run_job(self._jobs[name])
        return due

    async def _run_job(self, job: PeriodicJob) -> None:
        started = time.perf_counter()
        error: str | None = None
        async with self._pool.acquire() as conn:
            try:
                await job.run(conn, self._settings)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                log.exception("worker.job_failed", job=job.name)
            await repo.job_finished(conn, job.name, error)
        log.debug(
            "worker.job_ran", job=job.name, ms=round((time.perf_counter() - started) * 1e3, 1)
        )
