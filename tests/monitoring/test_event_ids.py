"""Event ids are time-ordered UUIDs (version 7 layout) made by the database for every writer:
the single and batch endpoints, `record_event`, and the task statements' events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from starter.monitoring.events.service import record_event
from tests.support.users import AppUser


def millis(event_id: uuid.UUID) -> datetime:
    return datetime.fromtimestamp((event_id.int >> 80) / 1000, UTC)


async def test_ids_are_version_7_and_carry_the_insert_time(db: asyncpg.Connection) -> None:
    before = datetime.now(UTC)
    row = await record_event(db, event_type="log", source="tasks", message="one")
    event_id = row["id"]
    assert event_id.version == 7 and event_id.variant == uuid.RFC_4122
    assert before - timedelta(seconds=1) <= millis(event_id) <= datetime.now(UTC)


async def test_a_batch_gets_distinct_ids_in_submitted_order(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    events = [{"event_type": "log", "source": "app-ids", "message": f"e{n}"} for n in range(500)]
    response = await client.post(
        "/api/v1/monitoring/events/batch", json={"events": events}, headers=user.headers
    )
    ids = [uuid.UUID(value) for value in response.json()["data"]["ids"]]
    assert len(set(ids)) == 500 and all(value.version == 7 for value in ids)
    # One statement's rows share its milliseconds or follow them; the sequence part keeps
    # them apart and in order.
    assert ids == sorted(ids, key=lambda value: (millis(value), value.int & ((1 << 62) - 1)))
    stored = await db.fetch("SELECT id, message FROM events ORDER BY id")
    assert [row["message"] for row in stored] == [f"e{n}" for n in range(500)]


async def test_task_events_get_time_ordered_ids(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute(
        "INSERT INTO task_types (task_type, description) VALUES ('ids_demo', 'demo')"
        " ON CONFLICT DO NOTHING"
    )
    response = await client.post(
        "/api/v1/tasks", json={"task_type": "ids_demo", "payload": {}}, headers=admin.headers
    )
    assert response.status_code in (200, 201), response.text
    event_id = await db.fetchval("SELECT id FROM events WHERE source = 'tasks'")
    assert isinstance(event_id, uuid.UUID) and event_id.version == 7
