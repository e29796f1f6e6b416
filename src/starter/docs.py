"""The OpenAPI document (paths relative to the `/api/v1` server) and the interactive explorer
at /api-docs: Swagger UI 5 (which reads OpenAPI 3.1), its assets copied from npm's
`swagger-ui-dist` into the web build (`dist/api-docs/`) and served by us, never from a CDN."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from starter import __version__
from starter.api import API_PREFIX, protected_operation_ids
from starter.core.envelope import CompactJSONResponse
from starter.openapi import document_error_responses

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
        # Relative, so "Try it out" calls whichever host and port served the document.
        servers=[{"url": API_PREFIX, "description": "This server"}],
        tags=[
            {"name": "Authentication", "description": "Accounts, logins and sessions"},
            {"name": "Users", "description": "Profiles and user administration"},
            {"name": "API Keys", "description": "Credentials for machines"},
            {"name": "Admin", "description": "Administrator-only views"},
            {"name": "Health", "description": "Liveness, readiness and startup probes"},
            {"name": "Tasks", "description": "Background task queue"},
            {"name": "Monitoring", "description": "Events, metrics, alerts and incidents"},
            {"name": "Notes", "description": "Markdown notes with versions, sharing and search"},
        ],
    )
    document["paths"] = {
        path.removeprefix(API_PREFIX) or "/": item
        for path, item in document["paths"].items()
        if path.startswith(API_PREFIX)
    }
    _declare_security(document, protected_operation_ids())
    document_error_responses(document, app)
    app.openapi_schema = document
    return document


SECURITY_SCHEMES = {
    "bearer_auth": {
        "type": "http",
        "scheme": "bearer",
        "description": "Session token (64 characters) or API key",
    },
    "api_key": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "API key"},
}


def _declare_security(document: dict[str, Any], protected: set[str]) -> None:
    """The auth guards read the credentials themselves, not through FastAPI's security
    dependencies (two more dependencies to solve per request), so the document's security
    requirements are declared here."""
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for item in document["paths"].values():
        for operation in item.values():
            if operation.get("operationId") in protected:
                operation["security"] = [{"bearer_auth": []}, {"api_key": []}]


ASSETS_DIR = "api-docs"  # inside the web build, written by web/vite.config.ts
SWAGGER_PARAMETERS = {
    "persistAuthorization": True,
    "displayRequestDuration": True,
    "tryItOutEnabled": False,
    "deepLinking": True,
}
MISSING_ASSETS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>starter API: explorer not built</title></head><body>
<h1>The API explorer is not built</h1>
<p>Swagger UI comes with the web build: run <code>make web</code> (it needs Node.js).</p>
<p>The OpenAPI document itself is at <a href="/api-docs/openapi.json">/api-docs/openapi.json</a>.</p>
</body></html>"""


def install_docs(app: FastAPI, web_build: Path | None) -> None:
    """`web_build`: the web app's build directory, which holds Swagger UI's assets."""
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    assets = web_build / ASSETS_DIR if web_build is not None else None
    built = assets is not None and (assets / "swagger-ui-bundle.js").is_file()
    if built:
        app.mount("/api-docs/assets", StaticFiles(directory=assets), name="swagger-assets")

    async def openapi_json(_request: Request) -> Response:
        return CompactJSONResponse(build_openapi(app))

    async def swagger_ui(_request: Request) -> HTMLResponse:
        if not built:
            return HTMLResponse(MISSING_ASSETS, status_code=503)
        return get_swagger_ui_html(
            openapi_url="/api-docs/openapi.json",
            title=f"{TITLE} · interactive documentation",
            swagger_js_url="/api-docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api-docs/assets/swagger-ui.css",
            swagger_favicon_url="/api-docs/assets/favicon-32x32.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    app.add_route("/api-docs/openapi.json", openapi_json, include_in_schema=False)
    app.add_route("/api-docs", swagger_ui, include_in_schema=False)
