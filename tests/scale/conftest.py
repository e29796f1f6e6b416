"""Fixtures of the scale-out tests: a database of their own (cloned from the template) that the
processes they start use for the whole module."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from starter.core import db as dbmod


async def _admin(admin_url: str, statement: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@pytest.fixture(scope="module")
def scale_database(pg_server: tuple[str, str]) -> Iterator[str]:
    """A migrated database of this module alone, dropped at its end."""
    admin_url, template = pg_server
    name = f"scale_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield dbmod.with_database(admin_url, name)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def direct(scale_database: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the module's database, for checking what the processes did."""
    conn = await asyncpg.connect(scale_database)
    try:
        yield conn
    finally:
        await conn.close()
