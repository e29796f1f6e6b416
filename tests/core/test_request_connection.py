"""The request's pooled connection: taken once, handed back after every kind of answer, and
requests beyond the pool size are admitted in arrival order instead of failing or starving."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from starter.core.config import DatabaseSettings
from starter.core.db import Connection
from starter.core.request_connections import RequestConnections
from tests.support.http import asgi_client, started_app
from tests.support.settings import make_settings
from tests.support.users import AppUser

POOL_SIZE = 2


@pytest.fixture
async def small_pool_app(database_url: str) -> AsyncIterator[FastAPI]:
    """Its own app on the test database (users made through `client` are valid here too)."""
    database = DatabaseSettings(
        url=SecretStr(database_url), min_connections=1, max_connections=POOL_SIZE
    )
    async with started_app(make_settings(database_url, database=database)) as application:
        yield application


@pytest.fixture
async def small_pool_client(small_pool_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(small_pool_app) as http:
        yield http


def lender_of(app: FastAPI) -> RequestConnections:
    lender: RequestConnections = app.state.request_connections
    return lender


async def take_all(lender: RequestConnections) -> list[Connection]:
    """Every connection requests may hold, as if that many requests were running."""
    return [await lender.acquire() for _ in range(lender.limit)]


async def assert_all_connections_returned(app: FastAPI) -> None:
    pool = app.state.pool
    assert pool.get_idle_size() == pool.get_size()
    lender = lender_of(app)
    async with asyncio.timeout(2):  # every admission was given back: all can be taken again
        held = await take_all(lender)
    for conn in held:
        await lender.release(conn)


async def test_more_concurrent_requests_than_connections_all_succeed(
    small_pool_app: FastAPI, small_pool_client: httpx.AsyncClient, admin: AppUser
) -> None:
    paths = ["/api/v1/auth/me", "/api/v1/users?limit=5", "/api/v1/users/me"] * 10
    responses = await asyncio.gather(
        *(small_pool_client.get(path, headers=admin.headers) for path in paths)
    )
    assert [r.status_code for r in responses] == [200] * len(paths)
    await assert_all_connections_returned(small_pool_app)


async def test_waiting_requests_are_served_in_arrival_order(small_pool_app: FastAPI) -> None:
    lender = lender_of(small_pool_app)
    held = await take_all(lender)
    served: list[int] = []

    async def request(number: int) -> None:
        conn = await lender.acquire()
        served.append(number)
        await asyncio.sleep(0)
        await lender.release(conn)

    waiters = [asyncio.create_task(request(n)) for n in range(5)]
    await asyncio.sleep(0)
    assert served == []  # all five are waiting
    late = asyncio.create_task(request(5))  # arrives while the others wait: served last
    for conn in held:
        await lender.release(conn)
    await asyncio.gather(*waiters, late)
    assert served == [0, 1, 2, 3, 4, 5]
    await assert_all_connections_returned(small_pool_app)


async def test_requests_leave_one_pool_connection_for_everything_else(
    small_pool_app: FastAPI,
) -> None:
    lender = lender_of(small_pool_app)
    held = await take_all(lender)
    assert lender.limit == POOL_SIZE - 1
    async with asyncio.timeout(2), small_pool_app.state.pool.acquire() as conn:
        assert await conn.fetchval("SELECT 1") == 1  # a health check does not wait
    for conn in held:
        await lender.release(conn)
    await assert_all_connections_returned(small_pool_app)


async def test_cancelled_waiters_lose_nothing(small_pool_app: FastAPI) -> None:
    lender = lender_of(small_pool_app)
    held = await take_all(lender)
    queued = asyncio.create_task(lender.acquire())
    served_then_cancelled = asyncio.create_task(lender.acquire())
    last = asyncio.create_task(lender.acquire())
    await asyncio.sleep(0)
    queued.cancel()  # cancelled while waiting: leaves the queue
    await asyncio.sleep(0)
    await lender.release(held.pop())  # served to the next waiter...
    served_then_cancelled.cancel()  # ...which is cancelled before it runs: passes it on
    with pytest.raises(asyncio.CancelledError):
        await served_then_cancelled
    with pytest.raises(asyncio.CancelledError):
        await queued
    conn = await asyncio.wait_for(last, timeout=2)
    await lender.release(conn)
    await assert_all_connections_returned(small_pool_app)


async def test_a_closed_connection_goes_back_through_the_pool(small_pool_app: FastAPI) -> None:
    lender = lender_of(small_pool_app)
    held = await take_all(lender)
    waiting = asyncio.create_task(lender.acquire())
    await asyncio.sleep(0)
    broken = held.pop()
    broken.terminate()
    await lender.release(broken)  # the waiter gets the slot and a fresh connection
    fresh = await asyncio.wait_for(waiting, timeout=5)
    assert fresh is not broken and await fresh.fetchval("SELECT 1") == 1
    await lender.release(fresh)
    await assert_all_connections_returned(small_pool_app)


async def test_connection_is_returned_after_every_kind_of_answer(
    small_pool_app: FastAPI, small_pool_client: httpx.AsyncClient, admin: AppUser
) -> None:
    bearer = admin.headers
    requests = [
        ("GET", "/api/v1/auth/me", {}, None, 401),  # no credential
        ("GET", "/api/v1/auth/me", {"Authorization": "Bearer " + "0" * 64}, None, 401),
        ("GET", f"/api/v1/users/{uuid.uuid4()}", bearer, None, 404),
        ("GET", "/api/v1/users?limit=-1", bearer, None, 400),
        ("GET", "/api/v1/users/not-a-uuid", bearer, None, 400),
        ("PUT", "/api/v1/users/me/profile", bearer, {"username": 5}, 422),
        ("POST", "/api/v1/auth/register", {}, {"username": "x"}, 422),
        ("GET", "/api/v1/users?limit=5", bearer, None, 200),
    ]
    for _ in range(3):  # more rounds than connections: a leak would hang or fail here
        for method, path, headers, body, status in requests:
            response = await small_pool_client.request(method, path, headers=headers, json=body)
            assert response.status_code == status, (path, response.text)
    await assert_all_connections_returned(small_pool_app)


async def test_anonymous_request_never_waits_for_the_pool(
    small_pool_app: FastAPI, small_pool_client: httpx.AsyncClient
) -> None:
    lender = lender_of(small_pool_app)
    held = await take_all(lender)  # every connection busy
    try:
        response = await asyncio.wait_for(small_pool_client.get("/api/v1/users"), timeout=5)
        assert response.status_code == 401
    finally:
        for conn in held:
            await lender.release(conn)
    await assert_all_connections_returned(small_pool_app)
