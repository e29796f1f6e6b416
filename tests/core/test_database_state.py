"""Database errors about the server's state (disk full, read-only, too many connections,
shutting down, out of memory…) are a 503 `SERVICE_UNAVAILABLE`, like a lost connection; other
database errors stay a 500. The real database raises them: a test-only trigger raising with
the SQLSTATE, or writes switched off with `default_transaction_read_only`."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from starter.core.db import database_name
from tests.core.logcapture import captured_logs
from tests.support.errors import assert_error
from tests.support.http import asgi_client, started_app
from tests.support.settings import make_settings
from tests.support.users import AppUser

INCIDENTS = "/api/v1/monitoring/incidents"
INCIDENT = {"title": "Checkout errors", "severity": "low"}


async def _failing_inserts(db: asyncpg.Connection, sqlstate: str) -> None:
    await db.execute(
        f"""
        CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected by the test' USING ERRCODE = '{sqlstate}'; END $$;
        CREATE TRIGGER test_fail BEFORE INSERT ON incidents
        FOR EACH ROW EXECUTE FUNCTION test_fail();
        """
    )


@pytest.mark.parametrize(
    "sqlstate",
    [
        "53100",  # disk_full
        "53200",  # out_of_memory
        "53300",  # too_many_connections
        "53400",  # configuration_limit_exceeded
        "57P01",  # admin_shutdown
        "57P03",  # cannot_connect_now
        "57014",  # query_canceled (statement timeout)
        "58030",  # io_error
        "25006",  # read_only_sql_transaction
        "08006",  # connection_failure
    ],
)
async def test_server_state_errors_are_503(
    client: httpx.AsyncClient, db: asyncpg.Connection, user: AppUser, sqlstate: str
) -> None:
    await _failing_inserts(db, sqlstate)
    with captured_logs() as logs:
        response = await client.post(INCIDENTS, json=INCIDENT, headers=user.headers)
    assert_error(response, 503, "SERVICE_UNAVAILABLE", "Service unavailable")
    assert "injected" not in response.text
    assert next(e for e in logs if e["event"] == "database.unavailable")["sqlstate"] == sqlstate
    assert not [e for e in logs if e["event"] == "http.unhandled_error"]
    assert await db.fetchval("SELECT count(*) FROM incidents") == 0

    await db.execute("DROP TRIGGER test_fail ON incidents")
    again = await client.post(INCIDENTS, json=INCIDENT, headers=user.headers)
    assert again.status_code == 200, again.text  # the same app serves again at once


async def test_other_database_errors_stay_500(
    probe_client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    register = await probe_client.post(
        "/api/v1/auth/register",
        json={"username": "erin_db", "email": "erin@example.com", "password": "SecurePass123!"},
    )
    assert register.status_code == 200
    login = await probe_client.post(
        "/api/v1/auth/login", json={"username": "erin_db", "password": "SecurePass123!"}
    )
    headers = {"Authorization": f"Bearer {login.json()['data']['session_token']}"}
    await _failing_inserts(db, "P0001")  # raise_exception: a fault of ours, not the server's
    with captured_logs() as logs:
        response = await probe_client.post(INCIDENTS, json=INCIDENT, headers=headers)
    assert_error(response, 500, "INTERNAL_ERROR", "Internal server error")
    assert [e for e in logs if e["event"] == "http.unhandled_error"]


async def test_read_only_database_is_503_for_writes_and_serves_reads(
    database_url: str, db: asyncpg.Connection, user: AppUser, client: httpx.AsyncClient
) -> None:
    created = await client.post(INCIDENTS, json=INCIDENT, headers=user.headers)
    assert created.status_code == 200
    name = database_name(database_url)
    await db.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    # A new app: its pool's sessions start read-only (as on a standby).
    async with (
        started_app(make_settings(database_url)) as application,
        asgi_client(application, raise_app_exceptions=False) as http,
    ):
        listed = await http.get(INCIDENTS, headers=user.headers)
        assert listed.status_code == 200, listed.text
        assert [i["title"] for i in listed.json()["data"]] == [INCIDENT["title"]]
        write = await http.post(INCIDENTS, json=INCIDENT, headers=user.headers)
        assert_error(write, 503, "SERVICE_UNAVAILABLE", "Service unavailable")
    await db.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
