"""Fault injection: a real `starter worker` process against a PostgreSQL server the test stops,
starts and breaks. Every task must end, none may be lost, nothing may stay `running`, and the
worker must resume claiming within 5 s of the database coming back, by itself."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from starter.core import db as dbmod
from starter.core.migrate import migrate_up
from tests.support.database import temporary_database
from tests.worker.conftest import add_task, ensure_types
from tests.worker.private_pg import PrivatePostgres

STARTER = Path(sys.executable).parent / "starter"
TASKS = 60
LEASE_SECS = 2.0
pytestmark = pytest.mark.chaos


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
async def chaos_db(private_pg: PrivatePostgres) -> AsyncIterator[str]:
    if not _running(private_pg):  # a failed test may have left it stopped
        private_pg.start()
    async with temporary_database(private_pg.url()) as url:
        async with dbmod.connect_once(url) as conn:
            await migrate_up(conn)
            await ensure_types(conn, "delay_task")
            for i in range(TASKS):
                await add_task(conn, "delay_task", {"delay_seconds": 0.2, "task_id": str(i)})
        yield url


def _running(server: PrivatePostgres) -> bool:
    return (server.data / "postmaster.pid").exists()


class WorkerProcess:
    """`starter worker` with short leases, its log in a file, its health file in `tmp`."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.log_path = tmp / "worker.log"
        self.health_file = tmp / "worker-health.json"
        self.env = os.environ | {
            "STARTER__DATABASE__URL": url,
            "STARTER__WORKER__POLL_INTERVAL_SECS": "0.5",
            "STARTER__WORKER__HEARTBEAT_INTERVAL_SECS": "0.3",
            "STARTER__WORKER__LEASE_SECS": str(LEASE_SECS),
            "STARTER__WORKER__REAPER_INTERVAL_SECS": "0.5",
            "STARTER__WORKER__SCHEDULER_TICK_SECS": "0.2",
            "STARTER__WORKER__HEALTH_FILE": str(self.health_file),
            "STARTER__DATABASE__CONNECT_TIMEOUT_SECS": "2",
            "STARTER__LOG_LEVEL": "info",
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            str(STARTER), "worker", "--concurrency", "4", env=self.env, stdout=log, stderr=log
        )
        log.close()

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def health_check(self) -> int:
        check = await asyncio.create_subprocess_exec(
            str(STARTER),
            "health-check",
            "--worker",
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return await asyncio.wait_for(check.wait(), 30)


@pytest.fixture
async def worker(chaos_db: str, tmp_path: Path) -> AsyncIterator[WorkerProcess]:
    process = WorkerProcess(chaos_db, tmp_path)
    await process.start()
    try:
        yield process
    finally:
        code = await process.stop()
        print(process.log()[-6000:])
        assert code == 0


async def _counts(url: str) -> dict[str, int] | None:
    """Tasks by status, or None while the server is unreachable."""
    try:
        async with dbmod.connect_once(url) as conn:
            rows = await conn.fetch("SELECT status, count(*) AS n FROM tasks GROUP BY status")
    except (*dbmod.CONNECTION_ERRORS, asyncpg.PostgresError):
        return None
    return {r["status"]: int(r["n"]) for r in rows}


async def _wait_for(url: str, check: object, timeout: float, what: str) -> dict[str, int]:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    last: dict[str, int] | None = None
    while time.monotonic() < deadline:
        counts = await _counts(url)
        if counts is not None:
            last = counts
            if check(counts):  # type: ignore[operator]
                return counts
        await asyncio.sleep(0.1)
    pytest.fail(f"{what}: not within {timeout}s; last counts {last}")


async def _assert_all_completed_once(url: str) -> None:
    counts = await _wait_for(
        url, lambda c: c.get("completed", 0) == TASKS, 60, "every task completed"
    )
    assert counts == {"completed": TASKS}  # none lost, none running, none failed
    async with dbmod.connect_once(url) as conn:
        doubles = await conn.fetchval(
            "SELECT count(*) FROM (SELECT tags->>'task_id' FROM events"
            " WHERE tags->>'status' = 'completed' GROUP BY 1 HAVING count(*) > 1) d"
        )
        assert doubles == 0  # each completion recorded once


async def _resumed_within(url: str) -> float:
    """Seconds from the server's start to the first task claimed after it."""
    async with dbmod.connect_once(url) as conn:
        value = await conn.fetchval(
            "SELECT extract(epoch FROM min(started_at) - pg_postmaster_start_time())::float8"
            " FROM tasks WHERE started_at >= pg_postmaster_start_time()"
        )
    assert value is not None, "no task was claimed after the restart"
    return float(value)


@pytest.mark.parametrize("outage_secs", [3, 15])
async def test_worker_recovers_from_a_database_outage(
    private_pg: PrivatePostgres, chaos_db: str, worker: WorkerProcess, outage_secs: int
) -> None:
    await _wait_for(chaos_db, lambda c: c.get("completed", 0) >= 12, 30, "12 tasks completed")
    private_pg.stop()
    stopped = time.monotonic()
    await asyncio.sleep(min(1.5, outage_secs / 2))
    if outage_secs > 5:
        assert await worker.health_check() == 1  # the worker says it cannot work
    await asyncio.sleep(max(0.0, outage_secs - (time.monotonic() - stopped)))
    private_pg.start()

    await _assert_all_completed_once(chaos_db)
    resumed = await _resumed_within(chaos_db)
    print(f"outage {outage_secs}s: first claim {resumed:.2f}s after the server started")
    assert resumed < 5
    log = worker.log()
    assert "worker.unhealthy" in log
    assert "worker.healthy" in log
    deadline = time.monotonic() + 10
    while await worker.health_check() != 0:
        assert time.monotonic() < deadline, "health-check --worker still failing after recovery"


@pytest.mark.parametrize(
    ("errcode", "message"),
    [("P0001", "outcome write refused"), ("53100", "could not extend file: No space left")],
    ids=["error", "disk-full"],
)
async def test_worker_retries_an_outcome_write_that_fails(
    chaos_db: str, worker: WorkerProcess, errcode: str, message: str
) -> None:
    await _wait_for(chaos_db, lambda c: c.get("completed", 0) >= 8, 30, "8 tasks completed")
    async with dbmod.connect_once(chaos_db) as conn:
        await conn.execute(
            f"""CREATE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = '{errcode}'; END $$;
                CREATE TRIGGER refuse_completion BEFORE UPDATE ON tasks FOR EACH ROW
                  WHEN (NEW.status = 'completed') EXECUTE FUNCTION refuse_completion();"""
        )
        # Longer than a lease: the tasks whose outcome is stuck get re-queued by the reaper.
        await asyncio.sleep(LEASE_SECS * 2)
        stuck = await conn.fetchval("SELECT count(*) FROM tasks WHERE status = 'completed'")
        await conn.execute("DROP TRIGGER refuse_completion ON tasks")
    assert stuck < TASKS
    await _assert_all_completed_once(chaos_db)
    log = worker.log()
    assert "worker.unhealthy" in log
    assert "worker.healthy" in log
    async with dbmod.connect_once(chaos_db) as conn:
        reaped = await conn.fetchval(
            "SELECT count(*) FROM events WHERE tags->>'status' = 'retrying'"
            " AND message LIKE 'lease expired: worker %'"
        )
    # The heartbeat stopped extending the leases of runs that had finished: the reaper took
    # them back while the worker lived, and they ran again (at-least-once).
    assert reaped > 0
