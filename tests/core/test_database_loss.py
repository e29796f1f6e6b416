"""Losing the database is a 503 envelope (never a 500), and the app recovers when it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from tests.core.dbproxy import DatabaseProxy, database_proxy
from tests.support.errors import assert_error
from tests.support.http import asgi_client, started_app
from tests.support.settings import make_settings
from tests.support.users import PASSWORD

REGISTER = {"username": "carol_db", "email": "carol@example.com", "password": PASSWORD}
LOGIN = {"username": "carol_db", "password": PASSWORD}


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[DatabaseProxy]:
    async with database_proxy(database_url) as running:
        yield running


@pytest.fixture
async def proxied_client(proxy: DatabaseProxy) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        started_app(make_settings(proxy.url)) as application,
        asgi_client(application, raise_app_exceptions=False) as http,
    ):
        yield http


async def _login(http: httpx.AsyncClient) -> dict[str, str]:
    assert (await http.post("/api/v1/auth/register", json=REGISTER)).status_code == 200
    login = await http.post("/api/v1/auth/login", json=LOGIN)
    assert login.status_code == 200, login.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {login.json()['data']['session_token']}"}


async def test_lost_database_is_503_then_recovers(
    proxy: DatabaseProxy, proxied_client: httpx.AsyncClient
) -> None:
    headers = await _login(proxied_client)
    await proxy.cut()

    me = await proxied_client.get("/api/v1/auth/me", headers=headers)
    assert_error(me, 503, "SERVICE_UNAVAILABLE", "Service unavailable")
    assert me.headers["x-request-id"]
    login = await proxied_client.post("/api/v1/auth/login", json=LOGIN)
    assert_error(login, 503, "SERVICE_UNAVAILABLE", "Service unavailable")
    register = await proxied_client.post(
        "/api/v1/auth/register",
        json={"username": "dave_db", "email": "dave@example.com", "password": PASSWORD},
    )
    assert_error(register, 503, "SERVICE_UNAVAILABLE", "Service unavailable")
    live = await proxied_client.get("/api/v1/health/live")
    assert live.status_code == 200  # liveness does not depend on the database

    await proxy.start()  # the database comes back on the same address
    me = await proxied_client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200, me.text
    assert me.json()["data"]["username"] == "carol_db"


async def test_terminated_backends_never_give_500(
    client: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    assert (await client.post("/api/v1/auth/register", json=REGISTER)).status_code == 200
    login = await client.post("/api/v1/auth/login", json=LOGIN)
    headers = {"Authorization": f"Bearer {login.json()['data']['session_token']}"}
    client.cookies.clear()
    for _ in range(4):
        terminated = await db.fetchval(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()"""
        )
        assert terminated >= 1
        statuses = [
            (await client.get("/api/v1/auth/me", headers=headers)).status_code for _ in range(4)
        ]
        assert set(statuses) <= {200, 503}, statuses  # never a 500
        assert statuses[-1] == 200, statuses  # the pool replaces dead connections
