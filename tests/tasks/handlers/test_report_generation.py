from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Any

import asyncpg
import orjson
import pytest

from starter.tasks.errors import PermanentError
from starter.tasks.handlers import report_generation
from tests.tasks.handlers.conftest import MakeContext

RANGE = {"start_date": "2024-03-01", "end_date": "2024-03-31"}


async def add_user(
    db: asyncpg.Connection, role: str, created_at: str, active: bool = True
) -> uuid.UUID:
    name = f"{role}_{uuid.uuid4().hex[:8]}"
    user_id: uuid.UUID = await db.fetchval(
        """INSERT INTO users (username, email, password_hash, role, is_active, created_at)
           VALUES ($1, $2, 'x', $3, $4, $5::text::timestamptz) RETURNING id""",
        name,
        f"{name}@example.com",
        role,
        active,
        created_at,
    )
    return user_id


async def add_task(
    db: asyncpg.Connection,
    created_at: str,
    *,
    task_type: str = "email",
    status: str = "completed",
    owner: uuid.UUID | None = None,
    last_error: str | None = None,
) -> uuid.UUID:
    await db.execute(
        "INSERT INTO task_types (task_type) VALUES ($1) ON CONFLICT DO NOTHING", task_type
    )
    task_id: uuid.UUID = await db.fetchval(
        """INSERT INTO tasks (task_type, status, created_by, created_at, last_error)
           VALUES ($1, $2, $3, $4::text::timestamptz, $5) RETURNING id""",
        task_type,
        status,
        owner,
        created_at,
        last_error,
    )
    return task_id


async def artifacts(db: asyncpg.Connection, task_id: uuid.UUID) -> dict[str, tuple[str, bytes]]:
    rows = await db.fetch(
        "SELECT name, content_type, content FROM task_artifacts WHERE task_id = $1", task_id
    )
    return {row["name"]: (row["content_type"], bytes(row["content"])) for row in rows}


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


async def generate(
    make_ctx: MakeContext, payload: dict[str, Any], created_by: uuid.UUID | None = None
) -> tuple[uuid.UUID, dict[str, Any]]:
    ctx = await make_ctx("report_generation", payload, created_by=created_by)
    return ctx.task_id, await report_generation.handle(ctx)


async def test_tasks_report_csv_and_json(make_ctx: MakeContext, db: asyncpg.Connection) -> None:
    inside = [
        await add_task(db, "2024-03-01T00:00:00Z", status="completed"),
        await add_task(db, "2024-03-15T12:00:00Z", status="failed", last_error="=HYPERLINK(1)"),
        await add_task(db, "2024-03-31T23:59:59Z", task_type="webhook", status="failed"),
    ]
    await add_task(db, "2024-02-29T23:59:59Z")
    await add_task(db, "2024-04-01T00:00:00Z")
    task_id, result = await generate(make_ctx, {"report_type": "tasks", **RANGE, "format": "both"})
    stored = await artifacts(db, task_id)
    assert result == {
        "report_type": "tasks",
        "start_date": "2024-03-01",
        "end_date": "2024-03-31",
        "rows": 3,
        "truncated": False,
        "artifacts": [
            {
                "name": "report.json",
                "content_type": "application/json",
                "bytes": len(stored["report.json"][1]),
            },
            {
                "name": "report.csv",
                "content_type": "text/csv",
                "bytes": len(stored["report.csv"][1]),
            },
        ],
        "download_url": f"/api/v1/tasks/{task_id}/artifact",
    }
    content_type, content = stored["report.csv"]
    assert content_type == "text/csv"
    rows = read_csv(content)
    assert [row["id"] for row in rows] == [str(task) for task in inside]
    assert [row["status"] for row in rows] == ["completed", "failed", "failed"]
    assert rows[1]["last_error"] == "'=HYPERLINK(1)"  # not evaluated by spreadsheets
    assert rows[0]["created_at"] == "2024-03-01T00:00:00+00:00"
    document = orjson.loads(stored["report.json"][1])
    assert document["scope"] == "all"
    assert document["summary"] == [
        {"task_type": "email", "status": "completed", "count": 1},
        {"task_type": "email", "status": "failed", "count": 1},
        {"task_type": "webhook", "status": "failed", "count": 1},
    ]
    assert [row["id"] for row in document["rows"]] == [str(task) for task in inside]
    # The CSV (default format) is the newest artifact, the one the download endpoint serves.
    newest = await db.fetchval(
        "SELECT name FROM task_artifacts WHERE task_id = $1 ORDER BY created_at DESC LIMIT 1",
        task_id,
    )
    assert newest == "report.csv"


async def test_tasks_report_scoped_to_the_creator(
    make_ctx: MakeContext, db: asyncpg.Connection
) -> None:
    alice = await add_user(db, "user", "2024-01-01T00:00:00Z")
    bob = await add_user(db, "user", "2024-01-01T00:00:00Z")
    moderator = await add_user(db, "moderator", "2024-01-01T00:00:00Z")
    own = await add_task(db, "2024-03-02T00:00:00Z", owner=alice)
    await add_task(db, "2024-03-03T00:00:00Z", owner=bob)
    await add_task(db, "2024-03-04T00:00:00Z")
    task_id, result = await generate(
        make_ctx, {"report_type": "tasks", **RANGE, "format": "json"}, alice
    )
    document = orjson.loads((await artifacts(db, task_id))["report.json"][1])
    assert document["scope"] == "own"
    assert [row["id"] for row in document["rows"]] == [str(own)]
    assert result["rows"] == 1
    _, result = await generate(make_ctx, {"report_type": "tasks", **RANGE}, moderator)
    assert result["rows"] == 3


async def test_users_report(make_ctx: MakeContext, db: asyncpg.Connection) -> None:
    admin = await add_user(db, "admin", "2024-01-01T00:00:00Z")
    await add_user(db, "user", "2024-03-05T10:00:00Z")
    await add_user(db, "user", "2024-03-05T23:00:00Z", active=False)
    await add_user(db, "moderator", "2024-03-05T01:00:00Z")
    await add_user(db, "user", "2024-03-20T00:00:00Z")
    await add_user(db, "user", "2024-04-20T00:00:00Z")
    task_id, result = await generate(
        make_ctx, {"report_type": "users", **RANGE, "format": "both"}, admin
    )
    stored = await artifacts(db, task_id)
    assert read_csv(stored["report.csv"][1]) == [
        {"day": "2024-03-05", "role": "moderator", "registrations": "1", "active": "1"},
        {"day": "2024-03-05", "role": "user", "registrations": "2", "active": "1"},
        {"day": "2024-03-20", "role": "user", "registrations": "1", "active": "1"},
    ]
    document = orjson.loads(stored["report.json"][1])
    assert document["summary"] == [
        {"role": "moderator", "registrations": 1},
        {"role": "user", "registrations": 3},
    ]
    assert result["rows"] == 3


async def test_users_report_needs_admin(make_ctx: MakeContext, db: asyncpg.Connection) -> None:
    for role in ("user", "moderator"):
        creator = await add_user(db, role, "2024-01-01T00:00:00Z")
        ctx = await make_ctx(
            "report_generation", {"report_type": "users", **RANGE}, created_by=creator
        )
        with pytest.raises(PermanentError) as caught:
            await report_generation.handle(ctx)
        assert str(caught.value) == "The users report requires the admin role"
        assert await artifacts(db, ctx.task_id) == {}


async def test_events_report(make_ctx: MakeContext, db: asyncpg.Connection) -> None:
    for event_type, level, source, recorded_at in [
        ("log", "error", "api", "2024-03-02T00:00:00Z"),
        ("log", "error", "api", "2024-03-03T00:00:00Z"),
        ("log", None, "worker", "2024-03-03T00:00:00Z"),
        ("alert", "warn", "monitor", "2024-03-10T00:00:00Z"),
        ("log", "error", "api", "2024-05-01T00:00:00Z"),
    ]:
        await db.execute(
            """INSERT INTO events (event_type, level, source, recorded_at)
               VALUES ($1, $2, $3, $4::text::timestamptz)""",
            event_type,
            level,
            source,
            recorded_at,
        )
    task_id, result = await generate(make_ctx, {"report_type": "events", **RANGE, "format": "both"})
    stored = await artifacts(db, task_id)
    assert read_csv(stored["report.csv"][1]) == [
        {"event_type": "alert", "level": "warn", "source": "monitor", "count": "1"},
        {"event_type": "log", "level": "", "source": "worker", "count": "1"},
        {"event_type": "log", "level": "error", "source": "api", "count": "2"},
    ]
    assert orjson.loads(stored["report.json"][1])["summary"] == [
        {"level": None, "count": 1},
        {"level": "error", "count": 2},
        {"level": "warn", "count": 1},
    ]
    assert result["rows"] == 3


async def test_events_report_without_events_table(
    make_ctx: MakeContext, db: asyncpg.Connection
) -> None:
    await db.execute("DROP TABLE events CASCADE")
    ctx = await make_ctx("report_generation", {"report_type": "events", **RANGE})
    with pytest.raises(PermanentError) as caught:
        await report_generation.handle(ctx)
    assert str(caught.value) == "events are not available"


async def test_timestamp_bounds_and_rerun(make_ctx: MakeContext, db: asyncpg.Connection) -> None:
    await add_task(db, "2024-03-01T10:00:00Z")
    await add_task(db, "2024-03-01T12:00:00Z")
    await add_task(db, "2024-03-01T12:00:01Z")
    payload = {
        "report_type": "tasks",
        "start_date": "2024-03-01T11:00:00+01:00",
        "end_date": "2024-03-01T12:00:00Z",
    }
    ctx = await make_ctx("report_generation", payload)
    assert (await report_generation.handle(ctx))["rows"] == 2
    await add_task(db, "2024-03-01T11:30:00Z")
    assert (await report_generation.handle(ctx))["rows"] == 3  # a retry replaces its artifact
    stored = await artifacts(db, ctx.task_id)
    assert list(stored) == ["report.csv"]
    assert len(read_csv(stored["report.csv"][1])) == 3


async def test_empty_report_still_has_a_header(
    make_ctx: MakeContext, db: asyncpg.Connection
) -> None:
    task_id, result = await generate(make_ctx, {"report_type": "tasks", **RANGE})
    assert result["rows"] == 0
    header = (await artifacts(db, task_id))["report.csv"][1].decode().splitlines()
    assert header == [
        "id,task_type,status,priority,current_attempt,max_attempts,created_by,"
        "created_at,started_at,completed_at,last_error"
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({**RANGE}, "Missing 'report_type' field in payload"),
        (
            {"report_type": "sales", **RANGE},
            "Unknown report type: 'sales' (allowed: tasks, users, events)",
        ),
        (
            {"report_type": "tasks", "end_date": "2024-01-01"},
            "Missing 'start_date' field in payload",
        ),
        (
            {"report_type": "tasks", "start_date": "2024-01-01"},
            "Missing 'end_date' field in payload",
        ),
        (
            {"report_type": "tasks", "start_date": "yesterday", "end_date": "2024-01-01"},
            "'start_date' must be an ISO date or RFC 3339 timestamp",
        ),
        (
            {"report_type": "tasks", "start_date": "2024-01-01", "end_date": "2024-02-30"},
            "'end_date' must be an ISO date or RFC 3339 timestamp",
        ),
        (
            {"report_type": "tasks", "start_date": "2024-01-02", "end_date": "2024-01-01"},
            "'start_date' must not be after 'end_date'",
        ),
        (
            {
                "report_type": "tasks",
                "start_date": "2024-01-01T00:00:01Z",
                "end_date": "2024-01-01T00:00:00Z",
            },
            "'start_date' must not be after 'end_date'",
        ),
        (
            {"report_type": "tasks", **RANGE, "format": "pdf"},
            "Unknown format: 'pdf' (allowed: csv, json, both)",
        ),
    ],
)
async def test_payload_errors(make_ctx: MakeContext, payload: dict[str, Any], message: str) -> None:
    ctx = await make_ctx("report_generation", payload)
    with pytest.raises(PermanentError) as caught:
        await report_generation.handle(ctx)
    assert str(caught.value) == message


def test_bounds() -> None:
    parse = report_generation.parse_bound
    assert parse("2024-03-01", "x", end=False) == datetime.fromisoformat(
        "2024-03-01T00:00:00+00:00"
    )
    assert parse("2024-03-01", "x", end=True) == datetime.fromisoformat("2024-03-02T00:00:00+00:00")
    assert parse("2024-03-01T10:00:00", "x", end=False) == datetime.fromisoformat(
        "2024-03-01T10:00:00+00:00"
    )
