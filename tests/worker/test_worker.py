"""The worker as a real asyncio loop: concurrency, retries, breaker, schedule, cancel, latency."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from starter.tasks.circuit_breaker import BreakerBoard, BreakerConfig
from starter.tasks.errors import PermanentError, RetryableError
from starter.tasks.handlers.base import TaskContext
from tests.worker.conftest import (
    add_task,
    count_status,
    ensure_types,
    noop,
    running_worker,
    spec,
    status_of,
    wait_until,
    worker_settings,
)


def fixed(interval: float, attempts: int) -> dict[str, Any]:
    return {"fixed": {"interval": interval, "max_attempts": attempts, "jitter": 0}}


async def test_concurrency_limit_is_respected(database_url: str, conn: asyncpg.Connection) -> None:
    now = 0
    peak = 0

    async def slow(ctx: TaskContext) -> dict[str, Any]:
        nonlocal now, peak
        now += 1
        peak = max(peak, now)
        await asyncio.sleep(0.05)
        now -= 1
        return {}

    await ensure_types(conn, "slow")
    for _ in range(30):
        await add_task(conn, "slow")
    async with running_worker(worker_settings(database_url), [spec("slow", slow)], concurrency=3):
        await wait_until(lambda: _count(conn, "completed", 30))
    assert peak == 3


async def _count(conn: asyncpg.Connection, status: str, n: int) -> bool:
    return await count_status(conn, status) == n


async def test_two_workers_run_each_of_1000_tasks_exactly_once(
    database_url: str, conn: asyncpg.Connection
) -> None:
    runs: list[Any] = []

    async def record(ctx: TaskContext) -> dict[str, Any]:
        runs.append(ctx.task_id)
        await asyncio.sleep(0)
        return {"n": ctx.payload["n"]}

    await ensure_types(conn, "count")
    await conn.execute(
        "INSERT INTO tasks (task_type, payload) SELECT 'count', jsonb_build_object('n', n)"
        " FROM generate_series(1, 1000) AS n"
    )
    settings = worker_settings(database_url)
    handlers = [spec("count", record)]
    async with (
        running_worker(settings, handlers, concurrency=8) as first,
        running_worker(settings, handlers, concurrency=8) as second,
    ):
        await wait_until(lambda: _count(conn, "completed", 1000), timeout=60)
    assert len(runs) == 1000
    assert len(set(runs)) == 1000
    rows = await conn.fetch("SELECT current_attempt, result FROM tasks")
    assert {r["current_attempt"] for r in rows} == {1}
    assert sorted(r["result"]["n"] for r in rows) == list(range(1, 1001))
    workers = await conn.fetch("SELECT id, stopped_at FROM workers")
    assert {w["id"] for w in workers} == {first.id, second.id}
    assert all(w["stopped_at"] is not None for w in workers)


async def test_retries_follow_the_strategy_then_dead_letter(
    database_url: str, conn: asyncpg.Connection
) -> None:
    seen: list[float] = []

    async def flaky(ctx: TaskContext) -> dict[str, Any]:
        seen.append(time.monotonic())
        raise RetryableError(f"upstream down (attempt {ctx.attempt})")

    await ensure_types(conn, "flaky")
    task_id = await add_task(conn, "flaky", retry_strategy=fixed(0.4, 3))
    async with running_worker(worker_settings(database_url), [spec("flaky", flaky)]):
        await wait_until(lambda: _is(conn, task_id, "retrying"))
        row = await conn.fetchrow(
            "SELECT current_attempt, last_error, scheduled_at - now() AS wait FROM tasks"
            " WHERE id = $1",
            task_id,
        )
        assert row["current_attempt"] == 1
        assert row["last_error"] == "upstream down (attempt 1)"
        assert timedelta(0) < row["wait"] <= timedelta(seconds=0.4)
        await wait_until(lambda: _is(conn, task_id, "failed"), timeout=10)
    assert len(seen) == 3
    gaps = [b - a for a, b in itertools.pairwise(seen)]
    assert all(0.35 <= gap < 2.0 for gap in gaps), gaps
    row = await conn.fetchrow("SELECT * FROM tasks WHERE id = $1", task_id)
    assert row["current_attempt"] == 3
    assert row["last_error"] == "upstream down (attempt 3)"
    assert row["completed_at"] is not None
    events = await conn.fetch(
        "SELECT level, tags->>'status' AS status FROM events WHERE tags->>'task_id' = $1"
        " ORDER BY recorded_at, created_at",
        str(task_id),
    )
    statuses = [e["status"] for e in events]
    assert statuses == [
        "pending",
        "running",
        "retrying",
        "running",
        "retrying",
        "running",
        "failed",
    ]
    assert events[-1]["level"] == "error"


async def _is(conn: asyncpg.Connection, task_id: Any, status: str) -> bool:
    return await status_of(conn, task_id) == status


async def test_permanent_errors_fail_at_once_other_errors_retry(
    database_url: str, conn: asyncpg.Connection
) -> None:
    async def picky(ctx: TaskContext) -> dict[str, Any]:
        kind = ctx.payload["kind"]
        if kind == "permanent":
            raise PermanentError("Missing 'to' field in payload")
        if kind == "crash":
            raise KeyError("boom")
        if kind == "slow":
            await asyncio.sleep(5)
        return {}

    await ensure_types(conn, "picky")
    permanent = await add_task(conn, "picky", {"kind": "permanent"}, retry_strategy=fixed(30, 5))
    crash = await add_task(conn, "picky", {"kind": "crash"}, retry_strategy=fixed(30, 5))
    slow = await add_task(conn, "picky", {"kind": "slow"}, retry_strategy=fixed(30, 5))
    async with running_worker(worker_settings(database_url), [spec("picky", picky, 0.3)]):
        await wait_until(lambda: _count(conn, "retrying", 2))
        await wait_until(lambda: _is(conn, permanent, "failed"))
    rows = {r["id"]: r for r in await conn.fetch("SELECT * FROM tasks")}
    assert rows[permanent]["last_error"] == "Missing 'to' field in payload"
    assert rows[permanent]["current_attempt"] == 1
    assert rows[crash]["status"] == "retrying"
    assert rows[crash]["last_error"] == "Task execution error: 'boom'"
    assert rows[slow]["status"] == "retrying"
    assert rows[slow]["last_error"] == "Task execution timed out"


async def test_open_circuit_leaves_tasks_pending_until_half_open_then_closes(
    database_url: str, conn: asyncpg.Connection
) -> None:
    healthy = False

    async def upstream(ctx: TaskContext) -> dict[str, Any]:
        if not healthy:
            raise RetryableError("503 from upstream")
        return {"ok": True}

    # Open long enough that the "still pending" check lands inside the window on a busy machine.
    breakers = BreakerBoard(BreakerConfig(failure_threshold=2, success_threshold=2, open_secs=3.0))
    await ensure_types(conn, "up")
    for _ in range(2):
        await add_task(conn, "up", retry_strategy=fixed(30, 5))
    settings = worker_settings(database_url)
    async with running_worker(settings, [spec("up", upstream)], breakers=breakers):
        await wait_until(lambda: _count(conn, "retrying", 2))
        assert breakers.open_types() == ["up"]
        waiting = [await add_task(conn, "up") for _ in range(3)]
        await asyncio.sleep(0.5)
        assert await count_status(conn, "pending") == 3  # not claimed, not failed
        healthy = True
        await wait_until(lambda: _count(conn, "completed", 3), timeout=10)
        assert breakers.states()["up"] == "closed"
    assert {await status_of(conn, t) for t in waiting} == {"completed"}


async def test_scheduled_tasks_wait_until_due(database_url: str, conn: asyncpg.Connection) -> None:
    await ensure_types(conn, "noop")
    settings = worker_settings(database_url, poll_interval_secs=30)
    async with running_worker(settings, [spec("noop", noop)]):
        due = datetime.now(UTC) + timedelta(seconds=1.0)
        task_id = await add_task(conn, "noop", scheduled_at=due)
        await asyncio.sleep(0.6)
        assert await status_of(conn, task_id) == "pending"
        await wait_until(lambda: _is(conn, task_id, "completed"), timeout=3)
    started = await conn.fetchval("SELECT started_at FROM tasks WHERE id = $1", task_id)
    assert due <= started < due + timedelta(seconds=1)


async def test_cancel_of_a_running_task_ends_cancelled(
    database_url: str, conn: asyncpg.Connection
) -> None:
    started = asyncio.Event()

    async def forever(ctx: TaskContext) -> dict[str, Any]:
        started.set()
        await asyncio.sleep(60)
        return {}

    await ensure_types(conn, "forever")
    task_id = await add_task(conn, "forever")
    async with running_worker(worker_settings(database_url), [spec("forever", forever)]):
        await asyncio.wait_for(started.wait(), 5)
        # What the API does: flag it and NOTIFY the worker holding it.
        await conn.execute("UPDATE tasks SET cancel_requested = true WHERE id = $1", task_id)
        await conn.execute("SELECT pg_notify('starter_task_cancel', $1)", str(task_id))
        await wait_until(lambda: _is(conn, task_id, "cancelled"), timeout=3)
    row = await conn.fetchrow("SELECT * FROM tasks WHERE id = $1", task_id)
    assert row["completed_at"] is not None
    assert row["last_error"] == "Task cancelled while running"


async def test_cancel_without_notify_is_seen_by_the_heartbeat(
    database_url: str, conn: asyncpg.Connection
) -> None:
    async def forever(ctx: TaskContext) -> dict[str, Any]:
        await asyncio.sleep(60)
        return {}

    await ensure_types(conn, "forever")
    task_id = await add_task(conn, "forever")
    async with running_worker(worker_settings(database_url), [spec("forever", forever)]):
        await wait_until(lambda: _is(conn, task_id, "running"))
        await conn.execute("UPDATE tasks SET cancel_requested = true WHERE id = $1", task_id)
        await wait_until(lambda: _is(conn, task_id, "cancelled"), timeout=3)


async def test_idle_worker_picks_up_a_new_task_quickly(
    database_url: str, conn: asyncpg.Connection
) -> None:
    await ensure_types(conn, "noop")
    settings = worker_settings(database_url, poll_interval_secs=30)
    async with running_worker(settings, [spec("noop", noop)]):
        await asyncio.sleep(0.2)
        task_id = await add_task(conn, "noop")
        took = await wait_until(lambda: _is(conn, task_id, "completed"), timeout=5, interval=0.005)
    assert took < 2.0
    result = await conn.fetchval("SELECT result FROM tasks WHERE id = $1", task_id)
    assert result == {"ok": True, "attempt": 1}


async def test_stop_drains_in_flight_tasks(database_url: str, conn: asyncpg.Connection) -> None:
    started = 0
    all_started = asyncio.Event()

    async def short(ctx: TaskContext) -> dict[str, Any]:
        nonlocal started
        started += 1
        if started == 3:
            all_started.set()
        await asyncio.sleep(0.5)
        return {"done": True}

    await ensure_types(conn, "short")
    for _ in range(3):
        await add_task(conn, "short")
    async with running_worker(worker_settings(database_url), [spec("short", short)]) as worker:
        await asyncio.wait_for(all_started.wait(), 5)
        stopping = time.monotonic()
        worker.request_stop()
        await asyncio.sleep(0)
        late = await add_task(conn, "short")
    assert time.monotonic() - stopping >= 0.3
    assert await count_status(conn, "completed") == 3
    assert await status_of(conn, late) == "pending"  # stopped claiming
    assert started == 3


async def test_grace_period_expiry_releases_unfinished_tasks(
    database_url: str, conn: asyncpg.Connection
) -> None:
    async def stuck(ctx: TaskContext) -> dict[str, Any]:
        await asyncio.sleep(60)
        return {}

    await ensure_types(conn, "stuck")
    task_id = await add_task(conn, "stuck")
    settings = worker_settings(database_url, shutdown_grace_secs=0.3)
    async with running_worker(settings, [spec("stuck", stuck)]):
        await wait_until(lambda: _is(conn, task_id, "running"))
    row = await conn.fetchrow("SELECT * FROM tasks WHERE id = $1", task_id)
    assert row["status"] == "pending"
    assert row["current_attempt"] == 0  # the interrupted run is not counted
    assert row["locked_by"] is None
    assert row["scheduled_at"] <= datetime.now(UTC)
