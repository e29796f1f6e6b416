"""A route class that parses JSON bodies the contract's way before FastAPI sees them:
wrong or missing content type → 415, unparseable JSON (NaN included) → 400.

The body problem is not raised here: it is remembered on the request and reported when body
validation fails, so authentication (401) and role gates (403), which run as dependencies,
still answer first — the order the contract specifies."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

import orjson
from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from starter.core.errors import AppError, InvalidJson, UnsupportedMediaType


def is_json_content_type(value: str | None) -> bool:
    if not value:
        return False
    message = Message()
    message["content-type"] = value
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


UNPARSEABLE = object()


def pending_body_error(request: Request) -> AppError | None:
    """The 415/400 found while reading the body, if any (see module docstring)."""
    error: AppError | None = getattr(request.state, "body_error", None)
    return error


class JsonBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def parse_then_handle(request: Request) -> Response:
            if not is_json_content_type(request.headers.get("content-type")):
                request.state.body_error = UnsupportedMediaType()
                return await handler(request)
            body = await request.body()
            try:
                # orjson rejects NaN/Infinity and invalid UTF-8, as the contract requires.
                request._json = orjson.loads(body)
            except orjson.JSONDecodeError as error:
                request.state.body_error = InvalidJson(f"Request body is not valid JSON: {error}")
                request._json = UNPARSEABLE  # fails body validation after the dependencies ran
            return await handler(request)

        return parse_then_handle


def api_router(**kwargs: object) -> APIRouter:
    """An APIRouter whose routes use `JsonBodyRoute`."""
    return APIRouter(route_class=JsonBodyRoute, **kwargs)  # type: ignore[arg-type]
