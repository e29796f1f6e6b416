"""`install_error_handlers` is the app's one installation of exception handlers; a 405 can be
answered differently through its `wrong_method` hook (authentication first)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from starter.core.error_handlers import install_error_handlers
from starter.core.errors import AppError, Unauthorized
from tests.support.errors import assert_error
from tests.support.http import asgi_client


def _app(wrong_method: object = None) -> FastAPI:
    app = FastAPI()

    async def refuse_anonymous(request: Request) -> AppError | None:
        return Unauthorized() if "authorization" not in request.headers else None

    install_error_handlers(app, wrong_method=refuse_anonymous if wrong_method else None)

    @app.get("/thing")
    async def thing() -> dict[str, int]:
        return {"n": 1}

    return app


async def _delete(app: FastAPI, headers: dict[str, str]) -> httpx.Response:
    async with asgi_client(app) as client:
        return await client.delete("/thing", headers=headers)


async def test_a_wrong_method_is_405_with_allow() -> None:
    response = await _delete(_app(), {})
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "Method not allowed")
    assert response.headers["allow"] == "GET"


async def test_the_hook_may_answer_a_405_instead() -> None:
    assert_error(await _delete(_app(wrong_method=True), {}), 401, "UNAUTHORIZED")
    signed_in = await _delete(_app(wrong_method=True), {"authorization": "Bearer x"})
    assert_error(signed_in, 405, "METHOD_NOT_ALLOWED")
