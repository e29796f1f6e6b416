"""The router every API module uses (`api_router`): JSON bodies parsed our way, and requests
for other routers' paths turned away at once.

FastAPI reads the body before it solves any dependency and answers a syntax error at once,
which would put a 400 ahead of the auth guard's 401. The route hands FastAPI a `JsonRequest`
(FastAPI's documented custom-request pattern) that parses with orjson (NaN and Infinity are
refused) and, instead of raising, remembers what was wrong with the body on `request.state`:
a wrong content type (415) or unparseable JSON (400). Body validation then fails after the
dependencies and the path and query parameters, and the error handler reports the remembered
problem in its place (docs/api-conventions.md, "Which error comes first").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from starter.core.errors import AppError, UnsupportedMediaType
from starter.core.input_limits import parse_json_body

BODY_ERROR = "body_error"
# Fails validation of any body model, so FastAPI reports a body error after everything else.
UNPARSEABLE = object()


def is_json_content_type(value: str | None) -> bool:
    if not value:
        return False
    message = Message()
    message["content-type"] = value
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def pending_body_error(request: Request) -> AppError | None:
    """The 415/400 found while reading the body, if any."""
    error: AppError | None = getattr(request.state, BODY_ERROR, None)
    return error


class JsonRequest(Request):
    async def json(self) -> Any:
        """The parsed body; the one place every JSON request body passes through."""
        try:
            return parse_json_body(await self.body())  # syntax, NUL and depth (400)
        except AppError as error:
            setattr(self.state, BODY_ERROR, error)
            return UNPARSEABLE


def static_paths(app: FastAPI) -> frozenset[str]:
    """The app's paths without parameters (`/tasks/stats`), collected on first use."""
    paths: frozenset[str] | None = getattr(app.state, "static_paths", None)
    if paths is None:
        paths = frozenset(
            route.path
            for route in iter_route_contexts(app.routes)
            if route.path and route.methods and not route.param_convertors
        )
        app.state.static_paths = paths
    return paths


class JsonBodyRoute(APIRoute):
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """A path that a route declares literally is never a value of another's parameter:
        `DELETE /tasks/stats` is a 405 (`/tasks/stats` takes GET), not `DELETE /tasks/{id}`
        with an id that is not a UUID."""
        match, child_scope = super().matches(scope)
        if match is Match.NONE or not self.param_convertors:
            return match, child_scope
        if scope["path"] in static_paths(scope["app"]):
            return Match.NONE, {}
        return match, child_scope

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def json_body_handler(request: Request) -> Response:
            if not is_json_content_type(request.headers.get("content-type")):
                # FastAPI then validates the raw bytes (or a missing body), which fails.
                setattr(request.state, BODY_ERROR, UnsupportedMediaType())
            json_request = JsonRequest(request.scope, request.receive)
            # Read here, so a body over the size limit is our 413, not FastAPI's parse error.
            await json_request.body()
            return await handler(json_request)

        return json_body_handler


def _literal_start(route: BaseRoute) -> str:
    path: str = getattr(route, "path", "")
    return path.split("{", 1)[0]


class ApiRouter(APIRouter):
    """An APIRouter that declines a request whose path cannot be one of its routes'.

    FastAPI matches a request against the included routers in turn, and each one tries every
    route it has: a route mounted late in the app paid for every route before it (figures in
    bench/README.md). Every route's path begins with the literal text the router's routes
    share (`/api/v1/tasks`, up to the first path parameter), so a path that does not begin
    with it matches none of them and the router is skipped.
    """

    path_start: str | None = None  # set by `include`; None: this router is tried in full

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        start = self.path_start
        if start and not _route_path(scope).startswith(start):
            return Match.NONE, {}
        return super().matches(scope)


def _route_path(scope: Scope) -> str:
    """The path the routes see: without the `root_path` a proxy mounted the app under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def include(app: FastAPI, router: APIRouter, prefix: str) -> None:
    """`app.include_router(router, prefix=prefix)`, with an `ApiRouter` told where its routes
    begin (its routes are all declared by then: routers are built when their module loads)."""
    app.include_router(router, prefix=prefix)
    if isinstance(router, ApiRouter):
        starts = [_literal_start(route) for route in router.routes]
        # Character by character on purpose: a path's literal start need not end at a slash.
        router.path_start = prefix + os.path.commonprefix(starts) if starts else None  # noqa: RUF071


def api_router(**kwargs: Any) -> ApiRouter:
    """An `ApiRouter` whose routes use `JsonBodyRoute`."""
    return ApiRouter(route_class=JsonBodyRoute, **kwargs)
