"""The OpenAPI document (paths relative to the `/api/v1` server, as the v1 contract) and the
interactive explorer at /api-docs, with Swagger UI's assets served by us (no CDN)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from starter import __version__
from starter.api import API_PREFIX
from starter.core.envelope import CompactJSONResponse

TITLE = "starter API"
DESCRIPTION = (
    "The starter platform's HTTP API: session and API-key authentication, users and roles, "
    "background tasks, monitoring and health. Every success is "
    '`{"success":true,"data":…,"message":…}`; every error is `{"error":{"code":…,"message":…}}`.'
)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """Generate once per app; paths are relative to the `/api/v1` server URL."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        routes=app.routes,
        servers=[
            {"url": API_PREFIX, "description": "This server"},
            {"url": f"http://localhost:3000{API_PREFIX}", "description": "Local development"},
        ],
        tags=[
            {"name": "Authentication", "description": "Accounts, logins and sessions"},
            {"name": "Users", "description": "Profiles and user administration"},
            {"name": "API Keys", "description": "Credentials for machines"},
            {"name": "Admin", "description": "Administrator-only views"},
            {"name": "Health", "description": "Liveness, readiness and startup probes"},
            {"name": "Tasks", "description": "Background task queue"},
            {"name": "Monitoring", "description": "Events, metrics, alerts and incidents"},
        ],
    )
    document["paths"] = {
        path.removeprefix(API_PREFIX) or "/": item
        for path, item in document["paths"].items()
        if path.startswith(API_PREFIX)
    }
    app.openapi_schema = document
    return document


def install_docs(app: FastAPI) -> None:
    import swagger_ui_bundle

    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    app.mount(
        "/api-docs/assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-assets",
    )

    async def openapi_json(_request: Request) -> Response:
        return CompactJSONResponse(build_openapi(app))

    async def swagger_ui(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api-docs/openapi.json",
            title=f"{TITLE} — interactive documentation",
            swagger_js_url="/api-docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api-docs/assets/swagger-ui.css",
            swagger_favicon_url="/api-docs/assets/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True},
        )

    app.add_route("/api-docs/openapi.json", openapi_json, include_in_schema=False)
    app.add_route("/api-docs", swagger_ui, include_in_schema=False)
