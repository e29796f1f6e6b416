"""Which error a request with several problems gets (docs/api-conventions.md): the edge's checks
of the request target (a NUL character) and size, then authentication 401, role 403, then path
400, query 400, body 415/400/422, and only then the handler."""

from __future__ import annotations

import httpx
import pytest

from starter.core.config import Settings
from tests.support.errors import assert_error
from tests.support.users import AppUser

ITEM = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}


def ordered(item: str = ITEM, query: str = "limit=5") -> str:
    return f"/api/v1/_probe/ordered/{item}?{query}"


async def test_everything_wrong_and_anonymous_is_401(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.post(ordered("nope", "limit=x"), content=b"{", headers=TEXT)
    assert_error(response, 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    "path",
    [ordered("a%00b"), ordered(query="limit=a%00b"), "/api/v1/no-such-path%00"],
    ids=["path", "query", "unknown-path"],
)
async def test_a_nul_in_the_target_is_400_before_authentication(
    probe_client: httpx.AsyncClient, path: str
) -> None:
    """No route could accept the value, so the edge refuses it before any route is chosen."""
    response = await probe_client.post(path, content=b"{", headers=TEXT)
    assert_error(response, 400, "VALIDATION_FAILED")
    assert "must not contain NUL characters" in response.json()["error"]["message"]


async def test_a_body_over_the_limit_is_413_before_authentication(
    probe_client: httpx.AsyncClient, settings: Settings
) -> None:
    too_large = b"x" * (settings.server.max_body_bytes + 1)
    response = await probe_client.post(ordered("nope", "limit=x"), content=too_large, headers=TEXT)
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_everything_wrong_without_the_role_is_403(
    probe_client: httpx.AsyncClient, user: AppUser
) -> None:
    response = await probe_client.post(
        ordered("nope", "limit=x"), content=b"{", headers={**TEXT, **user.headers}
    )
    assert_error(response, 403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "code", "message"),
    [
        (ordered("nope", "limit=x"), b"{", TEXT, 400, "VALIDATION_FAILED", "for item_id: "),
        (ordered(query="limit=x"), b"{", TEXT, 400, "VALIDATION_FAILED", "for limit: "),
        (ordered(query="limit=101"), b"{", JSON, 400, "VALIDATION_FAILED", "for limit: must be"),
        (ordered(), b'{"name":"a"}', TEXT, 415, "UNSUPPORTED_MEDIA_TYPE", "Expected request"),
        (ordered(), b'{"name":"a"}', {}, 415, "UNSUPPORTED_MEDIA_TYPE", "Expected request"),
        (ordered(), b"{", JSON, 400, "INVALID_JSON", "Request body is not valid JSON"),
        (ordered(), b'{"name": NaN}', JSON, 400, "INVALID_JSON", "Request body is not valid"),
        (ordered(), b"", JSON, 400, "INVALID_JSON", "Request body is required"),
        (ordered(), b'{"name": 5}', JSON, 422, "VALIDATION_FAILED", "for name: "),
    ],
    ids=["path", "query", "query-cap", "415", "415-none", "syntax", "nan", "empty", "shape"],
)
async def test_first_problem_in_order_wins(
    probe_client: httpx.AsyncClient,
    moderator: AppUser,
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
    message: str,
) -> None:
    response = await probe_client.post(path, content=body, headers={**headers, **moderator.headers})
    assert_error(response, status, code)
    assert message in response.json()["error"]["message"]


async def test_all_well_reaches_the_handler(
    probe_client: httpx.AsyncClient, moderator: AppUser
) -> None:
    response = await probe_client.post(
        ordered(query="limit=50"), json={"name": "a"}, headers=moderator.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"id": ITEM, "limit": 50, "name": "a"}
