"""Moderator routes: PUT /users/{id}/status and POST /users/{id}/reset-password."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import PASSWORD, PROFILE_KEYS, AppUser, MakeUser
from tests.users.helpers import (
    API,
    STRONG,
    active_sessions,
    data,
    envelope,
    login,
    second_token,
    user_row,
)

MOD_GATE = "Access denied: moderator role or higher required"
PROFILE = f"{API}/users/me/profile"


def status_url(user_id: str) -> str:
    return f"{API}/users/{user_id}/status"


def reset_url(user_id: str) -> str:
    return f"{API}/users/{user_id}/reset-password"


# --- PUT /users/{id}/status -----------------------------------------------------------------


async def test_deactivate_ends_sessions(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    other = await second_token(client, user)
    body = envelope(
        await client.put(
            status_url(user.id),
            json={"is_active": False, "reason": "spam"},
            headers=moderator.headers,
        )
    )
    assert body["message"] == "User account status updated"
    assert set(body["data"]) == PROFILE_KEYS
    assert body["data"]["is_active"] is False
    assert await active_sessions(db, user.id) == 0
    assert_error(await client.get(PROFILE, headers=user.headers), 401, "UNAUTHORIZED")
    assert_error(await client.get(PROFILE, headers=other), 401, "UNAUTHORIZED")
    assert_error(await login(client, user.username), 401, "INVALID_CREDENTIALS")


async def test_reactivate(client: httpx.AsyncClient, moderator: AppUser, user: AppUser) -> None:
    await client.put(status_url(user.id), json={"is_active": False}, headers=moderator.headers)
    again = data(
        await client.put(status_url(user.id), json={"is_active": True}, headers=moderator.headers)
    )
    assert again["is_active"] is True
    # old sessions stay ended; a fresh login works
    assert_error(await client.get(PROFILE, headers=user.headers), 401, "UNAUTHORIZED")
    assert (await login(client, user.username)).status_code == 200


async def test_status_change_other_sessions_untouched(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, make_user: MakeUser
) -> None:
    bystander = await make_user()
    await client.put(status_url(user.id), json={"is_active": False}, headers=admin.headers)
    assert (await client.get(PROFILE, headers=bystander.headers)).status_code == 200
    assert (await client.get(PROFILE, headers=admin.headers)).status_code == 200


async def test_status_unknown_and_invalid(client: httpx.AsyncClient, admin: AppUser) -> None:
    unknown = await client.put(
        status_url(str(uuid.uuid4())), json={"is_active": False}, headers=admin.headers
    )
    assert_error(unknown, 404, "NOT_FOUND", "User not found")
    bad_id = await client.put(status_url("123"), json={"is_active": False}, headers=admin.headers)
    assert_error(bad_id, 400, "VALIDATION_FAILED")
    for body in ({}, {"is_active": "false"}, {"is_active": 0}, {"is_active": None}):
        response = await client.put(status_url(admin.id), json=body, headers=admin.headers)
        assert_error(response, 422, "VALIDATION_FAILED")


async def test_status_forbidden_for_user(
    client: httpx.AsyncClient, user: AppUser, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    target = await make_user()
    response = await client.put(
        status_url(target.id), json={"is_active": False}, headers=user.headers
    )
    assert_error(response, 403, "FORBIDDEN", MOD_GATE)
    # role gate before path and body validation
    response = await client.put(status_url("nope"), json={"is_active": "x"}, headers=user.headers)
    assert_error(response, 403, "FORBIDDEN", MOD_GATE)
    row = await user_row(db, target.id)
    assert row is not None and row["is_active"] is True


# --- POST /users/{id}/reset-password --------------------------------------------------------


async def test_reset_password(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    other = await second_token(client, user)
    body = envelope(
        await client.post(
            reset_url(user.id),
            json={"new_password": STRONG, "require_change": True, "reason": "lost"},
            headers=moderator.headers,
        )
    )
    assert body["data"] == "Password reset successfully"
    assert body["message"] == (
        "User's password has been updated. All existing sessions have been invalidated."
    )
    assert await active_sessions(db, user.id) == 0
    assert_error(await client.get(PROFILE, headers=user.headers), 401, "UNAUTHORIZED")
    assert_error(await client.get(PROFILE, headers=other), 401, "UNAUTHORIZED")
    assert_error(await login(client, user.username, PASSWORD), 401, "INVALID_CREDENTIALS")
    assert (await login(client, user.username, STRONG)).status_code == 200


async def test_reset_password_inactive_user(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(user.id))
    before = await user_row(db, user.id)
    response = await client.post(
        reset_url(user.id), json={"new_password": STRONG}, headers=admin.headers
    )
    assert data(response) == "Password reset successfully"
    after = await user_row(db, user.id)
    assert before is not None and after is not None
    assert after["password_hash"] != before["password_hash"]
    assert after["is_active"] is False


async def test_reset_password_validation(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    cases = [
        ("short", "Password must be at least 8 characters long"),
        ("a" * 129, "Password must be less than 128 characters"),
        (
            "alllowercase",
            "Password must contain at least 3 of: uppercase letters, lowercase letters, "
            "numbers, special characters",
        ),
        ("Welcome123!", "Password is too common. Please choose a stronger password"),
    ]
    for password, detail in cases:
        response = await client.post(
            reset_url(user.id), json={"new_password": password}, headers=moderator.headers
        )
        assert_error(
            response, 400, "VALIDATION_FAILED", f"Validation failed for password: {detail}"
        )
    # validation before existence
    response = await client.post(
        reset_url(str(uuid.uuid4())), json={"new_password": "short"}, headers=moderator.headers
    )
    assert_error(response, 400, "VALIDATION_FAILED")
    assert (await client.get(PROFILE, headers=user.headers)).status_code == 200


async def test_reset_password_unknown_forbidden_shape(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    unknown = await client.post(
        reset_url(str(uuid.uuid4())), json={"new_password": STRONG}, headers=moderator.headers
    )
    assert_error(unknown, 404, "NOT_FOUND", "User not found")
    forbidden = await client.post(
        reset_url(moderator.id), json={"new_password": STRONG}, headers=user.headers
    )
    assert_error(forbidden, 403, "FORBIDDEN", MOD_GATE)
    for body in ({"new_password": 12345678}, {}, {"new_password": STRONG, "require_change": "yes"}):
        response = await client.post(reset_url(user.id), json=body, headers=moderator.headers)
        assert_error(response, 422, "VALIDATION_FAILED")
