"""Periodic jobs: each tick runs on exactly one worker; session cleanup and pruning happen."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

import asyncpg

from starter.core.config import AuthSettings, Settings, WorkerSettings
from starter.core.db import Connection
from starter.worker.jobs import PERIODIC_JOBS
from starter.worker.scheduler import PeriodicJob
from tests.support.settings import make_settings
from tests.worker.conftest import FAST, noop, running_worker, spec, wait_until


async def test_each_tick_runs_on_exactly_one_of_three_workers(
    database_url: str, conn: asyncpg.Connection
) -> None:
    await conn.execute(
        "CREATE TABLE job_runs (tick SERIAL PRIMARY KEY, ran_at TIMESTAMPTZ DEFAULT now())"
    )

    async def tick(c: Connection, _settings: Settings) -> None:
        await c.execute("INSERT INTO job_runs DEFAULT VALUES")

    job = PeriodicJob("test.tick", lambda _s: 0.5, tick)
    settings = make_settings(
        database_url, worker=WorkerSettings(**(FAST | {"scheduler_tick_secs": 0.05}))
    )
    handlers = [spec("noop", noop)]
    async with (
        running_worker(settings, handlers, jobs=[job]),
        running_worker(settings, handlers, jobs=[job]),
        running_worker(settings, handlers, jobs=[job]),
    ):
        await asyncio.sleep(2.2)
    runs = await conn.fetch("SELECT ran_at FROM job_runs ORDER BY tick")
    # A loaded machine may tick late, never early: no two runs closer than the interval.
    assert 2 <= len(runs) <= 6, len(runs)
    gaps = [(b["ran_at"] - a["ran_at"]).total_seconds() for a, b in itertools.pairwise(runs)]
    assert min(gaps) >= 0.45, gaps
    state = await conn.fetchrow("SELECT * FROM worker_jobs WHERE name = 'test.tick'")
    assert state["runs"] == len(runs)
    assert state["last_error"] is None


async def test_a_failing_job_records_its_error_and_keeps_ticking(
    database_url: str, conn: asyncpg.Connection
) -> None:
    calls = 0

    async def broken(_c: Connection, _settings: Settings) -> Any:
        nonlocal calls
        calls += 1
        raise RuntimeError("nope")

    job = PeriodicJob("test.broken", lambda _s: 0.2, broken)
    async with running_worker(
        make_settings(database_url, worker=WorkerSettings(**FAST)), [spec("noop", noop)], jobs=[job]
    ):
        await wait_until(lambda: _calls_at_least(lambda: calls, 2))
    error = await conn.fetchval("SELECT last_error FROM worker_jobs WHERE name = 'test.broken'")
    assert error == "RuntimeError: nope"


async def _calls_at_least(get: Any, n: int) -> bool:
    return bool(get() >= n)


async def test_expired_sessions_are_cleaned_and_dead_workers_pruned(
    database_url: str, conn: asyncpg.Connection
) -> None:
    user = await conn.fetchval(
        "INSERT INTO users (username, email, password_hash) VALUES ('u1', 'u1@example.com', 'x')"
        " RETURNING id"
    )
    expired = await conn.fetchval(
        "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, 'a', now() - interval '1 minute')"
        " RETURNING id",
        user,
    )
    live = await conn.fetchval(
        "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, 'b', now() + interval '1 hour')"
        " RETURNING id",
        user,
    )
    dead_worker = uuid.uuid4()
    await conn.execute(
        "INSERT INTO workers (id, hostname, pid, concurrency, heartbeat_at)"
        " VALUES ($1, 'gone', 1, 1, now() - interval '1 hour')",
        dead_worker,
    )
    settings = make_settings(
        database_url,
        auth=AuthSettings(cleanup_interval_secs=0.3),
        worker=WorkerSettings(**(FAST | {"prune_dead_workers_after_secs": 60})),
    )
    async with running_worker(settings, [spec("noop", noop)], jobs=PERIODIC_JOBS):
        await wait_until(lambda: _inactive(conn, expired))
        await wait_until(lambda: _gone(conn, dead_worker))
    assert await conn.fetchval("SELECT is_active FROM sessions WHERE id = $1", live) is True
    names = {r["name"] for r in await conn.fetch("SELECT name FROM worker_jobs WHERE runs > 0")}
    assert {
        "auth.cleanup_sessions",
        "worker.reap_expired_leases",
        "worker.prune_dead_workers",
    } <= names


async def _inactive(conn: asyncpg.Connection, session_id: Any) -> bool:
    return await conn.fetchval("SELECT is_active FROM sessions WHERE id = $1", session_id) is False


async def _gone(conn: asyncpg.Connection, worker_id: Any) -> bool:
    return await conn.fetchval("SELECT count(*) FROM workers WHERE id = $1", worker_id) == 0
