"""Task test helpers: create tasks over HTTP, arrange task rows in any state by SQL, and the
extra task types the tests register (the built-in ones come from app start-up)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.users import AppUser

API = "/api/v1"
EXTRA_TYPES = ("system_maintenance", "test_type")
TASK_FIELDS = {
    "id",
    "task_type",
    "status",
    "priority",
    "max_attempts",
    "current_attempt",
    "last_error",
    "created_at",
    "updated_at",
    "scheduled_at",
    "started_at",
    "completed_at",
    "created_by",
    "metadata",
    "payload",
    "result",
    "retry_strategy",
}


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["success", "data", "message"], body
    assert body["success"] is True
    return body["data"]


async def post_task(client: httpx.AsyncClient, who: AppUser | None, **body: Any) -> httpx.Response:
    body.setdefault("task_type", "delay_task")
    body.setdefault("payload", {"delay_seconds": 0})
    headers = who.headers if who is not None else {}
    return await client.post(f"{API}/tasks", json=body, headers=headers)


async def insert_task(
    db: asyncpg.Connection,
    owner: AppUser | str | None,
    *,
    status: str = "pending",
    task_type: str = "delay_task",
    priority: str = "normal",
    created_at_offset_secs: float = 0.0,
    metadata: dict[str, Any] | None = None,
    last_error: str | None = None,
) -> str:
    """A task row in any state, straight in the database."""
    owner_id = owner.id if isinstance(owner, AppUser) else owner
    task_id: uuid.UUID = await db.fetchval(
        """INSERT INTO tasks (task_type, payload, status, priority, created_by, metadata,
                              last_error, created_at, max_attempts,
                              completed_at)
           VALUES ($1, '{}', $2, $3, $4, $5::jsonb, $6,
                   NOW() + make_interval(secs => $7), 5,
                   CASE WHEN $2 IN ('completed', 'failed', 'cancelled') THEN NOW() END)
           RETURNING id""",
        task_type,
        status,
        priority,
        uuid.UUID(owner_id) if owner_id else None,
        metadata or {},
        last_error,
        created_at_offset_secs,
    )
    return str(task_id)


async def task_row(db: asyncpg.Connection, task_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM tasks WHERE id = $1", uuid.UUID(task_id))


async def events_for(db: asyncpg.Connection, task_id: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT tags, source FROM events WHERE tags->>'task_id' = $1 ORDER BY recorded_at",
        task_id,
    )
    return [
        {
            "source": r["source"],
            **(r["tags"] if isinstance(r["tags"], dict) else json.loads(r["tags"])),
        }
        for r in rows
    ]


@pytest.fixture
async def extra_types(db: asyncpg.Connection) -> tuple[str, ...]:
    """Extra task types without handlers, registered directly in the database."""
    for task_type in EXTRA_TYPES:
        await db.execute(
            "INSERT INTO task_types (task_type, description) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING",
            task_type,
            f"{task_type} tasks",
        )
    return EXTRA_TYPES
