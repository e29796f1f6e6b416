"""The per-process principal cache: its own rules, and through the app that a cached answer
never outlives the change that ended or altered it (local write, notification from another
process or tool, listener loss, expiry, activity stamp)."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from structlog.testing import capture_logs

from starter.auth.principal_cache import PrincipalCache, forget_user, serve_forgetting
from starter.auth.schemas import Principal
from starter.core.config import AuthSettings, Settings
from starter.core.request_connections import RequestConnections
from starter.core.security import digest
from starter.rbac.roles import Role
from tests.support.http import asgi_client, started_app
from tests.support.settings import make_settings
from tests.support.users import AppUser, MakeUser
from tests.users.helpers import API, STRONG, login

ME = f"{API}/auth/me"
USERS = f"{API}/users"
AUTH_TRIGGERS = (
    ("users", "users_auth_changed"),
    ("users", "users_auth_deleted"),
    ("sessions", "sessions_auth_changed"),
    ("sessions", "sessions_auth_deleted"),
    ("api_keys", "api_keys_auth_changed"),
    ("api_keys", "api_keys_auth_deleted"),
)


# --- helpers and fixtures -------------------------------------------------------------------


def session_key(token: str) -> str:
    return "s:" + digest(token)


def api_key_key(key: str) -> str:
    return "k:" + digest(key)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cache_of(app: FastAPI) -> PrincipalCache:
    cache: PrincipalCache = app.state.principal_cache
    return cache


POLL_DEADLINE_SECS = 2.0


async def eventually(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Poll `condition` until it holds; fail after POLL_DEADLINE_SECS."""
    deadline = time.monotonic() + POLL_DEADLINE_SECS
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, f"not within {POLL_DEADLINE_SECS} s: {what}"
        await asyncio.sleep(0.01)


async def me(http: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await http.get(ME, headers=headers)


async def create_api_key(http: httpx.AsyncClient, owner: AppUser) -> tuple[str, str]:
    """(id, secret) of a new read/write key of `owner`."""
    response = await http.post(f"{API}/api-keys", json={"name": "ci"}, headers=owner.headers)
    assert response.status_code == 200, response.text
    created = response.json()["data"]
    return created["id"], created["key"]


async def rename_by_sql(db: asyncpg.Connection, who: AppUser) -> str:
    name = f"sql_{uuid.uuid4().hex[:8]}"
    await db.execute("UPDATE users SET username = $1 WHERE id = $2", name, UUID(who.id))
    return name


@pytest.fixture
def auth(request: pytest.FixtureRequest) -> AuthSettings:
    """The app's auth settings: the defaults, or a test's indirect parameter."""
    param: AuthSettings = getattr(request, "param", AuthSettings())
    return param


@pytest.fixture
def settings(database_url: str, auth: AuthSettings) -> Settings:
    return make_settings(database_url, auth=auth)


@pytest.fixture
async def silenced(db: asyncpg.Connection) -> None:
    """Every auth trigger disabled: no notification can evict anything in this test."""
    for table, trigger in AUTH_TRIGGERS:
        await db.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    still_enabled = await db.fetchval(
        """SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
           WHERE p.proname = 'notify_auth_change' AND t.tgenabled <> 'D'"""
    )
    assert still_enabled == 0


def by_settings(name: str, **values: Any) -> Any:
    """Run the test with an app built with these auth settings."""
    return pytest.mark.parametrize("auth", [AuthSettings(**values)], ids=[name], indirect=True)


# --- the cache on its own -------------------------------------------------------------------


def principal(user_id: UUID | None = None) -> Principal:
    user_id = user_id or uuid4()
    return Principal(
        id=user_id, username=f"u_{user_id.hex[:8]}", email="u@example.com", role=Role.USER
    )


def listening_cache(ttl: float = 30, max_entries: int = 100) -> PrincipalCache:
    cache = PrincipalCache(ttl, max_entries)
    cache.set_listening(True)
    return cache


def test_put_then_get() -> None:
    cache = listening_cache()
    alice = principal()
    cache.put("s:a", alice, 10, cache.generation)
    assert cache.enabled
    assert cache.get("s:a") is alice
    assert cache.get("s:unknown") is None
    assert len(cache) == 1


def test_nothing_is_kept_until_listening() -> None:
    cache = PrincipalCache(30, 100)
    assert not cache.enabled
    cache.put("s:a", principal(), 10, cache.generation)
    assert len(cache) == 0
    cache.set_listening(True)
    cache.put("s:a", principal(), 10, cache.generation)
    assert len(cache) == 1


def forget_in(cache: PrincipalCache, user_id: UUID) -> None:
    """`forget_user` as a request served with `cache` calls it (run in a copied context)."""
    serve_forgetting(cache)
    forget_user(user_id)


INVALIDATIONS: dict[str, Callable[[PrincipalCache], None]] = {
    "forget-other-user": lambda cache: cache.forget(uuid4()),
    "clear": lambda cache: cache.clear(),
    "notification": lambda cache: cache.on_notification(str(uuid4())),
    "reconnect": lambda cache: cache.set_listening(True),
    "forget_user": lambda cache: contextvars.copy_context().run(forget_in, cache, uuid4()),
}


@pytest.mark.parametrize("invalidate", INVALIDATIONS.values(), ids=INVALIDATIONS.keys())
def test_lookup_overlapping_an_invalidation_is_not_stored(
    invalidate: Callable[[PrincipalCache], None],
) -> None:
    cache = listening_cache()
    read_before = cache.generation
    invalidate(cache)
    assert cache.generation > read_before
    cache.put("s:a", principal(), 10, read_before)
    assert len(cache) == 0
    cache.put("s:a", principal(), 10, cache.generation)
    assert len(cache) == 1


async def test_entry_expires_after_valid_for() -> None:
    cache = listening_cache(ttl=30)
    cache.put("s:a", principal(), 0.05, cache.generation)
    assert cache.get("s:a") is not None
    await asyncio.sleep(0.06)
    assert cache.get("s:a") is None
    assert len(cache) == 0


async def test_entry_expires_after_the_ttl() -> None:
    cache = listening_cache(ttl=0.05)
    cache.put("s:a", principal(), float("inf"), cache.generation)
    assert cache.get("s:a") is not None
    await asyncio.sleep(0.06)
    assert cache.get("s:a") is None
    assert len(cache) == 0


@pytest.mark.parametrize("valid_for", [0.0, -1.0])
def test_an_answer_already_stale_is_not_stored(valid_for: float) -> None:
    cache = listening_cache()
    cache.put("s:a", principal(), valid_for, cache.generation)
    assert len(cache) == 0


def test_max_entries_evicts_the_oldest() -> None:
    cache = listening_cache(max_entries=2)
    first, second, third = principal(), principal(), principal()
    cache.put("s:1", first, 10, cache.generation)
    cache.put("s:2", second, 10, cache.generation)
    cache.put("s:1", first, 10, cache.generation)  # a known key replaces, evicts nothing
    assert len(cache) == 2
    cache.put("s:3", third, 10, cache.generation)
    assert len(cache) == 2
    assert cache.get("s:1") is None
    assert cache.get("s:2") is second
    assert cache.get("s:3") is third
    cache.forget(first.id)  # the evicted user's bookkeeping is gone too
    assert len(cache) == 2


def test_forget_removes_only_that_users_keys() -> None:
    cache = listening_cache()
    alice, bob = principal(), principal()
    for key, who in (("s:a1", alice), ("s:a2", alice), ("k:a3", alice), ("s:b1", bob)):
        cache.put(key, who, 10, cache.generation)
    generation = cache.generation
    cache.forget(alice.id)
    assert cache.generation == generation + 1
    assert [cache.get(key) for key in ("s:a1", "s:a2", "k:a3")] == [None, None, None]
    assert cache.get("s:b1") is bob
    assert len(cache) == 1


def test_notification_forgets_the_named_user() -> None:
    cache = listening_cache()
    alice, bob = principal(), principal()
    cache.put("s:a", alice, 10, cache.generation)
    cache.put("s:b", bob, 10, cache.generation)
    cache.on_notification(str(alice.id))
    assert cache.get("s:a") is None
    assert cache.get("s:b") is bob


@pytest.mark.parametrize("payload", ["", "not-a-uuid", "1234", "x" * 500])
def test_malformed_notification_clears_everything(payload: str) -> None:
    cache = listening_cache()
    for key in ("s:a", "s:b", "k:c"):
        cache.put(key, principal(), 10, cache.generation)
    generation = cache.generation
    cache.on_notification(payload)
    assert len(cache) == 0
    assert cache.generation > generation


def test_listener_loss_clears_and_disables() -> None:
    cache = listening_cache()
    cache.put("s:a", principal(), 10, cache.generation)
    cache.set_listening(False)
    assert not cache.enabled
    assert not cache.listening.is_set()
    assert len(cache) == 0
    cache.put("s:a", principal(), 10, cache.generation)
    assert len(cache) == 0
    cache.set_listening(True)
    assert cache.enabled
    cache.put("s:a", principal(), 10, cache.generation)
    assert len(cache) == 1


def test_zero_ttl_never_stores() -> None:
    cache = listening_cache(ttl=0)
    assert cache.listening.is_set()
    assert not cache.enabled
    cache.put("s:a", principal(), 10, cache.generation)
    assert len(cache) == 0


def test_forget_user_reaches_the_cache_serving_the_request_only() -> None:
    alice, bob = principal(), principal()
    serving, other = listening_cache(), listening_cache()
    for cache in (serving, other):
        cache.put("s:a", alice, 10, cache.generation)
        cache.put("s:b", bob, 10, cache.generation)
    contextvars.copy_context().run(forget_in, serving, alice.id)
    assert serving.get("s:a") is None
    assert serving.get("s:b") is bob
    assert other.get("s:a") is alice  # another app (as another process) hears the notification
    contextvars.copy_context().run(forget_user, bob.id)  # no request: nothing to forget here
    assert serving.get("s:b") is bob


# --- through the app: cache hits ------------------------------------------------------------


async def test_me_is_cached_and_served_without_a_lookup(
    app: FastAPI, client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    cache = cache_of(app)
    assert cache.enabled
    assert (await me(client, user.headers)).json()["data"]["username"] == user.username
    assert cache.get(session_key(user.token)) is not None

    # Unannounced rename: only a lookup could see it, and the cached answer is served instead.
    await db.execute("ALTER TABLE users DISABLE TRIGGER users_auth_changed")
    await rename_by_sql(db, user)
    assert (await me(client, user.headers)).json()["data"]["username"] == user.username

    # Announced rename: the notification evicts the entry and the next request sees it.
    await db.execute("ALTER TABLE users ENABLE TRIGGER users_auth_changed")
    renamed = await rename_by_sql(db, user)

    async def renamed_seen() -> bool:
        return bool((await me(client, user.headers)).json()["data"]["username"] == renamed)

    await eventually(renamed_seen, what="the rename to reach the cache")


async def test_cached_me_takes_no_database_connection(
    app: FastAPI, client: httpx.AsyncClient, user: AppUser
) -> None:
    assert (await me(client, user.headers)).status_code == 200
    lender: RequestConnections = app.state.request_connections
    held = [await lender.acquire() for _ in range(lender.limit)]  # every one is now taken
    try:
        async with asyncio.timeout(1):
            response = await me(client, user.headers)
        assert response.status_code == 200
    finally:
        for conn in held:
            await lender.release(conn)


async def test_session_token_as_api_key_is_rejected_while_cached(
    app: FastAPI, client: httpx.AsyncClient, user: AppUser
) -> None:
    cache = cache_of(app)
    assert (await me(client, user.headers)).status_code == 200
    assert cache.get(session_key(user.token)) is not None
    response = await me(client, {"X-API-Key": user.token})
    assert response.status_code == 401
    assert cache.get(api_key_key(user.token)) is None
    assert (await me(client, user.headers)).status_code == 200


# --- through the app: the writer's own process forgets at once ------------------------------


@dataclass
class Victim:
    account: AppUser
    api_key_id: str
    credentials: dict[str, dict[str, str]]  # name -> request headers
    cache_keys: dict[str, str]


async def make_victim(client: httpx.AsyncClient, make_user: MakeUser) -> Victim:
    """A user with two sessions and an API key."""
    account = await make_user("user")
    other = (await login(client, account.username)).json()["data"]["session_token"]
    key_id, key = await create_api_key(client, account)
    return Victim(
        account,
        key_id,
        {"session": account.headers, "other_session": bearer(other), "api_key": {"X-API-Key": key}},
        {
            "session": session_key(account.token),
            "other_session": session_key(other),
            "api_key": api_key_key(key),
        },
    )


async def prime(app: FastAPI, client: httpx.AsyncClient, victim: Victim) -> None:
    """Each credential of the victim authenticates once and is then cached."""
    cache = cache_of(app)
    for name, headers in victim.credentials.items():
        assert (await me(client, headers)).status_code == 200, name
        assert cache.get(victim.cache_keys[name]) is not None, name


Write = Callable[[httpx.AsyncClient, AppUser, Victim], Awaitable[httpx.Response]]


async def logout(client: httpx.AsyncClient, _admin: AppUser, victim: Victim) -> httpx.Response:
    return await client.post(f"{API}/auth/logout", headers=victim.credentials["session"])


async def logout_all(client: httpx.AsyncClient, _admin: AppUser, victim: Victim) -> httpx.Response:
    return await client.post(f"{API}/auth/logout-all", headers=victim.credentials["session"])


async def deactivate(client: httpx.AsyncClient, admin: AppUser, victim: Victim) -> httpx.Response:
    return await client.put(
        f"{USERS}/{victim.account.id}/status", json={"is_active": False}, headers=admin.headers
    )


async def reset_password(
    client: httpx.AsyncClient, admin: AppUser, victim: Victim
) -> httpx.Response:
    return await client.post(
        f"{USERS}/{victim.account.id}/reset-password",
        json={"new_password": STRONG},
        headers=admin.headers,
    )


async def soft_delete(client: httpx.AsyncClient, admin: AppUser, victim: Victim) -> httpx.Response:
    return await client.request(
        "DELETE", f"{USERS}/{victim.account.id}", json={}, headers=admin.headers
    )


async def hard_delete(client: httpx.AsyncClient, admin: AppUser, victim: Victim) -> httpx.Response:
    return await client.request(
        "DELETE", f"{USERS}/{victim.account.id}", json={"hard_delete": True}, headers=admin.headers
    )


async def revoke_key(client: httpx.AsyncClient, _admin: AppUser, victim: Victim) -> httpx.Response:
    return await client.delete(
        f"{API}/api-keys/{victim.api_key_id}", headers=victim.credentials["session"]
    )


EVERY_CREDENTIAL = frozenset({"session", "other_session", "api_key"})
SESSIONS = frozenset({"session", "other_session"})
ENDING_WRITES = [
    pytest.param(logout, {"session"}, id="logout"),
    pytest.param(logout_all, SESSIONS, id="logout-all"),
    pytest.param(deactivate, EVERY_CREDENTIAL, id="admin-deactivates"),
    pytest.param(reset_password, SESSIONS, id="admin-resets-password"),
    pytest.param(soft_delete, EVERY_CREDENTIAL, id="admin-soft-deletes"),
    pytest.param(hard_delete, EVERY_CREDENTIAL, id="admin-hard-deletes"),
    pytest.param(revoke_key, {"api_key"}, id="api-key-revoked"),
]


@pytest.mark.parametrize(("write", "ended"), ENDING_WRITES)
async def test_write_ends_cached_credentials_for_the_next_request(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_user: MakeUser,
    silenced: None,
    write: Write,
    ended: frozenset[str],
) -> None:
    """No trigger is enabled: only the writer's own `forget_user` can evict the entries."""
    admin = await make_user("admin")
    victim = await make_victim(client, make_user)
    await prime(app, client, victim)
    response = await write(client, admin, victim)
    assert response.status_code == 200, response.text
    for name, headers in victim.credentials.items():
        expected = 401 if name in ended else 200
        assert (await me(client, headers)).status_code == expected, name


@pytest.mark.parametrize(
    ("before", "after", "list_before", "list_after"),
    [
        pytest.param("user", "moderator", 403, 200, id="user-to-moderator"),
        pytest.param("admin", "user", 200, 403, id="admin-to-user"),
    ],
)
async def test_role_change_applies_to_the_next_request(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_user: MakeUser,
    silenced: None,
    before: str,
    after: str,
    list_before: int,
    list_after: int,
) -> None:
    admin = await make_user("admin")
    target = await make_user(before)
    assert (await client.get(USERS, headers=target.headers)).status_code == list_before
    assert cache_of(app).get(session_key(target.token)) is not None
    response = await client.put(
        f"{USERS}/{target.id}/role", json={"role": after}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert (await client.get(USERS, headers=target.headers)).status_code == list_after
    assert (await me(client, target.headers)).json()["data"]["role"] == after


ProfileEdit = Callable[
    [httpx.AsyncClient, AppUser, AppUser, dict[str, str]], Awaitable[httpx.Response]
]


async def own_edit(
    client: httpx.AsyncClient, _admin: AppUser, target: AppUser, body: dict[str, str]
) -> httpx.Response:
    return await client.put(f"{USERS}/me/profile", json=body, headers=target.headers)


async def admin_edit(
    client: httpx.AsyncClient, admin: AppUser, target: AppUser, body: dict[str, str]
) -> httpx.Response:
    return await client.put(f"{USERS}/{target.id}/profile", json=body, headers=admin.headers)


@pytest.mark.parametrize("edit", [own_edit, admin_edit], ids=["own", "by-admin"])
async def test_profile_change_applies_to_the_next_request(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_user: MakeUser,
    silenced: None,
    edit: ProfileEdit,
) -> None:
    admin = await make_user("admin")
    target = await make_user("user")
    assert (await me(client, target.headers)).status_code == 200
    assert cache_of(app).get(session_key(target.token)) is not None
    name = f"renamed_{uuid.uuid4().hex[:8]}"
    body = {"username": name, "email": f"{name}@example.com"}
    response = await edit(client, admin, target, body)
    assert response.status_code == 200, response.text
    seen = (await me(client, target.headers)).json()["data"]
    assert (seen["username"], seen["email"]) == (body["username"], body["email"])


# --- through the app: changes made elsewhere ------------------------------------------------


async def test_logout_in_another_process_reaches_this_cache(
    settings: Settings, client: httpx.AsyncClient, user: AppUser
) -> None:
    async with started_app(settings) as other_app, asgi_client(other_app) as elsewhere:
        cache = cache_of(other_app)  # the writer's `forget_user` reaches only its own app
        assert (await me(elsewhere, user.headers)).status_code == 200
        assert cache.get(session_key(user.token)) is not None

        assert (await client.post(f"{API}/auth/logout", headers=user.headers)).status_code == 200
        assert (await me(client, user.headers)).status_code == 401

        async def ended_elsewhere() -> bool:
            return (await me(elsewhere, user.headers)).status_code == 401

        await eventually(ended_elsewhere, what="the logout to reach the other process")
        assert cache.get(session_key(user.token)) is None


async def test_role_change_by_sql_reaches_every_cache(
    app: FastAPI,
    settings: Settings,
    client: httpx.AsyncClient,
    user: AppUser,
    db: asyncpg.Connection,
) -> None:
    async with started_app(settings) as other_app, asgi_client(other_app) as elsewhere:
        clients = (client, elsewhere)
        for http, application in zip(clients, (app, other_app), strict=True):
            assert (await http.get(USERS, headers=user.headers)).status_code == 403
            assert cache_of(application).get(session_key(user.token)) is not None
        await db.execute("UPDATE users SET role = 'moderator' WHERE id = $1", UUID(user.id))
        for http in clients:

            async def promoted(http: httpx.AsyncClient = http) -> bool:
                return (await http.get(USERS, headers=user.headers)).status_code == 200

            await eventually(promoted, what="the new role to reach the cache")
            assert (await me(http, user.headers)).json()["data"]["role"] == "moderator"


async def test_listener_loss_clears_and_disables_until_reconnected(
    app: FastAPI, client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    cache = cache_of(app)
    assert (await me(client, user.headers)).status_code == 200
    assert len(cache) == 1
    listeners = """SELECT pid FROM pg_stat_activity
                   WHERE datname = current_database() AND pid <> pg_backend_pid()
                     AND query LIKE 'LISTEN %starter_auth%'"""
    [old_pid] = [row["pid"] for row in await db.fetch(listeners)]
    generation = cache.generation
    with capture_logs() as logs:
        assert await db.fetchval("SELECT pg_terminate_backend($1)", old_pid)

        await eventually(lambda: not cache.listening.is_set(), what="the loss to be noticed")
        assert not cache.enabled
        assert len(cache) == 0
        assert cache.generation > generation
        assert (await me(client, user.headers)).status_code == 200  # looked up, still served

        await eventually(lambda: cache.enabled, what="the listener to reconnect")
    # The log tells an operator it went down and came back, not only the first half.
    said = [(e["event"], e["log_level"]) for e in logs if e.get("listener") == "principal-cache"]
    assert said == [("listener.lost", "warning"), ("listener.recovered", "info")], logs
    [new_pid] = [row["pid"] for row in await db.fetch(listeners)]
    assert new_pid != old_pid
    assert (await me(client, user.headers)).status_code == 200
    assert cache.get(session_key(user.token)) is not None
    # The new LISTEN connection delivers invalidations.
    renamed = await rename_by_sql(db, user)

    async def renamed_seen() -> bool:
        return bool((await me(client, user.headers)).json()["data"]["username"] == renamed)

    await eventually(renamed_seen, what="the rename to reach the cache after reconnecting")


# --- through the app: expiry and activity without any notification --------------------------


@by_settings("1s-sessions", session_duration_hours=1 / 3600)
async def test_cached_session_ends_at_its_expiry(
    app: FastAPI, client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection, silenced: None
) -> None:
    token = (await login(client, user.username)).json()["data"]["session_token"]
    expires_at: datetime = await db.fetchval(
        "SELECT expires_at FROM sessions WHERE token_hash = $1", digest(token)
    )
    assert (await me(client, bearer(token))).status_code == 200
    assert cache_of(app).get(session_key(token)) is not None
    tolerance = timedelta(milliseconds=50)
    deadline = time.monotonic() + 2.5
    while True:
        sent = datetime.now(UTC)
        status = (await me(client, bearer(token))).status_code
        if status == 401:
            break
        assert status == 200
        assert sent < expires_at + tolerance, "served after the session expired"
        assert time.monotonic() < deadline, "the session outlived its expiry"
        await asyncio.sleep(0.02)
    assert datetime.now(UTC) >= expires_at - tolerance
    assert cache_of(app).get(session_key(token)) is None


@by_settings("activity-every-0.3s", activity_write_interval_secs=0.3)
async def test_activity_stamp_is_still_written_after_the_interval(
    app: FastAPI, client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    token = (await login(client, user.username)).json()["data"]["session_token"]
    cache = cache_of(app)

    async def stamp() -> datetime:
        value: datetime = await db.fetchval(
            "SELECT last_activity_at FROM sessions WHERE token_hash = $1", digest(token)
        )
        return value

    assert (await me(client, bearer(token))).status_code == 200
    assert cache.get(session_key(token)) is not None
    first = await stamp()
    await asyncio.sleep(0.35)  # the configured interval, not a notification
    assert (await me(client, bearer(token))).status_code == 200
    second = await stamp()
    assert second > first
    assert cache.get(session_key(token)) is not None
    assert (await me(client, bearer(token))).status_code == 200
    assert await stamp() == second  # within the interval: no write


# --- through the app: cache off -------------------------------------------------------------


@by_settings("cache-off", principal_cache_secs=0)
async def test_zero_secs_turns_the_cache_off(
    app: FastAPI, client: httpx.AsyncClient, silenced: None, user: AppUser, db: asyncpg.Connection
) -> None:
    cache = cache_of(app)
    assert cache.listening.is_set()
    assert not cache.enabled
    _, key = await create_api_key(client, user)
    for headers in (user.headers, {"X-API-Key": key}, user.headers):
        assert (await me(client, headers)).status_code == 200
    assert len(cache) == 0
    renamed = await rename_by_sql(db, user)  # no trigger: seen only because nothing is cached
    assert (await me(client, user.headers)).json()["data"]["username"] == renamed
    assert (await client.post(f"{API}/auth/logout", headers=user.headers)).status_code == 200
    assert (await me(client, user.headers)).status_code == 401
    assert len(cache) == 0
