"""Small HTTP and SQL helpers shared by the users tests."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx

from tests.support.users import PASSWORD, AppUser

API = "/api/v1"
STRONG = "N3w-Secure-Pass!"


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    response = await client.post(
        f"{API}/auth/login", json={"username": username, "password": password}
    )
    client.cookies.clear()
    return response


async def second_token(client: httpx.AsyncClient, who: AppUser) -> dict[str, str]:
    """Headers for another session of the same user."""
    response = await login(client, who.username)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['data']['session_token']}"}


async def user_row(db: asyncpg.Connection, user_id: str) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM users WHERE id = $1", uuid.UUID(user_id))


async def active_sessions(db: asyncpg.Connection, user_id: str) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM sessions WHERE user_id = $1 AND is_active", uuid.UUID(user_id)
    )
    return count


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def envelope(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert list(body) == ["success", "data", "message"]
    return body
