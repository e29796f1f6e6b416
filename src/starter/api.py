"""/api/v1: the public router and the protected router (authentication required by default)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from starter.api_keys.router import router as api_keys_router
from starter.auth import router as auth_routes
from starter.auth.deps import current_principal
from starter.health import router as health_routes
from starter.monitoring import alert_router as monitoring_alerts
from starter.monitoring import incident_router as monitoring_incidents
from starter.monitoring import router as monitoring_routes
from starter.monitoring import stream_router as monitoring_stream
from starter.tasks import router as task_routes
from starter.users.router import admin_router as users_admin_router
from starter.users.router import router as users_router

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    public = APIRouter()
    public.include_router(auth_routes.public)
    public.include_router(health_routes.router)
    public.include_router(task_routes.public)  # /tasks/types: before the protected /tasks/{id}
    public.include_router(monitoring_routes.public_router)  # prometheus: public, never limited

    # Deny by default: everything here runs `current_principal` first (401 before anything else).
    protected = APIRouter(dependencies=[Depends(current_principal)])
    protected.include_router(auth_routes.protected)
    protected.include_router(users_router)
    protected.include_router(users_admin_router)
    protected.include_router(api_keys_router)
    protected.include_router(health_routes.admin_router)
    protected.include_router(task_routes.router)
    protected.include_router(monitoring_routes.router)
    protected.include_router(monitoring_incidents.router)
    protected.include_router(monitoring_alerts.router)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(public)
    api.include_router(protected)
    # Authenticated (401 first) by its own dependency, which borrows a pooled connection only
    # for the lookup: a long-lived stream must not hold the protected router's connection.
    api.include_router(monitoring_stream.router)
    return api
