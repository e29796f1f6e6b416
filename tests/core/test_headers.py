"""Response headers on every answer: request id, timing, security headers, compact JSON, CORS;
and the request id in every log line of the request."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from starter.core.config import ServerSettings
from tests.core.logcapture import captured_logs
from tests.support.http import app_client
from tests.support.settings import make_settings
from tests.support.users import AppUser

LIVE = "/api/v1/health/live"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", LIVE),
        ("GET", "/api/v1/nope"),
        ("POST", "/api/v1/auth/login"),
        ("GET", "/api/v1/auth/me"),
    ],
)
async def test_every_response_carries_the_common_headers(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert re.fullmatch(r"\d+\.\d{2}ms", response.headers["x-response-time"])
    assert response.headers["content-type"].startswith("application/json")


async def test_request_ids_are_unique(client: httpx.AsyncClient) -> None:
    ids = {(await client.get(LIVE)).headers["x-request-id"] for _ in range(20)}
    assert len(ids) == 20


@pytest.mark.parametrize(
    "incoming",
    ["req-12345678", "6f1c2a47-0b9e-4d1f-9a55-3c2e8b7d4e10", "trace:abc.DEF_123-x", "a" * 128],
)
async def test_well_formed_incoming_request_id_is_echoed(
    client: httpx.AsyncClient, incoming: str
) -> None:
    response = await client.get(LIVE, headers={"X-Request-ID": incoming})
    assert response.headers["x-request-id"] == incoming


@pytest.mark.parametrize(
    "incoming", ["short", "has space inside", "a" * 129, "inject\u00e9d-id-here", "x;drop<table>"]
)
async def test_malformed_incoming_request_id_is_replaced(
    client: httpx.AsyncClient, incoming: str
) -> None:
    response = await client.get(LIVE, headers=[(b"X-Request-ID", incoming.encode("utf-8"))])
    assert response.headers["x-request-id"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_json_is_compact(client: httpx.AsyncClient, user: AppUser) -> None:
    live = await client.get(LIVE)
    assert live.text.startswith('{"success":true,"data":{"status":"alive",')
    assert ": " not in live.text and ", " not in live.text
    me = await client.get("/api/v1/auth/me", headers=user.headers)
    assert me.text.startswith('{"success":true,"data":{')
    assert me.text.endswith(',"message":null}')
    error = await client.get("/api/v1/nope")
    assert error.text == (
        '{"error":{"code":"NOT_FOUND","message":"The requested resource was not found"}}'
    )


async def test_default_cors_allows_any_origin_without_credentials(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(LIVE, headers={"Origin": "https://anywhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "x-request-id" in response.headers["access-control-expose-headers"]


async def test_default_cors_preflight(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/v1/auth/login",
        headers={
            "Origin": "https://anywhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert response.headers["x-frame-options"] == "DENY"


@pytest.fixture
async def restricted_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database_url, server=ServerSettings(cors_origins=["https://a.example"], access_log=False)
    )
    async with app_client(settings) as http:
        yield http


async def test_configured_origin_is_echoed(restricted_client: httpx.AsyncClient) -> None:
    response = await restricted_client.get(LIVE, headers={"Origin": "https://a.example"})
    assert response.headers["access-control-allow-origin"] == "https://a.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    preflight = await restricted_client.options(
        LIVE,
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://a.example"


async def test_foreign_origin_gets_no_allow_origin(restricted_client: httpx.AsyncClient) -> None:
    response = await restricted_client.get(LIVE, headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    preflight = await restricted_client.options(
        LIVE,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


async def test_access_log_lines_carry_the_request_id(database_url: str) -> None:
    settings = make_settings(database_url, server=ServerSettings(access_log=True))
    async with app_client(settings) as http:
        with captured_logs() as logs:
            first = await http.get(LIVE)
            second = await http.get("/api/v1/nope", headers={"X-Request-ID": "corr-0001-abc"})
    access = [entry for entry in logs if entry["event"] == "http.request"]
    assert [(e["request_id"], e["path"], e["status"]) for e in access] == [
        (first.headers["x-request-id"], LIVE, 200),
        ("corr-0001-abc", "/api/v1/nope", 404),
    ]
    assert second.headers["x-request-id"] == "corr-0001-abc"
    assert all(isinstance(e["duration_ms"], float) for e in access)


async def test_domain_log_lines_carry_the_request_id(probe_client: httpx.AsyncClient) -> None:
    with captured_logs() as logs:
        response = await probe_client.get(
            "/api/v1/_probe/log", headers={"X-Request-ID": "domain-trace-42"}
        )
        other = await probe_client.get("/api/v1/_probe/log")
    assert response.status_code == 200
    events = [entry for entry in logs if entry["event"] == "probe.logged"]
    assert [entry["request_id"] for entry in events] == [
        "domain-trace-42",
        other.headers["x-request-id"],
    ]
