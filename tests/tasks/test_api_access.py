"""The authorization matrix of every task endpoint, and IDOR cases (docs/roles.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data, insert_task, post_task

ROLES = ("anonymous", "owner", "other", "moderator", "admin")
# endpoint → (method, path template, state of the owner's task it needs, expected per role)
MATRIX: dict[str, tuple[str, str, str | None, tuple[int, ...]]] = {
    "list_task_types": ("GET", "/tasks/types", None, (200, 200, 200, 200, 200)),
    "register_task_type": ("POST", "/tasks/types", None, (401, 403, 403, 403, 200)),
    "create_task": ("POST", "/tasks", None, (401, 200, 200, 200, 200)),
    "list_tasks": ("GET", "/tasks", None, (401, 200, 200, 200, 200)),
    "get_stats": ("GET", "/tasks/stats", None, (401, 403, 403, 200, 200)),
    "get_dead_letter_queue": ("GET", "/tasks/dead-letter", None, (401, 200, 200, 200, 200)),
    "list_workers": ("GET", "/tasks/workers", None, (401, 403, 403, 200, 200)),
    "get_task": ("GET", "/tasks/{id}", "pending", (401, 200, 404, 200, 200)),
    "cancel_task": ("POST", "/tasks/{id}/cancel", "pending", (401, 200, 404, 200, 200)),
    "retry_task": ("POST", "/tasks/{id}/retry", "failed", (401, 200, 404, 200, 200)),
    "delete_task": ("DELETE", "/tasks/{id}", "completed", (401, 200, 404, 200, 200)),
    "get_task_artifact": ("GET", "/tasks/{id}/artifact", "completed", (401, 200, 404, 200, 200)),
}
BODIES = {
    "register_task_type": {"task_type": "matrix_type", "description": "d"},
    "create_task": {"task_type": "delay_task", "payload": {}},
}


async def add_artifact(db: asyncpg.Connection, task_id: str) -> None:
    await db.execute(
        "INSERT INTO task_artifacts (task_id, name, content_type, content) VALUES ($1, $2, $3, $4)",
        uuid.UUID(task_id),
        "report.csv",
        "text/csv",
        b"a,b\n1,2\n",
    )


async def test_authorization_matrix(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    owner = await make_user("user")
    people: dict[str, AppUser | None] = {
        "anonymous": None,
        "owner": owner,
        "other": await make_user("user"),
        "moderator": await make_user("moderator"),
        "admin": await make_user("admin"),
    }
    mismatches = []
    for name, (method, template, state, expected) in MATRIX.items():
        for role, want in zip(ROLES, expected, strict=True):
            path = template
            if state is not None:
                task_id = await insert_task(db, owner, status=state)
                if name == "get_task_artifact":
                    await add_artifact(db, task_id)
                path = template.format(id=task_id)
            who = people[role]
            response = await client.request(
                method,
                API + path,
                json=BODIES.get(name),
                headers=who.headers if who is not None else {},
            )
            if response.status_code != want:
                mismatches.append((name, role, want, response.status_code, response.text[:120]))
    assert mismatches == []


async def test_system_tasks_are_hidden_from_users(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, moderator: AppUser
) -> None:
    system = await insert_task(db, None, status="failed")
    for method, path in (
        ("GET", f"/tasks/{system}"),
        ("POST", f"/tasks/{system}/cancel"),
        ("POST", f"/tasks/{system}/retry"),
        ("DELETE", f"/tasks/{system}"),
        ("GET", f"/tasks/{system}/artifact"),
    ):
        response = await client.request(method, API + path, headers=user.headers)
        assert_error(response, 404, "NOT_FOUND", "Task not found")
    assert data(await client.get(f"{API}/tasks", headers=user.headers)) == []
    assert data(await client.get(f"{API}/tasks/dead-letter", headers=user.headers)) == []
    listed = data(await client.get(f"{API}/tasks", headers=moderator.headers))
    assert [t["id"] for t in listed] == [system]
    assert (
        data(await client.get(f"{API}/tasks/{system}", headers=moderator.headers))["id"] == system
    )


async def test_idor_other_users_task_is_404_and_untouched(
    client: httpx.AsyncClient, db: asyncpg.Connection, make_user: MakeUser
) -> None:
    alice, mallory = await make_user("user"), await make_user("user")
    pending = await insert_task(db, alice)
    failed = await insert_task(db, alice, status="failed")
    done = await insert_task(db, alice, status="completed")
    attempts: list[tuple[str, str]] = [
        ("GET", f"/tasks/{pending}"),
        ("POST", f"/tasks/{pending}/cancel"),
        ("POST", f"/tasks/{failed}/retry"),
        ("DELETE", f"/tasks/{done}"),
    ]
    for method, path in attempts:
        response = await client.request(method, API + path, headers=mallory.headers)
        assert_error(response, 404, "NOT_FOUND", "Task not found")
    statuses = await db.fetch(
        "SELECT id::text, status FROM tasks WHERE created_by = $1", uuid.UUID(alice.id)
    )
    assert {r["id"]: r["status"] for r in statuses} == {
        pending: "pending",
        failed: "failed",
        done: "completed",
    }


async def test_missing_task_is_404_like_a_foreign_one(
    client: httpx.AsyncClient, user: AppUser, admin: AppUser
) -> None:
    missing = uuid.uuid4()
    for who in (user, admin):
        response = await client.get(f"{API}/tasks/{missing}", headers=who.headers)
        assert_error(response, 404, "NOT_FOUND", "Task not found")
        for method, path in (
            ("POST", f"/tasks/{missing}/cancel"),
            ("POST", f"/tasks/{missing}/retry"),
            ("DELETE", f"/tasks/{missing}"),
        ):
            response = await client.request(method, API + path, headers=who.headers)
            assert_error(response, 404, "NOT_FOUND", "Task not found")


async def test_listings_are_isolated_per_user(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    alice, bob, mod = await make_user("user"), await make_user("user"), await make_user("moderator")
    mine = data(await post_task(client, alice))["id"]
    theirs = data(await post_task(client, bob))["id"]
    assert [t["id"] for t in data(await client.get(f"{API}/tasks", headers=alice.headers))] == [
        mine
    ]
    assert [t["id"] for t in data(await client.get(f"{API}/tasks", headers=bob.headers))] == [
        theirs
    ]
    every = {t["id"] for t in data(await client.get(f"{API}/tasks", headers=mod.headers))}
    assert every == {mine, theirs}


async def test_invalid_task_id_is_400(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{API}/tasks/not-a-uuid", headers=user.headers)
    assert response.status_code == 400, response.text


async def test_static_paths_win_over_task_id(client: httpx.AsyncClient, moderator: AppUser) -> None:
    checks: dict[str, Callable[[object], bool]] = {
        "/tasks/stats": lambda d: isinstance(d, dict) and "total" in d,
        "/tasks/dead-letter": lambda d: d == [],
        "/tasks/workers": lambda d: d == [],
        "/tasks/types": lambda d: isinstance(d, list) and len(d) >= 1,
    }
    for path, check in checks.items():
        body = data(await client.get(API + path, headers=moderator.headers))
        assert check(body), (path, body)


async def test_stats_message_for_users(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.get(f"{API}/tasks/stats", headers=user.headers)
    assert_error(response, 403, "FORBIDDEN", "Moderator access required")
