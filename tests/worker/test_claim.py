"""The claim statement: order, type filters, batch size, and its index."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from starter.worker import repository as repo
from tests.worker.conftest import add_task, ensure_types


async def claim(
    conn: asyncpg.Connection, types: list[str], limit: int = 100, excluded: list[str] | None = None
) -> list[asyncpg.Record]:
    return await repo.claim(
        conn,
        uuid.uuid4(),
        lease_secs=30,
        task_types=types,
        excluded_types=excluded or [],
        limit=limit,
    )


async def test_order_is_rank_then_scheduled_at_then_created_at(conn: asyncpg.Connection) -> None:
    await ensure_types(conn, "t")
    base = datetime.now(UTC) - timedelta(minutes=10)
    ids = {}
    # Inserted in an order that differs from the expected claim order.
    ids["low"] = await add_task(conn, "t", priority="low", scheduled_at=base)
    ids["normal_late"] = await add_task(conn, "t", scheduled_at=base + timedelta(seconds=2))
    ids["normal_early_b"] = await add_task(conn, "t", scheduled_at=base + timedelta(seconds=1))
    ids["normal_early_a"] = await add_task(conn, "t", scheduled_at=base + timedelta(seconds=1))
    await conn.execute(
        "UPDATE tasks SET created_at = created_at - interval '1 hour' WHERE id = $1",
        ids["normal_early_a"],
    )
    ids["high"] = await add_task(
        conn, "t", priority="high", scheduled_at=base + timedelta(minutes=5)
    )
    ids["critical"] = await add_task(
        conn, "t", priority="critical", scheduled_at=base + timedelta(minutes=9)
    )
    rows = await claim(conn, ["t"])
    expected = ["critical", "high", "normal_early_a", "normal_early_b", "normal_late", "low"]
    assert [r["id"] for r in rows] == [ids[name] for name in expected]
    state = await conn.fetch(
        "SELECT status, current_attempt, locked_by, locked_until > now() AS leased FROM tasks"
    )
    assert {(r["status"], r["current_attempt"], r["leased"]) for r in state} == {
        ("running", 1, True)
    }


async def test_only_registered_types_and_never_open_circuits(conn: asyncpg.Connection) -> None:
    await ensure_types(conn, "mine", "other", "broken")
    mine = await add_task(conn, "mine")
    other = await add_task(conn, "other")
    broken = await add_task(conn, "broken")
    rows = await claim(conn, ["mine", "broken"], excluded=["broken"])
    assert [r["id"] for r in rows] == [mine]
    assert await conn.fetchval("SELECT status FROM tasks WHERE id = $1", other) == "pending"
    assert await conn.fetchval("SELECT status FROM tasks WHERE id = $1", broken) == "pending"


async def test_future_tasks_and_limit(conn: asyncpg.Connection) -> None:
    await ensure_types(conn, "t")
    await add_task(conn, "t", scheduled_at=datetime.now(UTC) + timedelta(hours=1))
    for _ in range(5):
        await add_task(conn, "t")
    assert len(await claim(conn, ["t"], limit=3)) == 3
    assert len(await claim(conn, ["t"], limit=3)) == 2
    assert await claim(conn, ["t"], limit=3) == []
    due = await repo.next_due_in(conn, ["t"], [])
    assert due is not None and 3590 < due <= 3600


async def test_claim_uses_the_ready_index(conn: asyncpg.Connection) -> None:
    await ensure_types(conn, "t")
    # A backlog: many ready tasks (the case where the claim's cost matters) among finished ones.
    await conn.execute(
        "INSERT INTO tasks (task_type, status) SELECT 't', s FROM generate_series(1, 5000),"
        " unnest(ARRAY['completed', 'pending', 'retrying', 'failed']) AS s"
    )
    await conn.execute("ANALYZE tasks")
    plan = await conn.fetch("EXPLAIN " + repo.CLAIM_SQL, uuid.uuid4(), 30.0, ["t"], [], 32)
    text = "\n".join(r[0] for r in plan)
    print(text)
    assert "idx_tasks_ready" in text, text
    assert "Seq Scan on tasks" not in text, text


# The claim as it was before its pick became a materialized CTE (worker/repository.py).
_CLAIM_WITH_IN_SUBQUERY = """
UPDATE tasks t SET status = 'running', locked_by = $1, current_attempt = t.current_attempt + 1
 WHERE t.id IN (SELECT id FROM tasks
                 WHERE status IN ('pending', 'retrying') AND scheduled_at <= now()
                   AND task_type = ANY($2::text[])
                 ORDER BY priority_rank, scheduled_at, created_at
                 FOR UPDATE SKIP LOCKED
                 LIMIT $3)
RETURNING t.id"""
# A plan the planner may pick on its own once statistics change: the pick as the inner side of
# a nested loop, rescanned for every outer row.
_RESCANNING_PLAN = [
    f"SET LOCAL enable_{name} = off"
    for name in ("hashjoin", "mergejoin", "material", "hashagg", "sort")
]


async def claimed_under_rescanning_plan(
    conn: asyncpg.Connection, claim_once: Callable[[], Awaitable[list[asyncpg.Record]]]
) -> int:
    """How many tasks one claim takes under that plan (rolled back afterwards)."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        for setting in _RESCANNING_PLAN:
            await conn.execute(setting)
        return len(await claim_once())
    finally:
        await transaction.rollback()


async def test_a_claim_takes_at_most_its_free_slots_whatever_the_plan(
    conn: asyncpg.Connection,
) -> None:
    await ensure_types(conn, "t")
    for _ in range(20):
        await add_task(conn, "t")
    old = await claimed_under_rescanning_plan(
        conn, lambda: conn.fetch(_CLAIM_WITH_IN_SUBQUERY, uuid.uuid4(), ["t"], 3)
    )
    new = await claimed_under_rescanning_plan(conn, lambda: claim(conn, ["t"], limit=3))
    # Each rescan of the IN subquery took the next rows past those the previous one updated.
    assert old > 3
    assert new == 3
