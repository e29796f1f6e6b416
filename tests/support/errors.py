"""Assertions about the error envelope."""

from __future__ import annotations

import httpx


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
