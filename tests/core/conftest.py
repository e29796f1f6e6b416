"""An app with a few test-only routes (a crash, typed path/query parameters) next to the real
ones, built with the production `create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

import httpx
import pytest
import structlog
from fastapi import Depends, FastAPI

from starter.app import create_app
from starter.auth.deps import Moderator
from starter.core.config import Settings
from starter.core.envelope import ApiResponse, RequestModel, ok
from starter.core.pagination import Page, page_params
from starter.core.routing import api_router
from tests.support.http import asgi_client, running

SECRET_DETAIL = "secret internals: /etc/passwd at 0xdeadbeef"


class ProbeBody(RequestModel):
    name: str


def _probe_router() -> object:
    router = api_router(prefix="/api/v1/_probe", tags=["Probe"])

    @router.get("/boom")
    async def boom() -> ApiResponse[str]:
        raise RuntimeError(SECRET_DETAIL)

    @router.get("/items/{item_id}")
    async def item(
        item_id: UUID, page: Annotated[Page, Depends(page_params(20, 100))]
    ) -> ApiResponse[dict[str, object]]:
        return ok({"id": str(item_id), "limit": page.limit, "offset": page.offset})

    @router.post("/ordered/{item_id}")
    async def ordered(
        _principal: Moderator,
        item_id: UUID,
        page: Annotated[Page, Depends(page_params(20, 100))],
        body: ProbeBody,
    ) -> ApiResponse[dict[str, object]]:
        return ok({"id": str(item_id), "limit": page.limit, "name": body.name})

    @router.get("/log")
    async def log_something() -> ApiResponse[str]:
        structlog.get_logger("tests.probe").info("probe.logged", detail="domain work")
        return ok("logged")

    return router


def build_probe_app(settings: Settings) -> FastAPI:
    application = create_app(settings)
    application.include_router(_probe_router())  # type: ignore[arg-type]
    # Ahead of the SPA's catch-all, which create_app mounts last.
    application.router.routes.insert(0, application.router.routes.pop())
    return application


@pytest.fixture
async def probe_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        running(build_probe_app(settings)) as application,
        asgi_client(application, raise_app_exceptions=False) as http,
    ):
        yield http
