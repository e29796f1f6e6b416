"""Health probes: exact shapes, the admin view's gate, and every 503 variant."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from starter import __version__
from tests.core.dbproxy import DatabaseProxy, database_proxy
from tests.support.database import temporary_database
from tests.support.errors import assert_error
from tests.support.http import app_client, asgi_client, started_app
from tests.support.settings import make_settings
from tests.support.users import AppUser

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
DATABASE_OK = {
    "status": "healthy",
    "message": "Database connection successful",
    "details": None,
}


def _data(response: httpx.Response, status: int = 200) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["success", "data", "message"]
    assert body["success"] is True and body["message"] is None
    data: dict[str, object] = body["data"]
    return data


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert '"status":"healthy"' in response.text
    data = _data(response)
    assert set(data) == {"status", "version", "uptime", "documentation"}
    assert data["status"] == "healthy"
    assert data["version"] == __version__
    assert isinstance(data["uptime"], float) and data["uptime"] > 0
    assert data["documentation"] == {
        "openapi_json": "/api-docs/openapi.json",
        "api_docs": "/api-docs",
    }


async def test_health_detailed(client: httpx.AsyncClient) -> None:
    data = _data(await client.get("/api/v1/health/detailed"))
    assert set(data) == {"status", "timestamp", "checks"}
    assert data["status"] == "healthy"
    assert TIMESTAMP.match(str(data["timestamp"]))
    assert data["checks"] == {"database": DATABASE_OK}


async def test_health_live(client: httpx.AsyncClient) -> None:
    data = _data(await client.get("/api/v1/health/live"))
    assert set(data) == {"status", "timestamp", "probe"}
    assert data["status"] == "alive"
    assert data["probe"] == "liveness"
    assert TIMESTAMP.match(str(data["timestamp"]))


async def test_health_ready(client: httpx.AsyncClient) -> None:
    data = _data(await client.get("/api/v1/health/ready"))
    assert set(data) == {"status", "timestamp", "probe", "checks"}
    assert (data["status"], data["probe"]) == ("ready", "readiness")
    assert data["checks"] == {
        "database": DATABASE_OK,
        "application": {
            "status": "healthy",
            "message": "Application configuration is valid",
            "details": {"config_loaded": True, "auth_configured": True},
        },
    }


async def test_health_startup(client: httpx.AsyncClient) -> None:
    data = _data(await client.get("/api/v1/health/startup"))
    assert set(data) == {"status", "timestamp", "probe", "checks"}
    assert (data["status"], data["probe"]) == ("started", "startup")
    assert data["checks"] == {
        "database": DATABASE_OK,
        "schema": {
            "status": "healthy",
            "message": "Database schema is initialized",
            "details": {"tables_exist": True, "migrations_applied": True},
        },
    }


async def test_probes_are_never_rate_limited(client: httpx.AsyncClient) -> None:
    for _ in range(25):
        assert (await client.get("/api/v1/health")).status_code == 200


async def test_uptime_grows(client: httpx.AsyncClient) -> None:
    first = _data(await client.get("/api/v1/health"))["uptime"]
    second = _data(await client.get("/api/v1/health"))["uptime"]
    assert isinstance(first, float) and isinstance(second, float)
    assert second > first


async def test_admin_health_requires_auth(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.get("/api/v1/admin/health"), 401, "UNAUTHORIZED", "Unauthorized access"
    )


@pytest.mark.parametrize("role", ["user", "moderator"])
async def test_admin_health_forbidden_below_admin(
    client: httpx.AsyncClient, make_user: object, role: str
) -> None:
    caller: AppUser = await make_user(role)  # type: ignore[operator]
    response = await client.get("/api/v1/admin/health", headers=caller.headers)
    assert_error(response, 403, "FORBIDDEN", "Admin access required")


async def test_admin_health_for_admin(client: httpx.AsyncClient, admin: AppUser) -> None:
    data = _data(await client.get("/api/v1/admin/health", headers=admin.headers))
    assert data["status"] == "healthy"
    assert data["checks"] == {"database": DATABASE_OK}


# --- the database is unreachable ----------------------------------------------------------


@pytest.fixture
async def cut_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose database went away after start-up."""
    async with (
        database_proxy(database_url) as proxy,
        started_app(make_settings(proxy.url)) as application,
    ):
        await _cut(proxy)
        async with asgi_client(application) as http:
            yield http


async def _cut(proxy: DatabaseProxy) -> None:
    await proxy.cut()


def _database_down(check: object) -> None:
    assert isinstance(check, dict)
    assert set(check) == {"status", "message", "details"}
    assert check["status"] == "unhealthy"
    assert check["message"] == "Database connection failed"
    assert isinstance(check["details"], dict) and check["details"]["error"]


async def test_health_is_503_error_envelope_when_database_is_down(
    cut_client: httpx.AsyncClient,
) -> None:
    assert_error(
        await cut_client.get("/api/v1/health"),
        503,
        "SERVICE_UNHEALTHY",
        "Service unhealthy: unhealthy",
    )


async def test_detailed_is_503_success_envelope_when_database_is_down(
    cut_client: httpx.AsyncClient,
) -> None:
    data = _data(await cut_client.get("/api/v1/health/detailed"), 503)
    assert data["status"] == "unhealthy"
    assert isinstance(data["checks"], dict)
    _database_down(data["checks"]["database"])


async def test_ready_is_503_not_ready_when_database_is_down(
    cut_client: httpx.AsyncClient,
) -> None:
    data = _data(await cut_client.get("/api/v1/health/ready"), 503)
    assert (data["status"], data["probe"]) == ("not_ready", "readiness")
    assert isinstance(data["checks"], dict)
    _database_down(data["checks"]["database"])
    assert data["checks"]["application"]["status"] == "healthy"


async def test_startup_is_503_starting_when_database_is_down(
    cut_client: httpx.AsyncClient,
) -> None:
    data = _data(await cut_client.get("/api/v1/health/startup"), 503)
    assert (data["status"], data["probe"]) == ("starting", "startup")
    assert isinstance(data["checks"], dict)
    _database_down(data["checks"]["database"])
    assert data["checks"]["schema"]["status"] == "unhealthy"


async def test_live_stays_200_when_database_is_down(cut_client: httpx.AsyncClient) -> None:
    assert _data(await cut_client.get("/api/v1/health/live"))["status"] == "alive"


# --- the schema is missing ----------------------------------------------------------------


@pytest.fixture
async def unmigrated_client(pg_server: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with temporary_database(pg_server[0]) as url, app_client(make_settings(url)) as http:
        yield http


async def test_startup_is_503_when_schema_is_missing(
    unmigrated_client: httpx.AsyncClient,
) -> None:
    data = _data(await unmigrated_client.get("/api/v1/health/startup"), 503)
    assert (data["status"], data["probe"]) == ("starting", "startup")
    assert isinstance(data["checks"], dict)
    assert data["checks"]["database"] == DATABASE_OK
    schema = data["checks"]["schema"]
    assert set(schema) == {"status", "message", "details"}
    assert schema["status"] == "unhealthy"
    assert schema["message"] == "Database schema not initialized"
    assert schema["details"]["suggestion"] == "Ensure database migrations have been applied"
    assert schema["details"]["error"]
    # The database itself answers, so the basic and readiness probes stay green.
    assert (await unmigrated_client.get("/api/v1/health")).status_code == 200
    assert (await unmigrated_client.get("/api/v1/health/ready")).status_code == 200
