"""FastAPI prepares an included router's routes (dependencies, parameter and response fields)
when they are first asked for. The lifespan asks for them, so the first requests a new server
process answers do not pay for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import routing as fastapi_routing

from starter.app import create_app
from starter.core.config import Settings
from tests.support.http import asgi_client, running

ROUTE_PREPARATION = "from_api_route"


def _counting(calls: list[str], prepare: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["original_route"].path)
        return prepare(*args, **kwargs)

    return counted


async def test_routes_are_prepared_at_startup_not_by_the_first_requests(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    effective = fastapi_routing._EffectiveRouteContext
    prepare = getattr(effective, ROUTE_PREPARATION)
    monkeypatch.setattr(effective, ROUTE_PREPARATION, _counting(calls, prepare))
    app = create_app(settings)
    async with running(app):
        prepared_at_startup = len(calls)
        async with asgi_client(app) as client:
            # The last routers in the app: a request walks every router before them.
            assert (await client.get("/api/v1/notes")).status_code == 401
            assert (await client.get("/api/v1/monitoring/stats")).status_code == 401
    assert prepared_at_startup > 50
    assert len(calls) == prepared_at_startup, calls[prepared_at_startup:]
