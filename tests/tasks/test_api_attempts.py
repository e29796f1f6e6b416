"""GET /tasks/{id}/attempts: the history a real worker writes (outcome, error, the handler's
traceback), the run in progress, runs the reaper takes back, and who may read it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx

from starter.core.config import Settings
from starter.tasks.errors import PermanentError
from starter.tasks.handlers.base import TaskContext
from starter.worker.outcomes import TRACEBACK_MAX_CHARS
from starter.worker.reaper import reap_expired_leases
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data, post_task
from tests.worker.conftest import running_worker, spec, wait_until, worker_settings

FAST_RETRY = {"fixed": {"interval": {"secs": 0, "nanos": 50_000_000}, "max_attempts": 3}}


def inspect_the_disk(attempt: int) -> None:
    raise RuntimeError(f"disk on fire (attempt {attempt})")


async def flaky(ctx: TaskContext) -> dict[str, Any]:
    """Fails its first two runs with a nested call in the traceback, then succeeds."""
    if ctx.attempt < 3:
        inspect_the_disk(ctx.attempt)
    return {"ok": True}


async def hopeless(ctx: TaskContext) -> dict[str, Any]:
    raise PermanentError("x" * 20_000)


async def slow(ctx: TaskContext) -> dict[str, Any]:
    await asyncio.sleep(30)
    return {}


def worker_for(database_url: str) -> Settings:
    return worker_settings(database_url)


async def attempts_of(
    client: httpx.AsyncClient, who: AppUser, task_id: str
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = data(
        await client.get(f"{API}/tasks/{task_id}/attempts", headers=who.headers)
    )
    return rows


async def status(db: asyncpg.Connection, task_id: str) -> str:
    value: str = await db.fetchval("SELECT status FROM tasks WHERE id = $1", uuid.UUID(task_id))
    return value


async def test_a_worker_records_each_attempt_with_its_traceback(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    database_url: str,
    make_user: MakeUser,
    moderator: AppUser,
) -> None:
    owner, stranger = await make_user("user"), await make_user("user")
    handlers = [spec("flaky_type", flaky), spec("hopeless_type", hopeless)]
    async with running_worker(worker_for(database_url), handlers) as worker:
        created = data(
            await post_task(
                client, owner, task_type="flaky_type", payload={}, retry_strategy=FAST_RETRY
            )
        )
        doomed = data(await post_task(client, owner, task_type="hopeless_type", payload={}))

        async def finished() -> bool:
            return {await status(db, created["id"]), await status(db, doomed["id"])} == {
                "completed",
                "failed",
            }

        await wait_until(finished)

    history = await attempts_of(client, owner, created["id"])
    assert [(a["attempt"], a["outcome"]) for a in history] == [
        (1, "retrying"),
        (2, "retrying"),
        (3, "completed"),
    ]
    for n, attempt in enumerate(history[:2], start=1):
        assert attempt["error"] == f"Task execution error: disk on fire (attempt {n})"
        trace = attempt["traceback"]
        assert trace.startswith("Traceback (most recent call last):")
        assert "in inspect_the_disk" in trace
        assert trace.rstrip().endswith(f"RuntimeError: disk on fire (attempt {n})")
    assert (history[2]["error"], history[2]["traceback"]) == (None, None)
    for attempt in history:
        assert attempt["worker_id"] == str(worker.id)
        assert attempt["started_at"] <= attempt["finished_at"]
    assert history[0]["finished_at"] <= history[1]["started_at"]

    [lost_cause] = await attempts_of(client, moderator, doomed["id"])
    assert (lost_cause["attempt"], lost_cause["outcome"]) == (1, "failed")
    assert lost_cause["error"] == "x" * 20_000
    assert len(lost_cause["traceback"]) == TRACEBACK_MAX_CHARS
    assert lost_cause["traceback"].startswith("[traceback truncated]\n")
    assert lost_cause["traceback"].endswith("x" * 100 + "\n")

    response = await client.get(f"{API}/tasks/{created['id']}/attempts", headers=stranger.headers)
    assert_error(response, 404, "NOT_FOUND", "Task not found")


async def test_the_run_in_progress_is_last(
    client: httpx.AsyncClient, db: asyncpg.Connection, database_url: str, user: AppUser
) -> None:
    async with running_worker(worker_for(database_url), [spec("slow_type", slow)]) as worker:
        task = data(await post_task(client, user, task_type="slow_type", payload={}))

        async def running() -> bool:
            return await status(db, task["id"]) == "running"

        await wait_until(running)
        [current] = await attempts_of(client, user, task["id"])
        worker.request_stop()
        worker.request_stop()  # do not wait for the handler
    assert current.pop("started_at")
    assert current == {
        "attempt": 1,
        "worker_id": str(worker.id),
        "finished_at": None,
        "outcome": "running",
        "error": None,
        "traceback": None,
    }
    # Shutdown hands the run back uncounted: no attempt is recorded for it.
    assert await attempts_of(client, user, task["id"]) == []


async def test_a_run_the_reaper_takes_back_is_an_attempt(
    client: httpx.AsyncClient, db: asyncpg.Connection, settings: Settings, user: AppUser
) -> None:
    lost_worker = uuid.uuid4()
    task_id = await db.fetchval(
        """INSERT INTO tasks (task_type, status, created_by, current_attempt, max_attempts,
                              started_at, locked_by, locked_until)
           VALUES ('delay_task', 'running', $1, 1, 3, now() - interval '1 minute', $2,
                   now() - interval '1 second')
           RETURNING id""",
        uuid.UUID(user.id),
        lost_worker,
    )
    assert await reap_expired_leases(db, settings) == 1
    [attempt] = await attempts_of(client, user, str(task_id))
    assert attempt["outcome"] == "retrying" and attempt["worker_id"] == str(lost_worker)
    assert attempt["error"] == f"lease expired: worker {lost_worker} stopped heartbeating"
    assert attempt["traceback"] is None


async def test_unknown_task_is_404(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{API}/tasks/{uuid.uuid4()}/attempts", headers=user.headers)
    assert_error(response, 404, "NOT_FOUND", "Task not found")
