"""The per-worker test database really returns to the template's state between tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.support.database import ResettableDatabase


@pytest.fixture
async def database(pg_server: tuple[str, str]) -> AsyncIterator[ResettableDatabase]:
    admin_url, template = pg_server
    resettable = ResettableDatabase(admin_url, template, f"r_{uuid.uuid4().hex[:12]}")
    await resettable.create()
    yield resettable
    await resettable.drop()


async def _fetchval(url: str, query: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


async def test_reset_empties_every_table_and_restarts_sequences(
    database: ResettableDatabase,
) -> None:
    conn = await asyncpg.connect(database.url)
    try:
        user_id = await conn.fetchval(
            "INSERT INTO users (username, email, password_hash) VALUES ('a', 'a@x.io', 'h') "
            "RETURNING id"
        )
        await conn.execute(
            "INSERT INTO sessions (user_id, token_hash, expires_at) "
            "VALUES ($1, 'x', now() + interval '1 hour')",
            user_id,
        )
        await conn.execute("INSERT INTO login_failures (scope, key) VALUES ('account', 'k')")
    finally:
        await conn.close()

    await database.reset()

    counts = await _fetchval(
        database.url,
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM sessions)"
        " + (SELECT count(*) FROM login_failures)",
    )
    assert counts == 0
    assert await _fetchval(database.url, "SELECT count(*) FROM schema_migrations") != 0
    conn = await asyncpg.connect(database.url)
    try:
        first_id = await conn.fetchval(
            "INSERT INTO login_failures (scope, key) VALUES ('account', 'k') RETURNING id"
        )
    finally:
        await conn.close()
    assert first_id == 1


async def test_reset_recreates_a_database_whose_schema_or_settings_changed(
    database: ResettableDatabase,
) -> None:
    conn = await asyncpg.connect(database.url)
    try:
        await conn.execute("CREATE TABLE leftover (id int)")
        await conn.execute("ALTER TABLE users DISABLE TRIGGER ALL")
        await conn.execute(
            f'ALTER DATABASE "{database.name}" SET default_transaction_read_only = on'
        )
    finally:
        await conn.close()

    await database.reset()

    assert await _fetchval(database.url, "SELECT to_regclass('leftover')") is None
    assert await _fetchval(database.url, "SHOW default_transaction_read_only") == "off"
    assert (
        await _fetchval(
            database.url,
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'users'::regclass"
            " AND NOT tgisinternal AND tgenabled = 'D'",
        )
        == 0
    )


async def test_reset_ends_connections_a_test_left_open(database: ResettableDatabase) -> None:
    leaked = await asyncpg.connect(database.url)
    await leaked.execute("BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE")

    await database.reset()

    assert leaked.is_closed() or not await _still_alive(leaked)


async def _still_alive(conn: asyncpg.Connection) -> bool:
    try:
        await conn.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError):
        return False
    return True
