"""Every framework-level rejection answers the error envelope (docs/api-conventions.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.core.conftest import SECRET_DETAIL
from tests.core.logcapture import captured_logs
from tests.support.errors import assert_error
from tests.support.users import PASSWORD, AppUser

REGISTER = "/api/v1/auth/register"
MAX_BODY = 2 * 1024 * 1024
VALID = {"username": "alice_1", "email": "alice@example.com", "password": PASSWORD}


async def test_malformed_json_is_400_invalid_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        REGISTER, content=b'{"username": "a",', headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "INVALID_JSON")
    assert response.json()["error"]["message"].startswith("Request body is not valid JSON")


@pytest.mark.parametrize(
    "body", [b"", b"NaN", b'{"username": NaN}', b'{"x": Infinity}', b"-Infinity"]
)
async def test_empty_nan_and_infinity_are_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(
        REGISTER, content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "INVALID_JSON")


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/jsonx"]
)
async def test_wrong_or_missing_content_type_is_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post(REGISTER, content=b'{"username":"x"}', headers=headers)
    assert_error(
        response,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Expected request with `Content-Type: application/json`",
    )


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/vnd.api+json"]
)
async def test_json_content_type_variants_are_accepted(
    client: httpx.AsyncClient, content_type: str
) -> None:
    import orjson

    response = await client.post(
        REGISTER, content=orjson.dumps(VALID), headers={"content-type": content_type}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@example.com", "password": PASSWORD}, "username"),
        ({"username": 5, "email": "a@example.com", "password": PASSWORD}, "username"),
        ({"username": "alice", "email": "a@example.com", "password": 12345678}, "password"),
        ({"username": "alice", "email": ["a@example.com"], "password": PASSWORD}, "email"),
    ],
)
async def test_wrong_shape_is_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post(REGISTER, json=body)
    assert_error(response, 422, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith(f"Validation failed for {field}: ")


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null"])
async def test_non_object_body_is_422(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(
        REGISTER, content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "VALIDATION_FAILED")


async def test_extra_fields_are_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json={**VALID, "role": "admin", "pad": "x" * 10_000})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["role"] == "user"


async def test_body_over_limit_with_content_length_is_413(client: httpx.AsyncClient) -> None:
    body = b'{"username":"' + b"a" * MAX_BODY + b'"}'
    response = await client.post(
        REGISTER, content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_body_over_limit_chunked_without_length_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"username":"'
        for _ in range(40):
            yield b"a" * 65536  # 2.5 MiB in total
        yield b'"}'

    response = await client.post(
        REGISTER, content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_body_at_limit_is_not_413(client: httpx.AsyncClient) -> None:
    body = b'{"username":"' + b"a" * (MAX_BODY - 100) + b'"}'
    response = await client.post(
        REGISTER, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=abc", "limit"),
        ("offset=1.5", "offset"),
        ("limit=-1", "limit"),
        ("offset=-3", "offset"),
    ],
)
async def test_bad_query_parameter_is_400(
    probe_client: httpx.AsyncClient, query: str, field: str
) -> None:
    item = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    response = await probe_client.get(f"/api/v1/_probe/items/{item}?{query}")
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith(f"Validation failed for {field}: ")


async def test_valid_path_and_query_parameters_pass(probe_client: httpx.AsyncClient) -> None:
    item = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    response = await probe_client.get(f"/api/v1/_probe/items/{item}?limit=5&offset=2")
    assert response.status_code == 200
    assert response.json()["data"] == {"id": item, "limit": 5, "offset": 2}


async def test_non_uuid_path_id_is_400(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.get("/api/v1/_probe/items/not-a-uuid")
    assert_error(response, 400, "VALIDATION_FAILED")
    assert response.json()["error"]["message"].startswith("Validation failed for item_id: ")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])
async def test_unknown_api_route_is_404_envelope(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/api/v1/definitely/not/here")
    assert response.status_code == 404
    if method != "HEAD":
        assert_error(response, 404, "NOT_FOUND", "The requested resource was not found")


async def test_unknown_api_route_needs_no_auth_and_ignores_bad_tokens(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/nonexistent", headers={"Authorization": "Bearer nope"}, json={}
    )
    assert_error(response, 404, "NOT_FOUND", "The requested resource was not found")


@pytest.mark.parametrize("path", ["/api/v1/health/", "/api/v1/health/live/", "/api/v1/auth/me/"])
async def test_no_trailing_slash_redirect(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert_error(response, 404, "NOT_FOUND", "The requested resource was not found")
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/api/v1/health/live"), ("POST", "/api/v1/health"), ("GET", "/api/v1/auth/login")],
)
async def test_wrong_method_is_405_envelope(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "Method not allowed")
    assert "allow" in response.headers


async def test_wrong_method_on_protected_path_is_405_for_a_user(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    response = await client.put("/api/v1/auth/me", headers=user.headers)
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "Method not allowed")
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("PUT", "/api/v1/auth/me", {}),
        ("PATCH", "/api/v1/users/me/profile", {}),
        ("POST", "/api/v1/stream", {}),
        ("PUT", "/api/v1/monitoring/alerts", {"Authorization": "Bearer " + "0" * 64}),
        ("DELETE", "/api/v1/tasks/stats", {"X-API-Key": "sk_not_a_key"}),
    ],
)
async def test_wrong_method_on_protected_path_is_401_without_valid_credentials(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    """Authentication comes first (docs/api-conventions.md): 401, not 405."""
    response = await client.request(method, path, headers=headers)
    assert_error(response, 401, "UNAUTHORIZED")


async def test_unexpected_exception_is_500_without_internals(
    probe_client: httpx.AsyncClient,
) -> None:
    response = await probe_client.get("/api/v1/_probe/boom")
    assert_error(response, 500, "INTERNAL_ERROR", "Internal server error")
    assert SECRET_DETAIL not in response.text
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert response.headers["x-request-id"]
    assert response.headers["content-type"] == "application/json"


async def test_500_is_logged_with_request_id(probe_client: httpx.AsyncClient) -> None:
    with captured_logs() as logs:
        response = await probe_client.get("/api/v1/_probe/boom")
    assert response.status_code == 500
    errors = [entry for entry in logs if entry["event"] == "http.unhandled_error"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == response.headers["x-request-id"]
    assert errors[0]["log_level"] == "error"
    assert errors[0]["exc_info"] is True  # the traceback goes to the log, not the client
