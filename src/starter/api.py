"""/api/v1: the public router and the protected router (authentication required by default)."""

from __future__ import annotations

import re

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from starter.api_keys.router import router as api_keys_router
from starter.auth import router as auth_routes
from starter.auth.deps import GUARDS, resolve_principal
from starter.core.error_handlers import http_error, render
from starter.core.errors import AppError, Unauthorized
from starter.core.pagination import document_page_parameters
from starter.core.routing import EARLY_VALUES
from starter.health import router as health_routes
from starter.monitoring import alert_router as monitoring_alerts
from starter.monitoring import incident_router as monitoring_incidents
from starter.monitoring import router as monitoring_routes
from starter.monitoring import stream_router as monitoring_stream
from starter.tasks import router as task_routes
from starter.users.router import admin_router as users_admin_router
from starter.users.router import router as users_router

API_PREFIX = "/api/v1"


PUBLIC_ROUTERS: tuple[APIRouter, ...] = (
    auth_routes.public,
    health_routes.router,
    task_routes.public,  # /tasks/types: before the protected /tasks/{id}
    monitoring_routes.public_router,  # prometheus: public, never limited
)
# Deny by default: every route here must declare an auth guard (checked at mount time).
PROTECTED_ROUTERS: tuple[APIRouter, ...] = (
    auth_routes.protected,
    users_router,
    users_admin_router,
    api_keys_router,
    health_routes.admin_router,
    task_routes.router,
    monitoring_routes.router,
    monitoring_incidents.router,
    monitoring_alerts.router,
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
    """Routes that do not declare an auth guard (which the route runs before anything else)."""
    return [
        f"{sorted(route.methods or ())} {route.path}"
        for route in router.routes
        if isinstance(route, APIRoute)
        and not GUARDS.intersection(getattr(route.endpoint, EARLY_VALUES, ()))
    ]


def include_api(app: FastAPI) -> None:
    """Mount every domain router directly on the app under /api/v1.

    One level of `include_router` on purpose: FastAPI re-walks nested included routers on every
    request, which cost more CPU than authentication itself (bench/http.py). Protected routes
    declare their guard themselves (`CurrentUser`, `Moderator` or `Admin`), which the route runs
    before anything else; a protected route without one stops the app from being built.
    """
    for router in (*PUBLIC_ROUTERS, *PROTECTED_ROUTERS):
        document_page_parameters(router.routes)
    for router in PUBLIC_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    for router in PROTECTED_ROUTERS:
        if missing := unguarded_routes(router):
            raise RuntimeError(f"protected routes without an auth guard first: {missing}")
        app.include_router(router, prefix=API_PREFIX)
    # Authenticated (401 first) by its own dependency, which borrows a pooled connection only
    # for the lookup: a long-lived stream must not hold the protected router's connection.
    app.include_router(monitoring_stream.router, prefix=API_PREFIX)
    install_auth_before_method_check(app)


def protected_paths() -> list[re.Pattern[str]]:
    """Path patterns of every authenticated operation (the protected routers and the stream)."""
    routers = (*PROTECTED_ROUTERS, monitoring_stream.router)
    return [
        compile_path(API_PREFIX + route.path)[0]
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    ]


def install_auth_before_method_check(app: FastAPI) -> None:
    """A wrong method on an authenticated path answers 401 to an anonymous caller, as the
    contract orders it (authentication first), and 405 only to a signed-in one."""
    patterns = protected_paths()

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405 and any(p.match(request.url.path) for p in patterns):
            try:
                anonymous = await resolve_principal(request) is None
            except AppError:  # a valid credential that fails a later check (CSRF)
                anonymous = False
            if anonymous:
                return render(Unauthorized())
        return await http_error(request, exc)

    app.add_exception_handler(HTTPException, method_not_allowed)
