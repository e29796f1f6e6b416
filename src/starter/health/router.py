"""Health probes: /health, /health/{detailed,live,ready,startup} (public), /admin/health."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import Request

from starter import __version__
from starter.auth.deps import Admin
from starter.core.envelope import ApiResponse, CompactJSONResponse, ErrorResponse, ok
from starter.core.errors import AppError
from starter.core.routing import api_router
from starter.health import checks
from starter.health.schemas import (
    ComponentHealth,
    DetailedHealthResponse,
    DocumentationLinks,
    HealthResponse,
    LivenessResponse,
    ProbeResponse,
)

router = api_router(prefix="/health", tags=["Health"])
admin_router = api_router(tags=["Admin"])


class ServiceUnhealthy(AppError):
    status = 503
    code = "SERVICE_UNHEALTHY"
    default_message = "Service unhealthy: unhealthy"


def _envelope(data: Any, healthy: bool) -> CompactJSONResponse:
    """Probes answer 503 with the success envelope when a check fails (the shape v1 probes
    expect)."""
    body = ok(data).model_dump(mode="json")
    return CompactJSONResponse(body, status_code=200 if healthy else 503)


def _all_healthy(components: dict[str, ComponentHealth]) -> bool:
    return all(component.status == "healthy" for component in components.values())


def _probe(
    probe: str, components: dict[str, ComponentHealth], *, passed: str, failed: str
) -> CompactJSONResponse:
    """A readiness or startup probe's answer: `passed` with 200 when every check is healthy,
    else `failed` with 503."""
    healthy = _all_healthy(components)
    data = ProbeResponse(
        status=passed if healthy else failed,
        timestamp=datetime.now(UTC),
        probe=probe,
        checks=components,
    )
    return _envelope(data, healthy)


@router.get(
    "",
    summary="Basic health",
    responses={503: {"model": ErrorResponse, "description": "Database unreachable"}},
)
async def health(request: Request) -> ApiResponse[HealthResponse]:
    database = await checks.check_database(request.app.state.pool)
    if database.status != "healthy":
        raise ServiceUnhealthy()
    uptime = time.monotonic() - request.app.state.started_monotonic
    return ok(
        HealthResponse(
            status="healthy",
            version=__version__,
            uptime=max(uptime, 1e-6),
            documentation=DocumentationLinks(),
        )
    )


async def _detailed(request: Request) -> CompactJSONResponse:
    components = {"database": await checks.check_database(request.app.state.pool)}
    healthy = _all_healthy(components)
    data = DetailedHealthResponse(
        status="healthy" if healthy else "unhealthy",
        timestamp=datetime.now(UTC),
        checks=components,
    )
    return _envelope(data, healthy)


@router.get(
    "/detailed",
    summary="Health of every component",
    response_model=ApiResponse[DetailedHealthResponse],
    responses={503: {"model": ApiResponse[DetailedHealthResponse]}},
)
async def detailed_health(request: Request) -> CompactJSONResponse:
    return await _detailed(request)


@router.get("/live", summary="Liveness probe (the process answers)")
async def health_live() -> ApiResponse[LivenessResponse]:
    return ok(LivenessResponse(status="alive", timestamp=datetime.now(UTC), probe="liveness"))


@router.get(
    "/ready",
    summary="Readiness probe (database and configuration)",
    response_model=ApiResponse[ProbeResponse],
    responses={503: {"model": ApiResponse[ProbeResponse]}},
)
async def health_ready(request: Request) -> CompactJSONResponse:
    components = {
        "database": await checks.check_database(request.app.state.pool),
        "application": checks.check_application(request.app.state.settings),
    }
    return _probe("readiness", components, passed="ready", failed="not_ready")


@router.get(
    "/startup",
    summary="Startup probe (database reachable, schema migrated)",
    response_model=ApiResponse[ProbeResponse],
    responses={503: {"model": ApiResponse[ProbeResponse]}},
)
async def health_startup(request: Request) -> CompactJSONResponse:
    pool = request.app.state.pool
    components = {
        "database": await checks.check_database(pool),
        "schema": await checks.check_schema(pool),
    }
    return _probe("startup", components, passed="started", failed="starting")


@admin_router.get(
    "/admin/health",
    summary="Detailed health (admin)",
    response_model=ApiResponse[DetailedHealthResponse],
)
async def admin_health(request: Request, _admin: Admin) -> CompactJSONResponse:
    return await _detailed(request)
