"""Helpers for the notes tests: create notes and shares over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.support.users import AppUser

URL = "/api/v1/notes"

MakeNote = Callable[..., Awaitable[dict[str, Any]]]
Share = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_note(client: httpx.AsyncClient) -> MakeNote:
    async def factory(owner: AppUser, **body: Any) -> dict[str, Any]:
        body.setdefault("title", "A note")
        body.setdefault("content", "Some text")
        response = await client.post(URL, json=body, headers=owner.headers)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    return factory


@pytest.fixture
def share(client: httpx.AsyncClient) -> Share:
    async def factory(
        owner: AppUser, note_id: str, to: AppUser, permission: str = "read", **extra: Any
    ) -> dict[str, Any]:
        response = await client.post(
            f"{URL}/{note_id}/share",
            json={"user_id": to.id, "permission": permission, **extra},
            headers=owner.headers,
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    return factory
