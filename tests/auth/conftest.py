"""Helpers shared by the auth tests: direct API calls and apps built with custom settings."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.support.http import app_client
from tests.support.settings import make_settings
from tests.support.users import PASSWORD

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{64}$")


async def register(
    client: httpx.AsyncClient,
    username: str,
    email: str | None = None,
    password: str = PASSWORD,
    **extra: Any,
) -> httpx.Response:
    body = {
        "username": username,
        "email": f"{username}@example.com" if email is None else email,
        "password": password,
    }
    return await client.post("/api/v1/auth/register", json={**body, **extra})


async def login(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    body.setdefault("password", PASSWORD)
    response = await client.post("/api/v1/auth/login", json=body)
    return response


async def login_token(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await login(client, username=username, password=password)
    assert response.status_code == 200, response.text
    client.cookies.clear()
    token: str = response.json()["data"]["session_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ClientFor = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_for(database_url: str) -> ClientFor:
    """`async with client_for(auth=AuthSettings(...)) as c:` — an app on the test DB with
    custom settings sections."""

    @asynccontextmanager
    async def build(**sections: Any) -> AsyncIterator[httpx.AsyncClient]:
        async with app_client(make_settings(database_url, **sections)) as c:
            yield c

    return build
