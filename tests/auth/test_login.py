"""POST /auth/login: identities, validation, credentials, the stored session."""

from __future__ import annotations

import hashlib
import inspect
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from starter.auth import passwords, repository
from starter.core.config import AuthSettings
from tests.auth.conftest import TOKEN_RE, ClientFor, login, register
from tests.support.errors import assert_error
from tests.support.users import PASSWORD, PROFILE_KEYS, AppUser

URL = "/api/v1/auth/login"


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


async def test_login_by_username_returns_token_expiry_and_profile(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "loginuser")
    response = await login(client, username="loginuser")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"] is None
    data = body["data"]
    assert set(data) == {"session_token", "expires_at", "user"}
    assert TOKEN_RE.match(data["session_token"])
    assert set(data["user"]) == PROFILE_KEYS
    assert data["user"]["username"] == "loginuser"
    remaining = _parse(data["expires_at"]) - datetime.now(UTC)
    assert timedelta(hours=23, minutes=59) < remaining <= timedelta(hours=24)


@pytest.mark.parametrize(
    "identity",
    [
        {"email": "byemail@example.com"},
        {"username_or_email": "byemail"},
        {"username_or_email": "byemail@example.com"},
        {"username": "byemail", "email": None},
    ],
)
async def test_other_identities(client: httpx.AsyncClient, identity: dict[str, str]) -> None:
    await register(client, "byemail")
    response = await login(client, **identity)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["user"]["username"] == "byemail"


LOGIN_VALIDATION: list[tuple[dict[str, str | None], str]] = [
    (
        {"username": "someone", "email": "someone@example.com"},
        "Validation failed for login: Provide either username or email, not both",
    ),
    (
        {"username": "someone", "username_or_email": "someone"},
        "Validation failed for login: Provide either username or email, not both",
    ),
    ({}, "Validation failed for login: Either username or email must be provided"),
    (
        {"username": None, "email": None},
        "Validation failed for login: Either username or email must be provided",
    ),
    ({"username": ""}, "Validation failed for username: Username cannot be empty"),
    ({"username": "   "}, "Validation failed for username: Username cannot be empty"),
    ({"email": ""}, "Validation failed for email: Email cannot be empty"),
    ({"email": " \t"}, "Validation failed for email: Email cannot be empty"),
    (
        {"username": "ab"},
        "Validation failed for username: Username must be between 3 and 50 characters",
    ),
    (
        {"username": " alice "},
        "Validation failed for username: "
        "Username can only contain letters, numbers, underscores, and hyphens",
    ),
    ({"email": "not-an-email"}, "Validation failed for email: Invalid email format"),
    (
        {"username_or_email": " "},
        "Validation failed for username_or_email: Username or email cannot be empty",
    ),
    (
        {"username": "someone", "password": ""},
        "Validation failed for password: Password cannot be empty",
    ),
]


async def test_login_validation_messages(client: httpx.AsyncClient) -> None:
    wrong = []
    for body, message in LOGIN_VALIDATION:
        response = await client.post(URL, json={"password": PASSWORD, **body})
        got = (
            response.status_code,
            response.json()["error"]["code"],
            response.json()["error"]["message"],
        )
        if got != (400, "VALIDATION_FAILED", message):
            wrong.append((body, got))
    assert not wrong, wrong


async def test_login_does_not_check_password_strength(client: httpx.AsyncClient) -> None:
    await register(client, "weakcheck")
    assert_error(
        await login(client, username="weakcheck", password="x"), 401, "INVALID_CREDENTIALS"
    )


@pytest.mark.parametrize("body", [{"username": "someone"}, {"username": 5, "password": "x"}])
async def test_login_shape_errors_are_422(client: httpx.AsyncClient, body: object) -> None:
    assert_error(await client.post(URL, json=body), 422, "VALIDATION_FAILED")


async def test_unknown_user_and_wrong_password_are_indistinguishable(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    wrong = await login(client, username=user.username, password="WrongPassword1!")
    unknown = await login(client, username="nobody_here", password="WrongPassword1!")
    unknown_email = await login(client, email="nobody@example.com", password="WrongPassword1!")
    for response in (wrong, unknown, unknown_email):
        assert_error(response, 401, "INVALID_CREDENTIALS", "Invalid credentials")
        assert "set-cookie" not in response.headers
    assert wrong.content == unknown.content == unknown_email.content


async def test_inactive_user_cannot_log_in(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", UUID(user.id))
    response = await login(client, username=user.username)
    assert_error(response, 401, "INVALID_CREDENTIALS", "Invalid credentials")


async def test_user_in_response_carries_the_previous_last_login(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    await register(client, "returning")
    first = await login(client, username="returning")
    assert first.json()["data"]["user"]["last_login_at"] is None
    stored = await db.fetchval("SELECT last_login_at FROM users WHERE username = 'returning'")
    assert stored is not None
    assert abs(datetime.now(UTC) - stored) < timedelta(seconds=10)
    second = await login(client, username="returning")
    previous = _parse(second.json()["data"]["user"]["last_login_at"])
    assert previous == stored
    assert (
        await db.fetchval("SELECT last_login_at FROM users WHERE username = 'returning'") > previous
    )


async def test_session_row_stores_only_the_digest(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    await register(client, "digester")
    response = await login(client, username="digester", user_agent="my-cli/1.0")
    token = response.json()["data"]["session_token"]
    rows = await db.fetch("SELECT * FROM sessions")
    assert len(rows) == 1
    row = dict(rows[0])
    assert "token" not in row
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row.values())
    assert row["is_active"] is True
    assert row["last_refreshed_at"] is None
    assert row["user_agent"] == "my-cli/1.0"
    assert row["expires_at"] == _parse(response.json()["data"]["expires_at"])


async def test_user_agent_comes_from_the_body_not_the_header(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    await register(client, "agentless")
    response = await client.post(
        URL,
        json={"username": "agentless", "password": PASSWORD},
        headers={"User-Agent": "HeaderAgent/2.0"},
    )
    assert response.status_code == 200
    assert await db.fetchval("SELECT user_agent FROM sessions") is None


async def test_each_login_is_a_new_concurrent_session(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    second = (await login(client, username=user.username)).json()["data"]["session_token"]
    client.cookies.clear()
    assert second != user.token
    for token in (user.token, second):
        me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    assert await db.fetchval("SELECT count(*) FROM sessions WHERE is_active") == 2


async def test_session_duration_setting_is_honoured(
    client_for: ClientFor, db: asyncpg.Connection
) -> None:
    async with client_for(auth=AuthSettings(session_duration_hours=2)) as short:
        await register(short, "shortlived")
        response = await login(short, username="shortlived")
    expires = _parse(response.json()["data"]["expires_at"])
    remaining = expires - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < remaining <= timedelta(hours=2)
    assert await db.fetchval("SELECT expires_at FROM sessions") == expires


async def test_login_deactivates_only_sessions_idle_over_30_days(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    user_id = UUID(user.id)
    for name, idle in (("old", timedelta(days=35)), ("recent", timedelta(days=10))):
        await db.execute(
            """INSERT INTO sessions (user_id, token_hash, expires_at, last_activity_at)
               VALUES ($1, $2, NOW() + interval '24 hours', NOW() - $3::interval)""",
            user_id,
            hashlib.sha256(name.encode()).hexdigest(),
            idle,
        )
    count = "SELECT count(*) FROM sessions WHERE user_id = $1 AND is_active"
    assert await db.fetchval(count, user_id) == 3
    assert (await login(client, username=user.username)).status_code == 200
    assert await db.fetchval(count, user_id) == 3
    old = hashlib.sha256(b"old").hexdigest()
    recent = hashlib.sha256(b"recent").hexdigest()
    state = "SELECT is_active FROM sessions WHERE token_hash = $1"
    assert await db.fetchval(state, old) is False
    assert await db.fetchval(state, recent) is True
    client.cookies.clear()
    me = await client.get("/api/v1/auth/me", headers=user.headers)
    assert me.status_code == 200


async def test_idle_sessions_of_other_users_are_untouched(
    client: httpx.AsyncClient, make_user, db: asyncpg.Connection
) -> None:
    alice = await make_user()
    bob = await make_user()
    await db.execute(
        "UPDATE sessions SET last_activity_at = NOW() - interval '40 days' WHERE user_id = $1",
        UUID(bob.id),
    )
    assert (await login(client, username=alice.username)).status_code == 200
    assert await db.fetchval(
        "SELECT bool_and(is_active) FROM sessions WHERE user_id = $1", UUID(bob.id)
    )


async def test_unknown_user_costs_one_argon2_verification_like_a_wrong_password(
    client: httpx.AsyncClient, user: AppUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing equalisation: both failures verify an Argon2id hash exactly once."""
    calls: list[str] = []
    real = passwords.verify_password_sync

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash.split("$")[1])
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password_sync", counting)
    await login(client, username=user.username, password="WrongPassword1!")
    await login(client, username="nobody_here", password="WrongPassword1!")
    assert calls == ["argon2id", "argon2id"]


def _recorded(name: str, function: Any, steps: list[str]) -> Any:
    async def recording(*args: Any, **kwargs: Any) -> Any:
        steps.append(name)
        return await function(*args, **kwargs)

    return recording


async def test_known_and_unknown_accounts_take_the_same_database_steps(
    client: httpx.AsyncClient, user: AppUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keying the limit by account needs the lookup first; a miss must not skip a step a hit
    takes (or the reverse), whatever identifier was typed. The queries still run for real."""
    steps: list[str] = []
    for name, function in vars(repository).items():
        if inspect.iscoroutinefunction(function) and not name.startswith("_"):
            monkeypatch.setattr(repository, name, _recorded(name, function, steps))

    runs = []
    for identity in (
        {"username": user.username},
        {"username": "nobody_here"},
        {"email": user.email.upper()},
        {"email": "nobody@example.com"},
    ):
        steps.clear()
        assert_error(
            await login(client, **identity, password="WrongPassword1!"), 401, "INVALID_CREDENTIALS"
        )
        runs.append(list(steps))
    assert runs[0] == [
        "find_active_user_for_login",
        "recent_failures",
        "recent_failures",
        "record_failures",
    ]
    assert all(run == runs[0] for run in runs), runs
