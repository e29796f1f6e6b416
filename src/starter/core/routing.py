"""A route class that parses JSON bodies the contract's way before FastAPI sees them:
wrong or missing content type → 415, unparseable JSON (NaN included) → 400."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from email.message import Message

import orjson
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from starter.core.errors import InvalidJson, UnsupportedMediaType


def is_json_content_type(value: str | None) -> bool:
    if not value:
        return False
    message = Message()
    message["content-type"] = value
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


class JsonBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def parse_then_handle(request: Request) -> Response:
            if not is_json_content_type(request.headers.get("content-type")):
                raise UnsupportedMediaType()
            body = await request.body()
            try:
                # orjson rejects NaN/Infinity and invalid UTF-8, as the contract requires.
                request._json = orjson.loads(body)
            except orjson.JSONDecodeError as error:
                raise InvalidJson(f"Request body is not valid JSON: {error}") from None
            return await handler(request)

        return parse_then_handle


def api_router(**kwargs: object) -> APIRouter:
    """An APIRouter whose routes use `JsonBodyRoute`."""
    return APIRouter(route_class=JsonBodyRoute, **kwargs)  # type: ignore[arg-type]
