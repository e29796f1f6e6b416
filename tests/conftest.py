"""Test fixtures: a real PostgreSQL, a migrated template database, one database per xdist worker
cloned from it and emptied after every test, and the production app (`create_app`) talked to
over HTTP (ASGI)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from fastapi import FastAPI

from starter.app import create_app
from starter.auth import passwords
from starter.auth import repository as auth_repository
from starter.core import db as dbmod
from starter.core.config import AuthSettings, DatabaseSettings, ServerSettings, Settings
from starter.core.migrate import fingerprint, migrate_up
from starter.core.security import digest, new_session_token
from tests.support.database import ResettableDatabase

ROOT = Path(__file__).resolve().parent.parent
TEST_PGDATA = ROOT / ".starter" / "test-pgdata"
PASSWORD = "SecurePass123!"
TEMPLATE_LOCK = 0x7E57_DB


def _server_url() -> str:
    """Admin URL of the test server: STARTER__DATABASE__URL's server, or the embedded one."""
    configured = os.environ.get("STARTER__DATABASE__URL")
    if configured:
        return dbmod.with_database(configured, "postgres")
    return dbmod.with_database(dbmod.start_embedded_postgres(TEST_PGDATA), "postgres")


async def _build_template(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute("SELECT pg_advisory_lock($1)", TEMPLATE_LOCK)
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            if os.environ.get("STARTER__DATABASE__URL") is None:
                await admin.execute("ALTER SYSTEM SET fsync = off")
                await admin.execute("ALTER SYSTEM SET synchronous_commit = off")
                await admin.execute("SELECT pg_reload_conf()")
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
    finally:
        await admin.execute("SELECT pg_advisory_unlock($1)", TEMPLATE_LOCK)
        await admin.close()


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
    admin_url = _server_url()
    template = f"starter_tpl_{fingerprint()}"
    asyncio.run(_build_template(admin_url, template))
    return admin_url, template


@asynccontextmanager
async def temporary_database(admin_url: str, template: str | None = None) -> AsyncIterator[str]:
    """A new database (cloned from `template`, or empty) that is dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    clause = f' TEMPLATE "{template}"' if template else ""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"{clause}')
    finally:
        await admin.close()
    try:
        yield dbmod.with_database(admin_url, name)
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


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


def make_settings(database_url: str, **sections: Any) -> Settings:
    """Settings for tests: explicit database, no .env, quiet access log, fast activity writes."""
    from pydantic import SecretStr

    values: dict[str, Any] = {
        "database": DatabaseSettings(
            url=SecretStr(database_url), min_connections=1, max_connections=8
        ),
        "server": ServerSettings(access_log=False),
        "auth": AuthSettings(),
    }
    values.update(sections)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@asynccontextmanager
async def started_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The production app with its lifespan running (pool, background flush)."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@asynccontextmanager
async def asgi_client(
    app: FastAPI, *, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to `app` in-process over ASGI."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


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


@dataclass
class AppUser:
    id: str
    username: str
    email: str
    role: str
    token: str
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


MakeUser = Callable[..., Awaitable[AppUser]]


@pytest.fixture(scope="session")
def password_hash() -> str:
    """The Argon2id hash of PASSWORD, computed once: hashing costs ~40 ms of CPU each time."""
    return asyncio.run(passwords.hash_password(PASSWORD))


@pytest.fixture
async def make_user(app: FastAPI, db: asyncpg.Connection, password_hash: str) -> MakeUser:
    """An active account with a live session, arranged by the auth repository (registration
    and login have their own tests). Signs in over HTTP with PASSWORD like any other."""

    async def factory(role: str = "user", username: str | None = None) -> AppUser:
        name = username or f"{role}_{uuid.uuid4().hex[:8]}"
        email = f"{name}@example.com"
        row = await auth_repository.insert_user(db, name, email, password_hash, role)
        token = new_session_token()
        expires_at = datetime.now(UTC) + timedelta(
            hours=app.state.settings.auth.session_duration_hours
        )
        await auth_repository.insert_session(db, row["id"], digest(token), expires_at, None)
        await auth_repository.touch_last_login(db, row["id"])
        return AppUser(str(row["id"]), name, email, role, token)

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


def assert_error(
    response: httpx.Response, status: int, code: str, message: str | None = None
) -> None:
    """The response is the error envelope with this status and code (and exact message)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    if message is not None:
        assert body["error"]["message"] == message, body
