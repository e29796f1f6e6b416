"""Migration 012 (case-insensitive usernames and emails) on a database that already holds
accounts differing only by case: `starter migrate up` names them, changes nothing, and
succeeds once they are renamed."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest

from starter.core import db as dbmod
from starter.core.migrate import discover, migrate_up
from tests.cli.conftest import cli_env, run_starter

VERSION = 12


def _before_case_insensitivity(tmp_path: Path) -> Path:
    """A migrations directory holding only the migrations that came before 012."""
    directory = tmp_path / "migrations"
    directory.mkdir()
    for migration in discover():
        if migration.version < VERSION:
            shutil.copy(migration.up_path, directory)
            shutil.copy(migration.down_path, directory)
    return directory


async def _add_user(conn: asyncpg.Connection, username: str, email: str) -> uuid.UUID:
    user_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, 'x') RETURNING id",
        username,
        email,
    )
    return user_id


@pytest.mark.slow
async def test_migrate_up_names_case_duplicates_then_applies_once_fixed(
    empty_database_url: str, tmp_path: Path
) -> None:
    async with dbmod.connect_once(empty_database_url) as conn:
        await migrate_up(conn, _before_case_insensitivity(tmp_path))
        usera = await _add_user(conn, "usera", "usera@example.com")
        await _add_user(conn, "UserA", "usera2@example.com")
        await _add_user(conn, "bob", "Bob@Example.com")
        bobby = await _add_user(conn, "bobby", "bob@example.com")
        await _add_user(conn, "carol", "carol@example.com")

    env = cli_env(empty_database_url)
    refused = await run_starter("migrate", "up", env=env)
    assert refused.code == 1, refused
    message = refused.stderr
    assert message.startswith("error: 12_case_insensitive_identity: ")
    assert "2 group(s) of accounts differ only by letter case" in message
    assert "username 'UserA' (id " in message and f"'usera' (id {usera})" in message
    assert (
        "email 'Bob@Example.com' (id " in message and f"'bob@example.com' (id {bobby})" in message
    )
    assert "carol" not in message
    assert "then run the migration again; nothing was changed" in message
    assert "Traceback" not in message

    async with dbmod.connect_once(empty_database_url) as conn:
        assert not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", VERSION
        )
        assert await conn.fetchval("SELECT count(*) FROM users") == 5
        await conn.execute("UPDATE users SET username = 'usera_old' WHERE id = $1", usera)
        await conn.execute("UPDATE users SET email = 'bobby@example.com' WHERE id = $1", bobby)

    applied = await run_starter("migrate", "up", env=env)
    assert applied.code == 0, applied
    assert f"{VERSION:03d} case_insensitive_identity" in applied.stdout
    async with dbmod.connect_once(empty_database_url) as conn:
        with pytest.raises(asyncpg.UniqueViolationError):
            await _add_user(conn, "USERA", "new@example.com")
