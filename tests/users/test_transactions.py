"""Writes that touch users and sessions commit together or not at all.

A trigger makes every UPDATE of sessions fail, so the second write of each flow breaks; the
first write (on users) must then be rolled back.
"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from tests.support.errors import assert_error
from tests.support.users import PASSWORD, AppUser
from tests.users.helpers import API, STRONG, active_sessions, login, user_row

BREAK_SESSIONS = """
CREATE FUNCTION break_sessions() RETURNS TRIGGER AS $$
BEGIN RAISE EXCEPTION 'sessions are read-only in this test'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER break_sessions BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION break_sessions();
"""
MEND_SESSIONS = "DROP TRIGGER break_sessions ON sessions; DROP FUNCTION break_sessions();"


async def _assert_untouched(db: asyncpg.Connection, victim: AppUser, password_hash: str) -> None:
    row = await user_row(db, victim.id)
    assert row is not None
    assert row["is_active"] is True
    assert row["password_hash"] == password_hash
    assert await active_sessions(db, victim.id) == 1


async def _hash(db: asyncpg.Connection, victim: AppUser) -> str:
    row = await user_row(db, victim.id)
    assert row is not None
    return str(row["password_hash"])


async def test_status_change_rolls_back(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    password_hash = await _hash(db, user)
    await db.execute(BREAK_SESSIONS)
    response = await client.put(
        f"{API}/users/{user.id}/status", json={"is_active": False}, headers=admin.headers
    )
    assert_error(response, 500, "INTERNAL_ERROR")
    await db.execute(MEND_SESSIONS)
    await _assert_untouched(db, user, password_hash)


async def test_reset_password_rolls_back(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    password_hash = await _hash(db, user)
    await db.execute(BREAK_SESSIONS)
    response = await client.post(
        f"{API}/users/{user.id}/reset-password",
        json={"new_password": STRONG},
        headers=admin.headers,
    )
    assert_error(response, 500, "INTERNAL_ERROR")
    await db.execute(MEND_SESSIONS)
    await _assert_untouched(db, user, password_hash)
    assert (await login(client, user.username, PASSWORD)).status_code == 200


async def test_self_delete_rolls_back(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    password_hash = await _hash(db, user)
    await db.execute(BREAK_SESSIONS)
    response = await client.request(
        "DELETE",
        f"{API}/users/me",
        json={"password": PASSWORD, "confirmation": "DELETE"},
        headers=user.headers,
    )
    assert_error(response, 500, "INTERNAL_ERROR")
    await db.execute(MEND_SESSIONS)
    await _assert_untouched(db, user, password_hash)


async def test_soft_delete_rolls_back(
    client: httpx.AsyncClient, admin: AppUser, user: AppUser, db: asyncpg.Connection
) -> None:
    password_hash = await _hash(db, user)
    await db.execute(BREAK_SESSIONS)
    response = await client.request(
        "DELETE", f"{API}/users/{user.id}", json={}, headers=admin.headers
    )
    assert_error(response, 500, "INTERNAL_ERROR")
    await db.execute(MEND_SESSIONS)
    await _assert_untouched(db, user, password_hash)


async def test_own_password_change_locks_the_row(
    client: httpx.AsyncClient, user: AppUser, db: asyncpg.Connection
) -> None:
    """The change locks the row (SELECT ... FOR UPDATE) before it checks the current password."""
    transaction = db.transaction()
    await transaction.start()
    await db.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", uuid.UUID(user.id))
    change = asyncio.create_task(
        client.put(
            f"{API}/users/me/password",
            json={"current_password": PASSWORD, "new_password": STRONG},
            headers=user.headers,
        )
    )
    waiting = 0
    for _ in range(200):
        await db.execute("SELECT pg_stat_clear_snapshot()")  # stats are frozen per transaction
        waiting = await db.fetchval(
            """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'
                 AND query LIKE 'SELECT%FOR UPDATE'"""
        )
        if waiting or change.done():
            break
        await asyncio.sleep(0.05)
    assert waiting == 1
    assert not change.done()
    await transaction.commit()
    response = await asyncio.wait_for(change, timeout=10)
    assert response.status_code == 200, response.text
    assert (await login(client, user.username, STRONG)).status_code == 200
