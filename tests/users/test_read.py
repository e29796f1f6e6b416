"""GET /users/{id} ownership rules and GET /users listing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import PROFILE_KEYS, AppUser, MakeUser
from tests.users.helpers import API, data, envelope

USERS = f"{API}/users"
MOD_GATE = "Access denied: moderator role or higher required"


def by_id(user_id: str) -> str:
    return f"{USERS}/{user_id}"


# --- GET /users/{id} ------------------------------------------------------------------------


async def test_user_sees_self(client: httpx.AsyncClient, user: AppUser) -> None:
    body = envelope(await client.get(by_id(user.id), headers=user.headers))
    assert body["message"] is None
    assert set(body["data"]) == PROFILE_KEYS
    assert body["data"]["id"] == user.id


async def test_user_cannot_see_others(
    client: httpx.AsyncClient, user: AppUser, make_user: MakeUser
) -> None:
    other = await make_user()
    response = await client.get(by_id(other.id), headers=user.headers)
    assert_error(response, 404, "NOT_FOUND", "User not found")
    unknown = await client.get(by_id(str(uuid.uuid4())), headers=user.headers)
    assert_error(unknown, 404, "NOT_FOUND", "User not found")


async def test_moderator_sees_every_role(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser, make_user: MakeUser
) -> None:
    """As in the list (tests/users/test_staff_rules.py): admins are not hidden from staff."""
    other_mod = await make_user("moderator")
    admin = await make_user("admin")
    assert data(await client.get(by_id(user.id), headers=moderator.headers))["id"] == user.id
    assert data(await client.get(by_id(other_mod.id), headers=moderator.headers))["role"] == (
        "moderator"
    )
    assert data(await client.get(by_id(admin.id), headers=moderator.headers))["role"] == "admin"


async def test_admin_sees_everyone_active(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, make_user: MakeUser
) -> None:
    other_admin = await make_user("admin")
    assert data(await client.get(by_id(user.id), headers=admin.headers))["role"] == "user"
    assert data(await client.get(by_id(other_admin.id), headers=admin.headers))["role"] == "admin"


async def test_inactive_and_missing_are_404(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(user.id))
    response = await client.get(by_id(user.id), headers=admin.headers)
    assert_error(response, 404, "NOT_FOUND", "User not found")
    response = await client.get(by_id(str(uuid.uuid4())), headers=admin.headers)
    assert_error(response, 404, "NOT_FOUND", "User not found")


async def test_non_uuid_id_is_400(client: httpx.AsyncClient, admin: AppUser) -> None:
    response = await client.get(by_id("not-a-uuid"), headers=admin.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for id")


async def test_get_user_requires_auth(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await client.get(by_id(user.id)), 401, "UNAUTHORIZED", "Unauthorized access")


# --- GET /users -----------------------------------------------------------------------------


async def _spread_created_at(db: asyncpg.Connection) -> list[str]:
    """Give every user a distinct created_at (oldest first by insertion); newest-first ids."""
    rows = await db.fetch("SELECT id FROM users ORDER BY created_at, username")
    base = datetime.now(UTC) - timedelta(days=1)
    for index, row in enumerate(rows):
        await db.execute(
            "UPDATE users SET created_at = $2 WHERE id = $1",
            row["id"],
            base + timedelta(minutes=index),
        )
    return [str(row["id"]) for row in reversed(rows)]


async def test_list_users_newest_first_active_only(
    client: httpx.AsyncClient, moderator: AppUser, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    users = [await make_user() for _ in range(3)]
    admin = await make_user("admin")
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(users[1].id))
    newest_first = await _spread_created_at(db)
    body = envelope(await client.get(USERS, headers=moderator.headers))
    assert body["message"] is None
    listed = [item["id"] for item in body["data"]]
    assert listed == [i for i in newest_first if i != users[1].id]
    assert admin.id in listed  # moderators see admin accounts in the listing
    assert all(item["is_active"] for item in body["data"])
    assert set(body["data"][0]) == PROFILE_KEYS


async def test_list_users_status_filter(
    client: httpx.AsyncClient, moderator: AppUser, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    """`status` picks the state listed (every role, newest first); `active` is the default."""
    kept, gone = await make_user(), await make_user("admin")
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(gone.id))
    newest_first = await _spread_created_at(db)

    async def listed(status: str) -> list[str]:
        page = data(await client.get(USERS, params={"status": status}, headers=moderator.headers))
        return [item["id"] for item in page]

    assert await listed("inactive") == [gone.id]
    assert await listed("all") == newest_first
    assert await listed("active") == [i for i in newest_first if i != gone.id]
    assert kept.id in await listed("active")
    response = await client.get(USERS, params={"status": "deleted"}, headers=moderator.headers)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for status")


async def test_list_users_limit_offset(
    client: httpx.AsyncClient, admin: AppUser, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    for _ in range(4):
        await make_user()
    newest_first = await _spread_created_at(db)
    page = data(await client.get(USERS, params={"limit": 2, "offset": 1}, headers=admin.headers))
    assert [item["id"] for item in page] == newest_first[1:3]
    zero = data(await client.get(USERS, params={"limit": 0}, headers=admin.headers))
    assert zero == []
    beyond = data(await client.get(USERS, params={"offset": 100}, headers=admin.headers))
    assert beyond == []


async def test_list_users_default_50_and_clamp_100(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute(
        """INSERT INTO users (username, email, password_hash)
           SELECT 'bulk' || n, 'bulk' || n || '@example.com', 'x' FROM generate_series(1, 110) n"""
    )
    assert len(data(await client.get(USERS, headers=admin.headers))) == 50
    clamped = await client.get(USERS, params={"limit": 1000}, headers=admin.headers)
    assert len(data(clamped)) == 100


async def test_list_users_bad_params(client: httpx.AsyncClient, admin: AppUser) -> None:
    for params in ({"limit": -1}, {"offset": -5}, {"limit": "abc"}):
        response = await client.get(USERS, params=params, headers=admin.headers)
        assert_error(response, 400, "VALIDATION_FAILED")
    negative = await client.get(USERS, params={"limit": -1}, headers=admin.headers)
    assert negative.json()["error"]["message"].startswith("Validation failed for limit")


async def test_list_users_forbidden_for_user(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await client.get(USERS, headers=user.headers), 403, "FORBIDDEN", MOD_GATE)
    # the role gate answers before query validation
    response = await client.get(USERS, params={"limit": "abc"}, headers=user.headers)
    assert_error(response, 403, "FORBIDDEN", MOD_GATE)
    assert_error(await client.get(USERS), 401, "UNAUTHORIZED")
