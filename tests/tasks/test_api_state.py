"""Cancel, retry and delete (docs/tasks.md, "Changing tasks"): state machine, texts, the
notifications and monitoring events they leave."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from starter.core import db as dbmod
from starter.core.channels import TASK_CANCEL, TASK_STATUS, TASKS_READY
from tests.support.errors import assert_error
from tests.support.users import AppUser
from tests.tasks.conftest import API, events_for, insert_task, task_row


class Listener:
    """A second connection LISTENing on the task channels."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    def __call__(self, _conn: object, _pid: int, channel: str, payload: str) -> None:
        self.received.append((channel, payload))

    async def settle(self) -> list[tuple[str, str]]:
        await asyncio.sleep(0.2)
        return self.received


@pytest.fixture
async def listener(database_url: str) -> AsyncIterator[Listener]:
    heard = Listener()
    async with dbmod.connect_once(database_url) as conn:
        for channel in (TASKS_READY, TASK_STATUS, TASK_CANCEL):
            await conn.add_listener(channel, heard)
        yield heard


def status_payloads(received: list[tuple[str, str]]) -> list[dict[str, object]]:
    return [json.loads(payload) for channel, payload in received if channel == TASK_STATUS]


@pytest.mark.parametrize("state", ["pending", "retrying"])
async def test_cancel_waiting_task(
    client: httpx.AsyncClient,
    db: asyncpg.Connection,
    user: AppUser,
    listener: Listener,
    state: str,
) -> None:
    task_id = await insert_task(db, user, status=state)
    response = await client.post(f"{API}/tasks/{task_id}/cancel", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "success": True,
        "data": "Task cancelled successfully",
        "message": f"Task {task_id} has been cancelled",
    }
    row = await task_row(db, task_id)
    assert row is not None and row["status"] == "cancelled" and row["completed_at"] is not None
    assert status_payloads(await listener.settle()) == [
        {"id": task_id, "task_type": "delay_task", "status": "cancelled", "created_by": user.id}
    ]
    assert [e["status"] for e in await events_for(db, task_id)] == ["cancelled"]


async def test_cancel_running_task_requests_cooperative_cancel(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, listener: Listener
) -> None:
    task_id = await insert_task(db, user, status="running")
    response = await client.post(f"{API}/tasks/{task_id}/cancel", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == "Task cancelled successfully"
    row = await task_row(db, task_id)
    assert row is not None and row["status"] == "running" and row["cancel_requested"] is True
    assert (TASK_CANCEL, task_id) in await listener.settle()


@pytest.mark.parametrize("state", ["completed", "failed", "cancelled"])
async def test_cancel_finished_task_is_400(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, state: str
) -> None:
    task_id = await insert_task(db, user, status=state)
    response = await client.post(f"{API}/tasks/{task_id}/cancel", headers=user.headers)
    assert_error(response, 400, "INVALID_INPUT", f"Task cannot be cancelled: it is already {state}")
    row = await task_row(db, task_id)
    assert row is not None and row["status"] == state


async def test_concurrent_cancels_one_wins(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    task_id = await insert_task(db, user)
    responses = await asyncio.gather(
        *(client.post(f"{API}/tasks/{task_id}/cancel", headers=user.headers) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [200, 400, 400, 400]


async def test_retry_failed_task_resets_it(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, listener: Listener
) -> None:
    task_id = await insert_task(db, user, status="failed", last_error="boom")
    await db.execute(
        "UPDATE tasks SET current_attempt = 5, result = '{\"x\":1}', started_at = NOW() "
        "WHERE id = $1",
        uuid.UUID(task_id),
    )
    response = await client.post(f"{API}/tasks/{task_id}/retry", headers=user.headers)
    assert response.json() == {
        "success": True,
        "data": "Task retried successfully",
        "message": f"Task {task_id} has been reset to pending status",
    }
    row = await task_row(db, task_id)
    assert row is not None
    assert (row["status"], row["current_attempt"], row["last_error"]) == ("pending", 0, None)
    assert row["started_at"] is None and row["completed_at"] is None and row["result"] is None
    assert row["scheduled_at"] is not None
    received = await listener.settle()
    assert (TASKS_READY, "delay_task") in received
    assert [p["status"] for p in status_payloads(received)] == ["pending"]
    assert [e["status"] for e in await events_for(db, task_id)] == ["pending"]
    got = (await client.get(f"{API}/tasks/{task_id}", headers=user.headers)).json()["data"]
    assert (got["status"], got["current_attempt"], got["last_error"]) == ("pending", 0, None)


@pytest.mark.parametrize("state", ["pending", "running", "completed", "cancelled", "retrying"])
async def test_retry_only_failed_tasks(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, state: str
) -> None:
    task_id = await insert_task(db, user, status=state)
    response = await client.post(f"{API}/tasks/{task_id}/retry", headers=user.headers)
    assert_error(response, 404, "NOT_FOUND", "Task not found or not in failed status")


@pytest.mark.parametrize("state", ["completed", "failed", "cancelled"])
async def test_delete_finished_task(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, state: str
) -> None:
    task_id = await insert_task(db, user, status=state)
    response = await client.delete(f"{API}/tasks/{task_id}", headers=user.headers)
    assert response.json() == {
        "success": True,
        "data": "Task deleted successfully",
        "message": f"Task {task_id} has been permanently deleted",
    }
    assert await task_row(db, task_id) is None
    response = await client.get(f"{API}/tasks/{task_id}", headers=user.headers)
    assert_error(response, 404, "NOT_FOUND", "Task not found")


@pytest.mark.parametrize("state", ["pending", "running", "retrying"])
async def test_delete_unfinished_task_is_404(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, state: str
) -> None:
    task_id = await insert_task(db, user, status=state)
    response = await client.delete(f"{API}/tasks/{task_id}", headers=user.headers)
    assert_error(response, 404, "NOT_FOUND", "Task not found or not in deletable status")
    assert await task_row(db, task_id) is not None


async def test_create_notifies_workers_on_commit(
    client: httpx.AsyncClient, user: AppUser, listener: Listener
) -> None:
    response = await client.post(
        f"{API}/tasks", json={"task_type": "delay_task", "payload": {}}, headers=user.headers
    )
    task_id = response.json()["data"]["id"]
    received = await listener.settle()
    assert (TASKS_READY, "delay_task") in received
    assert status_payloads(received) == [
        {"id": task_id, "task_type": "delay_task", "status": "pending", "created_by": user.id}
    ]


async def test_rejected_create_leaves_nothing(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, listener: Listener
) -> None:
    response = await client.post(
        f"{API}/tasks",
        json={"task_type": "delay_task", "payload": {}, "metadata": {"bad key": 1}},
        headers=user.headers,
    )
    assert response.status_code == 400
    assert await db.fetchval("SELECT count(*) FROM tasks") == 0
    assert await listener.settle() == []
