"""Serve the built web app: hashed assets cached forever, `index.html` never cached, SPA routes
(from the build's `routes.json`) with 200 and every other page path with 404 — while `/api/*`
is never swallowed (unknown API paths keep their JSON 404, wrong methods their 405)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import orjson
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Match
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from starter.core.config import ServerSettings
from starter.core.error_handlers import render
from starter.core.errors import MethodNotAllowed, NotFound

PACKAGED_DIST = Path(__file__).resolve().parent / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
_SEGMENT = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")


def dist_dir(settings: ServerSettings) -> Path | None:
    """The build to serve, or None when static serving is disabled or nothing is built."""
    if settings.web_build_path == "":
        return None
    root = Path(settings.web_build_path) if settings.web_build_path else PACKAGED_DIST
    return root if (root / "index.html").is_file() else None


def compile_routes(patterns: list[str]) -> re.Pattern[str]:
    """`/admin/tasks/$taskId` → a regex where `$taskId` matches one path segment."""
    alternatives = []
    for pattern in patterns:
        pieces = _SEGMENT.split(pattern)
        alternatives.append("[^/]+".join(re.escape(piece) for piece in pieces))
    return re.compile("^(?:" + "|".join(alternatives or ["(?!)"]) + ")/?$")


@lru_cache(maxsize=4)
def load_route_matcher(root: Path) -> re.Pattern[str]:
    manifest = root / "routes.json"
    routes: list[str] = []
    if manifest.is_file():
        routes = list(orjson.loads(manifest.read_bytes()).get("routes", []))
    return compile_routes(routes)


class ImmutableStaticFiles(StaticFiles):
    """Content-hashed files: safe to cache for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["cache-control"] = IMMUTABLE
        return response


def _is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


_PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Methods some API route accepts at this path. Probed through `matches` (public on every
    route), because FastAPI keeps included routers as opaque nested routes."""
    allowed = []
    for method in _PROBED_METHODS:
        probe = {**request.scope, "method": method}
        for route in app.router.routes:
            if getattr(route, "endpoint", None) is request.scope.get("endpoint"):
                continue  # the catch-all itself matches everything
            if route.matches(probe)[0] is Match.FULL:
                allowed.append(method)
                break
    return allowed


def _api_fallback(app: FastAPI, request: Request) -> Response:
    allowed = _allowed_methods(app, request)
    if allowed:
        return render(MethodNotAllowed(headers={"Allow": ", ".join(allowed)}))
    return render(NotFound())


def install_spa(app: FastAPI, settings: ServerSettings) -> None:
    """Mount the SPA last, after every API and docs route."""
    root = dist_dir(settings)

    async def fallback(request: Request) -> Response:
        path = request.url.path
        if _is_api_path(path) or root is None:
            return _api_fallback(app, request)
        if request.method not in {"GET", "HEAD"}:
            return render(MethodNotAllowed(headers={"Allow": "GET, HEAD"}))
        candidate = (root / path.lstrip("/")).resolve()
        if path != "/" and candidate.is_file() and candidate.is_relative_to(root.resolve()):
            return FileResponse(candidate, headers={"cache-control": NO_CACHE})
        status = 200 if load_route_matcher(root).match(path) else 404
        return FileResponse(
            root / "index.html", status_code=status, headers={"cache-control": NO_CACHE}
        )

    if root is not None and (root / "assets").is_dir():
        app.mount("/assets", ImmutableStaticFiles(directory=root / "assets"), name="spa-assets")
    app.add_route(
        "/{path:path}",
        fallback,
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
