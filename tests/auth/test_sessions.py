"""Authenticated session endpoints: me, logout, logout-all, refresh, header parsing, expiry,
and the at-most-once-a-minute activity write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx

from starter.core.config import AuthSettings
from starter.core.security import digest
from tests.auth.conftest import ClientFor, bearer, login_token, register
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
TOO_SOON = "Cannot refresh token yet. Please wait before requesting another refresh."


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


async def _unauthorized(response: httpx.Response) -> None:
    assert_error(response, 401, "UNAUTHORIZED", "Unauthorized access")


async def test_me_returns_the_auth_user(client: httpx.AsyncClient, moderator: AppUser) -> None:
    response = await client.get(ME, headers=moderator.headers)
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "id": moderator.id,
            "username": moderator.username,
            "email": moderator.email,
            "role": "moderator",
        },
        "message": None,
    }


async def test_me_reads_the_role_fresh(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET role = 'admin' WHERE id = $1", UUID(user.id))
    assert (await client.get(ME, headers=user.headers)).json()["data"]["role"] == "admin"


HEADER_VARIANTS = [
    "NotBearer {t}",
    "",
    "Bearer ",
    "Bearer",
    "bearer {t}",
    "BEARER {t}",
    "Basic {t}",
    "{t}",
    "Bearer  {t}",
    "Bearer {t} ",
    "Token {t}",
]


async def test_authorization_header_variants_are_401(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    for header in HEADER_VARIANTS:
        response = await client.get(ME, headers={"Authorization": header.format(t=user.token)})
        assert response.status_code == 401, header
        await _unauthorized(response)
    assert (await client.get(ME, headers=user.headers)).status_code == 200


async def test_missing_and_unknown_tokens_are_401(client: httpx.AsyncClient) -> None:
    await _unauthorized(await client.get(ME))
    await _unauthorized(await client.get(ME, headers=bearer("x" * 64)))
    await _unauthorized(await client.post(REFRESH, headers=bearer("invalid-token-12345")))
    await _unauthorized(await client.post("/api/v1/auth/logout"))
    await _unauthorized(await client.post("/api/v1/auth/logout-all"))


async def test_expired_session_is_401(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute(
        "UPDATE sessions SET expires_at = NOW() - interval '1 second' WHERE token_hash = $1",
        digest(user.token),
    )
    await _unauthorized(await client.get(ME, headers=user.headers))
    await _unauthorized(await client.post(REFRESH, headers=user.headers))


async def test_deactivated_user_is_401_everywhere(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", UUID(user.id))
    await _unauthorized(await client.get(ME, headers=user.headers))


async def test_logout_ends_only_that_session(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    other = await login_token(client, user.username)
    response = await client.post("/api/v1/auth/logout", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": "Logged out successfully", "message": None}
    await _unauthorized(await client.get(ME, headers=user.headers))
    assert (await client.get(ME, headers=bearer(other))).status_code == 200
    assert (
        await db.fetchval(
            "SELECT is_active FROM sessions WHERE token_hash = $1", digest(user.token)
        )
        is False
    )
    await _unauthorized(await client.post("/api/v1/auth/logout", headers=user.headers))


async def test_logout_all_ends_every_session_of_the_user(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    alice = await make_user()
    bob = await make_user()
    tokens = [alice.token, await login_token(client, alice.username)]
    tokens.append(await login_token(client, alice.username))
    response = await client.post("/api/v1/auth/logout-all", headers=alice.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == "Logged out from all devices"
    assert body["message"] == "Ended 3 session(s)"
    for token in tokens:
        await _unauthorized(await client.get(ME, headers=bearer(token)))
    assert (await client.get(ME, headers=bob.headers)).status_code == 200


async def test_logout_all_counts_only_active_sessions(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    spare = await login_token(client, user.username)
    await client.post("/api/v1/auth/logout", headers=bearer(spare))
    response = await client.post("/api/v1/auth/logout-all", headers=user.headers)
    assert response.json()["message"] == "Ended 1 session(s)"


async def test_refresh_extends_once_then_409(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    await register(client, "refresher")
    login = await client.post(
        "/api/v1/auth/login", json={"username": "refresher", "password": "SecurePass123!"}
    )
    client.cookies.clear()
    token = login.json()["data"]["session_token"]
    login_expiry = login.json()["data"]["expires_at"]
    last_refreshed = "SELECT last_refreshed_at FROM sessions WHERE token_hash = $1"
    assert await db.fetchval(last_refreshed, digest(token)) is None

    first = await client.post(REFRESH, headers=bearer(token))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["message"] is None
    assert set(body["data"]) == {"expires_at", "refreshed_at"}
    assert body["data"]["expires_at"] > login_expiry  # same-format strings compare as times
    remaining = _parse(body["data"]["expires_at"]) - datetime.now(UTC)
    assert timedelta(hours=23, minutes=59) < remaining <= timedelta(hours=24)
    refreshed_at = _parse(body["data"]["refreshed_at"])
    assert abs(datetime.now(UTC) - refreshed_at) < timedelta(seconds=10)
    assert await db.fetchval(last_refreshed, digest(token)) == refreshed_at

    second = await client.post(REFRESH, headers=bearer(token))
    assert_error(second, 409, "CONFLICT", TOO_SOON)
    assert (await client.get(ME, headers=bearer(token))).status_code == 200


async def test_refresh_ignores_a_request_body(client: httpx.AsyncClient, user: AppUser) -> None:
    response = await client.post(
        REFRESH, headers=user.headers, json={"refresh_token": "x", "grant_type": "refresh_token"}
    )
    assert response.status_code == 200


async def test_refresh_replaces_rather_than_adds_to_the_expiry(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    async with client_for(auth=AuthSettings(refresh_extend_hours=2)) as app:
        await register(app, "shortrefresh")
        token = await login_token(app, "shortrefresh")
        response = await app.post(REFRESH, headers=bearer(token))
    remaining = _parse(response.json()["data"]["expires_at"]) - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < remaining <= timedelta(hours=2)
    stored = await db.fetchval("SELECT expires_at FROM sessions")
    assert stored == _parse(response.json()["data"]["expires_at"])


async def test_refresh_min_interval_zero_allows_back_to_back(client_for: ClientFor) -> None:
    async with client_for(auth=AuthSettings(refresh_min_interval_minutes=0)) as app:
        await register(app, "eager")
        token = await login_token(app, "eager")
        for _ in range(3):
            assert (await app.post(REFRESH, headers=bearer(token))).status_code == 200


async def test_refresh_allowed_again_after_the_interval(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    async with client_for(auth=AuthSettings(refresh_min_interval_minutes=1)) as app:
        await register(app, "patient")
        token = await login_token(app, "patient")
        assert (await app.post(REFRESH, headers=bearer(token))).status_code == 200
        assert_error(await app.post(REFRESH, headers=bearer(token)), 409, "CONFLICT", TOO_SOON)
        await db.execute("UPDATE sessions SET last_refreshed_at = NOW() - interval '61 seconds'")
        assert (await app.post(REFRESH, headers=bearer(token))).status_code == 200


async def test_refresh_with_an_api_key_is_401(client: httpx.AsyncClient, user: AppUser) -> None:
    created = await client.post("/api/v1/api-keys", json={"name": "k"}, headers=user.headers)
    key = created.json()["data"]["key"]
    await _unauthorized(await client.post(REFRESH, headers=bearer(key)))
    await _unauthorized(await client.post("/api/v1/auth/logout", headers=bearer(key)))


async def test_activity_is_written_at_most_once_a_minute(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    key = digest(user.token)
    activity = "SELECT last_activity_at FROM sessions WHERE token_hash = $1"
    await db.execute(
        "UPDATE sessions SET last_activity_at = NOW() - interval '2 minutes' WHERE token_hash = $1",
        key,
    )
    stale = await db.fetchval(activity, key)
    assert (await client.get(ME, headers=user.headers)).status_code == 200
    touched = await db.fetchval(activity, key)
    assert touched > stale
    assert abs(datetime.now(UTC) - touched) < timedelta(seconds=10)
    for _ in range(3):
        assert (await client.get(ME, headers=user.headers)).status_code == 200
    assert await db.fetchval(activity, key) == touched


async def test_recent_activity_is_not_rewritten(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    key = digest(user.token)
    await db.execute(
        "UPDATE sessions SET last_activity_at = NOW() - interval '30 seconds' WHERE token_hash = $1",
        key,
    )
    before = await db.fetchval("SELECT last_activity_at FROM sessions WHERE token_hash = $1", key)
    assert (await client.get(ME, headers=user.headers)).status_code == 200
    after = await db.fetchval("SELECT last_activity_at FROM sessions WHERE token_hash = $1", key)
    assert after == before
