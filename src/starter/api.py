"""/api/v1: the public routers, the protected routers (every route behind an auth guard), and
the live stream (authenticated by its own dependency)."""

from __future__ import annotations

import re
from functools import cache

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from starter.api_keys.router import router as api_keys_router
from starter.auth import account_router as account_routes
from starter.auth import router as auth_routes
from starter.auth.deps import GUARDS, resolve_principal
from starter.core.errors import AppError, Unauthorized
from starter.core.routing import include
from starter.health import router as health_routes
from starter.modules import module_routers
from starter.monitoring.alerts import router as monitoring_alerts
from starter.monitoring.alerts.preview import preview_router
from starter.monitoring.events import router as monitoring_events
from starter.monitoring.incidents import router as monitoring_incidents
from starter.monitoring.metrics import router as monitoring_metrics
from starter.monitoring.stats import router as monitoring_stats
from starter.monitoring.stream import router as monitoring_stream
from starter.notes.router import router as notes_router
from starter.tasks import console_router as task_console_routes
from starter.tasks import router as task_routes
from starter.tasks.service import count_in_status
from starter.users.router import admin_router as users_admin_router
from starter.users.router import router as users_router

API_PREFIX = "/api/v1"


PUBLIC_ROUTERS: tuple[APIRouter, ...] = (
    auth_routes.public,
    account_routes.public,
    health_routes.router,
    task_routes.public,  # /tasks/types: before the protected /tasks/{id}
    monitoring_stats.public_router,  # prometheus: public, never limited
)
# Deny by default: every route here must declare an auth guard first (checked at mount time).
PROTECTED_ROUTERS: tuple[APIRouter, ...] = (
    auth_routes.protected,
    account_routes.protected,
    users_router,
    users_admin_router,
    account_routes.admin,
    api_keys_router,
    health_routes.admin_router,
    task_routes.router,
    task_console_routes.router,
    monitoring_events.router,
    monitoring_metrics.router,
    monitoring_stats.router,
    monitoring_incidents.router,
    preview_router(count_in_status),  # before /monitoring/alerts/{id}
    monitoring_alerts.router,
    notes_router,
    *module_routers(),  # src/starter/modules.py: the generated modules
)


def protected_operation_ids() -> set[str]:
    """Operation ids behind an auth guard (the OpenAPI document marks them secured)."""
    return {
        route.name
        for router in PROTECTED_ROUTERS
        for route in router.routes
        if hasattr(route, "name")
    }


def unguarded_routes(router: APIRouter) -> list[str]:
    """Routes whose first dependency is not an auth guard (FastAPI solves dependencies in
    order, before any parameter or body is validated: the guard's 401/403 comes first)."""
    return [
        f"{sorted(route.methods or ())} {route.path}"
        for route in router.routes
        if isinstance(route, APIRoute)
        and not (route.dependant.dependencies and route.dependant.dependencies[0].call in GUARDS)
    ]


def include_api(app: FastAPI) -> None:
    """Mount every domain router directly on the app under /api/v1.

    One level of `include_router` on purpose: FastAPI re-walks nested included routers on every
    request (bench/README.md). A protected route without a guard first stops the app from
    being built.
    """
    for router in PUBLIC_ROUTERS:
        include(app, router, API_PREFIX)
    for router in PROTECTED_ROUTERS:
        if missing := unguarded_routes(router):
            raise RuntimeError(f"protected routes without an auth guard first: {missing}")
        include(app, router, API_PREFIX)
    # Authenticated (401 first) by its own dependency, which borrows a pooled connection only
    # for the lookup: a long-lived stream must not hold the request's connection.
    include(app, monitoring_stream.router, API_PREFIX)


@cache
def protected_paths() -> tuple[re.Pattern[str], ...]:
    """Path patterns of every authenticated operation (the protected routers and the stream)."""
    routers = (*PROTECTED_ROUTERS, monitoring_stream.router)
    return tuple(
        compile_path(API_PREFIX + route.path)[0]
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    )


async def authentication_before_method(request: Request) -> AppError | None:
    """A wrong method on an authenticated path is 401 for an anonymous caller (authentication
    comes first), and 405 only for a signed-in one (see `install_error_handlers`)."""
    if not any(pattern.match(request.url.path) for pattern in protected_paths()):
        return None
    try:
        anonymous = await resolve_principal(request) is None
    except AppError:  # a valid credential that fails a later check (CSRF)
        return None
    return Unauthorized() if anonymous else None
