"""Supervised loops restart whatever breaks them; the worker tells when it cannot work."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from uuid import uuid4

import asyncpg
from structlog.testing import capture_logs

from starter.tasks.handlers import delay_task
from starter.worker import repository as repo
from starter.worker.health import Health, health_file_problem
from starter.worker.supervise import supervise
from tests.cli.conftest import cli_env, run_starter
from tests.worker.conftest import (
    add_task,
    count_status,
    ensure_types,
    running_worker,
    wait_until,
    worker_settings,
)

REFUSE_COMPLETION = """
CREATE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100';
END $$;
CREATE TRIGGER refuse_completion BEFORE UPDATE ON tasks FOR EACH ROW
  WHEN (NEW.status = 'completed') EXECUTE FUNCTION refuse_completion();
"""


async def test_a_loop_that_raises_is_restarted_and_reported_until_it_works() -> None:
    health = Health(uuid4(), None)
    calls = 0

    async def body() -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise OSError("connection refused")
        health.ok("claim")
        await asyncio.Future()  # works from now on

    with capture_logs() as logs:
        task = asyncio.create_task(supervise("claim", body, health))
        await asyncio.sleep(0.05)
        assert not health.healthy
        await wait_until(lambda: _true(health.healthy), timeout=5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert calls == 3
    events = [e["event"] for e in logs]
    assert events.count("worker.loop_failed") == 2
    assert events.index("worker.unhealthy") < events.index("worker.healthy")
    failed = next(e for e in logs if e["event"] == "worker.unhealthy")
    assert failed["loop"] == "claim"
    assert failed["error"] == "OSError: connection refused"


async def test_a_loop_that_returns_while_it_should_run_is_logged_and_restarted() -> None:
    health = Health(uuid4(), None)
    runs = 0

    async def body() -> None:
        nonlocal runs
        runs += 1
        if runs > 1:
            await asyncio.Future()

    with capture_logs() as logs:
        task = asyncio.create_task(supervise("heartbeat", body, health))
        await wait_until(lambda: _true(runs == 2), timeout=5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert [e["loop"] for e in logs if e["event"] == "worker.loop_ended"] == ["heartbeat"]
    assert not health.healthy  # it never said it works again


async def test_a_loop_ends_when_done_even_if_it_fails_while_stopping() -> None:
    health = Health(uuid4(), None)

    async def body() -> None:
        raise OSError("gone")

    await asyncio.wait_for(supervise("flusher", body, health, done=lambda: True), 1)
    assert health.healthy


def test_the_health_file_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    assert health_file_problem(path, 10) == f"no worker health file at {path}"
    health = Health(uuid4(), path)
    health.set_state("starting")
    assert health_file_problem(path, 10) == "worker is starting"
    health.set_state("running")
    assert health_file_problem(path, 10) is None
    health.failing("flusher", "DiskFullError: could not extend file")
    assert health_file_problem(path, 10) == (
        "worker unhealthy: flusher: DiskFullError: could not extend file"
    )
    health.ok("flusher")
    assert health_file_problem(path, 10) is None
    document = json.loads(path.read_text())
    document["updated_at"] = time.time() - 60
    path.write_text(json.dumps(document))
    assert health_file_problem(path, 10) == (
        "worker health file not refreshed for 60s (worker hung or gone)"
    )
    path.write_text("{")
    assert health_file_problem(path, 10) == (
        f"unreadable worker health file {path}: JSONDecodeError"
    )


async def test_health_check_worker_mode_exits_1_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    env = cli_env(None, STARTER__WORKER__HEALTH_FILE=str(path))
    health = Health(uuid4(), path)
    health.set_state("running")
    health.failing("claim", "ConnectionRefusedError: connect call failed")
    result = await run_starter("health-check", "--worker", env=env)
    assert result.code == 1
    assert result.error_lines == [
        "error: worker unhealthy: claim: ConnectionRefusedError: connect call failed"
    ]
    health.ok("claim")
    result = await run_starter("health-check", "--worker", env=env)
    assert (result.code, result.stdout) == (0, "OK\n")


async def test_a_worker_that_cannot_write_outcomes_is_unhealthy_and_its_row_goes_stale(
    database_url: str, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    await ensure_types(conn, "delay_task")
    settings = worker_settings(database_url, health_file=tmp_path / "health.json")
    async with running_worker(settings, [delay_task.SPEC], concurrency=2) as worker:
        await conn.execute(REFUSE_COMPLETION)
        await add_task(conn, "delay_task", {"delay_seconds": 0})
        await wait_until(lambda: _true(not worker.health.healthy), timeout=10)
        assert "DiskFullError" in (health_file_problem(tmp_path / "health.json", 10) or "")
        frozen = await conn.fetchval("SELECT heartbeat_at FROM workers")
        await asyncio.sleep(1.0)  # three heartbeat intervals
        assert await conn.fetchval("SELECT heartbeat_at FROM workers") == frozen
        await conn.execute(
            "DROP TRIGGER refuse_completion ON tasks; DROP FUNCTION refuse_completion()"
        )
        await wait_until(lambda: _true(worker.health.healthy), timeout=10)
        await wait_until(lambda: _is(count_status(conn, "completed"), 1), timeout=10)
        await wait_until(
            lambda: _is(conn.fetchval("SELECT heartbeat_at > $1 FROM workers", frozen), True)
        )
    assert health_file_problem(tmp_path / "health.json", 10) == "worker is stopped"


async def test_an_outcome_applies_only_to_the_run_that_produced_it(
    database_url: str, conn: asyncpg.Connection
) -> None:
    await ensure_types(conn, "noop")
    task_id = await add_task(conn, "noop")
    worker_id = uuid4()
    await conn.execute(
        "INSERT INTO workers (id, hostname, pid, concurrency) VALUES ($1, 'h', 1, 1)", worker_id
    )
    claim = {"lease_secs": 30.0, "task_types": ["noop"], "excluded_types": [], "limit": 1}
    [first] = await repo.claim(conn, worker_id, **claim)
    await conn.execute("UPDATE tasks SET locked_until = now() - interval '1 second'")
    assert len(await repo.reap_expired(conn)) == 1
    [second] = await repo.claim(conn, worker_id, **claim)  # the same worker runs it again
    assert (first["current_attempt"], second["current_attempt"]) == (1, 2)
    late = await repo.finish(conn, worker_id, [task_id], ["completed"], ["{}"], [None], [None], [1])
    assert late == []
    assert await conn.fetchval("SELECT status FROM tasks") == "running"
    done = await repo.finish(conn, worker_id, [task_id], ["completed"], ["{}"], [None], [None], [2])
    assert [r["status"] for r in done] == ["completed"]


async def _true(value: bool) -> bool:
    return value


async def _is(awaitable: object, expected: object) -> bool:
    return await awaitable == expected  # type: ignore[misc]
