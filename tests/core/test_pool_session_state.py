"""Pooled connections never carry session state, so the pool's reset can be a no-op
(`core/db.py`): asyncpg's default would run `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
RESET ALL` on every release, one more round trip per request.

Two checks: no code outside the modules that open their own dedicated connections issues a
statement that leaves session state behind, and after a mixed run of requests every pooled
connection is as clean as a new one."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

import starter
from starter.core.config import DatabaseSettings
from tests.support.http import asgi_client, started_app
from tests.support.settings import make_settings
from tests.support.users import PASSWORD, AppUser

SOURCE = Path(starter.__file__).parent
# Dedicated connections (LISTEN, the migration lock) opened with `asyncpg.connect`, not the pool.
DEDICATED = {
    "core/listener.py",
    "worker/listener.py",
    "monitoring/stream/service.py",
    "core/migrate.py",
}
SESSION_STATE = re.compile(
    r"""(?ix)
    add_listener\s*\(
    | pg_(?:try_)?advisory_lock(?:_shared)?\s*\(       # session-level (not _xact_) locks
    | set_config\s*\((?![^)]*,\s*true\s*\))             # is_local true is SET LOCAL
    | (?:execute|fetch\w*)\s*\(\s*f?["']{1,3}\s*(?:LISTEN|SET\s+(?!LOCAL\b)|DECLARE\b|PREPARE\b)
    | CREATE\s+(?:TEMP|TEMPORARY)\s
    | WITH\s+HOLD\b
    """
)
STATE_QUERIES = {
    "listening channels": "SELECT count(*) FROM pg_listening_channels()",
    "advisory locks": """SELECT count(*) FROM pg_locks
                         WHERE pid = pg_backend_pid() AND locktype = 'advisory'""",
    "open cursors": "SELECT count(*) FROM pg_cursors WHERE name <> ''",  # '': this query
    "session settings": "SELECT count(*) FROM pg_settings WHERE source = 'session'",
    "temporary tables": "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()",
    "SQL prepared statements": "SELECT count(*) FROM pg_prepared_statements WHERE from_sql",
}


def test_only_dedicated_connections_create_session_state() -> None:
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in sorted(SOURCE.rglob("*.py"))
        if str(path.relative_to(SOURCE)) not in DEDICATED
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SESSION_STATE.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "statement",
    [
        'await conn.execute("LISTEN starter_auth")',
        "await conn.execute(\"SET statement_timeout = '1s'\")",
        'await conn.fetchval("SELECT pg_advisory_lock($1)", 1)',
        'await conn.execute("CREATE TEMP TABLE t (x int)")',
        "SELECT set_config('synchronous_commit', 'off', false)",
    ],
)
def test_the_scan_recognizes_session_state(statement: str) -> None:
    assert SESSION_STATE.search(statement)
    assert not SESSION_STATE.search('await conn.execute("SET LOCAL statement_timeout = 1")')
    assert not SESSION_STATE.search('await conn.execute("SELECT pg_advisory_xact_lock($1)")')
    assert not SESSION_STATE.search("SELECT set_config('synchronous_commit', 'off', true)")


@pytest.fixture
async def two_connection_app(database_url: str) -> AsyncIterator[FastAPI]:
    """Two pooled connections, so every request reuses one the previous requests had."""
    database = DatabaseSettings(url=SecretStr(database_url), min_connections=2, max_connections=2)
    async with started_app(make_settings(database_url, database=database)) as application:
        yield application


async def test_pooled_connections_stay_clean_after_every_kind_of_request(
    two_connection_app: FastAPI, admin: AppUser, user: AppUser
) -> None:
    requests = [
        ("POST", "/api/v1/auth/login", {}, {"username": user.username, "password": PASSWORD}),
        ("GET", "/api/v1/auth/me", user.headers, None),
        ("POST", "/api/v1/tasks", user.headers, {"task_type": "email", "payload": {"to": "x"}}),
        ("GET", "/api/v1/tasks?limit=5", user.headers, None),
        ("POST", "/api/v1/api-keys", user.headers, {"name": "k"}),
        ("PUT", "/api/v1/users/me/profile", user.headers, {"username": 5}),  # 422
        (
            "PUT",
            f"/api/v1/users/{uuid.uuid4()}/role",
            admin.headers,
            {"role": "admin"},
        ),  # 404 in Tx
        ("POST", "/api/v1/monitoring/events", user.headers, {"event_type": "log", "source": "s"}),
        ("GET", "/api/v1/monitoring/alerts", user.headers, None),
        ("GET", "/api/v1/health/ready", {}, None),
        ("POST", "/api/v1/auth/logout", user.headers, None),
    ]
    async with asgi_client(two_connection_app) as client:
        for method, path, headers, body in requests:
            response = await client.request(method, path, headers=headers, json=body)
            assert response.status_code < 500, (path, response.text)
    pool: asyncpg.Pool = two_connection_app.state.pool
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        for conn in held:
            state = {what: await conn.fetchval(sql) for what, sql in STATE_QUERIES.items()}
            assert state == dict.fromkeys(STATE_QUERIES, 0)
    finally:
        for conn in held:
            await pool.release(conn)
