"""GET /tasks and /tasks/dead-letter: order by rank, filters, paging, per-user SQL filtering;
GET /tasks/stats counts."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data, insert_task


async def ids(
    client: httpx.AsyncClient, who: AppUser, path: str = "/tasks", **params: object
) -> list[str]:
    response = await client.get(API + path, params=params, headers=who.headers)
    return [task["id"] for task in data(response)]


async def test_listing_orders_by_rank_then_age(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    rows = [
        ("normal", -50),
        ("low", -40),
        ("high", -30),
        ("critical", -20),
        ("normal", -60),
        ("critical", -10),
        ("low", -70),
    ]
    made = {}
    for priority, offset in rows:
        made[(priority, offset)] = await insert_task(
            db, user, priority=priority, created_at_offset_secs=offset
        )
    expected = [
        made[("critical", -20)],
        made[("critical", -10)],
        made[("high", -30)],
        made[("normal", -60)],
        made[("normal", -50)],
        made[("low", -70)],
        made[("low", -40)],
    ]
    assert await ids(client, user) == expected
    assert await ids(client, user, limit=3, offset=2) == expected[2:5]


async def test_filters(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, extra_types: tuple[str, ...]
) -> None:
    a = await insert_task(db, user, status="pending", priority="high")
    b = await insert_task(db, user, status="failed", priority="low", created_at_offset_secs=1)
    c = await insert_task(
        db, user, status="failed", task_type="test_type", created_at_offset_secs=2
    )
    assert await ids(client, user, status="failed") == [c, b]
    assert await ids(client, user, priority="high") == [a]
    assert await ids(client, user, task_type="test_type") == [c]
    assert await ids(client, user, task_type="test_type", status="pending") == []
    assert await ids(client, user, status="failed", priority="low") == [b]
    # Unknown status/priority values are ignored, not errors (docs/tasks.md).
    assert set(await ids(client, user, status="bogus")) == {a, b, c}
    assert set(await ids(client, user, priority="'; DROP TABLE tasks;--")) == {a, b, c}


async def test_default_limit_is_100_and_cap_clamps_to_1000(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    await db.execute(
        """INSERT INTO tasks (task_type, created_by)
           SELECT 'delay_task', $1::uuid FROM generate_series(1, 1005)""",
        user.id,
    )
    assert len(await ids(client, user)) == 100
    assert len(await ids(client, user, limit=5000)) == 1000
    assert len(await ids(client, user, limit=10, offset=1000)) == 5
    assert await ids(client, user, limit=0) == []


@pytest.mark.parametrize("path", ["/tasks", "/tasks/dead-letter"])
@pytest.mark.parametrize(
    ("params", "field"), [({"limit": -1}, "limit"), ({"offset": -5}, "offset")]
)
async def test_negative_paging_is_400(
    client: httpx.AsyncClient, user: AppUser, path: str, params: dict[str, int], field: str
) -> None:
    response = await client.get(API + path, params=params, headers=user.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith(f"Validation failed for {field}")


async def test_non_integer_limit_is_400(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{API}/tasks", params={"limit": "abc"}, headers=user.headers)
    assert response.status_code == 400, response.text


async def test_dead_letter_lists_failed_tasks_in_rank_order(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    low = await insert_task(db, user, status="failed", priority="low", last_error="boom")
    crit = await insert_task(db, user, status="failed", priority="critical")
    await insert_task(db, user, status="completed")
    await insert_task(db, user, status="pending")
    tasks = data(await client.get(f"{API}/tasks/dead-letter", headers=user.headers))
    assert [t["id"] for t in tasks] == [crit, low]
    assert all(t["status"] == "failed" for t in tasks)
    assert tasks[1]["last_error"] == "boom"
    # task_type/status/priority are accepted and ignored here.
    assert await ids(client, user, "/tasks/dead-letter", status="pending") == [crit, low]


async def test_dead_letter_filters_per_user_in_sql(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    """More failed tasks of others than the page size, created first: the user still gets a
    full page of their own (filtering after paging would return nothing)."""
    alice, bob = await make_user("user"), await make_user("user")
    await db.execute(
        """INSERT INTO tasks (task_type, status, created_by, created_at)
           SELECT 'delay_task', 'failed', $1::uuid, NOW() - interval '1 hour'
           FROM generate_series(1, 30)""",
        bob.id,
    )
    mine = [
        await insert_task(db, alice, status="failed", created_at_offset_secs=i) for i in range(12)
    ]
    assert await ids(client, alice, "/tasks/dead-letter", limit=10) == mine[:10]
    assert await ids(client, alice, "/tasks/dead-letter", limit=10, offset=10) == mine[10:]
    assert len(await ids(client, bob, "/tasks/dead-letter", limit=100)) == 30


async def test_stats_counts_every_status(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, moderator: AppUser
) -> None:
    for status, n in (("pending", 3), ("running", 1), ("failed", 2), ("retrying", 1)):
        for _ in range(n):
            await insert_task(db, user, status=status)
    await insert_task(db, None, status="completed")
    stats = data(await client.get(f"{API}/tasks/stats", headers=moderator.headers))
    assert stats == {
        "total": 8,
        "pending": 3,
        "running": 1,
        "completed": 1,
        "failed": 2,
        "cancelled": 0,
        "retrying": 1,
    }


async def test_non_object_metadata_is_returned_as_empty_object(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    task_id = await insert_task(db, user)
    await db.execute("UPDATE tasks SET metadata = '[1, 2]' WHERE id = $1::uuid", task_id)
    task = data(await client.get(f"{API}/tasks/{task_id}", headers=user.headers))
    assert task["metadata"] == {}
