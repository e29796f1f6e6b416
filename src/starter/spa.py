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
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

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


def install_spa(app: FastAPI, settings: ServerSettings) -> None:
    """Serve the SPA from the router's default handler, which runs only when NO route matched:
    routes added later (tests, plugins) are never shadowed, and a path some API route serves
    with another method keeps the framework's own 405."""
    root = dist_dir(settings)

    async def fallback(request: Request) -> Response:
        path = request.url.path
        if _is_api_path(path) or root is None:
            return render(NotFound())
        if request.method not in {"GET", "HEAD"}:
            return render(MethodNotAllowed(headers={"Allow": "GET, HEAD"}))
        candidate = (root / path.lstrip("/")).resolve()
        if path != "/" and candidate.is_file() and candidate.is_relative_to(root.resolve()):
            return FileResponse(candidate, headers={"cache-control": NO_CACHE})
        status = 200 if load_route_matcher(root).match(path) else 404
        return FileResponse(
            root / "index.html", status_code=status, headers={"cache-control": NO_CACHE}
        )

    not_found = app.router.default

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await not_found(scope, receive, send)
            return
        response = await fallback(Request(scope, receive))
        await response(scope, receive, send)

    if root is not None and (root / "assets").is_dir():
        app.mount("/assets", ImmutableStaticFiles(directory=root / "assets"), name="spa-assets")
    app.router.default = default
