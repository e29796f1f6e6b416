"""Deny by default: a protected route must declare an auth guard as its first dependency (which
FastAPI solves before anything else the route needs) or the API won't mount."""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI

from starter.api import PROTECTED_ROUTERS, include_api, unguarded_routes
from starter.auth.deps import AppSettings, CurrentUser, current_principal
from starter.core.deps import Conn
from starter.core.envelope import ApiResponse, ok
from starter.core.routing import api_router


def test_every_shipped_protected_route_is_guarded() -> None:
    assert [route for router in PROTECTED_ROUTERS for route in unguarded_routes(router)] == []


def test_a_route_without_a_guard_is_reported() -> None:
    router = api_router()

    @router.get("/open")
    async def open_route(conn: Conn) -> ApiResponse[int]:
        return ok(1)

    @router.get("/guard-second")
    async def guard_second(settings: AppSettings, principal: CurrentUser) -> ApiResponse[int]:
        return ok(1)

    @router.get("/guard-in-decorator", dependencies=[Depends(current_principal)])
    async def guard_in_decorator(conn: Conn) -> ApiResponse[int]:
        return ok(1)  # decorator dependencies come first

    @router.get("/guarded")
    async def guarded(principal: CurrentUser, conn: Conn) -> ApiResponse[int]:
        return ok(1)

    @router.get("/conn-declared-first")
    async def conn_declared_first(conn: Conn, principal: CurrentUser) -> ApiResponse[int]:
        return ok(1)  # would wait for a pooled connection before answering 401

    assert unguarded_routes(router) == [
        "['GET'] /open",
        "['GET'] /guard-second",
        "['GET'] /conn-declared-first",
    ]


def test_mounting_refuses_an_unguarded_protected_router(monkeypatch: pytest.MonkeyPatch) -> None:
    router = api_router()

    @router.get("/leaky")
    async def leaky() -> ApiResponse[int]:
        return ok(1)

    monkeypatch.setattr("starter.api.PROTECTED_ROUTERS", (*PROTECTED_ROUTERS, router))
    with pytest.raises(RuntimeError, match="/leaky"):
        include_api(FastAPI())
