"""`queue.enqueue` inside the caller's transaction: the task (and its wake-up notification)
exists if and only if the caller commits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from starter.core import db as dbmod
from starter.core.channels import TASK_STATUS, TASKS_READY
from starter.core.errors import ValidationFailed
from starter.tasks.queue import enqueue, enqueue_many
from starter.tasks.retry import DEFAULT_STRATEGY_JSON
from starter.tasks.service import register_builtin_types


class Boom(Exception):
    pass


@pytest.fixture
async def conn(db: asyncpg.Connection) -> asyncpg.Connection:
    await register_builtin_types(db)
    return db


@pytest.fixture
async def heard(database_url: str) -> AsyncIterator[list[tuple[str, str]]]:
    received: list[tuple[str, str]] = []

    def on_notify(_c: object, _pid: int, channel: str, payload: str) -> None:
        received.append((channel, payload))

    async with dbmod.connect_once(database_url) as listener:
        await listener.add_listener(TASKS_READY, on_notify)
        await listener.add_listener(TASK_STATUS, on_notify)
        yield received


async def settle() -> None:
    await asyncio.sleep(0.2)


async def test_rolled_back_enqueue_leaves_no_task_and_no_notification(
    conn: asyncpg.Connection, heard: list[tuple[str, str]]
) -> None:
    with pytest.raises(Boom):
        async with conn.transaction():
            row = await enqueue(conn, task_type="delay_task", payload={"delay_seconds": 0})
            assert await conn.fetchval("SELECT count(*) FROM tasks WHERE id = $1", row["id"]) == 1
            raise Boom
    await settle()
    assert await conn.fetchval("SELECT count(*) FROM tasks") == 0
    assert await conn.fetchval("SELECT count(*) FROM events WHERE source = 'tasks'") == 0
    assert heard == []


async def test_committed_enqueue_notifies_only_on_commit(
    conn: asyncpg.Connection, heard: list[tuple[str, str]]
) -> None:
    async with conn.transaction():
        row = await enqueue(conn, task_type="delay_task", payload={}, priority="high")
        await settle()
        assert heard == []  # nothing is delivered before the commit
    await settle()
    assert (TASKS_READY, "delay_task") in heard
    assert any(channel == TASK_STATUS and str(row["id"]) in payload for channel, payload in heard)
    assert await conn.fetchval("SELECT priority FROM tasks WHERE id = $1", row["id"]) == "high"
    tags = await conn.fetchval("SELECT tags FROM events WHERE source = 'tasks'")
    assert tags == {"task_id": str(row["id"]), "task_type": "delay_task", "status": "pending"}


async def test_enqueue_rolls_back_with_the_business_write(
    conn: asyncpg.Connection, heard: list[tuple[str, str]]
) -> None:
    """A failing business write after the enqueue takes the task with it."""
    with pytest.raises(asyncpg.UniqueViolationError):
        async with conn.transaction():
            await enqueue(conn, task_type="delay_task", payload={})
            for _ in range(2):
                await conn.execute(
                    "INSERT INTO users (id, username, email, password_hash) "
                    "VALUES ('00000000-0000-4000-8000-000000000001', 'u', 'u@x.io', 'h')"
                )
    await settle()
    assert await conn.fetchval("SELECT count(*) FROM tasks") == 0
    assert heard == []


async def test_enqueue_outside_a_transaction_commits_by_itself(
    conn: asyncpg.Connection, heard: list[tuple[str, str]]
) -> None:
    row = await enqueue(conn, task_type="delay_task", payload=None)
    assert not conn.is_in_transaction()
    await settle()
    assert (TASKS_READY, "delay_task") in heard
    stored = await conn.fetchrow("SELECT * FROM tasks WHERE id = $1", row["id"])
    assert stored["payload"] is None
    assert stored["status"] == "pending" and stored["current_attempt"] == 0
    assert stored["max_attempts"] == 5
    assert stored["retry_strategy"] == DEFAULT_STRATEGY_JSON
    assert stored["metadata"] == {} and stored["created_by"] is None
    assert abs(stored["scheduled_at"] - datetime.now(UTC)) < timedelta(seconds=5)


async def test_enqueue_with_schedule_strategy_and_metadata(conn: asyncpg.Connection) -> None:
    when = datetime.now(UTC) + timedelta(minutes=5)
    row = await enqueue(
        conn,
        task_type="delay_task",
        payload={"a": 1},
        scheduled_at=when,
        metadata={"source": "test"},
        retry_strategy={
            "linear": {"base_delay": 1, "increment": 2, "max_delay": 10, "max_attempts": 4}
        },
    )
    stored = await conn.fetchrow("SELECT * FROM tasks WHERE id = $1", row["id"])
    assert stored["scheduled_at"] == when
    assert stored["metadata"] == {"source": "test"}
    assert stored["max_attempts"] == 4
    assert stored["retry_strategy"]["linear"]["increment"] == 2


async def test_enqueue_rejects_bad_input(conn: asyncpg.Connection) -> None:
    with pytest.raises(ValueError, match="unknown priority"):
        await enqueue(conn, task_type="delay_task", payload={}, priority="urgent")
    with pytest.raises(ValueError):
        await enqueue(conn, task_type="delay_task", payload={}, retry_strategy={"bogus": {}})
    with pytest.raises(ValidationFailed, match="'never_registered' is not registered"):
        await enqueue(conn, task_type="never_registered", payload={})
    assert await conn.fetchval("SELECT count(*) FROM tasks") == 0


async def test_enqueue_many_is_one_statement_with_its_events_and_notifications(
    conn: asyncpg.Connection, heard: list[tuple[str, str]]
) -> None:
    with pytest.raises(Boom):
        async with conn.transaction():
            await enqueue_many(conn, task_type="delay_task", payloads=[{"delay_seconds": 0}] * 3)
            raise Boom
    await settle()
    assert heard == [] and await conn.fetchval("SELECT count(*) FROM tasks") == 0
    ids = await enqueue_many(
        conn, task_type="delay_task", payloads=[{"delay_seconds": n} for n in range(3)]
    )
    assert not conn.is_in_transaction()
    await settle()
    assert heard.count((TASKS_READY, "delay_task")) == 1  # one, however many tasks
    statuses = [payload for channel, payload in heard if channel == TASK_STATUS]
    assert sorted(json.loads(p)["id"] for p in statuses) == sorted(str(i) for i in ids)
    rows = await conn.fetch(
        "SELECT id, payload, status FROM tasks ORDER BY payload->>'delay_seconds'"
    )
    assert [(r["id"], r["payload"], r["status"]) for r in rows] == [
        (ids[n], {"delay_seconds": n}, "pending") for n in range(3)
    ]  # the ids in the payloads' order
    tagged = await conn.fetch("SELECT tags->>'task_id' AS id FROM events WHERE source = 'tasks'")
    assert sorted(r["id"] for r in tagged) == sorted(str(i) for i in ids)


async def test_enqueue_checks_the_payload_against_its_types_rule(
    conn: asyncpg.Connection,
) -> None:
    with pytest.raises(ValidationFailed, match=r"payload\.delay_seconds"):
        await enqueue(conn, task_type="delay_task", payload={"delay_seconds": -1})
    with pytest.raises(ValidationFailed, match=r"payload\.delay_seconds"):
        await enqueue_many(
            conn, task_type="delay_task", payloads=[{"delay_seconds": 1}, {"delay_seconds": "x"}]
        )
    assert await conn.fetchval("SELECT count(*) FROM tasks") == 0
