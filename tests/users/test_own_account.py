"""The caller's own account: profile read/update, password change, self-delete."""

from __future__ import annotations

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

PROFILE = f"{API}/users/me/profile"
PASSWORD_URL = f"{API}/users/me/password"
ME = f"{API}/users/me"


# --- GET /users/me/profile and GET /users/me ------------------------------------------------


async def test_get_profile_shape(client: httpx.AsyncClient, user: AppUser) -> None:
    body = envelope(await client.get(PROFILE, headers=user.headers))
    assert body["message"] is None
    profile = body["data"]
    assert set(profile) == PROFILE_KEYS
    assert profile["id"] == user.id
    assert profile["username"] == user.username
    assert profile["email"] == user.email
    assert profile["role"] == "user"
    assert profile["is_active"] is True
    assert profile["email_verified"] is False
    assert profile["created_at"].endswith("Z")
    assert profile["last_login_at"].endswith("Z")  # set by the fixture's login


async def test_get_me_equals_profile(client: httpx.AsyncClient, moderator: AppUser) -> None:
    me = envelope(await client.get(ME, headers=moderator.headers))
    profile = envelope(await client.get(PROFILE, headers=moderator.headers))
    assert me == profile
    assert me["data"]["role"] == "moderator"


async def test_profile_requires_auth(client: httpx.AsyncClient) -> None:
    assert_error(await client.get(PROFILE), 401, "UNAUTHORIZED", "Unauthorized access")
    assert_error(await client.get(ME), 401, "UNAUTHORIZED", "Unauthorized access")


# --- PUT /users/me/profile ------------------------------------------------------------------


async def test_update_username(client: httpx.AsyncClient, user: AppUser) -> None:
    profile = data(await client.put(PROFILE, json={"username": "renamed_1"}, headers=user.headers))
    assert profile["username"] == "renamed_1"
    assert profile["email"] == user.email
    assert (await login(client, "renamed_1")).status_code == 200


async def test_update_email_resets_verification(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET email_verified = TRUE WHERE username = $1", user.username)
    same = data(await client.put(PROFILE, json={"email": user.email}, headers=user.headers))
    assert same["email_verified"] is True  # unchanged email keeps verification
    recased = data(
        await client.put(PROFILE, json={"email": user.email.upper()}, headers=user.headers)
    )
    assert recased["email"] == user.email.upper()
    assert recased["email_verified"] is True  # the same address in other letters
    changed = data(
        await client.put(PROFILE, json={"email": "fresh@example.com"}, headers=user.headers)
    )
    assert changed["email"] == "fresh@example.com"
    assert changed["email_verified"] is False


async def test_update_empty_body_is_noop(client: httpx.AsyncClient, user: AppUser) -> None:
    before = data(await client.get(PROFILE, headers=user.headers))
    after = envelope(await client.put(PROFILE, json={}, headers=user.headers))
    assert after["data"] == before
    assert after["message"] is None
    nulls = data(
        await client.put(PROFILE, json={"username": None, "email": None}, headers=user.headers)
    )
    assert nulls == before


async def test_update_profile_validation(client: httpx.AsyncClient, user: AppUser) -> None:
    cases = [
        ({"username": "ab"}, "username: Username must be between 3 and 50 characters"),
        (
            {"username": "bad name"},
            "username: Username can only contain letters, numbers, underscores, and hyphens",
        ),
        ({"email": "not-an-email"}, "email: Invalid email format"),
        (
            {"username": "x", "email": "bad"},
            "username: Username must be between 3 and 50 characters",
        ),
    ]
    for body, detail in cases:
        response = await client.put(PROFILE, json=body, headers=user.headers)
        assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for {detail}")


async def test_update_profile_conflicts_leave_row_unchanged(
    client: httpx.AsyncClient, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    alice = await make_user(username="alice_c")
    bob = await make_user(username="bob_c")
    before = await user_row(db, bob.id)
    response = await client.put(
        PROFILE, json={"username": "bob_renamed", "email": alice.email}, headers=bob.headers
    )
    assert_error(response, 409, "EMAIL_ALREADY_EXISTS", "Email already exists")
    response = await client.put(PROFILE, json={"username": alice.username}, headers=bob.headers)
    assert_error(response, 409, "USERNAME_ALREADY_EXISTS", "Username already exists")
    assert await user_row(db, bob.id) == before


async def test_update_profile_wrong_types_422(client: httpx.AsyncClient, user: AppUser) -> None:
    for body in ({"username": 123}, {"email": ["a@b.co"]}, []):
        response = await client.put(PROFILE, json=body, headers=user.headers)
        assert_error(response, 422, "VALIDATION_FAILED")


# --- PUT /users/me/password -----------------------------------------------------------------


async def test_change_password(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    other = await second_token(client, user)
    body = envelope(
        await client.put(
            PASSWORD_URL,
            json={"current_password": PASSWORD, "new_password": STRONG},
            headers=user.headers,
        )
    )
    assert body["data"] == "Password updated successfully"
    assert body["message"] == "Password has been changed. Signed out 1 other session(s)."
    assert (await client.get(PROFILE, headers=user.headers)).status_code == 200
    assert (await client.get(PROFILE, headers=other)).status_code == 401
    assert await active_sessions(db, user.id) == 1
    assert_error(await login(client, user.username), 401, "INVALID_CREDENTIALS")
    assert (await login(client, user.username, STRONG)).status_code == 200


async def test_change_password_check_order(client: httpx.AsyncClient, user: AppUser) -> None:
    weak = await client.put(
        PASSWORD_URL,
        json={"current_password": "wrong", "new_password": "short"},
        headers=user.headers,
    )
    assert_error(
        weak,
        400,
        "VALIDATION_FAILED",
        "Validation failed for password: Password must be at least 8 characters long",
    )
    common = await client.put(
        PASSWORD_URL,
        json={"current_password": PASSWORD, "new_password": "Password123!"},
        headers=user.headers,
    )
    assert_error(
        common,
        400,
        "VALIDATION_FAILED",
        "Validation failed for password: Password is too common. Please choose a stronger password",
    )
    same = await client.put(
        PASSWORD_URL,
        json={"current_password": STRONG, "new_password": STRONG},
        headers=user.headers,
    )
    assert_error(
        same,
        400,
        "VALIDATION_FAILED",
        "Validation failed for new_password: New password must be different from current password",
    )
    wrong = await client.put(
        PASSWORD_URL,
        json={"current_password": "Wrong-Pass-123", "new_password": STRONG},
        headers=user.headers,
    )
    assert_error(wrong, 401, "INVALID_CREDENTIALS", "Invalid credentials")
    assert (await login(client, user.username)).status_code == 200  # unchanged


async def test_change_password_shape_422(client: httpx.AsyncClient, user: AppUser) -> None:
    for body in (
        {"current_password": PASSWORD, "new_password": 12345678},
        {"current_password": 12345678, "new_password": STRONG},
        {"new_password": STRONG},
    ):
        response = await client.put(PASSWORD_URL, json=body, headers=user.headers)
        assert_error(response, 422, "VALIDATION_FAILED")


# --- DELETE /users/me -----------------------------------------------------------------------


async def test_self_delete(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    other = await second_token(client, user)
    body = envelope(
        await client.request(
            "DELETE",
            ME,
            json={"password": PASSWORD, "confirmation": "DELETE"},
            headers=user.headers,
        )
    )
    assert body["data"] == "Account deleted successfully"
    assert body["message"] == (
        "Your account has been deactivated. All data will be retained for 30 days."
    )
    row = await user_row(db, user.id)
    assert row is not None and row["is_active"] is False
    assert await active_sessions(db, user.id) == 0
    assert_error(await client.get(PROFILE, headers=user.headers), 401, "UNAUTHORIZED")
    assert_error(await client.get(PROFILE, headers=other), 401, "UNAUTHORIZED")
    assert_error(
        await login(client, user.username), 401, "INVALID_CREDENTIALS", "Invalid credentials"
    )


async def test_self_delete_confirmation(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    for confirmation in ("delete", "DELETE ", ""):
        response = await client.request(
            "DELETE",
            ME,
            json={"password": "Wrong-Pass-123", "confirmation": confirmation},
            headers=user.headers,
        )
        assert_error(
            response,
            400,
            "VALIDATION_FAILED",
            "Validation failed for confirmation: Must provide 'DELETE' as confirmation",
        )
    row = await user_row(db, user.id)
    assert row is not None and row["is_active"] is True


async def test_self_delete_wrong_password_is_400(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    response = await client.request(
        "DELETE",
        ME,
        json={"password": "Wrong-Pass-123", "confirmation": "DELETE"},
        headers=user.headers,
    )
    assert_error(
        response, 400, "VALIDATION_FAILED", "Validation failed for password: Invalid password"
    )
    assert (await client.get(PROFILE, headers=user.headers)).status_code == 200
    assert await active_sessions(db, user.id) == 1


async def test_self_delete_body_required(client: httpx.AsyncClient, user: AppUser) -> None:
    assert_error(await client.delete(ME, headers=user.headers), 415, "UNSUPPORTED_MEDIA_TYPE")
    empty = await client.request(
        "DELETE", ME, content=b"", headers={**user.headers, "Content-Type": "application/json"}
    )
    assert_error(empty, 400, "INVALID_JSON")
    missing = await client.request("DELETE", ME, json={"password": PASSWORD}, headers=user.headers)
    assert_error(missing, 422, "VALIDATION_FAILED")
    assert (await client.get(PROFILE, headers=user.headers)).status_code == 200
