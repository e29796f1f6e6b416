"""GET /tasks/metrics: bucket counts, per-type depth, waits, percentiles and failure rates,
computed from task rows arranged with exact timestamps; who sees which tasks and workers."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data


async def arrange(
    db: asyncpg.Connection,
    owner: AppUser | None,
    status: str,
    *,
    task_type: str = "test_type",
    created_ago: float = 600.0,
    scheduled_after: float = 0.0,
    wait: float | None = None,
    run: float | None = None,
) -> datetime:
    """A task created `created_ago` seconds before now, due `scheduled_after` seconds after
    creation, started `wait` seconds after it was due and finished `run` seconds later; returns
    its created_at (or its completed_at when it finished)."""
    row = await db.fetchrow(
        """WITH t AS (SELECT now() - make_interval(secs => $3) AS created)
           INSERT INTO tasks (task_type, status, created_by, created_at, scheduled_at,
                              started_at, completed_at)
           SELECT $1, $2, $4, created, created + make_interval(secs => $5),
                  created + make_interval(secs => $5 + $6),
                  created + make_interval(secs => $5 + $6 + $7)
             FROM t
           RETURNING created_at, completed_at""",
        task_type,
        status,
        created_ago,
        uuid.UUID(owner.id) if owner else None,
        scheduled_after,
        wait,
        run if status in ("completed", "failed", "cancelled") else None,
    )
    assert row is not None
    stamp: datetime = row["completed_at"] or row["created_at"]
    return stamp


def by_start(buckets: list[dict[str, Any]]) -> dict[datetime, dict[str, Any]]:
    return {datetime.fromisoformat(b["start"].replace("Z", "+00:00")): b for b in buckets}


def bucket_for(buckets: list[dict[str, Any]], stamp: datetime, width: int) -> dict[str, Any]:
    start = datetime.fromtimestamp(stamp.timestamp() // width * width, tz=stamp.tzinfo)
    return by_start(buckets)[start]


async def get_metrics(
    client: httpx.AsyncClient, who: AppUser, window: str | None = None
) -> dict[str, Any]:
    params = {"window": window} if window else {}
    body: dict[str, Any] = data(
        await client.get(f"{API}/tasks/metrics", params=params, headers=who.headers)
    )
    return body


async def test_percentiles_depth_and_failure_rate_per_type(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    moderator: AppUser,
    user: AppUser,
    extra_types: tuple[str, ...],
) -> None:
    # Six finished runs: waits 0.1 … 0.6 s, runs 1 … 6 s; the last one failed.
    for n in range(1, 7):
        status = "failed" if n == 6 else "completed"
        await arrange(db, user, status, created_ago=3000 - n, wait=n / 10, run=float(n))
    await arrange(db, user, "pending", created_ago=120)  # due for 120 s
    await arrange(db, user, "pending", created_ago=10, scheduled_after=3600)  # not due yet
    await arrange(db, None, "retrying", created_ago=1000, scheduled_after=970)  # due for 30 s
    await arrange(db, None, "running", created_ago=50, wait=1.0)
    await arrange(db, None, "completed", task_type="system_maintenance", wait=0.0, run=0.25)
    # Finished two days ago: outside the 24 h window.
    await arrange(db, user, "failed", created_ago=2 * 86400, wait=9.0, run=99.0)

    metrics = await get_metrics(client, moderator)
    assert metrics["window"] == "24h" and metrics["bucket_seconds"] == 3600
    types = {t["task_type"]: t for t in metrics["types"]}
    assert list(types) == ["system_maintenance", "test_type"]
    test_type = types["test_type"]
    assert test_type.pop("oldest_pending_age_seconds") == pytest.approx(120, abs=5)
    assert test_type == {
        "task_type": "test_type",
        "pending": 3,
        "running": 1,
        "wait_p50_ms": pytest.approx(350),
        "wait_p95_ms": pytest.approx(575),
        "run_p50_ms": pytest.approx(3500),
        "run_p95_ms": pytest.approx(5750),
        "completed": 5,
        "failed": 1,
        "failure_rate": pytest.approx(1 / 6),
    }
    maintenance = types["system_maintenance"]
    assert maintenance["pending"] == 0 and maintenance["oldest_pending_age_seconds"] is None
    assert maintenance["run_p50_ms"] == pytest.approx(250) and maintenance["failure_rate"] == 0

    week = {t["task_type"]: t for t in (await get_metrics(client, moderator, "7d"))["types"]}
    assert (week["test_type"]["completed"], week["test_type"]["failed"]) == (5, 2)
    # Runs 1 … 6 s and 99 s: p95 sits 0.7 of the way from the sixth to the seventh.
    assert week["test_type"]["run_p95_ms"] == pytest.approx(6000 + 0.7 * (99_000 - 6000))


@pytest.mark.parametrize(("window", "width", "count"), [("1h", 60, 60), ("24h", 3600, 24)])
async def test_buckets_count_created_completed_and_failed(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    moderator: AppUser,
    window: str,
    width: int,
    count: int,
    extra_types: tuple[str, ...],
) -> None:
    ago = width * 5 + width / 2  # in the middle of the sixth bucket from the end
    created = await arrange(db, None, "pending", created_ago=ago)
    await arrange(db, None, "pending", created_ago=ago)
    done = await arrange(db, None, "completed", created_ago=ago, wait=1.0, run=1.0)
    failed = await arrange(db, None, "failed", created_ago=ago, wait=1.0, run=1.0)
    await arrange(db, None, "completed", created_ago=width * (count + 3), wait=0.0, run=1.0)

    metrics = await get_metrics(client, moderator, window)
    buckets = metrics["buckets"]
    assert metrics["bucket_seconds"] == width and len(buckets) == count
    starts = sorted(by_start(buckets))
    assert all(b - a == timedelta(seconds=width) for a, b in itertools.pairwise(starts))
    generated = datetime.fromisoformat(metrics["generated_at"].replace("Z", "+00:00"))
    assert starts[-1] <= generated < starts[-1] + timedelta(seconds=width)
    assert bucket_for(buckets, created, width)["created"] == 4
    assert bucket_for(buckets, done, width)["completed"] == 1
    assert bucket_for(buckets, failed, width)["failed"] == 1
    totals = {key: sum(b[key] for b in buckets) for key in ("created", "completed", "failed")}
    assert totals == {"created": 4, "completed": 1, "failed": 1}


async def test_seven_days_is_hourly(client: httpx.AsyncClient, moderator: AppUser) -> None:
    metrics = await get_metrics(client, moderator, "7d")
    assert metrics["bucket_seconds"] == 3600 and len(metrics["buckets"]) == 168
    assert all(b == {**b, "created": 0, "completed": 0, "failed": 0} for b in metrics["buckets"])
    assert metrics["types"] == []


async def test_a_user_sees_own_tasks_and_no_workers(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    make_user: MakeUser,
    moderator: AppUser,
    extra_types: tuple[str, ...],
) -> None:
    alice, bob = await make_user("user"), await make_user("user")
    await arrange(db, alice, "pending", created_ago=60)
    await arrange(db, alice, "failed", wait=0.5, run=2.0)
    await arrange(db, bob, "pending", created_ago=60)
    await arrange(db, bob, "completed", wait=0.5, run=2.0)
    worker_id = uuid.uuid4()
    await db.execute(
        """INSERT INTO workers (id, hostname, pid, concurrency, in_flight)
           VALUES ($1, 'box-1', 4242, 4, 3)""",
        worker_id,
    )

    mine = await get_metrics(client, alice)
    assert mine["workers"] == []
    assert [(t["pending"], t["completed"], t["failed"]) for t in mine["types"]] == [(1, 0, 1)]
    assert mine["types"][0]["failure_rate"] == 1
    assert sum(b["created"] for b in mine["buckets"]) == 2

    everything = await get_metrics(client, moderator)
    assert [(t["pending"], t["completed"], t["failed"]) for t in everything["types"]] == [(2, 1, 1)]
    assert everything["types"][0]["failure_rate"] == 0.5
    [worker] = everything["workers"]
    assert worker.pop("last_heartbeat_at")
    assert worker == {"id": str(worker_id), "hostname": "box-1", "in_flight": 3}


@pytest.mark.parametrize("window", ["2h", "", "24H", "1d"])
async def test_other_windows_are_400(
    client: httpx.AsyncClient, moderator: AppUser, window: str
) -> None:
    response = await client.get(
        f"{API}/tasks/metrics", params={"window": window}, headers=moderator.headers
    )
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for window")


async def test_anonymous_is_401(client: httpx.AsyncClient) -> None:
    assert_error(await client.get(f"{API}/tasks/metrics"), 401, "UNAUTHORIZED")
