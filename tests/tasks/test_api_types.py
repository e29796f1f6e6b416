"""Task types: public listing, registration rules (docs/tasks.md), upsert, start-up
registration of the built-in types."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from starter.core.config import TasksSettings
from starter.tasks.registry import BUILTIN_HANDLERS
from starter.tasks.service import register_builtin_types
from tests.support.errors import assert_error
from tests.support.http import app_client
from tests.support.settings import make_settings
from tests.support.users import AppUser, MakeUser
from tests.tasks.conftest import API, data, post_task

TYPE_FIELDS = {
    "task_type",
    "description",
    "is_active",
    "created_at",
    "updated_at",
    "payload_schema",
}


async def register(
    client: httpx.AsyncClient, headers: dict[str, str], task_type: str, description: str = "d"
) -> httpx.Response:
    return await client.post(
        f"{API}/tasks/types",
        json={"task_type": task_type, "description": description},
        headers=headers,
    )


async def api_key(client: httpx.AsyncClient, owner: AppUser, scopes: list[str]) -> dict[str, str]:
    response = await client.post(
        f"{API}/api-keys", json={"name": "k", "permissions": scopes}, headers=owner.headers
    )
    return {"X-API-Key": data(response)["key"]}


async def test_builtin_types_are_registered_at_start_up(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    listed = data(await client.get(f"{API}/tasks/types"))
    assert all(set(t) == TYPE_FIELDS for t in listed)
    by_type = {t["task_type"]: t for t in listed}
    for spec in BUILTIN_HANDLERS:
        assert by_type[spec.task_type]["description"] == spec.description
        assert by_type[spec.task_type]["is_active"] is True
    assert [t["task_type"] for t in listed] == sorted(by_type)


async def test_start_up_registration_is_idempotent_and_repairs_descriptions(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT updated_at FROM task_types WHERE task_type = 'delay_task'")
    await register_builtin_types(db)
    assert (
        await db.fetchval("SELECT updated_at FROM task_types WHERE task_type = 'delay_task'")
        == before
    )
    await db.execute("UPDATE task_types SET description = 'old' WHERE task_type = 'delay_task'")
    await register_builtin_types(db)
    description = await db.fetchval(
        "SELECT description FROM task_types WHERE task_type = 'delay_task'"
    )
    assert description == {s.task_type: s for s in BUILTIN_HANDLERS}["delay_task"].description


async def test_listing_hides_inactive_types(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    await db.execute("INSERT INTO task_types (task_type, is_active) VALUES ('zz_off', FALSE)")
    listed = [t["task_type"] for t in data(await client.get(f"{API}/tasks/types"))]
    assert "zz_off" not in listed


async def test_anonymous_registration_is_401(client: httpx.AsyncClient) -> None:
    assert_error(await register(client, {}, "anon"), 401, "UNAUTHORIZED", "Unauthorized access")
    bad_token = {"Authorization": "Bearer " + "x" * 64}
    assert_error(await register(client, bad_token, "anon"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("role", ["user", "moderator"])
async def test_non_admin_registration_is_403(
    client: httpx.AsyncClient, make_user: MakeUser, role: str
) -> None:
    who = await make_user(role)
    response = await register(client, who.headers, "mine")
    assert_error(response, 403, "FORBIDDEN", "Admin access required")


async def test_admin_registers_and_upserts(
    client: httpx.AsyncClient, db: asyncpg.Connection, admin: AppUser, user: AppUser
) -> None:
    first = data(await register(client, admin.headers, "custom_job", "first"))
    assert set(first) == TYPE_FIELDS
    assert (first["task_type"], first["description"], first["is_active"]) == (
        "custom_job",
        "first",
        True,
    )
    await db.execute("UPDATE task_types SET is_active = FALSE WHERE task_type = 'custom_job'")
    second = data(await register(client, admin.headers, "custom_job", "second"))
    assert (second["description"], second["is_active"]) == ("second", False)
    assert second["created_at"] == first["created_at"]
    assert second["updated_at"] > first["updated_at"]
    await db.execute("UPDATE task_types SET is_active = TRUE WHERE task_type = 'custom_job'")
    assert data(await post_task(client, user, task_type="custom_job"))["task_type"] == "custom_job"


@pytest.mark.parametrize(
    ("task_type", "detail"),
    [
        ("", "Task type cannot be empty"),
        ("x" * 129, "Task type cannot exceed 128 characters"),
        ("x" * 1_000_000, "Task type cannot exceed 128 characters"),  # was a 500 (index row)
        ("é" * 65, "Task type cannot exceed 128 characters"),
        (
            "with space",
            "Task type can only contain alphanumeric characters, underscores, and hyphens",
        ),
        ("sym!@#", "Task type can only contain alphanumeric characters, underscores, and hyphens"),
        (
            "tab\there",
            "Task type can only contain alphanumeric characters, underscores, and hyphens",
        ),
        (
            "bell\u0007",
            "Task type can only contain alphanumeric characters, underscores, and hyphens",
        ),
    ],
)
async def test_malformed_names_are_refused_like_post_tasks_refuses_them(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection, task_type: str, detail: str
) -> None:
    response = await register(client, admin.headers, task_type)
    assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for task_type: {detail}")
    assert await db.fetchval("SELECT count(*) FROM task_types WHERE task_type = $1", task_type) == 0


@pytest.mark.parametrize("task_type", ["a", "x" * 128, "é" * 64, "tâche_1-b", "A-Z_09"])
async def test_every_registrable_name_can_be_used_for_tasks(
    client: httpx.AsyncClient, admin: AppUser, task_type: str
) -> None:
    assert data(await register(client, admin.headers, task_type))["task_type"] == task_type
    assert data(await post_task(client, admin, task_type=task_type))["task_type"] == task_type


async def test_missing_description_is_422(client: httpx.AsyncClient, admin: AppUser) -> None:
    response = await client.post(
        f"{API}/tasks/types", json={"task_type": "x"}, headers=admin.headers
    )
    assert_error(response, 422, "VALIDATION_FAILED")


async def test_api_key_with_register_scope_only(client: httpx.AsyncClient, admin: AppUser) -> None:
    headers = await api_key(client, admin, ["tasks:register"])
    assert data(await register(client, headers, "from_key"))["task_type"] == "from_key"
    bearer = {"Authorization": f"Bearer {headers['X-API-Key']}"}
    assert data(await register(client, bearer, "from_bearer_key"))["task_type"] == "from_bearer_key"


async def test_api_keys_without_register_scope(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser
) -> None:
    read_only = await api_key(client, admin, ["read"])
    assert_error(
        await register(client, read_only, "nope"),
        403,
        "FORBIDDEN",
        "API key lacks the 'tasks:register' scope",
    )
    user_key = await api_key(client, user, ["read", "write"])
    assert_error(await register(client, user_key, "nope"), 403, "FORBIDDEN")
    admin_writer = await api_key(client, admin, ["read", "write"])
    assert (await register(client, admin_writer, "ok_type")).status_code == 200


@pytest.fixture
async def open_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(database_url, tasks=TasksSettings(open_type_registration=True))
    async with app_client(settings) as http:
        yield http


async def test_open_registration_setting_makes_it_public(
    open_client: httpx.AsyncClient,
) -> None:
    registered = data(await register(open_client, {}, "anyone_type", "by anyone"))
    assert registered["description"] == "by anyone"
    listed = [t["task_type"] for t in data(await open_client.get(f"{API}/tasks/types"))]
    assert "anyone_type" in listed
