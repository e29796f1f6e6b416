"""The per-process cache of registered types behind `enqueue`: a change to a type made anywhere
(another process, plain SQL) is seen by the next enqueue, and this process's own
registrations drop their entry at once."""

from __future__ import annotations

import asyncpg
import pytest

from starter.core import db as dbmod
from starter.core.errors import ValidationFailed
from starter.tasks import type_cache
from starter.tasks.queue import enqueue, enqueue_many
from starter.tasks.types import register_type

NEEDS_N = {"type": "object", "required": ["n"]}
NEEDS_M = {"type": "object", "required": ["m"]}


@pytest.fixture
async def conn(db: asyncpg.Connection) -> asyncpg.Connection:
    type_cache.forget()
    await db.execute(
        "INSERT INTO task_types (task_type, description, payload_schema) VALUES ('orders', '', $1)",
        NEEDS_N,
    )
    return db


async def elsewhere(database_url: str, sql: str, *args: object) -> None:
    """A change made by another process (its own connection, no cache of ours involved)."""
    async with dbmod.connect_once(database_url) as other:
        await other.execute(sql, *args)


async def count(conn: asyncpg.Connection) -> int:
    total: int = await conn.fetchval("SELECT count(*) FROM tasks WHERE task_type = 'orders'")
    return total


async def test_repeated_enqueues_reuse_one_entry(conn: asyncpg.Connection) -> None:
    await enqueue(conn, task_type="orders", payload={"n": 1})
    entry = await type_cache.registered_type(conn, "orders")
    await enqueue(conn, task_type="orders", payload={"n": 2})
    assert await type_cache.registered_type(conn, "orders") is entry
    assert await count(conn) == 2


async def test_a_rule_changed_elsewhere_applies_to_the_next_enqueue(
    conn: asyncpg.Connection, database_url: str
) -> None:
    await enqueue(conn, task_type="orders", payload={"n": 1})  # cached with NEEDS_N
    await elsewhere(database_url, "UPDATE task_types SET payload_schema = $1", NEEDS_M)
    # The cached rule accepts {"n"}; the insert's version guard notices the change.
    with pytest.raises(ValidationFailed, match="'m' is a required property"):
        await enqueue(conn, task_type="orders", payload={"n": 2})
    with pytest.raises(ValidationFailed, match="'m' is a required property"):
        await enqueue_many(conn, task_type="orders", payloads=[{"m": 1}, {"n": 2}])
    assert await count(conn) == 1
    await elsewhere(database_url, "UPDATE task_types SET payload_schema = $1", NEEDS_N)
    # The cached rule (now NEEDS_M) refuses {"n"}; the stored one accepts it.
    await enqueue(conn, task_type="orders", payload={"n": 3})
    assert len(await enqueue_many(conn, task_type="orders", payloads=[{"n": 4}, {"n": 5}])) == 2
    assert await count(conn) == 4


async def test_a_type_deactivated_elsewhere_takes_no_more_tasks(
    conn: asyncpg.Connection, database_url: str
) -> None:
    await enqueue(conn, task_type="orders", payload={"n": 1})
    await elsewhere(database_url, "UPDATE task_types SET is_active = FALSE")
    for attempt in (
        enqueue(conn, task_type="orders", payload={"n": 2}),
        enqueue_many(conn, task_type="orders", payloads=[{"n": 3}]),
    ):
        with pytest.raises(ValidationFailed, match="'orders' is not registered"):
            await attempt
    assert await count(conn) == 1


async def test_a_type_registered_after_a_miss_is_found(
    conn: asyncpg.Connection, database_url: str
) -> None:
    with pytest.raises(ValidationFailed, match="'invoices' is not registered"):
        await enqueue(conn, task_type="invoices", payload={})
    await elsewhere(
        database_url, "INSERT INTO task_types (task_type, description) VALUES ('invoices', '')"
    )
    row = await enqueue(conn, task_type="invoices", payload={})
    assert row["task_type"] == "invoices"


async def test_registering_through_this_process_drops_the_entry(
    conn: asyncpg.Connection,
) -> None:
    await enqueue(conn, task_type="orders", payload={"n": 1})
    await register_type(conn, None, "orders", "new rule", NEEDS_M, open_registration=True)
    entry = type_cache._entries.get("orders")
    assert entry is None
    with pytest.raises(ValidationFailed, match="'m' is a required property"):
        await enqueue(conn, task_type="orders", payload={"n": 2})


async def test_enqueue_many_checks_every_payload_before_inserting_any(
    conn: asyncpg.Connection,
) -> None:
    with pytest.raises(ValidationFailed, match="'n' is a required property"):
        await enqueue_many(conn, task_type="orders", payloads=[{"n": 1}, {}, {"n": 3}])
    assert await count(conn) == 0
    assert await enqueue_many(conn, task_type="orders", payloads=[]) == []
