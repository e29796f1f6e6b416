"""Initial admin bootstrap and expired-session cleanup (service functions used by the CLI
and the worker), checked against the real database and the API."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
import httpx

from starter.auth.service import cleanup_expired_sessions, ensure_initial_admin
from starter.core.config import AuthSettings
from starter.core.db import connect_once
from starter.core.security import digest
from tests.auth.conftest import login
from tests.support.users import AppUser, MakeUser


async def test_initial_admin_is_created_when_none_exists(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    assert await ensure_initial_admin(db, "Bootstrap-Pass-1") is True
    row = await db.fetchrow(
        "SELECT username, email, role, is_active, email_verified FROM users WHERE role = 'admin'"
    )
    assert dict(row) == {
        "username": "admin",
        "email": "admin@example.com",
        "role": "admin",
        "is_active": True,
        "email_verified": True,
    }
    response = await login(client, username="admin", password="Bootstrap-Pass-1")
    assert response.status_code == 200
    assert response.json()["data"]["user"]["role"] == "admin"


async def test_initial_admin_password_is_not_strength_checked(db: asyncpg.Connection) -> None:
    assert await ensure_initial_admin(db, "admin") is True
    assert await db.fetchval("SELECT count(*) FROM users WHERE role = 'admin'") == 1


async def test_initial_admin_is_skipped_when_an_admin_exists(
    admin: AppUser, db: asyncpg.Connection
) -> None:
    assert await ensure_initial_admin(db, "Bootstrap-Pass-1") is False
    assert await ensure_initial_admin(db, "Bootstrap-Pass-1") is False
    assert await db.fetchval("SELECT count(*) FROM users WHERE role = 'admin'") == 1
    assert await db.fetchval("SELECT count(*) FROM users WHERE username = 'admin'") == 0


async def test_an_inactive_admin_still_counts(admin: AppUser, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE users SET is_active = FALSE WHERE id = $1", UUID(admin.id))
    assert await ensure_initial_admin(db, "Bootstrap-Pass-1") is False
    assert await db.fetchval("SELECT count(*) FROM users WHERE username = 'admin'") == 0


async def test_initial_admin_needs_a_password(db: asyncpg.Connection) -> None:
    assert await ensure_initial_admin(db, None) is False
    assert await ensure_initial_admin(db, "") is False
    assert await db.fetchval("SELECT count(*) FROM users") == 0


async def test_cleanup_deactivates_only_expired_sessions(
    client: httpx.AsyncClient, make_user: MakeUser, db: asyncpg.Connection
) -> None:
    alice = await make_user()
    bob = await make_user()
    await db.execute(
        "UPDATE sessions SET expires_at = NOW() - interval '1 minute' WHERE token_hash = $1",
        digest(alice.token),
    )
    assert await cleanup_expired_sessions(db, AuthSettings()) == 1
    state = "SELECT is_active FROM sessions WHERE token_hash = $1"
    assert await db.fetchval(state, digest(alice.token)) is False
    assert await db.fetchval(state, digest(bob.token)) is True
    assert (await client.get("/api/v1/auth/me", headers=bob.headers)).status_code == 200
    assert await cleanup_expired_sessions(db, AuthSettings()) == 0


async def test_cleanup_prunes_login_failures_outside_the_window(db: asyncpg.Connection) -> None:
    await db.execute(
        """INSERT INTO login_failures (scope, key, failed_at) VALUES
           ('account', 'old', NOW() - interval '2 hours'), ('account', 'new', NOW())"""
    )
    await cleanup_expired_sessions(db, AuthSettings(login_failure_window_secs=3600))
    assert [r["key"] for r in await db.fetch("SELECT key FROM login_failures")] == ["new"]


async def test_concurrent_bootstraps_create_one_admin(database_url: str) -> None:
    """Two servers starting together: one creates the admin, the other skips (no 409 crash)."""
    async with connect_once(database_url) as first, connect_once(database_url) as second:
        results = await asyncio.gather(
            ensure_initial_admin(first, "Bootstrap-Pass-1"),
            ensure_initial_admin(second, "Bootstrap-Pass-1"),
        )
        assert sorted(results) == [False, True]
        assert await first.fetchval("SELECT count(*) FROM users WHERE role = 'admin'") == 1
