"""API keys: create (secret once), list, revoke; authentication by key, scopes, usage."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from starter import app as app_module
from starter.core.config import Settings
from tests.support.errors import assert_error
from tests.support.http import asgi_client, started_app
from tests.support.users import PASSWORD, AppUser, MakeUser

URL = "/api/v1/api-keys"
ME = "/api/v1/auth/me"
KEY_RE = re.compile(r"^sk_[a-z0-9]{8}_[A-Za-z0-9_-]{40}$")
RECORD_FIELDS = {
    "id",
    "name",
    "description",
    "key_prefix",
    "permissions",
    "expires_at",
    "is_active",
    "created_at",
    "last_used_at",
    "usage_count",
}


async def create(client: httpx.AsyncClient, owner: AppUser, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "ci")
    response = await client.post(URL, json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def as_bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_create_returns_the_secret_once(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    response = await client.post(
        URL, json={"name": "deploy", "description": "CI deploys"}, headers=user.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Store this key now; it will not be shown again."
    data = body["data"]
    assert set(data) == RECORD_FIELDS | {"key"}
    key = data["key"]
    assert KEY_RE.match(key)
    assert len(key) != 64
    assert data["key_prefix"] == key[:11]
    assert data["name"] == "deploy"
    assert data["description"] == "CI deploys"
    assert data["permissions"] == ["read", "write"]
    assert data["expires_at"] is None
    assert data["is_active"] is True
    assert data["last_used_at"] is None
    assert data["usage_count"] == 0
    row = dict(await db.fetchrow("SELECT * FROM api_keys WHERE id = $1", UUID(data["id"])))
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["created_by"] == UUID(user.id)
    assert all(key not in str(value) for value in row.values())


async def test_each_key_is_unique(client: httpx.AsyncClient, user: AppUser) -> None:
    keys = {(await create(client, user))["key"] for _ in range(5)}
    assert len(keys) == 5


async def test_list_shows_own_keys_without_secrets(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    alice = await make_user()
    bob = await make_user()
    first = await create(client, alice, name="first")
    second = await create(client, alice, name="second")
    await create(client, bob, name="bobs")
    response = await client.get(URL, headers=alice.headers)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [item["id"] for item in data] == [second["id"], first["id"]]
    for item in data:
        assert set(item) == RECORD_FIELDS
    assert "key_hash" not in response.text
    assert first["key"] not in response.text
    assert [
        item["name"] for item in (await client.get(URL, headers=bob.headers)).json()["data"]
    ] == ["bobs"]


CREATE_VALIDATION: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "Validation failed for name: Name cannot be empty"),
    ({"name": "   "}, "Validation failed for name: Name cannot be empty"),
    ({"name": "x" * 101}, "Validation failed for name: Name must be at most 100 characters"),
    (
        {"name": "k", "description": "d" * 1001},
        "Validation failed for description: Description must be at most 1000 characters",
    ),
    (
        {"name": "k", "permissions": ["read", "admin"]},
        "Validation failed for permissions: Unknown scope 'admin'; "
        "allowed: read, write, tasks:register",
    ),
    (
        {"name": "k", "permissions": []},
        "Validation failed for permissions: At least one scope is required",
    ),
    (
        {"name": "k", "expires_at": "2000-01-01T00:00:00Z"},
        "Validation failed for expires_at: Must be in the future",
    ),
    (
        {"name": "k", "expires_at": "2999-01-01T00:00:00"},
        "Validation failed for expires_at: Must include a timezone offset",
    ),
]
CREATE_SHAPE_ERRORS: list[dict[str, Any]] = [
    {},
    {"name": 5},
    {"name": "k", "permissions": "read"},
    {"name": "k", "permissions": [1]},
    {"name": "k", "expires_at": "tomorrow"},
]


async def test_create_validation(client: httpx.AsyncClient, user: AppUser) -> None:
    wrong = []
    for body, message in CREATE_VALIDATION:
        response = await client.post(URL, json=body, headers=user.headers)
        error = response.json().get("error", {})
        got = (response.status_code, error.get("code"), error.get("message"))
        if got != (400, "VALIDATION_FAILED", message):
            wrong.append((body, got))
    assert not wrong, wrong
    assert (await client.get(URL, headers=user.headers)).json()["data"] == []


async def test_create_shape_errors_are_422(client: httpx.AsyncClient, user: AppUser) -> None:
    for body in CREATE_SHAPE_ERRORS:
        response = await client.post(URL, json=body, headers=user.headers)
        assert response.status_code == 422, (body, response.text)
        assert_error(response, 422, "VALIDATION_FAILED")


async def test_create_accepts_limits_and_dedupes_scopes(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    expires = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    data = await create(
        client,
        user,
        name="n" * 100,
        permissions=["read", "read"],
        expires_at=expires.isoformat().replace("+00:00", "+02:00"),
    )
    assert data["name"] == "n" * 100
    assert data["permissions"] == ["read"]
    stored = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
    assert stored == expires - timedelta(hours=2)


async def test_tasks_register_scope_is_for_admins_only(
    client: httpx.AsyncClient, user: AppUser, moderator: AppUser, admin: AppUser
) -> None:
    body = {"name": "registrar", "permissions": ["read", "write", "tasks:register"]}
    for caller in (user, moderator):
        response = await client.post(URL, json=body, headers=caller.headers)
        assert_error(response, 403, "FORBIDDEN", "Only admins can grant the 'tasks:register' scope")
    data = await create(client, admin, **body)
    assert data["permissions"] == ["read", "write", "tasks:register"]


@pytest.mark.parametrize("how", ["bearer", "x-api-key"])
async def test_key_authenticates_as_its_owner(
    client: httpx.AsyncClient, user: AppUser, how: str
) -> None:
    key = (await create(client, user))["key"]
    headers = as_bearer(key) if how == "bearer" else {"X-API-Key": key}
    response = await client.get(ME, headers=headers)
    assert response.status_code == 200
    assert response.json()["data"] == {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "role": "user",
    }


async def test_key_has_its_owners_role_gates(
    client: httpx.AsyncClient, user: AppUser, admin: AppUser
) -> None:
    user_key = (await create(client, user))["key"]
    admin_key = (await create(client, admin))["key"]
    response = await client.get("/api/v1/admin/health", headers=as_bearer(user_key))
    assert_error(response, 403, "FORBIDDEN", "Admin access required")
    response = await client.get("/api/v1/admin/health", headers=as_bearer(admin_key))
    assert response.status_code in {200, 503}
    body = {"name": "via-key", "permissions": ["tasks:register"]}
    assert_error(await client.post(URL, json=body, headers=as_bearer(user_key)), 403, "FORBIDDEN")
    assert (await client.post(URL, json=body, headers=as_bearer(admin_key))).status_code == 200


async def test_key_management_through_a_key_is_scoped_to_the_owner(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    key = await create(client, user)
    listed = await client.get(URL, headers={"X-API-Key": key["key"]})
    assert [item["id"] for item in listed.json()["data"]] == [key["id"]]


async def test_read_only_key_cannot_write(client: httpx.AsyncClient, user: AppUser) -> None:
    key = (await create(client, user, permissions=["read"]))["key"]
    assert (await client.get(URL, headers=as_bearer(key))).status_code == 200
    response = await client.post(URL, json={"name": "x"}, headers=as_bearer(key))
    assert_error(response, 403, "FORBIDDEN", "API key lacks the 'write' scope")
    response = await client.delete(f"{URL}/{uuid4()}", headers={"X-API-Key": key})
    assert_error(response, 403, "FORBIDDEN", "API key lacks the 'write' scope")


async def test_write_only_key_cannot_read(client: httpx.AsyncClient, user: AppUser) -> None:
    key = (await create(client, user, permissions=["write"]))["key"]
    assert_error(
        await client.get(ME, headers=as_bearer(key)),
        403,
        "FORBIDDEN",
        "API key lacks the 'read' scope",
    )
    assert (await client.post(URL, json={"name": "x"}, headers=as_bearer(key))).status_code == 200


async def test_revoke_own_key(client: httpx.AsyncClient, user: AppUser) -> None:
    key = await create(client, user)
    response = await client.delete(f"{URL}/{key['id']}", headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "API key revoked"
    assert body["data"]["id"] == key["id"]
    assert body["data"]["is_active"] is False
    assert_error(await client.get(ME, headers=as_bearer(key["key"])), 401, "UNAUTHORIZED")
    assert_error(await client.get(ME, headers={"X-API-Key": key["key"]}), 401, "UNAUTHORIZED")
    listed = (await client.get(URL, headers=user.headers)).json()["data"]
    assert listed[0]["is_active"] is False
    again = await client.delete(f"{URL}/{key['id']}", headers=user.headers)
    assert again.status_code == 200


async def test_revoking_someone_elses_or_missing_key_is_404(
    client: httpx.AsyncClient, make_user: MakeUser, admin: AppUser
) -> None:
    alice = await make_user()
    bob = await make_user()
    key = await create(client, alice)
    for caller, key_id in ((bob, key["id"]), (admin, key["id"]), (alice, str(uuid4()))):
        response = await client.delete(f"{URL}/{key_id}", headers=caller.headers)
        assert_error(response, 404, "NOT_FOUND", "API key not found")
    assert (await client.get(ME, headers=as_bearer(key["key"]))).status_code == 200


async def test_revoke_with_a_malformed_id_is_400(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(
        await client.delete(f"{URL}/not-a-uuid", headers=user.headers), 400, "VALIDATION_FAILED"
    )


async def test_expired_key_is_401(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    key = await create(client, user)
    await db.execute(
        "UPDATE api_keys SET expires_at = NOW() - interval '1 second' WHERE id = $1",
        UUID(key["id"]),
    )
    assert_error(await client.get(ME, headers=as_bearer(key["key"])), 401, "UNAUTHORIZED")


async def test_key_of_a_deactivated_user_is_401(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    key = (await create(client, user))["key"]
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", UUID(user.id))
    assert_error(await client.get(ME, headers=as_bearer(key)), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-API-Key": "sk_unknown_key"},
        {"Authorization": "Bearer sk_aaaaaaaa_" + "b" * 40},
        {"X-API-Key": ""},
    ],
)
async def test_unknown_keys_are_401(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    assert_error(await client.get(ME, headers=headers), 401, "UNAUTHORIZED", "Unauthorized access")


async def test_anonymous_calls_are_401(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get(URL),
        await client.post(URL, json={"name": "x"}),
        await client.delete(f"{URL}/{uuid4()}"),
    ):
        assert_error(response, 401, "UNAUTHORIZED")


@pytest.fixture
async def quiet_app(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its periodic usage flush pushed out of the test's way."""
    monkeypatch.setattr(app_module, "API_KEY_USAGE_FLUSH_SECS", 3600.0)
    async with started_app(settings) as application, asgi_client(application) as http:
        yield application, http


async def _key_owner(http: httpx.AsyncClient) -> tuple[AppUser, dict[str, Any]]:
    body = {"username": "keyowner", "email": "keyowner@example.com", "password": PASSWORD}
    user_id = (await http.post("/api/v1/auth/register", json=body)).json()["data"]["id"]
    login = await http.post(
        "/api/v1/auth/login", json={"username": "keyowner", "password": PASSWORD}
    )
    http.cookies.clear()
    owner = AppUser(
        user_id, "keyowner", body["email"], "user", login.json()["data"]["session_token"]
    )
    return owner, await create(http, owner)


USAGE = "SELECT usage_count, last_used_at FROM api_keys WHERE id = $1"


async def test_usage_is_buffered_then_flushed(
    quiet_app: tuple[FastAPI, httpx.AsyncClient], db: asyncpg.Connection
) -> None:
    app, client = quiet_app
    user, key = await _key_owner(client)
    key_id = UUID(key["id"])
    for headers in (as_bearer(key["key"]), {"X-API-Key": key["key"]}, as_bearer(key["key"])):
        assert (await client.get(ME, headers=headers)).status_code == 200
    row = await db.fetchrow(USAGE, key_id)
    assert (row["usage_count"], row["last_used_at"]) == (0, None)  # no synchronous write
    assert await app.state.api_key_usage.flush(app.state.pool) == 1
    row = await db.fetchrow(USAGE, key_id)
    assert row["usage_count"] == 3
    assert abs(datetime.now(UTC) - row["last_used_at"]) < timedelta(seconds=30)
    listed = (await client.get(URL, headers=user.headers)).json()["data"][0]
    assert listed["usage_count"] == 3
    assert listed["last_used_at"] is not None
    assert await app.state.api_key_usage.flush(app.state.pool) == 0
    assert (await client.get(ME, headers=as_bearer(key["key"]))).status_code == 200
    await app.state.api_key_usage.flush(app.state.pool)
    assert (await db.fetchrow(USAGE, key_id))["usage_count"] == 4


async def test_session_requests_record_no_key_usage(
    quiet_app: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = quiet_app
    user, _ = await _key_owner(client)
    for _ in range(3):
        await client.get(ME, headers=user.headers)
    assert await app.state.api_key_usage.flush(app.state.pool) == 0


async def test_usage_is_flushed_at_shutdown(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, db: asyncpg.Connection
) -> None:
    monkeypatch.setattr(app_module, "API_KEY_USAGE_FLUSH_SECS", 3600.0)
    async with started_app(settings) as application, asgi_client(application) as http:
        _, key = await _key_owner(http)
        for _ in range(2):
            assert (await http.get(ME, headers=as_bearer(key["key"]))).status_code == 200
        assert (await db.fetchrow(USAGE, UUID(key["id"])))["usage_count"] == 0
    assert (await db.fetchrow(USAGE, UUID(key["id"])))["usage_count"] == 2
