"""POST /tasks/bulk: per-task outcomes under the single actions' rules, ownership, filters,
the 10,000 cap, and the notifications and events the single actions leave."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from structlog.testing import capture_logs

from starter.core import db as dbmod
from starter.core.channels import TASKS_READY
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data, events_for, insert_task, task_row
from tests.tasks.test_api_state import Listener, listener, status_payloads
from tests.worker.conftest import wait_until

__all__ = ["listener"]  # the fixture, shared with test_api_state


async def bulk(client: httpx.AsyncClient, who: AppUser, **body: Any) -> httpx.Response:
    return await client.post(f"{API}/tasks/bulk", json=body, headers=who.headers)


def outcomes(body: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {r["id"]: (r["outcome"], r.get("message")) for r in body["results"]}


async def test_retry_by_ids_reports_each_task(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    make_user: MakeUser,
    listener: Listener,
) -> None:
    alice, bob = await make_user("user"), await make_user("user")
    failed = [await insert_task(db, alice, status="failed", last_error="boom") for _ in range(2)]
    done = await insert_task(db, alice, status="completed")
    bobs = await insert_task(db, bob, status="failed")
    missing = str(uuid.uuid4())

    ids = [*failed, done, bobs, missing, failed[0]]  # a repeated id counts once
    body = data(await bulk(client, alice, action="retry", ids=ids))
    assert (body["action"], body["matched"], body["succeeded"], body["failed"]) == (
        "retry",
        3,
        2,
        3,
    )
    assert body["truncated"] is False
    assert [r["id"] for r in body["results"]] == [*failed, done, bobs, missing]
    assert outcomes(body) == {
        failed[0]: ("ok", None),
        failed[1]: ("ok", None),
        done: ("invalid_state", "Task is completed: only failed tasks can be retried"),
        bobs: ("not_found", "Task not found"),
        missing: ("not_found", "Task not found"),
    }
    for task_id in failed:
        row = await task_row(db, task_id)
        assert row is not None
        assert (row["status"], row["current_attempt"], row["last_error"]) == ("pending", 0, None)
        assert [e["status"] for e in await events_for(db, task_id)] == ["pending"]
    assert (await task_row(db, bobs))["status"] == "failed"  # type: ignore[index]
    payloads = status_payloads(await listener.settle())
    assert sorted(p["id"] for p in payloads) == sorted(failed)  # type: ignore[type-var]
    assert {p["status"] for p in payloads} == {"pending"}
    assert (TASKS_READY, "delay_task") in listener.received  # the workers wake


async def test_retry_all_failed_of_a_type_is_one_call(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    user: AppUser,
    moderator: AppUser,
    extra_types: tuple[str, ...],
) -> None:
    wanted = [await insert_task(db, user, status="failed", task_type="test_type") for _ in range(3)]
    other_type = await insert_task(db, user, status="failed", task_type="delay_task")
    pending = await insert_task(db, None, status="pending", task_type="test_type")

    body = data(
        await bulk(
            client, moderator, action="retry", filter={"status": "failed", "task_type": "test_type"}
        )
    )
    assert (body["matched"], body["succeeded"], body["failed"]) == (3, 3, 0)
    assert sorted(r["id"] for r in body["results"]) == sorted(wanted)
    statuses = {t: (await task_row(db, t))["status"] for t in [*wanted, other_type, pending]}  # type: ignore[index]
    assert statuses == {
        **dict.fromkeys(wanted, "pending"),
        other_type: "failed",
        pending: "pending",
    }


async def test_cancel_waiting_and_running_rejects_finished(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, listener: Listener
) -> None:
    waiting = await insert_task(db, user, status="pending")
    retrying = await insert_task(db, user, status="retrying")
    running = await insert_task(db, user, status="running")
    finished = await insert_task(db, user, status="failed")

    body = data(
        await bulk(client, user, action="cancel", ids=[waiting, retrying, running, finished])
    )
    assert (body["matched"], body["succeeded"], body["failed"]) == (4, 3, 1)
    assert outcomes(body)[finished] == (
        "invalid_state",
        "Task cannot be cancelled: it is already failed",
    )
    rows = {t: await task_row(db, t) for t in (waiting, retrying, running)}
    assert [r["status"] for r in rows.values()] == ["cancelled", "cancelled", "running"]  # type: ignore[index]
    assert rows[running]["cancel_requested"] is True  # type: ignore[index]
    assert [e["status"] for e in await events_for(db, waiting)] == ["cancelled"]
    heard = await listener.settle()
    assert ("starter_task_cancel", running) in heard
    assert sorted(p["id"] for p in status_payloads(heard)) == sorted([waiting, retrying])  # type: ignore[type-var]


async def test_delete_only_finished(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    old = [
        await insert_task(db, user, status=s, created_at_offset_secs=-7200)
        for s in ("completed", "failed", "cancelled", "running")
    ]
    new = await insert_task(db, user, status="completed")
    cutoff = "2999-01-01T00:00:00Z"
    body = data(await bulk(client, user, action="delete", filter={"created_before": cutoff}))
    assert (body["matched"], body["succeeded"], body["failed"]) == (5, 4, 1)
    assert outcomes(body)[old[3]] == (
        "invalid_state",
        "Task is running: only finished tasks can be deleted",
    )
    assert [await task_row(db, t) is None for t in [*old, new]] == [True, True, True, False, True]


async def test_created_before_narrows_the_filter(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    old = await insert_task(db, user, status="failed", created_at_offset_secs=-7200)
    await insert_task(db, user, status="failed")
    cutoff = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    body = data(await bulk(client, user, action="retry", filter={"created_before": cutoff}))
    assert [r["id"] for r in body["results"]] == [old]


async def test_a_filter_beyond_the_cap_is_truncated(
    client: httpx.AsyncClient, db: asyncpg.Connection, moderator: AppUser
) -> None:
    await db.execute(
        """INSERT INTO tasks (task_type, status, created_at, completed_at)
           SELECT 'delay_task', 'failed', now() - make_interval(secs => 20000 - g), now()
             FROM generate_series(1, 10005) g"""
    )
    first = data(await bulk(client, moderator, action="retry", filter={"status": "failed"}))
    assert (first["matched"], first["succeeded"], first["truncated"]) == (10_000, 10_000, True)
    assert len(first["results"]) == 10_000
    second = data(await bulk(client, moderator, action="retry", filter={"status": "failed"}))
    assert (second["matched"], second["succeeded"], second["truncated"]) == (5, 5, False)
    assert await db.fetchval("SELECT count(*) FROM tasks WHERE status = 'failed'") == 0


async def test_more_than_10000_ids_is_400(client: httpx.AsyncClient, user: AppUser) -> None:
    ids = [str(uuid.uuid4()) for _ in range(10_001)]
    response = await bulk(client, user, action="delete", ids=ids)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for ids")


@pytest.mark.parametrize(
    "body",
    [
        {"action": "retry"},
        {"action": "retry", "ids": [], "filter": {}},
        {"action": "retry", "ids": None, "filter": None},
    ],
)
async def test_exactly_one_of_ids_and_filter(
    client: httpx.AsyncClient, user: AppUser, body: dict[str, Any]
) -> None:
    response = await client.post(f"{API}/tasks/bulk", json=body, headers=user.headers)
    assert_error(
        response,
        400,
        "VALIDATION_FAILED",
        "Validation failed for request: give exactly one of `ids` and `filter`",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"action": "purge", "ids": []},
        {"action": "retry", "ids": ["not-a-uuid"]},
        {"action": "retry", "filter": {"status": "dead"}},
        {"action": "retry", "filter": {"created_before": "2024-01-01T00:00:00"}},
    ],
)
async def test_bad_bodies_are_4xx_envelopes(
    client: httpx.AsyncClient, user: AppUser, body: dict[str, Any]
) -> None:
    response = await client.post(f"{API}/tasks/bulk", json=body, headers=user.headers)
    assert response.status_code in (400, 422), response.text
    assert set(response.json()) == {"error"}


async def test_a_lost_deadlock_is_retried(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, database_url: str
) -> None:
    """Another transaction holds the second task and then wants the first, which the bulk
    call already locked: PostgreSQL aborts the bulk call's attempt, which runs again once the
    other transaction is done."""
    first = await insert_task(db, user, status="failed", created_at_offset_secs=-10)
    second = await insert_task(db, user, status="failed")
    async with dbmod.connect_once(database_url) as other:
        tx = other.transaction()
        await tx.start()
        await never_the_deadlock_victim(other)
        await other.execute("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", uuid.UUID(second))
        with capture_logs() as logs:
            call = asyncio.create_task(bulk(client, user, action="retry", ids=[first, second]))
            await wait_until(lambda: lock_waits(db))  # it holds `first`, waits for `second`
            try:
                await other.execute(
                    "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", uuid.UUID(first)
                )
            finally:
                await tx.commit()
            body = data(await call)
    assert (body["succeeded"], body["failed"]) == (2, 0)
    assert [e["action"] for e in logs if e["event"] == "tasks.bulk_deadlock"] == ["retry"]


async def never_the_deadlock_victim(conn: asyncpg.Connection) -> None:
    """PostgreSQL aborts the transaction whose `deadlock_timeout` runs out first: normally the
    bulk call's, which began waiting first, but on a loaded machine the other one's timer can
    fire first. A long timeout for this transaction leaves the check to the bulk call. Setting
    it takes a superuser (the embedded server's); without one the race stays (rarely lost)."""
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        async with conn.transaction():  # a savepoint: a refused SET leaves the outer one usable
            await conn.execute("SET LOCAL deadlock_timeout = '1min'")


async def lock_waits(db: asyncpg.Connection) -> bool:
    waiting: int = await db.fetchval(
        """SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'"""
    )
    return waiting > 0
