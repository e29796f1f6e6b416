"""An API router declines, without trying its routes, a request whose path does not begin with
what its routes' paths share; which route a request reaches stays the same."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import Scope

from starter.app import create_app
from starter.core.config import Settings
from starter.core.envelope import ApiResponse, ok
from starter.core.routing import ApiRouter, api_router, include

SAMPLE_ID = "3f2a9c1b-07d4-4e5f-8a6b-9c0d1e2f3a4b"


def _scope(path: str, method: str = "GET", root_path: str = "") -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": root_path,
        "query_string": b"",
        "headers": [],
        "state": {},
    }


def _reached(app: FastAPI, scope: Scope) -> tuple[int, Match] | None:
    """Which of the app's top-level routes takes the request, and how (FULL or PARTIAL)."""
    scope = {**scope, "app": app}
    partial = None
    for index, route in enumerate(app.router.routes):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return index, match
        if match is Match.PARTIAL and partial is None:
            partial = (index, match)
    return partial


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", SAMPLE_ID, path)


def _requests(app: FastAPI) -> list[tuple[str, str]]:
    """Every route's path (parameters filled in) with each of its methods and one it lacks,
    and paths next to them that no route has."""
    requests: list[tuple[str, str]] = []
    for route in iter_route_contexts(app.routes):
        if not route.path:
            continue
        path = _concrete(route.path)
        requests += [(method, path) for method in sorted(route.methods or {"GET"})]
        requests += [("PATCH", path), ("GET", path + "x"), ("GET", path.rsplit("/", 1)[0])]
    return requests


def test_every_request_reaches_the_route_it_reached_without_skipping(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings)
    routers = [
        r for r in app.router.routes if isinstance(getattr(r, "original_router", None), ApiRouter)
    ]
    starts = {id(r): r.original_router.path_start for r in routers}  # type: ignore[attr-defined]
    assert all(starts.values())
    requests = _requests(app)
    assert len(requests) > 300
    with_skipping = [_reached(app, _scope(path, method)) for method, path in requests]
    for router in routers:  # module-level routers: every app built in this process shares them
        monkeypatch.setattr(router.original_router, "path_start", None)
    without = [_reached(app, _scope(path, method)) for method, path in requests]
    assert with_skipping == without


def test_a_router_declines_a_path_outside_its_routes_start() -> None:
    router = api_router(prefix="/things")

    @router.get("")
    async def things() -> ApiResponse[int]:
        return ok(1)

    @router.get("/{thing_id}")
    async def thing(thing_id: str) -> ApiResponse[str]:
        return ok(thing_id)

    app = FastAPI()
    include(app, router, "/api/v1")
    assert router.path_start == "/api/v1/things"
    assert _reached(app, _scope("/api/v1/things/7")) == (len(app.router.routes) - 1, Match.FULL)
    assert _reached(app, _scope("/api/v1/other")) is None
    # Behind a proxy that mounts the app under a root path, routes see the path without it.
    assert _reached(app, _scope("/base/api/v1/things", root_path="/base")) is not None
    assert _reached(app, _scope("/base/api/v1/other", root_path="/base")) is None


@pytest.mark.parametrize(("paths", "start"), [(["/{name}", "/static"], "/"), ([], None)])
def test_a_router_whose_routes_share_no_start_is_tried_for_every_path(
    paths: list[str], start: str | None
) -> None:
    router = api_router()
    for path in paths:
        router.add_api_route(path, lambda: None)
    include(FastAPI(), router, "")
    assert router.path_start == start
