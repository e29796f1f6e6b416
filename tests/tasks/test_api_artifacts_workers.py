"""GET /tasks/{id}/artifact (download, authorization) and GET /tasks/workers (live only)."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data, insert_task


async def add_artifact(
    db: asyncpg.Connection,
    task_id: str,
    name: str,
    content_type: str,
    content: bytes,
    age_secs: int = 0,
) -> None:
    await db.execute(
        """INSERT INTO task_artifacts (task_id, name, content_type, content, created_at)
           VALUES ($1, $2, $3, $4, NOW() - make_interval(secs => $5))""",
        uuid.UUID(task_id),
        name,
        content_type,
        content,
        age_secs,
    )


async def test_owner_downloads_newest_artifact(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    task_id = await insert_task(db, user, status="completed", task_type="delay_task")
    await add_artifact(db, task_id, "old.json", "application/json", b"{}", age_secs=60)
    await add_artifact(db, task_id, "report.csv", "text/csv", b"id,status\n1,done\n")
    response = await client.get(f"{API}/tasks/{task_id}/artifact", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.content == b"id,status\n1,done\n"
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv"
    )
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_non_ascii_artifact_name_is_encoded(
    client: httpx.AsyncClient, db: asyncpg.Connection, admin: AppUser, user: AppUser
) -> None:
    task_id = await insert_task(db, user, status="completed")
    await add_artifact(db, task_id, 'rapport "été".pdf', "application/pdf", b"%PDF-1.4")
    response = await client.get(f"{API}/tasks/{task_id}/artifact", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'attachment; filename="rapport __t__.pdf"; '
        "filename*=UTF-8''rapport%20%22%C3%A9t%C3%A9%22.pdf"
    )


async def test_task_without_artifact_is_404(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser
) -> None:
    task_id = await insert_task(db, user, status="completed")
    response = await client.get(f"{API}/tasks/{task_id}/artifact", headers=user.headers)
    assert_error(response, 404, "NOT_FOUND", "Artifact not found")


async def test_other_users_artifact_is_404_task_not_found(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    owner, other, mod = (
        await make_user("user"),
        await make_user("user"),
        await make_user("moderator"),
    )
    task_id = await insert_task(db, owner, status="completed")
    await add_artifact(db, task_id, "r.csv", "text/csv", b"x")
    response = await client.get(f"{API}/tasks/{task_id}/artifact", headers=other.headers)
    assert_error(response, 404, "NOT_FOUND", "Task not found")
    assert (
        await client.get(f"{API}/tasks/{task_id}/artifact", headers=mod.headers)
    ).content == b"x"
    missing = await client.get(f"{API}/tasks/{uuid.uuid4()}/artifact", headers=mod.headers)
    assert_error(missing, 404, "NOT_FOUND", "Task not found")


async def test_workers_lists_only_live_workers(
    client: httpx.AsyncClient, db: asyncpg.Connection, moderator: AppUser
) -> None:
    live, stale, stopped = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await db.execute(
        """INSERT INTO workers (id, hostname, pid, concurrency, in_flight, task_types,
                                heartbeat_at, stopped_at)
           VALUES ($1, 'host-a', 101, 8, 3, ARRAY['delay_task', 'email'], NOW(), NULL),
                  ($2, 'host-b', 102, 4, 0, ARRAY['email'], NOW() - interval '10 minutes', NULL),
                  ($3, 'host-c', 103, 4, 0, ARRAY['email'], NOW(), NOW())""",
        live,
        stale,
        stopped,
    )
    workers = data(await client.get(f"{API}/tasks/workers", headers=moderator.headers))
    assert len(workers) == 1
    (worker,) = workers
    assert set(worker) == {
        "id",
        "hostname",
        "pid",
        "concurrency",
        "in_flight",
        "task_types",
        "started_at",
        "heartbeat_at",
    }
    assert worker["id"] == str(live)
    assert (worker["hostname"], worker["pid"], worker["concurrency"], worker["in_flight"]) == (
        "host-a",
        101,
        8,
        3,
    )
    assert worker["task_types"] == ["delay_task", "email"]
    assert worker["heartbeat_at"].endswith("Z")


async def test_workers_is_moderator_only(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{API}/tasks/workers", headers=user.headers)
    assert_error(response, 403, "FORBIDDEN", "Access denied: moderator role or higher required")
