"""Admin routes: POST /users, PUT /users/{id}/profile, PUT /users/{id}/role."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import PASSWORD, PROFILE_KEYS, AppUser, MakeUser
from tests.users.helpers import API, data, envelope, login, user_row

USERS = f"{API}/users"
ADMIN_GATE = "Admin access required"


def profile_url(user_id: str) -> str:
    return f"{USERS}/{user_id}/profile"


def role_url(user_id: str) -> str:
    return f"{USERS}/{user_id}/role"


# --- POST /users ----------------------------------------------------------------------------


async def test_create_user_defaults(client: httpx.AsyncClient, admin: AppUser) -> None:
    body = envelope(
        await client.post(
            USERS,
            json={"username": "newbie", "email": "newbie@example.com", "password": PASSWORD},
            headers=admin.headers,
        )
    )
    assert body["message"] is None
    created = body["data"]
    assert set(created) == PROFILE_KEYS
    assert created["role"] == "user"
    assert created["is_active"] is True
    assert created["email_verified"] is False
    assert created["last_login_at"] is None
    assert (await login(client, "newbie")).status_code == 200


async def test_create_user_with_roles(client: httpx.AsyncClient, admin: AppUser) -> None:
    for role in ("moderator", "admin", "user"):
        created = data(
            await client.post(
                USERS,
                json={
                    "username": f"r_{role}",
                    "email": f"r_{role}@example.com",
                    "password": PASSWORD,
                    "role": role,
                },
                headers=admin.headers,
            )
        )
        assert created["role"] == role
    explicit_null = await client.post(
        USERS,
        json={
            "username": "r_null",
            "email": "r_null@example.com",
            "password": PASSWORD,
            "role": None,
        },
        headers=admin.headers,
    )
    assert data(explicit_null)["role"] == "user"


async def test_create_user_invalid_role_422(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection
) -> None:
    for role in ("", "ADMIN", "admin ", "superuser", 1):
        response = await client.post(
            USERS,
            json={
                "username": "badrole",
                "email": "badrole@example.com",
                "password": PASSWORD,
                "role": role,
            },
            headers=admin.headers,
        )
        assert_error(response, 422, "VALIDATION_FAILED")
    assert await db.fetchval("SELECT count(*) FROM users WHERE username = 'badrole'") == 0


async def test_create_user_validation_order(client: httpx.AsyncClient, admin: AppUser) -> None:
    cases = [
        (
            {"username": "a", "email": "bad", "password": "weak"},
            "username: Username must be between 3 and 50 characters",
        ),
        ({"username": "okname", "email": "bad", "password": "weak"}, "email: Invalid email format"),
        (
            {"username": "okname", "email": "ok@example.com", "password": "weak"},
            "password: Password must be at least 8 characters long",
        ),
    ]
    for body, detail in cases:
        response = await client.post(USERS, json=body, headers=admin.headers)
        assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for {detail}")
    numeric = await client.post(
        USERS,
        json={"username": "okname", "email": "ok@example.com", "password": 12345678},
        headers=admin.headers,
    )
    assert_error(numeric, 422, "VALIDATION_FAILED")


async def test_create_user_conflicts(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    same_name = await client.post(
        USERS,
        json={"username": user.username, "email": "other@example.com", "password": PASSWORD},
        headers=admin.headers,
    )
    assert_error(same_name, 409, "USERNAME_ALREADY_EXISTS", "Username already exists")
    same_email = await client.post(
        USERS,
        json={"username": "other_name", "email": user.email, "password": PASSWORD},
        headers=admin.headers,
    )
    assert_error(same_email, 409, "EMAIL_ALREADY_EXISTS", "Email already exists")
    assert await db.fetchval("SELECT count(*) FROM users") == 2


async def test_create_user_forbidden(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    body = {"username": "nope_user", "email": "nope@example.com", "password": PASSWORD}
    for who in (moderator, user):
        response = await client.post(USERS, json=body, headers=who.headers)
        assert_error(response, 403, "FORBIDDEN", ADMIN_GATE)
    # the role gate answers before body shape errors
    response = await client.post(USERS, json={"username": 1}, headers=user.headers)
    assert_error(response, 403, "FORBIDDEN", ADMIN_GATE)
    assert_error(await client.post(USERS, json=body), 401, "UNAUTHORIZED")


# --- PUT /users/{id}/profile ----------------------------------------------------------------


async def test_admin_profile_update(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser
) -> None:
    body = envelope(
        await client.put(
            profile_url(user.id),
            json={"username": "edited_name", "email_verified": True},
            headers=admin.headers,
        )
    )
    assert body["message"] is None
    assert body["data"]["username"] == "edited_name"
    assert body["data"]["email_verified"] is True
    assert body["data"]["email"] == user.email


async def test_admin_email_change_keeps_verification(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET email_verified = TRUE WHERE id = $1", uuid.UUID(user.id))
    changed = data(
        await client.put(
            profile_url(user.id), json={"email": "new@example.com"}, headers=admin.headers
        )
    )
    assert changed["email"] == "new@example.com"
    assert changed["email_verified"] is True
    cleared = data(
        await client.put(
            profile_url(user.id), json={"email_verified": False}, headers=admin.headers
        )
    )
    assert cleared["email_verified"] is False
    assert cleared["email"] == "new@example.com"


async def test_admin_profile_update_inactive_user(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(user.id))
    updated = data(
        await client.put(profile_url(user.id), json={"username": "sleeper"}, headers=admin.headers)
    )
    assert updated["username"] == "sleeper"
    assert updated["is_active"] is False


async def test_admin_profile_errors(
    client: httpx.AsyncClient,
    admin: AppUser,
    user: AppUser,
    make_user: MakeUser,
    db: asyncpg.Connection,
) -> None:
    other = await make_user()
    before = await user_row(db, user.id)
    clash = await client.put(
        profile_url(user.id),
        json={"username": other.username, "email_verified": True},
        headers=admin.headers,
    )
    assert_error(clash, 409, "USERNAME_ALREADY_EXISTS", "Username already exists")
    clash = await client.put(
        profile_url(user.id), json={"email": other.email}, headers=admin.headers
    )
    assert_error(clash, 409, "EMAIL_ALREADY_EXISTS", "Email already exists")
    assert await user_row(db, user.id) == before
    invalid = await client.put(profile_url(user.id), json={"email": "x@y"}, headers=admin.headers)
    assert_error(
        invalid, 400, "VALIDATION_FAILED", "Validation failed for email: Invalid email format"
    )
    unknown = await client.put(
        profile_url(str(uuid.uuid4())), json={"username": "ghost"}, headers=admin.headers
    )
    assert_error(unknown, 404, "NOT_FOUND", "User not found")
    wrong_type = await client.put(
        profile_url(user.id), json={"email_verified": "true"}, headers=admin.headers
    )
    assert_error(wrong_type, 422, "VALIDATION_FAILED")
    forbidden = await client.put(profile_url(user.id), json={}, headers=user.headers)
    assert_error(forbidden, 403, "FORBIDDEN", ADMIN_GATE)


# --- PUT /users/{id}/role -------------------------------------------------------------------


async def test_update_role(client: httpx.AsyncClient, admin: AppUser, user: AppUser) -> None:
    body = envelope(
        await client.put(
            role_url(user.id),
            json={"role": "moderator", "reason": "trusted"},
            headers=admin.headers,
        )
    )
    assert body["message"] == "User role updated successfully"
    assert body["data"]["role"] == "moderator"
    # the new role applies to the user's existing session at once
    assert (await client.get(USERS, headers=user.headers)).status_code == 200


async def test_update_role_self_and_inactive(
    client: httpx.AsyncClient,
    admin: AppUser,
    user: AppUser,
    make_user: MakeUser,
    db: asyncpg.Connection,
) -> None:
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(user.id))
    assert (
        data(await client.put(role_url(user.id), json={"role": "admin"}, headers=admin.headers))[
            "role"
        ]
        == "admin"
    )
    await make_user("admin")  # someone stays admin (tests/users/test_last_admin.py)
    assert (
        data(await client.put(role_url(admin.id), json={"role": "user"}, headers=admin.headers))[
            "role"
        ]
        == "user"
    )
    response = await client.put(role_url(admin.id), json={"role": "admin"}, headers=admin.headers)
    assert_error(response, 403, "FORBIDDEN", ADMIN_GATE)


async def test_update_role_errors(
    client: httpx.AsyncClient, admin: AppUser, moderator: AppUser
) -> None:
    for body in (
        {},
        {"role": None},
        {"role": ""},
        {"role": "ADMIN"},
        {"role": "admin "},
        {"role": "root"},
    ):
        response = await client.put(role_url(moderator.id), json=body, headers=admin.headers)
        assert_error(response, 422, "VALIDATION_FAILED")
    unknown = await client.put(
        role_url(str(uuid.uuid4())), json={"role": "user"}, headers=admin.headers
    )
    assert_error(unknown, 404, "NOT_FOUND", "User not found")
    forbidden = await client.put(
        role_url(moderator.id), json={"role": "admin"}, headers=moderator.headers
    )
    assert_error(forbidden, 403, "FORBIDDEN", ADMIN_GATE)
