"""The PostgreSQL server the tests use and the migrated template every test database copies."""

from __future__ import annotations

import os

import asyncpg

from starter.core import db as dbmod
from starter.core.migrate import fingerprint, migrate_up
from tests.support.paths import TEST_PGDATA

TEMPLATE_LOCK = 0x7E57_DB


def server_url() -> str:
    """Admin URL of the test server: STARTER__DATABASE__URL's server, or the embedded one."""
    configured = os.environ.get("STARTER__DATABASE__URL")
    if configured:
        return dbmod.with_database(configured, "postgres")
    return dbmod.with_database(dbmod.start_embedded_postgres(TEST_PGDATA), "postgres")


def template_name() -> str:
    """Named by the migrations' fingerprint, so a changed migration builds a new template."""
    return f"starter_tpl_{fingerprint()}"


async def build_template(admin_url: str, name: str) -> None:
    """Create the migrated template `name` unless it exists (one builder at a time)."""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute("SELECT pg_advisory_lock($1)", TEMPLATE_LOCK)
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            if os.environ.get("STARTER__DATABASE__URL") is None:
                await _skip_durability(admin)
            await _migrate_into(admin, admin_url, name)
    finally:
        await admin.execute("SELECT pg_advisory_unlock($1)", TEMPLATE_LOCK)
        await admin.close()


async def _skip_durability(admin: asyncpg.Connection) -> None:
    """The embedded server holds throwaway data: flushing it to disk only costs time."""
    await admin.execute("ALTER SYSTEM SET fsync = off")
    await admin.execute("ALTER SYSTEM SET synchronous_commit = off")
    await admin.execute("SELECT pg_reload_conf()")


async def _migrate_into(admin: asyncpg.Connection, admin_url: str, name: str) -> None:
    """Built under another name and renamed, so a half-built template is never used."""
    building = f"{name}_building"
    await admin.execute(f'DROP DATABASE IF EXISTS "{building}"')
    await admin.execute(f'CREATE DATABASE "{building}"')
    conn = await asyncpg.connect(dbmod.with_database(admin_url, building))
    try:
        await migrate_up(conn)
    finally:
        await conn.close()
    await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    await admin.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true')
