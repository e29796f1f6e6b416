"""`starter worker` as a real process: SIGKILL loses nothing, SIGTERM drains."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import asyncpg
import pytest

from starter.tasks.handlers import delay_task
from tests.worker.conftest import add_task, running_worker, wait_until, worker_settings

STARTER = Path(sys.executable).parent / "starter"
pytestmark = pytest.mark.slow


async def spawn_worker(database_url: str, **worker: str) -> asyncio.subprocess.Process:
    env = os.environ | {
        "STARTER__DATABASE__URL": database_url,
        "STARTER__WORKER__POLL_INTERVAL_SECS": "0.5",
        "STARTER__WORKER__HEARTBEAT_INTERVAL_SECS": "0.3",
        "STARTER__WORKER__LEASE_SECS": "1.5",
        "STARTER__WORKER__REAPER_INTERVAL_SECS": "0.5",
        "STARTER__WORKER__SCHEDULER_TICK_SECS": "0.2",
        "STARTER__LOG_LEVEL": "warning",
    }
    env |= {f"STARTER__WORKER__{k.upper()}": v for k, v in worker.items()}
    return await asyncio.create_subprocess_exec(
        str(STARTER),
        "worker",
        "--concurrency",
        "4",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _running(conn: asyncpg.Connection, n: int) -> bool:
    return await conn.fetchval("SELECT count(*) FROM tasks WHERE status = 'running'") == n


async def _completed(conn: asyncpg.Connection, n: int) -> bool:
    return await conn.fetchval("SELECT count(*) FROM tasks WHERE status = 'completed'") == n


async def test_sigkilled_worker_loses_its_tasks_to_another_after_the_lease(
    database_url: str, conn: asyncpg.Connection
) -> None:
    await conn.execute(
        "INSERT INTO task_types (task_type, description) VALUES ('delay_task', 'x')"
        " ON CONFLICT DO NOTHING"
    )
    ids = [
        await add_task(conn, "delay_task", {"delay_seconds": 3, "task_id": str(i)})
        for i in range(4)
    ]
    process = await spawn_worker(database_url)
    try:
        await wait_until(lambda: _running(conn, 4), timeout=30)
        dead = await conn.fetchval("SELECT DISTINCT locked_by FROM tasks")
        process.kill()
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
        if process.returncode != -signal.SIGKILL:
            _, stderr = await process.communicate()
            print(stderr.decode()[-3000:])
    assert process.returncode == -signal.SIGKILL
    settings = worker_settings(database_url, lease_secs=1.5)
    async with running_worker(settings, [delay_task.SPEC], jobs=_jobs()):
        await wait_until(lambda: _completed(conn, 4), timeout=30)
    rows = await conn.fetch("SELECT * FROM tasks ORDER BY id")
    assert {r["id"] for r in rows} == set(ids)
    assert {r["current_attempt"] for r in rows} == {2}  # the lost run counts as an attempt
    assert {r["last_error"] for r in rows} == {f"lease expired: worker {dead} stopped heartbeating"}
    completions = await conn.fetch(
        "SELECT tags->>'task_id' AS id, count(*) AS n FROM events"
        " WHERE tags->>'status' = 'completed' GROUP BY 1"
    )
    assert sorted(r["n"] for r in completions) == [1, 1, 1, 1]
    retried = await conn.fetchval(
        "SELECT count(*) FROM events WHERE tags->>'status' = 'retrying'"
        " AND message LIKE 'lease expired: worker %'"
    )
    assert retried == 4


def _jobs() -> list:  # type: ignore[type-arg]
    from starter.worker.jobs import PERIODIC_JOBS

    return [j for j in PERIODIC_JOBS if j.name == "worker.reap_expired_leases"]


async def test_sigterm_drains_in_flight_tasks_and_exits_cleanly(
    database_url: str, conn: asyncpg.Connection
) -> None:
    await conn.execute(
        "INSERT INTO task_types (task_type, description) VALUES ('delay_task', 'x')"
        " ON CONFLICT DO NOTHING"
    )
    for i in range(3):
        await add_task(conn, "delay_task", {"delay_seconds": 1, "task_id": str(i)})
    process = await spawn_worker(database_url)
    try:
        await wait_until(lambda: _running(conn, 3), timeout=30)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()
    assert "Background worker starting with 4 max concurrent tasks" in stdout.decode()
    assert await _completed(conn, 3)
    worker = await conn.fetchrow("SELECT * FROM workers")
    assert worker["stopped_at"] is not None
    assert worker["concurrency"] == 4
    assert worker["in_flight"] == 0
