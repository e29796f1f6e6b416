"""Test fixtures: a real PostgreSQL, a migrated template database, one database per xdist worker
cloned from it and emptied after every test, and the production app (`create_app`) talked to
over HTTP (ASGI). The helpers behind them live in tests/support/."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
import structlog
from fastapi import FastAPI

from starter.core import db as dbmod
from starter.core.config import Settings
from tests.support.database import ResettableDatabase
from tests.support.http import asgi_client, started_app
from tests.support.postgres import build_template, server_url, template_name
from tests.support.settings import make_settings
from tests.support.users import AppUser, MakeUser, hash_test_password, insert_user


@pytest.fixture(autouse=True, scope="session")
def _plain_exception_logs() -> None:
    """Tests never call `configure_logging`, so structlog keeps its default console renderer,
    which draws rich tracebacks with every local variable (minutes for FastAPI objects).
    Print plain tracebacks instead."""
    processors = list(structlog.get_config()["processors"])
    if isinstance(processors[-1], structlog.dev.ConsoleRenderer):
        processors[-1] = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
        structlog.configure(processors=processors)


@pytest.fixture(scope="session")
def pg_server() -> tuple[str, str]:
    """(admin URL, template database name), built once per session (xdist-safe)."""
    admin_url = server_url()
    template = template_name()
    asyncio.run(build_template(admin_url, template))
    return admin_url, template


@pytest.fixture(scope="session")
def worker_database(pg_server: tuple[str, str], worker_id: str) -> Iterator[ResettableDatabase]:
    """This xdist worker's own database, cloned once from the template."""
    admin_url, template = pg_server
    database = ResettableDatabase(admin_url, template, f"w_{worker_id}_{uuid.uuid4().hex[:8]}")
    asyncio.run(database.create())
    yield database
    asyncio.run(database.drop())


@pytest.fixture
async def database_url(worker_database: ResettableDatabase) -> AsyncIterator[str]:
    """A migrated database with no rows, for this test alone.

    Emptying the worker's database takes a few milliseconds, against about half a second for
    cloning the template; a test that changed the schema gets a fresh clone instead."""
    yield worker_database.url
    await worker_database.reset()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    async with started_app(settings) as application:
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test database, for arranging and checking rows."""
    async with dbmod.connect_once(database_url) as conn:
        yield conn


@pytest.fixture(scope="session")
def password_hash() -> str:
    """The Argon2id hash of PASSWORD, computed once: hashing costs ~40 ms of CPU each time."""
    return asyncio.run(hash_test_password())


@pytest.fixture
async def make_user(app: FastAPI, db: asyncpg.Connection, password_hash: str) -> MakeUser:
    """An active account with a live session. Signs in over HTTP with PASSWORD like any other."""
    hours = app.state.settings.auth.session_duration_hours

    async def factory(role: str = "user", username: str | None = None) -> AppUser:
        return await insert_user(db, password_hash, hours, role, username)

    return factory


@pytest.fixture
async def user(make_user: MakeUser) -> AppUser:
    return await make_user("user")


@pytest.fixture
async def moderator(make_user: MakeUser) -> AppUser:
    return await make_user("moderator")


@pytest.fixture
async def admin(make_user: MakeUser) -> AppUser:
    return await make_user("admin")
