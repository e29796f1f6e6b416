"""DELETE /users/{id} (soft, idempotent, hard) and GET /admin/users/stats."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser
from tests.users.helpers import API, active_sessions, data, envelope, login, second_token, user_row

USERS = f"{API}/users"
STATS = f"{API}/admin/users/stats"
ADMIN_GATE = "Admin access required"
DELETED_MESSAGE = "User account has been deactivated. Data retained for 30 days for recovery."


def by_id(user_id: str) -> str:
    return f"{USERS}/{user_id}"


async def delete(
    client: httpx.AsyncClient, who: AppUser, user_id: str, body: object
) -> httpx.Response:
    return await client.request("DELETE", by_id(user_id), json=body, headers=who.headers)


# --- soft delete ----------------------------------------------------------------------------


async def test_soft_delete(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    other = await second_token(client, user)
    body = envelope(await delete(client, admin, user.id, {"reason": "cleanup"}))
    assert body["data"] == "User account deleted successfully"
    assert body["message"] == DELETED_MESSAGE
    row = await user_row(db, user.id)
    assert row is not None and row["is_active"] is False
    assert await active_sessions(db, user.id) == 0
    assert_error(
        await client.get(by_id(user.id), headers=admin.headers), 404, "NOT_FOUND", "User not found"
    )
    assert_error(await client.get(f"{API}/users/me/profile", headers=other), 401, "UNAUTHORIZED")
    assert_error(await login(client, user.username), 401, "INVALID_CREDENTIALS")


async def test_soft_delete_is_idempotent(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser
) -> None:
    assert data(await delete(client, admin, user.id, {})) == "User account deleted successfully"
    again = envelope(await delete(client, admin, user.id, {}))
    assert again["data"] == "User account deleted successfully"
    assert again["message"] == DELETED_MESSAGE


async def test_delete_unknown_is_404(client: httpx.AsyncClient, admin: AppUser) -> None:
    for body in ({}, {"hard_delete": True}, {"hard_delete": False}):
        response = await delete(client, admin, str(uuid.uuid4()), body)
        assert_error(response, 404, "NOT_FOUND", "User not found")


async def test_delete_self_is_400(
    client: httpx.AsyncClient, admin: AppUser, db: asyncpg.Connection
) -> None:
    for body in ({}, {"hard_delete": True}):
        response = await delete(client, admin, admin.id, body)
        assert_error(
            response,
            400,
            "VALIDATION_FAILED",
            "Validation failed for id: Cannot delete own account via this endpoint",
        )
    row = await user_row(db, admin.id)
    assert row is not None and row["is_active"] is True


async def test_delete_body_required_and_typed(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser
) -> None:
    no_body = await client.delete(by_id(user.id), headers=admin.headers)
    assert_error(no_body, 415, "UNSUPPORTED_MEDIA_TYPE")
    wrong = await delete(client, admin, user.id, {"hard_delete": "yes"})
    assert_error(wrong, 422, "VALIDATION_FAILED")
    bad_id = await delete(client, admin, "not-a-uuid", {})
    assert_error(bad_id, 400, "VALIDATION_FAILED")
    assert (await client.get(by_id(user.id), headers=admin.headers)).status_code == 200


async def test_delete_forbidden_for_moderator(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    response = await delete(client, moderator, user.id, {})
    assert_error(response, 403, "FORBIDDEN", ADMIN_GATE)
    assert (await client.get(by_id(user.id), headers=moderator.headers)).status_code == 200


# --- hard delete ----------------------------------------------------------------------------


async def test_hard_delete_removes_row_and_sessions(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    await second_token(client, user)
    body = envelope(await delete(client, admin, user.id, {"hard_delete": True, "reason": "gdpr"}))
    assert body["data"] == "User account deleted successfully"
    assert body["message"] == DELETED_MESSAGE
    assert await user_row(db, user.id) is None
    assert (
        await db.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", uuid.UUID(user.id))
        == 0
    )
    assert_error(await delete(client, admin, user.id, {"hard_delete": True}), 404, "NOT_FOUND")
    # the name is free again
    assert (
        await client.post(
            f"{API}/auth/register",
            json={"username": user.username, "email": user.email, "password": user.password},
        )
    ).status_code == 200


async def test_hard_delete_of_soft_deleted_user(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    await delete(client, admin, user.id, {})
    assert data(await delete(client, admin, user.id, {"hard_delete": True})) == (
        "User account deleted successfully"
    )
    assert await user_row(db, user.id) is None


# --- GET /admin/users/stats -----------------------------------------------------------------


async def test_stats_arithmetic(
    client: httpx.AsyncClient, admin: AppUser, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    users = [await make_user() for _ in range(3)]
    await make_user("moderator")
    await db.execute("UPDATE users SET email_verified = TRUE WHERE id = $1", uuid.UUID(users[0].id))
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", uuid.UUID(users[1].id))
    body = envelope(await client.get(STATS, headers=admin.headers))
    assert body["message"] is None
    stats = body["data"]
    assert list(stats) == [
        "total_users",
        "active_users",
        "inactive_users",
        "email_verified",
        "email_unverified",
        "by_role",
        "recent_registrations",
        "last_updated",
    ]
    assert stats["total_users"] == 5
    assert stats["active_users"] == 4
    assert stats["inactive_users"] == 1
    assert stats["total_users"] == stats["active_users"] + stats["inactive_users"]
    assert stats["email_verified"] == 1
    assert stats["email_unverified"] == 3
    assert stats["by_role"] == {"user": 2, "moderator": 1, "admin": 1}
    assert sum(stats["by_role"].values()) == stats["active_users"]
    assert stats["recent_registrations"] == {"last_24h": 5, "last_7d": 5, "last_30d": 5}
    updated = datetime.strptime(stats["last_updated"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - updated) < timedelta(minutes=1)


async def test_stats_recent_registrations_windows(
    client: httpx.AsyncClient, admin: AppUser, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    ages = {"two_days": 2, "ten_days": 10, "sixty_days": 60}
    for name, days in ages.items():
        created = await make_user(username=name)
        await db.execute(
            "UPDATE users SET created_at = NOW() - make_interval(days => $2) WHERE id = $1",
            uuid.UUID(created.id),
            days,
        )
    stats = data(await client.get(STATS, headers=admin.headers))
    assert stats["total_users"] == 4
    assert stats["recent_registrations"] == {"last_24h": 1, "last_7d": 2, "last_30d": 3}


async def test_stats_forbidden(
    client: httpx.AsyncClient, moderator: AppUser, user: AppUser
) -> None:
    for who in (moderator, user):
        assert_error(await client.get(STATS, headers=who.headers), 403, "FORBIDDEN", ADMIN_GATE)
    assert_error(await client.get(STATS), 401, "UNAUTHORIZED")
